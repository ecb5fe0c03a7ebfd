import { targetKey } from "../model/targetKey.js";
import type { Tier } from "../model/policy.js";
import { STATUSES } from "../model/status.js";
import { byWeight, createPoolStats, EXPLORE, exploring, rankMembers } from "../fallback/poolOrder.js";
import { MISSING, STATUS_OK, type History } from "./history.js";

const STATUS_TIMEOUT = STATUSES.indexOf("timeout");
/** The latency and least_errors strategies explore every this many requests in a replay (their EXPLORE share, without a random draw). */
const EXPLORE_EVERY = Math.round(1 / EXPLORE);

/** One pick's path through a pool in one round: its chance, the time it took, what the answer cost. */
export interface PoolBranch {
  p: number;
  spent: number;
  cost: number | null;
}

/** A pool tier's outcome in one round. */
export interface PoolOutcome {
  /** the chance the pool served (its picks that found an ok member within the deadline) */
  served: number;
  /** the part of it answered through a gateway's fallback */
  viaGateway: number;
  branches: PoolBranch[];
  /** the time spent when no member served: every member tried */
  spentAll: number;
}

/**
 * A pool tier replayed over probe rounds, where every member was probed each round. The tier tries its
 * members in the strategy's order until one is ok within its timeout (a member slower than that counts
 * its timeout). weighted: the expected outcome, each pick weighted by its share (no sampling noise).
 * latency and least_errors: the strategy run over the rounds in time order, updated with the members it
 * tried, exploring every 20th round. Retries beyond one attempt per member, and members' breakers, are
 * not replayed.
 */
export function poolReplay(history: History, tier: Tier) {
  const members = tier.members.map((m) => {
    const col = history.targets.indexOf(targetKey(m.endpoint, m.model, m.headersId));
    return { m, col };
  });
  const total = members.reduce((a, x) => a + x.m.weight, 0);
  const indexOf = new Map(tier.members.map((m, j) => [m, j]));
  const indices = (order: readonly Tier[]) => order.map((m) => indexOf.get(m)!);
  // latency and least_errors: the engine's own statistics and ranking, fed the members each round tried
  const stats = createPoolStats();
  let rounds = 0;

  // a member's result in a round: whether it served, the time it took, what its answer cost
  const at = (j: number, row: number) => {
    const { m, col } = members[j]!;
    if (col < 0) return { ok: false, time: 0, cost: null, gateway: false, seen: false };
    const st = history.status[col]![row]!;
    if (st === MISSING) return { ok: false, time: 0, cost: null, gateway: false, seen: false };
    const lat = history.latency[col]![row]!;
    const ok = st === STATUS_OK && lat <= m.timeoutMs;
    const timedOut = (st === STATUS_OK && lat > m.timeoutMs) || st === STATUS_TIMEOUT;
    const pt = history.promptTokens[col]![row]!;
    const ct = history.completionTokens[col]![row]!;
    const cost = ok && m.price && !Number.isNaN(pt) && !Number.isNaN(ct) ? (pt * m.price.inputPerMTok + ct * m.price.outputPerMTok) / 1e6 : null;
    return { ok, time: ok ? lat : timedOut ? m.timeoutMs : Math.min(lat, m.timeoutMs), cost, gateway: ok && history.gateway[col]![row] === 1, seen: true };
  };

  // weighted: the same picks every round
  const heaviest = byWeight(tier.members);
  const weightedPicks = tier.members.map((m) => ({ p: m.weight / total, order: indices([m, ...heaviest.filter((x) => x !== m)]) }));
  const orders = (): { p: number; order: number[] }[] => {
    if (tier.strategy === "weighted") return weightedPicks;
    const ranked = rankMembers(tier, stats);
    return [{ p: 1, order: indices(rounds % EXPLORE_EVERY === EXPLORE_EVERY - 1 ? exploring(ranked, 1) : ranked) }];
  };

  return {
    round(row: number, budgetMs: number): PoolOutcome {
      const results = members.map((_, j) => at(j, row));
      const out: PoolOutcome = { served: 0, viaGateway: 0, branches: [], spentAll: results.reduce((a, r) => a + r.time, 0) };
      const picks = orders();
      for (const { p, order } of picks) {
        let spent = 0;
        for (const j of order) {
          const r = results[j]!;
          if (!r.seen) continue;
          spent += r.time;
          if (tier.strategy !== "weighted") stats.observe(members[j]!.m, { status: r.ok ? "ok" : "server_error", latencyMs: r.time });
          if (r.ok) {
            if (spent <= budgetMs) {
              out.served += p;
              if (r.gateway) out.viaGateway += p;
              out.branches.push({ p, spent, cost: r.cost });
            }
            break;
          }
        }
      }
      rounds++;
      return out;
    },
  };
}
