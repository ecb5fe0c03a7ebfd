import { targetKey } from "../model/targetKey.js";
import { poolAdvice, strategyAdvice, withWeights, type PoolAdvice } from "./poolAdvice.js";
import { targetRounds } from "./history.js";
import { quantileSorted } from "../analysis/quantileSorted.js";
import { wilsonInterval } from "../analysis/wilsonInterval.js";
import { worstCaseMs } from "../policy/worstCaseMs.js";
import type { Chain, Policy, Tier } from "../model/policy.js";
import { MISSING, STATUS_OK, type History } from "./history.js";
import { replayChain, type ReplayResult } from "./replayChain.js";

export type Objective = "success" | "p95" | "cost";

/** One tier's observed health. */
export interface TierEvidence {
  tier: number;
  model: string;
  samples: number;
  success_rate: number | null;
  success_ci: [number, number] | null;
  p50_ms: number | null;
  p95_ms: number | null;
  /** timeout choices with the share of ok answers each would have cut (predicted false timeouts) */
  timeouts: { timeout_ms: number; false_timeout_rate: number }[];
  /** how this tier's failures came: run lengths in rounds, and how long outages lasted */
  failure_runs: string;
  /** ok answers a gateway took from another target / ok answers, with its Wilson interval */
  gateway_fallback_rate: number | null;
  gateway_fallback_ci: [number, number] | null;
  /** who served those answers, most often first */
  served_elsewhere: string[];
}

/** The recommendation for one chain. */
export interface ChainRecommendation {
  chain: string;
  verdict: "change" | "keep" | "not_enough_evidence";
  reason: string;
  tiers: TierEvidence[];
  current: ReplayResult;
  proposed: ReplayResult | null;
  /** the proposed tiers in order, with their timeouts, retries and breakers (and a pool's member weights) */
  proposal: { model: string; endpoint: string; timeout_ms: number; max_attempts: number; failure_threshold: number; cooldown_ms: number; weights?: Record<string, number> }[] | null;
  /** pool weights proposed, with their evidence */
  pools: PoolAdvice[];
  notes: string[];
  flags: string[];
}

const MIN_ROUNDS = 100;

/** Searches tier orders (respecting pin and quality) and per-tier timeouts by replay; proposes only with solid evidence. Pure. */
export function recommend(history: History, policy: Policy, options: { optimize?: Objective[]; minRounds?: number; assumeEqualQuality?: boolean } = {}): ChainRecommendation[] {
  const optimize = options.optimize ?? ["success", "p95", "cost"];
  const minRounds = options.minRounds ?? MIN_ROUNDS;
  return Object.values(policy.chains).map((chain) => recommendChain(history, chain, optimize, minRounds, options.assumeEqualQuality === true));
}

