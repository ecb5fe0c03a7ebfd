import type { Policy } from "../policy/types.js";
import type { AttemptRecord } from "../store/record.js";
import { wilsonInterval } from "./wilsonInterval.js";

/** One chain's outcome numbers. */
export interface ChainRow {
  chain: string;
  /** chain_records: measured by chain runs; replay: derived from per-model probe rounds */
  source: "chain_records" | "replay";
  requests: number;
  served: number;
  fallback_activation_rate: number | null;
  fallback_ci: [number, number] | null;
  exhaustion_rate: number | null;
  /** how many requests each tier served ("1", "2", ...) */
  served_by_tier: Record<string, number>;
}

interface TierRef {
  index: number;
  key: string;
  timeoutMs: number;
}

/**
 * Fallback activation (tier 1 did not serve / requests) and exhaustion (no tier served / requests) per chain:
 * from `kind: "chain"` records when a chain has them, otherwise by replaying each probe round down the chain
 * (a tier serves when its result is ok within its timeout).
 */
export function createChainSummary(policy: Policy | undefined) {
  const measured = new Map<string, { requests: number; fallback: number; exhausted: number; byTier: Record<string, number> }>();
  const rounds = new Map<string, Map<string, { ok: boolean; latency: number | null }>>();
  const seenTiers = new Map<string, Map<number, string>>();
  return {
    add(r: AttemptRecord): void {
      if (r.kind === "chain") {
        if (!r.chain) return;
        let m = measured.get(r.chain);
        if (!m) measured.set(r.chain, (m = { requests: 0, fallback: 0, exhausted: 0, byTier: {} }));
        m.requests++;
        if (r.served_tier === null || r.served_tier === undefined || r.status !== "ok") m.exhausted++;
        else m.byTier[String(r.served_tier)] = (m.byTier[String(r.served_tier)] ?? 0) + 1;
        if (r.served_tier !== 1) m.fallback++;
        return;
      }
      if ((r.origin ?? "probe") !== "probe" || r.round === undefined) return;
      const roundKey = `${r.run_id}#${r.round}`;
      let round = rounds.get(roundKey);
      if (!round) rounds.set(roundKey, (round = new Map()));
      round.set(`${r.endpoint}\0${r.model}`, { ok: r.status === "ok", latency: r.latency_ms });
      if (!policy && r.chain && typeof r.tier === "number") {
        let tiers = seenTiers.get(r.chain);
        if (!tiers) seenTiers.set(r.chain, (tiers = new Map()));
        tiers.set(r.tier, `${r.endpoint}\0${r.model}`);
      }
    },
    rows(): ChainRow[] {
      const out: ChainRow[] = [];
      const chains = chainTiers(policy, seenTiers);
      const names = new Set([...chains.keys(), ...measured.keys()]);
      for (const name of [...names].sort()) {
        const m = measured.get(name);
        if (m) {
          out.push(row(name, "chain_records", m.requests, m.fallback, m.exhausted, m.byTier));
          continue;
        }
        const tiers = chains.get(name) ?? [];
        const first = tiers[0];
        if (!first) continue;
        let requests = 0;
        let fallback = 0;
        let exhausted = 0;
        const byTier: Record<string, number> = {};
        for (const round of rounds.values()) {
          if (!round.has(first.key)) continue;
          requests++;
          const served = tiers.find((t) => {
            const res = round.get(t.key);
            return res !== undefined && res.ok && (res.latency === null || res.latency <= t.timeoutMs);
          });
          if (!served) exhausted++;
          else byTier[String(served.index)] = (byTier[String(served.index)] ?? 0) + 1;
          if (served?.index !== 1) fallback++;
        }
        if (requests > 0) out.push(row(name, "replay", requests, fallback, exhausted, byTier));
      }
      return out;
    },
  };
}

function row(chain: string, source: ChainRow["source"], requests: number, fallback: number, exhausted: number, byTier: Record<string, number>): ChainRow {
  return {
    chain,
    source,
    requests,
    served: requests - exhausted,
    fallback_activation_rate: requests > 0 ? fallback / requests : null,
    fallback_ci: wilsonInterval(fallback, requests),
    exhaustion_rate: requests > 0 ? exhausted / requests : null,
    served_by_tier: byTier,
  };
}

function chainTiers(policy: Policy | undefined, seen: Map<string, Map<number, string>>): Map<string, TierRef[]> {
  const out = new Map<string, TierRef[]>();
  if (policy) {
    for (const c of Object.values(policy.chains)) {
      out.set(
        c.name,
        c.tiers.slice(0, c.maxDepth).map((t) => ({ index: t.index, key: `${t.endpoint}\0${t.model}`, timeoutMs: t.timeoutMs })),
      );
    }
    return out;
  }
  for (const [name, tiers] of seen) {
    out.set(
      name,
      [...tiers.entries()].sort((a, b) => a[0] - b[0]).map(([index, key]) => ({ index, key, timeoutMs: Infinity })),
    );
  }
  return out;
}
