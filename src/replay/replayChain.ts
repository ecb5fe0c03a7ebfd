import { targetKey } from "../model/targetKey.js";
import { quantilesBySelection } from "../analysis/quantilesBySelection.js";
import { wilsonInterval } from "../analysis/wilsonInterval.js";
import { breakerAdmit, breakerRecord } from "../fallback/breaker.js";
import { CLOSED, type BreakerState } from "../model/breakerState.js";
import type { Chain } from "../model/policy.js";
import { STATUSES, type Status } from "../model/status.js";
import { MISSING, STATUS_OK, type History } from "./history.js";
import { weightedQuantiles } from "../analysis/weightedQuantiles.js";
import { poolReplay, type PoolOutcome } from "./poolReplay.js";

const STATUS_TIMEOUT = STATUSES.indexOf("timeout");

/** What a chain would have done over the recorded rounds. */
export interface ReplayResult {
  chain: string;
  requests: number;
  served: number;
  success_rate: number | null;
  success_ci: [number, number] | null;
  /** rounds tier 1 did not serve as intended (a later tier served, none did, or a gateway answered for it) / rounds */
  fallback_activation_rate: number | null;
  /** rounds tier 1 served with an answer its gateway took from another target / rounds */
  gateway_fallback_rate: number | null;
  exhaustion_rate: number | null;
  served_by_tier: Record<string, number>;
  /** end-to-end latency of served requests: time spent on every attempt, failed ones included, plus backoff */
  p50_ms: number | null;
  p95_ms: number | null;
  p99_ms: number | null;
  /** mean USD per 1,000 requests, from the served answers' tokens and the tiers' prices; null without prices */
  cost_per_1k: number | null;
  /** total time each tier's breaker spent open (ms), by tier number */
  breaker_open_ms: Record<string, number>;
}

/**
 * Replays every recorded round through the chain with the engine's rules: a tier's result is a failure
 * when it is not `ok` or took longer than the tier's timeout (the time spent is then the timeout); then
 * the next tier. Breakers evolve round by round at the rounds' times. Retries of retryable failures
 * (never of timeouts) are assumed to fare as the same model did in the next recorded round, after the
 * mean full-jitter backoff (half its ceiling): probe history records one attempt a round. Pure.
 */