function recommendChain(history: History, chain: Chain, optimize: Objective[], minRounds: number, assumeEqualQuality: boolean): ChainRecommendation {
  const current = replayChain(history, chain);
  const evidence = chain.tiers.map((t) => tierEvidence(history, t));
  const flags = flagsFor(history, chain, evidence, current);
  // a tier whose answers came from elsewhere through the gateway: its numbers are another target's
  const elsewhere = evidence.filter((e) => e.gateway_fallback_ci !== null && e.gateway_fallback_ci[0] >= GATEWAY_SHARE);
  for (const e of elsewhere) flags.push(gatewayFlag(e));
  const pools = current.requests >= minRounds ? poolAdvice(history, chain, minRounds) : [];
  if (pools.length === 0) flags.push(...strategyAdvice(history, chain, minRounds));
  const base = { chain: chain.name, tiers: evidence, current, flags, pools };
  if (current.requests < minRounds) {
    return { ...base, verdict: "not_enough_evidence", reason: `${current.requests} recorded round(s); at least ${minRounds} are needed before changing a policy`, proposed: null, proposal: null, notes: [] };
  }
  // every allowed order; per order, each tier's timeout chosen in turn among its choices (one coordinate pass)
  let best: { chain: Chain; result: ReplayResult } = { chain, result: current };
  const allowed = elsewhere.length > 0 ? [chain.tiers.slice()] : allowedOrders(chain.tiers, { assumeEqualQuality });
  for (const order of allowed) {
    let candidate = withTiers(chain, order);
    let result = replayChain(history, candidate);
    for (let k = 0; k < order.length; k++) {
      const choices = evidence.find((e) => e.tier === order[k]!.index)!.timeouts.map((x) => x.timeout_ms);
      for (const timeout of choices) {
        const tried = withTiers(chain, order.map((t, j) => (j === k ? { ...t, timeoutMs: timeout, connectTimeoutMs: Math.min(t.connectTimeoutMs, timeout) } : candidate.tiers[j]!)));
        const r = replayChain(history, tried);
        if (better(r, result, optimize)) {
          candidate = tried;
          result = r;
        }
      }
    }
    if (better(result, best.result, optimize)) best = { chain: candidate, result };
  }
  // then retry counts (the same on every tier), then breakers tuned to each tier's failure runs
  for (const attempts of [1, 2, 3]) {
    const tried = withTiers(best.chain, best.chain.tiers.map((t) => ({ ...t, retry: { ...t.retry, maxAttempts: attempts } })));
    const r = replayChain(history, tried);
    if (better(r, best.result, optimize)) best = { chain: tried, result: r };
  }
  const tuned = withTiers(best.chain, best.chain.tiers.map((t) => {
    const b = breakerSuggestion(history, t);
    return b ? { ...t, breaker: { ...t.breaker, failureThreshold: b.failureThreshold, cooldownMs: b.cooldownMs } } : t;
  }));
  const tunedResult = replayChain(history, tuned);
  if (better(tunedResult, best.result, optimize)) best = { chain: tuned, result: tunedResult };
  // a pool's weights follow its members' evidence (intervals apart), whatever the search found
  if (pools.length > 0) {
    const weighted = withWeights(best.chain, pools);
    best = { chain: weighted, result: replayChain(history, weighted) };
  }
  const proposal = best.chain.tiers.map((t) => ({
    model: t.model,
    endpoint: t.endpoint,
    timeout_ms: t.timeoutMs,
    max_attempts: t.retry.maxAttempts,
    failure_threshold: t.breaker.failureThreshold,
    cooldown_ms: t.breaker.cooldownMs,
    ...(t.members.length > 1 ? { weights: Object.fromEntries(t.members.map((m) => [m.member!, m.weight])) } : {}),
  }));
  const same = (a: Tier, b: Tier) =>
    a.model === b.model && a.endpoint === b.endpoint && a.timeoutMs === b.timeoutMs && a.retry.maxAttempts === b.retry.maxAttempts && a.breaker.failureThreshold === b.breaker.failureThreshold && a.breaker.cooldownMs === b.breaker.cooldownMs;
  const unchanged = pools.length === 0 && (best.chain === chain || best.chain.tiers.every((t, i) => same(t, chain.tiers[i]!)));
  const notes = [...pools.flatMap((p) => p.reasons.map((r) => `tier ${p.tier}: ${r}`)), ...describeChanges(chain, best.chain, evidence)];
  // an order the quality rule forbids that would do better: said, with its numbers and how to allow it
  const forbidden = elsewhere.length > 0 ? undefined : forbiddenGain(history, chain, allowed, best.result, optimize);
  if (forbidden) flags.push(forbidden);
  if (unchanged) {
    return { ...base, verdict: "keep", reason: `no order or timeout in the search does better on ${optimize.join(", then ")} over ${current.requests} rounds`, proposed: null, proposal: null, notes: [] };
  }
  // Solid evidence, any of: chain success up with non-overlapping intervals; or success no worse and either
  // every promoted tier's success interval lies above the tier it overtakes, fallback activation down with
  // non-overlapping intervals, or p95 or cost down by a fifth.
  const cur = current.success_ci!;
  const prop = best.result.success_ci!;
  const successGain = prop[0] > cur[1];
  const notWorse = (best.result.success_rate ?? 0) >= (current.success_rate ?? 0) - 1e-9;
  const reorderBacked = promotionsBacked(chain, best.chain, evidence);
  const fbCur = wilsonInterval(Math.round((current.fallback_activation_rate ?? 0) * current.requests), current.requests)!;
  const fbProp = wilsonInterval(Math.round((best.result.fallback_activation_rate ?? 0) * best.result.requests), best.result.requests)!;
  const fallbackGain = fbProp[1] < fbCur[0];
  const p95Gain = current.p95_ms !== null && best.result.p95_ms !== null && best.result.p95_ms <= current.p95_ms * 0.8;
  const costGain = current.cost_per_1k !== null && best.result.cost_per_1k !== null && best.result.cost_per_1k <= current.cost_per_1k * 0.8;
  // more requests falling back (by more than a point) is a cost of its own: load and latency on later
  // tiers, and answers of another quality; only a gain in success pays for it
  const fallbackLoss = (best.result.fallback_activation_rate ?? 0) > (current.fallback_activation_rate ?? 0) + 0.01;
  if (successGain || pools.length > 0 || (notWorse && !fallbackLoss && (reorderBacked || fallbackGain || p95Gain || costGain))) {
    const why = pools.length > 0 && !successGain
      ? `a pool member's success interval lies below another's (${notes[0]}); replayed: p95 ${ms(current.p95_ms)} → ${ms(best.result.p95_ms)}, fallback activation ${pct(current.fallback_activation_rate)} → ${pct(best.result.fallback_activation_rate)}`
      : successGain
      ? `chain success ${pct(current.success_rate)} [${pct(cur[0])}–${pct(cur[1])}] → ${pct(best.result.success_rate)} [${pct(prop[0])}–${pct(prop[1])}]: the intervals do not overlap`
      : [
          `chain success ${pct(current.success_rate)} → ${pct(best.result.success_rate)}`,
          `fallback activation ${pct(current.fallback_activation_rate)} [${pct(fbCur[0])}–${pct(fbCur[1])}] → ${pct(best.result.fallback_activation_rate)} [${pct(fbProp[0])}–${pct(fbProp[1])}]`,
          `p95 ${ms(current.p95_ms)} → ${ms(best.result.p95_ms)}`,
          ...(current.cost_per_1k === null ? [] : [`cost per 1k ${usd(current.cost_per_1k)} → ${usd(best.result.cost_per_1k)}`]),
        ].join(", ");
    return { ...base, verdict: "change", reason: `${why}, replayed over ${current.requests} rounds`, proposed: best.result, proposal, notes };
  }
  if (fallbackLoss) {
    return {
      ...base,
      verdict: "keep",
      reason: `the best candidate (${notes.join("; ")}) would raise fallback activation ${pct(current.fallback_activation_rate)} [${pct(fbCur[0])}–${pct(fbCur[1])}] → ${pct(best.result.fallback_activation_rate)} [${pct(fbProp[0])}–${pct(fbProp[1])}] without raising success: not a change worth making`,
      proposed: best.result,
      proposal: null,
      notes,
    };
  }
  return {
    ...base,
    verdict: "keep",
    reason: `the best candidate (${notes.join("; ")}) predicts ${pct(best.result.success_rate)} [${pct(prop[0])}–${pct(prop[1])}] against ${pct(current.success_rate)} [${pct(cur[0])}–${pct(cur[1])}] now: the intervals overlap and latency and cost gain less than 20 %, so the evidence does not justify a change`,
    proposed: best.result,
    proposal: null,
    notes,
  };
}

