import { membersOf, type Policy } from "../model/policy.js";
import { finishGroup, type GroupAcc } from "./groupAcc.js";
import { weightedQuantiles } from "./weightedQuantiles.js";

/** A pool tier as its users experience it: its members' outcomes weighted by their shares. */
export interface PoolRow {
  chain: string;
  tier: number;
  strategy: string;
  /** each member's share of the first attempts (weighted: its weight over the pool's; latency and least_errors: equal), and its own numbers */
  members: { member: string; share: number; sent: number; success_rate: number | null; p95_ms: number | null }[];
  /** Σ share × the member's success rate, over the members with attempts */
  success_rate: number | null;
  /** p50 and p95 of the members' ok latencies mixed by share (each member's samples weigh share / its ok count) */
  p50_ms: number | null;
  p95_ms: number | null;
}

/**
 * The pool tiers of a policy, from accumulators grouped by endpoint and model: a member's attempts are its
 * target's, whichever chain's probe recorded them (a model in two chains is probed once).
 */
export function poolRows(policy: Policy, accs: readonly GroupAcc[]): PoolRow[] {
  const byMember = new Map(accs.map((a) => [`${a.keys.endpoint}/${a.keys.model}`, a]));
  const out: PoolRow[] = [];
  for (const chain of Object.values(policy.chains)) {
    for (const tier of chain.tiers) {
      if (tier.members.length < 2) continue;
      const members = membersOf(tier);
      const total = members.reduce((a, m) => a + (tier.strategy === "weighted" ? m.weight : 1), 0);
      const rows = members.map((m) => {
        const acc = byMember.get(`${m.endpoint}/${m.model}`);
        const row = acc ? finishGroup({ ...acc, latencies: { data: acc.latencies.data.slice(0, acc.latencies.n), n: acc.latencies.n } }) : undefined;
        return { member: m.member!, share: (tier.strategy === "weighted" ? m.weight : 1) / total, sent: row?.sent ?? 0, success_rate: row?.success_rate ?? null, p95_ms: row?.p95_ms ?? null, acc };
      });
      const seen = rows.filter((r) => r.success_rate !== null);
      const seenShare = seen.reduce((a, r) => a + r.share, 0);
      const success = seen.length ? seen.reduce((a, r) => a + r.share * r.success_rate!, 0) / seenShare : null;
      // the mixture: every ok latency of a member weighs its share over its ok count
      const n = rows.reduce((a, r) => a + (r.acc?.latencies.n ?? 0), 0);
      const values = new Float64Array(n);
      const weights = new Float64Array(n);
      let k = 0;
      for (const r of rows) {
        const s = r.acc?.latencies;
        if (!s || s.n === 0) continue;
        for (let i = 0; i < s.n; i++) {
          values[k] = s.data[i]!;
          weights[k++] = r.share / s.n;
        }
      }
      const [p50, p95] = weightedQuantiles(values, weights, k, [0.5, 0.95]);
      out.push({ chain: chain.name, tier: tier.index, strategy: tier.strategy, members: rows.map(({ acc: _acc, ...r }) => r), success_rate: success, p50_ms: p50 ?? null, p95_ms: p95 ?? null });
    }
  }
  return out;
}
