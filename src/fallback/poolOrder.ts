import { membersOf, type Tier } from "../model/policy.js";
import type { AttemptResult } from "../probe/runAttempt.js";

/** The latency strategy's moving average halves an answer's weight after this many later ok answers. */
export const LATENCY_HALF_LIFE = 5;
/** The least_errors strategy's failure score halves after this many later attempts. */
export const ERROR_HALF_LIFE = 10;
/** latency and least_errors send this share of requests to another member first, so a recovered one is noticed. */
export const EXPLORE = 0.05;

const LATENCY_KEEP = 2 ** (-1 / LATENCY_HALF_LIFE);
const ERROR_KEEP = 2 ** (-1 / ERROR_HALF_LIFE);

/** What the engine remembers of a pool member across requests (in memory: one process, one set). */
interface MemberStats {
  /** exponentially weighted moving average of ok latencies, ms; null before the first ok answer */
  ewmaMs: number | null;
  /** decayed count of recent failures */
  failScore: number;
}

/** Pool members' recent latency and failures, by member name. */
export interface PoolStats {
  observe(member: Tier, result: Pick<AttemptResult, "status" | "latencyMs">): void;
  of(member: Tier): Readonly<MemberStats>;
}

/** Fresh statistics: an application's client keeps one for its lifetime, a monitor one per run. */
export function createPoolStats(): PoolStats {
  const stats = new Map<string, MemberStats>();
  const get = (m: Tier) => {
    const key = m.member ?? `${m.endpoint}/${m.model}`;
    let s = stats.get(key);
    if (!s) stats.set(key, (s = { ewmaMs: null, failScore: 0 }));
    return s;
  };
  return {
    observe(member, result) {
      if (result.status === "skipped") return;
      const s = get(member);
      const ok = result.status === "ok";
      s.failScore = s.failScore * ERROR_KEEP + (ok ? 0 : 1);
      if (ok) s.ewmaMs = s.ewmaMs === null ? result.latencyMs : s.ewmaMs * LATENCY_KEEP + result.latencyMs * (1 - LATENCY_KEEP);
    },
    of: get,
  };
}

/**
 * The order in which one request tries a pool's members: the strategy's pick first, then the rest.
 * weighted: the pick drawn by weight, the rest by weight (heaviest first). latency: the lowest moving
 * average first (a member with no ok answer yet first of all, to learn it). least_errors: the lowest
 * failure score first (ties: the heavier). Both of those put another member first for EXPLORE of the
 * requests. A plain tier's order is itself.
 */
export function poolOrder(tier: Tier, stats: PoolStats, random: () => number): Tier[] {
  const members = membersOf(tier);
  if (members.length === 1) return members;
  if (tier.strategy === "weighted") {
    const total = members.reduce((a, m) => a + m.weight, 0);
    let x = random() * total;
    const pick = members.find((m) => (x -= m.weight) < 0) ?? members[members.length - 1]!;
    return [pick, ...byWeight(members).filter((m) => m !== pick)];
  }
  const ranked = rankMembers(tier, stats);
  if (random() < EXPLORE) return exploring(ranked, 1 + Math.floor(random() * (ranked.length - 1)));
  return ranked;
}

/** Members heaviest first (ties in the policy's order). */
export function byWeight(members: readonly Tier[]): Tier[] {
  return members.map((m, i) => ({ m, i })).sort((a, b) => b.m.weight - a.m.weight || a.i - b.i).map((x) => x.m);
}

/** latency and least_errors: members by their statistic, best first (ties: the heavier). */
export function rankMembers(tier: Tier, stats: PoolStats): Tier[] {
  const score = (m: Tier) => {
    const s = stats.of(m);
    return tier.strategy === "latency" ? (s.ewmaMs ?? -1) : s.failScore;
  };
  return byWeight(membersOf(tier)).map((m, i) => ({ m, i, s: score(m) })).sort((a, b) => a.s - b.s || a.i - b.i).map((x) => x.m);
}

/** The ranking with its k-th member put first (an exploring request). */
export function exploring(ranked: readonly Tier[], k: number): Tier[] {
  return [ranked[k]!, ...ranked.filter((_, j) => j !== k)];
}