// Every tier moved above another must be the better one by non-overlapping success intervals.
function promotionsBacked(from: Chain, to: Chain, evidence: TierEvidence[]): boolean {
  const pos = (c: Chain, model: string) => c.tiers.findIndex((t) => t.model === model);
  const ev = (model: string) => evidence.find((e) => e.model === model);
  let moved = false;
  for (const a of to.tiers) {
    for (const b of to.tiers) {
      if (pos(to, a.model) < pos(to, b.model) && pos(from, a.model) > pos(from, b.model)) {
        moved = true;
        const ea = ev(a.model)?.success_ci;
        const eb = ev(b.model)?.success_ci;
        if (!ea || !eb || ea[0] <= eb[1]) return false;
      }
    }
  }
  return moved;
}

function withTiers(chain: Chain, tiers: Tier[]): Chain {
  return { ...chain, tiers: tiers.map((t, i) => ({ ...t, index: i + 1 })) };
}

/**
 * Orders that keep pinned tiers in place and never trade quality silently: a lower declared quality never
 * goes above a higher one, and a tier goes above one listed before it only when both declare a quality
 * and its own is at least as high (the listed order is the only word on quality there is otherwise).
 * `assumeEqualQuality` treats tiers without a declared quality as equal to any other.
 */
export function allowedOrders(tiers: readonly Tier[], options: { assumeEqualQuality?: boolean; any?: boolean } = {}): Tier[][] {
  const out: Tier[][] = [];
  const free = tiers.filter((t) => !t.pin);
  const mayPass = (a: Tier, b: Tier) =>
    a.quality !== undefined && b.quality !== undefined ? a.quality >= b.quality : options.assumeEqualQuality === true;
  const permute = (rest: Tier[], acc: Tier[]) => {
    if (rest.length === 0) {
      const order: Tier[] = [];
      let f = 0;
      for (const t of tiers) order.push(t.pin ? t : acc[f++]!);
      const qualities = order.map((t) => t.quality).filter((q): q is number => q !== undefined);
      const ranked = qualities.every((q, i) => i === 0 || q <= qualities[i - 1]!);
      const ok = options.any === true || (ranked && order.every((a, i) => order.slice(i + 1).every((b) => b.index > a.index || mayPass(a, b))));
      if (ok) out.push(order);
      return;
    }
    rest.forEach((t, i) => permute([...rest.slice(0, i), ...rest.slice(i + 1)], [...acc, t]));
  };
  permute(free, []);
  return out;
}

