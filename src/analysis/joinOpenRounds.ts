import { mergeTally, newTally, tally, type ChainTally } from "./chainTally.js";
import { MAX_TIER, replaySlots, ROUNDS_PER_RUN, setAny, setResult, type CountServed } from "./replaySlots.js";
import type { ChainCounts, OpenRounds, SummarySpec } from "./summarizeRange.js";

// the policy's chains' depths by chain key, or null when chains are learned from the records
export const chainDepths = (spec: SummarySpec) => spec.chains?.map((c) => c.tiers.length) ?? null;

/**
 * Joins the rounds that ranges handed on (`parts` in input order: a later record of a slot replaces an
 * earlier one, as within a range) and counts each joined round's replay into `into`.
 */
export function joinOpenRounds(parts: readonly OpenRounds[], spec: SummarySpec, into: Map<string, ChainCounts>): void {
  const runIds = new Map<string, number>();
  const chainIds = new Map<string, number>(spec.chains?.map((c, i) => [c.name, i]));
  const chainNames = spec.chains?.map((c) => c.name) ?? [];
  const rounds = new Map<number, { window: number; slots: number[]; results: number[] }>();
  for (const part of parts) {
    const runs = part.runs.map((name) => runIds.get(name) ?? runIds.set(name, runIds.size).size - 1);
    const chains = part.chains.map((name) => {
      let id = chainIds.get(name);
      if (id === undefined) {
        chainIds.set(name, (id = chainNames.length));
        chainNames.push(name);
      }
      return id;
    });
    const d = part.data;
    for (let i = 0; i < d.length; ) {
      const key = runs[d[i]!]! * ROUNDS_PER_RUN + d[i + 1]!;
      let r = rounds.get(key);
      if (!r) rounds.set(key, (r = { window: d[i + 2]!, slots: [], results: [] }));
      const n = d[i + 3]!;
      i += 4;
      for (let k = 0; k < n; k++, i += 3) {
        const chain = chains[d[i]!]!;
        const slot = chain * MAX_TIER + d[i + 1]!;
        // a pool's slot keeps the best any member had; another's, the later record
        const pool = (spec.chains?.[chain]?.tiers[d[i + 1]! - 1]?.targets.length ?? 1) > 1;
        const round = { slots: r.slots, results: r.results, n: r.slots.length };
        if (pool) setAny(round, slot, d[i + 2]!);
        else setResult(round, slot, d[i + 2]!);
        r.slots.length = round.n;
        r.results.length = round.n;
      }
    }
  }
  const tiers = chainDepths(spec);
  // counted by window and chain index, then added by name once per chain (a name key per round would take a
  // third of the join's time)
  const counts: (ChainTally | undefined)[][] = spec.windows.map(() => []);
  const count: CountServed = (window, chainKey, served, gateway) => tally((counts[window]![chainKey] ??= newTally()), served, gateway);
  for (const r of rounds.values()) replaySlots(r.slots, r.results, r.slots.length, tiers, r.window, count);
  counts.forEach((list, window) =>
    list.forEach((t, chainKey) => {
      if (!t) return;
      const k = `${window}\u0000${chainNames[chainKey]!}`;
      const have = into.get(k);
      if (have) mergeTally(have, t);
      else into.set(k, { window, chain: chainNames[chainKey]!, ...t });
    }),
  );
}

/** Counts one chain request of a window (measured or replayed) that tier `served` answered (null for none), through a gateway's fallback or not. */
export function countChain(into: Map<string, ChainCounts>, window: number, chain: string, served: number | null, gateway: boolean): void {
  const k = `${window}\u0000${chain}`;
  let c = into.get(k);
  if (!c) into.set(k, (c = { window, chain, ...newTally() }));
  tally(c, served, gateway);
}
