import { membersOf, type Policy } from "../model/policy.js";
import type { AttemptRecord } from "../model/record.js";
import { newTally, tally, type ChainTally } from "./chainTally.js";
import { MAX_TIER, replaySlots, setAny, setResult, slotResult, type CountServed, type RoundSlots } from "./replaySlots.js";
import { targetKey } from "../model/targetKey.js";
import { wilsonInterval } from "./wilsonInterval.js";
import { roundKey, UNPLACED } from "../model/roundKey.js";

/** One chain's outcome numbers. */
export interface ChainRow {
  chain: string;
  /** chain_records: measured by chain runs; replay: derived from per-model probe rounds */
  source: "chain_records" | "replay";
  requests: number;
  served: number;
  /** requests tier 1 did not serve as intended: the app fell back, or a gateway did / requests */
  fallback_activation_rate: number | null;
  fallback_ci: [number, number] | null;
  /** requests tier 1 did not serve at all (a later tier did, or none) / requests */
  app_fallback_rate: number | null;
  /** requests tier 1 served with an answer a gateway took from another target / requests */
  gateway_fallback_rate: number | null;
  exhaustion_rate: number | null;
  /** how many requests each tier served ("1", "2", ...) */
  served_by_tier: Record<string, number>;
}

/**
 * Fallback activation (tier 1 did not serve / requests) and exhaustion (no tier served / requests) per chain:
 * from `kind: "chain"` records when a chain has them, otherwise by replaying each probe round down the chain
 * (a tier serves when its result is ok within its timeout). Holds the rounds in memory: for small inputs
 * (a probe run, the demo); `summarizeFiles` streams.
 */
export function createChainSummary(policy: Policy | undefined) {
  const measured = new Map<string, ChainTally>();
  const rounds = new Map<string, RoundSlots>();
  // with a policy, a chain's key is its index in the policy; without one, an id given in order of appearance
  const chains = policy ? Object.values(policy.chains) : [];
  const learned = new Map<string, number>();
  const learnedNames: string[] = [];
  const targetSlots = new Map<string, { slot: number; timeoutMs: number; pool: boolean }[]>();
  chains.forEach((c, ci) => {
    c.tiers.slice(0, c.maxDepth).forEach((t) => {
      // a pool's members fill its one slot: the tier serves when any of them does
      for (const m of membersOf(t)) {
        const target = targetKey(m.endpoint, m.model, m.headersId);
        targetSlots.set(target, [...(targetSlots.get(target) ?? []), { slot: ci * MAX_TIER + t.index, timeoutMs: m.timeoutMs, pool: t.members.length > 1 }]);
      }
    });
  });
  const depths = policy ? chains.map((c) => Math.min(c.maxDepth, c.tiers.length)) : null;
  const learnedSlot = (chain: string, tier: number): number => {
    let id = learned.get(chain);
    if (id === undefined) learned.set(chain, (id = learnedNames.push(chain) - 1));
    return id * MAX_TIER + tier;
  };
  return {
    add(r: AttemptRecord): void {
      if (r.kind === "chain") {
        if (!r.chain) return;
        let m = measured.get(r.chain);
        if (!m) measured.set(r.chain, (m = newTally()));
        tally(m, r.status === "ok" ? (r.served_tier ?? null) : null, r.status === "ok" && r.gateway_fallback === true);
        return;
      }
      // a probe record without run_id has no round to join (report and replay count and name those)
      const key = roundKey(r);
      if (key === null || key === UNPLACED) return;
      const slots = policy
        ? (targetSlots.get(targetKey(r.endpoint ?? "", r.model ?? "", r.headers_id)) ?? [])
        : r.chain && typeof r.tier === "number" && r.tier < MAX_TIER
          ? [{ slot: learnedSlot(r.chain, r.tier), timeoutMs: Infinity, pool: false }]
          : [];
      if (slots.length === 0) return;
      let round = rounds.get(key);
      if (!round) rounds.set(key, (round = { slots: [], results: [], n: 0 }));
      // a tier serves when ok within its timeout (a record without a latency: ok)
      for (const { slot, timeoutMs, pool } of slots) (pool ? setAny : setResult)(round, slot, slotResult(r.status === "ok" && !((r.latency_ms ?? 0) > timeoutMs), r.gateway_fallback === true));
    },
    rows(): ChainRow[] {
      const replayed = new Map<string, ChainTally>();
      const count: CountServed = (_window, chainKey, served, gateway) => {
        const name = policy ? chains[chainKey]!.name : learnedNames[chainKey]!;
        let c = replayed.get(name);
        if (!c) replayed.set(name, (c = newTally()));
        tally(c, served, gateway);
      };
      for (const round of rounds.values()) replaySlots(round.slots, round.results, round.n, depths, 0, count);
      const names = [...new Set([...measured.keys(), ...replayed.keys()])].sort();
      return names.map((name) => {
        const m = measured.get(name);
        const c = m ?? replayed.get(name)!;
        return chainRow(name, m ? "chain_records" : "replay", c);
      });
    },
  };
}

/** A chain's row from its counts: rates over requests, a Wilson interval for fallback activation (app-side and gateway-side). */
export function chainRow(chain: string, source: ChainRow["source"], t: ChainTally): ChainRow {
  const { requests, exhausted } = t;
  const rate = (n: number) => (requests > 0 ? n / requests : null);
  return {
    chain,
    source,
    requests,
    served: requests - exhausted,
    fallback_activation_rate: rate(t.fallback + t.gateway),
    fallback_ci: wilsonInterval(t.fallback + t.gateway, requests),
    app_fallback_rate: rate(t.fallback),
    gateway_fallback_rate: rate(t.gateway),
    exhaustion_rate: rate(exhausted),
    served_by_tier: t.byTier,
  };
}