function better(a: ReplayResult, b: ReplayResult, optimize: Objective[]): boolean {
  // the chosen objectives in order, then less fallback as the tie-break
  for (const o of [...optimize, "fallback" as const]) {
    const value = (r: ReplayResult) =>
      o === "success" ? -(r.success_rate ?? 0) : o === "p95" ? (r.p95_ms ?? Infinity) : o === "cost" ? (r.cost_per_1k ?? Infinity) : (r.fallback_activation_rate ?? 1);
    const x = value(a);
    const y = value(b);
    const tolerance = o === "success" || o === "fallback" ? 1e-9 : Math.abs(y) * 0.01;
    if (x < y - tolerance) return true;
    if (x > y + tolerance) return false;
  }
  return false;
}

function tierEvidence(history: History, t: Tier): TierEvidence {
  const col = history.targets.indexOf(targetKey(t.endpoint, t.model, t.headersId));
  const { samples, okWithin, oks, viaGateway } = targetRounds(history, col, t.timeoutMs);
  const sorted = Float64Array.from(oks).sort();
  const q = (p: number) => quantileSorted(sorted, p) ?? null;
  const roundUp = (x: number) => Math.max(100, Math.ceil(x / 100) * 100);
  const choices = new Set<number>([t.timeoutMs]);
  // probe latencies are what the tier took within its old timeout: candidates come from their quantiles, with headroom
  for (const p of [0.95, 0.99, 0.999]) {
    const v = q(p);
    if (v !== null) choices.add(roundUp(v * 1.5));
  }
  if (sorted.length > 0) choices.add(roundUp(sorted[sorted.length - 1]! * 2));
  const cut = (timeout: number) => (sorted.length === 0 ? 0 : (sorted.length - upperBound(sorted, timeout)) / sorted.length);
  return {
    tier: t.index,
    model: t.model,
    samples,
    success_rate: samples ? okWithin / samples : null,
    success_ci: wilsonInterval(okWithin, samples),
    p50_ms: q(0.5),
    p95_ms: q(0.95),
    timeouts: [...choices].sort((a, b) => a - b).map((timeout_ms) => ({ timeout_ms, false_timeout_rate: cut(timeout_ms) })),
    failure_runs: describeRuns(failureRuns(history, t)),
    gateway_fallback_rate: oks.length > 0 ? viaGateway / oks.length : null,
    gateway_fallback_ci: wilsonInterval(viaGateway, oks.length),
    served_elsewhere: col < 0 ? [] : [...history.servedElsewhere[col]!].sort((a, b) => b[1] - a[1]).map(([who, n]) => `${who} (${n})`),
  };
}