export function replayChain(history: History, chain: Chain): ReplayResult {
  const n = history.ts.length;
  // per tier: its columns, and a lookup table of the statuses it retries
  const tiers = chain.tiers.slice(0, chain.maxDepth).map((t) => {
    const col = history.targets.indexOf(targetKey(t.endpoint, t.model, t.headersId));
    const retry = new Uint8Array(256);
    for (const s of t.retry.retryOn) retry[STATUSES.indexOf(s)] = 1;
    return { tier: t, col, status: col >= 0 ? history.status[col]! : undefined, latency: col >= 0 ? history.latency[col]! : undefined, retry, viaGateway: col >= 0 ? history.gateway[col]! : undefined };
  });
  const pools = chain.tiers.slice(0, chain.maxDepth).map((t) => (t.members.length > 1 ? poolReplay(history, t) : undefined));
  const anyPool = pools.some((p) => p !== undefined);
  const breakers: BreakerState[] = tiers.map(() => CLOSED);
  const openSince: (number | null)[] = tiers.map(() => null);
  const openMs = tiers.map(() => 0);
  // with a pool, a round's served latency is a mixture: one sample per pick, weighted by its chance
  const maxBranches = Math.max(1, ...chain.tiers.map((t) => t.members.length));
  const latencies = new Float64Array(n * maxBranches);
  const latWeights = new Float64Array(n * maxBranches);
  let samples = 0;
  let requests = 0;
  let served = 0;
  let fallback = 0;
  let viaGateway = 0;
  let costSum = 0;
  let costKnown = 0;
  const byTier: Record<string, number> = {};
  const first = tiers[0];
  for (let i = 0; i < n; i++) {
    if (!first || !first.status || first.status[i] === MISSING) continue;
    requests++;
    const now = history.ts[i]!;
    // most rounds see every breaker closed: skip the admission bookkeeping then
    let anyOpen = false;
    for (let k = 0; k < tiers.length; k++) if (breakers[k]!.state !== "closed") anyOpen = true;
    const allOpen = anyOpen && tiers.every((_, k) => !breakerAdmit(breakers[k]!, tiers[k]!.tier.breaker, now).allow);
    let spent = 0;
    let servedBy = -1;
    let servedRow = -1;
    let poolServed: PoolOutcome | undefined;
    for (let k = 0; k < tiers.length && servedBy < 0; k++) {
      const { tier, col, status: statusCol, latency: latencyCol, retry } = tiers[k]!;
      if (chain.deadlineMs !== undefined && spent >= chain.deadlineMs) break;
      const pool = pools[k];
      if (pool) {
        const outcome = pool.round(i, chain.deadlineMs === undefined ? Infinity : chain.deadlineMs - spent);
        if (outcome.served > 0) {
          servedBy = k;
          poolServed = outcome;
          break;
        }
        spent += outcome.spentAll;
        continue;
      }
      if (breakers[k]!.state !== "closed") {
        const admitted = breakerAdmit(breakers[k]!, tier.breaker, now);
        if (!admitted.allow && !allOpen) continue;
        breakers[k] = admitted.next;
      }
      if (col < 0) continue;
      for (let a = 1; a <= tier.retry.maxAttempts; a++) {
        const row = i + a - 1;
        if (row >= n) break;
        const st = statusCol![row]!;
        if (st === MISSING) break;
        const lat = latencyCol![row]!;
        const ok = st === STATUS_OK && lat <= tier.timeoutMs;
        const timedOut = (st === STATUS_OK && lat > tier.timeoutMs) || st === STATUS_TIMEOUT;
        spent += ok ? lat : timedOut ? tier.timeoutMs : Math.min(lat, tier.timeoutMs);
        const status: Status = ok ? "ok" : timedOut ? "timeout" : STATUSES[st]!;
        const before = breakers[k]!.state;
        if (!(ok && before === "closed" && breakers[k]!.failures === 0)) breakers[k] = breakerRecord(breakers[k]!, tier.breaker, status, now);
        if (before !== "open" && breakers[k]!.state === "open") openSince[k] ??= now;
        if (breakers[k]!.state === "closed" && openSince[k] !== null) {
          openMs[k]! += now - openSince[k]!;
          openSince[k] = null;
        }
        if (ok) {
          if (chain.deadlineMs === undefined || spent <= chain.deadlineMs) {
            servedBy = k;
            servedRow = row;
          }
          const pt = history.promptTokens[col]![row]!;
          const ct = history.completionTokens[col]![row]!;
          if (servedBy >= 0 && tier.price && !Number.isNaN(pt) && !Number.isNaN(ct)) {
            costSum += (pt * tier.price.inputPerMTok + ct * tier.price.outputPerMTok) / 1e6;
            costKnown++;
          }
          break;
        }
        if (timedOut || retry[st] === 0 || a === tier.retry.maxAttempts) break;
        spent += Math.min(tier.retry.maxDelayMs, tier.retry.baseDelayMs * 2 ** (a - 1)) / (tier.retry.jitter === "full" ? 2 : 1);
      }
    }
    if (poolServed) {
      // a pool served with the chance outcome.served (its picks that fit in the deadline): a mixture
      for (const b of poolServed.branches) {
        latencies[samples] = spent + b.spent;
        latWeights[samples++] = b.p;
        if (b.cost !== null) {
          costSum += b.p * b.cost;
          costKnown += b.p;
        }
      }
      served += poolServed.served;
      const t = String(tiers[servedBy]!.tier.index);
      byTier[t] = (byTier[t] ?? 0) + poolServed.served;
      fallback += servedBy === 0 ? 1 - poolServed.served + poolServed.viaGateway : 1;
      if (servedBy === 0) viaGateway += poolServed.viaGateway;
      continue;
    }
    if (servedBy >= 0) {
      latencies[samples] = spent;
      latWeights[samples++] = 1;
      served++;
      const t = String(tiers[servedBy]!.tier.index);
      byTier[t] = (byTier[t] ?? 0) + 1;
    }
    if (servedBy !== 0) fallback++;
    else if (tiers[0]!.viaGateway![servedRow] === 1) viaGateway++;
  }
  const end = n > 0 ? history.ts[n - 1]! : 0;
  tiers.forEach((_, k) => {
    if (openSince[k] !== null) openMs[k]! += end - openSince[k]!;
  });
  // three order statistics by selection: a full sort was a third of a recommend search
  const [p50, p95, p99] = anyPool ? weightedQuantiles(latencies, latWeights, samples, [0.5, 0.95, 0.99]) : quantilesBySelection(latencies, samples, [0.5, 0.95, 0.99]).map((v) => v ?? null);
  return {
    chain: chain.name,
    requests,
    served,
    success_rate: requests ? served / requests : null,
    success_ci: wilsonInterval(served, requests),
    fallback_activation_rate: requests ? (fallback + viaGateway) / requests : null,
    gateway_fallback_rate: requests ? viaGateway / requests : null,
    exhaustion_rate: requests ? (requests - served) / requests : null,
    served_by_tier: byTier,
    p50_ms: p50 ?? null,
    p95_ms: p95 ?? null,
    p99_ms: p99 ?? null,
    // mean cost of a served answer × the share of requests served; failed requests cost nothing here
    cost_per_1k: costKnown > 0 && requests > 0 ? (costSum / costKnown) * (served / requests) * 1000 : null,
    breaker_open_ms: Object.fromEntries(tiers.map(({ tier }, k) => [String(tier.index), openMs[k]!])),
  };
}