/** A tier whose ok answers come from elsewhere this often (the lower end of its interval) is not reordered on its numbers. */
const GATEWAY_SHARE = 0.05;

function gatewayFlag(e: TierEvidence): string {
  const [lo, hi] = e.gateway_fallback_ci!;
  const who = e.served_elsewhere.slice(0, 2).join(", ");
  return (
    `tier ${e.tier} (${e.model}): ${pct(e.gateway_fallback_rate)} [${pct(lo)}–${pct(hi)}] of its ok answers came from another target ` +
    `through the gateway's fallback${who ? ` (${who})` : ""}: its latency and cost are that target's, so no tier is reordered on them; ` +
    `fix or accept the gateway's routing first`
  );
}

/** Consecutive failed rounds of a tier: how many rounds each run lasted, and for how long (ms, to the next success). */
export function failureRuns(history: History, t: Tier): { rounds: number; ms: number }[] {
  const col = history.targets.indexOf(targetKey(t.endpoint, t.model, t.headersId));
  const runs: { rounds: number; ms: number }[] = [];
  if (col < 0) return runs;
  let start = -1;
  let count = 0;
  for (let i = 0; i < history.ts.length; i++) {
    const st = history.status[col]![i]!;
    if (st === MISSING) continue;
    const failed = st !== STATUS_OK || history.latency[col]![i]! > t.timeoutMs;
    if (failed) {
      if (count === 0) start = i;
      count++;
    } else if (count > 0) {
      runs.push({ rounds: count, ms: history.ts[i]! - history.ts[start]! });
      count = 0;
    }
  }
  return runs;
}

/**
 * Breaker settings from a tier's failure runs: the threshold one more than the median run (2 to 10), so the
 * breaker rides out the typical blip and opens on anything longer; the cooldown about the median length of
 * the outages (runs at or past the threshold), rounded to 10 s. Undefined without 5 runs and 3 outages.
 */
export function breakerSuggestion(history: History, t: Tier): { failureThreshold: number; cooldownMs: number } | undefined {
  const runs = failureRuns(history, t);
  if (runs.length < 5) return undefined;
  const lengths = Float64Array.from(runs.map((r) => r.rounds)).sort();
  const threshold = Math.min(10, Math.max(2, Math.ceil(quantileSorted(lengths, 0.5) ?? 1) + 1));
  const outages = Float64Array.from(runs.filter((r) => r.rounds >= threshold).map((r) => r.ms)).sort();
  if (outages.length < 3) return undefined;
  return { failureThreshold: Math.floor(threshold), cooldownMs: Math.max(10_000, Math.round((quantileSorted(outages, 0.5) ?? 0) / 10_000) * 10_000) };
}

function describeRuns(runs: { rounds: number; ms: number }[]): string {
  if (runs.length === 0) return "no failure runs";
  const lengths = Float64Array.from(runs.map((r) => r.rounds)).sort();
  const longest = lengths[lengths.length - 1]!;
  return `${runs.length} failure run(s): median ${quantileSorted(lengths, 0.5)} round(s), p90 ${quantileSorted(lengths, 0.9)}, longest ${longest}`;
}

function upperBound(sorted: Float64Array, x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function describeChanges(from: Chain, to: Chain, evidence: TierEvidence[]): string[] {
  const notes: string[] = [];
  const order = (c: Chain) => c.tiers.map((t) => t.model).join(" → ");
  if (order(from) !== order(to)) {
    const ev = (model: string) => evidence.find((e) => e.model === model)!;
    const detail = to.tiers
      .map((t) => ev(t.model))
      .map((e) => `${e.model} ${pct(e.success_rate)} [${pct(e.success_ci?.[0] ?? null)}–${pct(e.success_ci?.[1] ?? null)}], p95 ${ms(e.p95_ms)}, n=${e.samples}`)
      .join("; ");
    notes.push(`reorder ${order(from)} to ${order(to)} (${detail})`);
  }
  const uniform = new Set(to.tiers.map((t) => t.retry.maxAttempts)).size === 1 && new Set(from.tiers.map((t) => t.retry.maxAttempts)).size === 1;
  if (uniform && from.tiers[0]!.retry.maxAttempts !== to.tiers[0]!.retry.maxAttempts) {
    notes.push(`retries: max_attempts ${from.tiers[0]!.retry.maxAttempts} → ${to.tiers[0]!.retry.maxAttempts} on every tier`);
  }
  for (const t of to.tiers) {
    const was = from.tiers.find((x) => x.model === t.model && x.endpoint === t.endpoint)!;
    if (!uniform && was.retry.maxAttempts !== t.retry.maxAttempts) notes.push(`${t.model}: max_attempts ${was.retry.maxAttempts} → ${t.retry.maxAttempts}`);
    if (was.breaker.failureThreshold !== t.breaker.failureThreshold || was.breaker.cooldownMs !== t.breaker.cooldownMs) {
      const e = evidence.find((x) => x.model === t.model)!;
      notes.push(
        `${t.model}: breaker failure_threshold ${was.breaker.failureThreshold} → ${t.breaker.failureThreshold}, cooldown ${ms(was.breaker.cooldownMs)} → ${ms(t.breaker.cooldownMs)} (${e.failure_runs})`,
      );
    }
    if (was.timeoutMs !== t.timeoutMs) {
      const e = evidence.find((x) => x.model === t.model)!;
      const rate = (v: number) => e.timeouts.find((c) => c.timeout_ms === v)?.false_timeout_rate ?? 0;
      notes.push(
        `${t.model}: timeout ${ms(was.timeoutMs)} → ${ms(t.timeoutMs)} (${t.timeoutMs > was.timeoutMs ? "raise" : "lower"}; ok answers it would cut: ${pct(rate(was.timeoutMs))} → ${pct(rate(t.timeoutMs))}; observed p95 ${ms(e.p95_ms)})`,
      );
    }
  }
  return notes;
}

function flagsFor(history: History, chain: Chain, evidence: TierEvidence[], replay: ReplayResult): string[] {
  const flags: string[] = [];
  const cols = chain.tiers.map((t) => history.targets.indexOf(targetKey(t.endpoint, t.model, t.headersId)));
  const failed = (col: number, i: number) => col >= 0 && history.status[col]![i] !== MISSING && history.status[col]![i] !== STATUS_OK;
  const first = cols[0]!;
  for (let k = 1; k < chain.tiers.length; k++) {
    let both = 0;
    let firstFails = 0;
    let kFails = 0;
    let n = 0;
    for (let i = 0; i < history.ts.length; i++) {
      if (first < 0 || cols[k]! < 0 || history.status[first]![i] === MISSING || history.status[cols[k]!]![i] === MISSING) continue;
      n++;
      const a = failed(first, i);
      const b = failed(cols[k]!, i);
      if (a) firstFails++;
      if (b) kFails++;
      if (a && b) both++;
    }
    const conditional = firstFails ? both / firstFails : 0;
    const base = n ? kFails / n : 0;
    if (firstFails >= 5 && conditional >= 0.5 && conditional > 3 * base) {
      const t1 = chain.tiers[0]!;
      const tk = chain.tiers[k]!;
      const shared = t1.provider && t1.provider === tk.provider ? `both are ${t1.provider}` : t1.endpoint === tk.endpoint ? `both go through ${t1.endpoint}` : "";
      flags.push(`tier ${k + 1} (${tk.model}) failed in ${pct(conditional)} of the ${firstFails} rounds where tier 1 failed (${pct(base)} otherwise): no real diversity${shared ? `; ${shared}` : ""}`);
    }
  }
  const [e1, e2] = evidence;
  if (e1?.p50_ms != null && e2?.p50_ms != null && e2.p50_ms > e1.p50_ms) {
    flags.push(`tier 2 (${e2.model}) is slower than tier 1 (${e1.model}): p50 ${ms(e2.p50_ms)} against ${ms(e1.p50_ms)}`);
  }
  chain.tiers.slice(1, chain.maxDepth).forEach((t) => {
    if (replay.requests > 0 && replay.fallback_activation_rate! > 0 && !replay.served_by_tier[String(t.index)]) {
      flags.push(`tier ${t.index} (${t.model}) never rescued a request in ${replay.requests} rounds`);
    }
  });
  const worst = worstCaseMs(chain);
  if (chain.deadlineMs !== undefined && worst > chain.deadlineMs) flags.push(`the worst case (${ms(worst)}) exceeds the deadline (${ms(chain.deadlineMs)})`);
  return flags;
}

const pct = (v: number | null) => (v === null ? "-" : `${(v * 100).toFixed(1)}%`);
const ms = (v: number | null) => (v === null ? "-" : v >= 1000 ? `${(v / 1000).toFixed(v % 1000 === 0 ? 0 : 1)} s` : `${Math.round(v)} ms`);
const usd = (v: number | null) => (v === null ? "-" : `$${v.toFixed(4)}`);

// The best order the quality rule leaves out, replayed with the current timeouts, when it beats the best
// allowed candidate: what it would gain and which quality lines would allow it.
function forbiddenGain(history: History, chain: Chain, allowed: readonly Tier[][], best: ReplayResult, optimize: Objective[]): string | undefined {
  const key = (o: readonly Tier[]) => o.map((t) => t.index).join(",");
  const allowedKeys = new Set(allowed.map(key));
  let top: { order: Tier[]; result: ReplayResult } | undefined;
  for (const order of allowedOrders(chain.tiers, { any: true })) {
    if (allowedKeys.has(key(order))) continue;
    const result = replayChain(history, withTiers(chain, order));
    if (better(result, top?.result ?? best, optimize)) top = { order, result };
  }
  if (!top) return undefined;
  const promoted = top.order.filter((a, i) => top!.order.slice(i + 1).some((b) => b.index < a.index));
  const lines = promoted.map((t) => t.model);
  return (
    `the order ${top.order.map((t) => t.model).join(" → ")} would replay to success ${pct(top.result.success_rate)}, p95 ${ms(top.result.p95_ms)}` +
    `${top.result.cost_per_1k === null ? "" : `, cost per 1k ${usd(top.result.cost_per_1k)}`} (best allowed: ${pct(best.success_rate)}, p95 ${ms(best.p95_ms)}), ` +
    `but it puts ${lines.join(", ")} above a tier listed before it with no quality declared to say it is as good: ` +
    `declare \`quality:\` on those tiers (equal values allow reordering), or run with --assume-equal-quality`
  );
}
