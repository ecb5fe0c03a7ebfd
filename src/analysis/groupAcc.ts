import { STATUSES, type Status } from "../model/status.js";
import { quantilesByHistogram } from "./quantilesByHistogram.js";
import { wilsonInterval } from "./wilsonInterval.js";

/** What attempts can be grouped by. */
export const DIMENSIONS = ["model", "tier", "chain", "endpoint", "region", "member", "served_model", "served_target", "stream", "hour", "day", "bucket"] as const;
export type Dimension = (typeof DIMENSIONS)[number];
export type GroupKeys = Partial<Record<Dimension, string | number | boolean | null>>;

/** One group's numbers: the row model every format renders. */
export interface GroupRow {
  keys: GroupKeys;
  attempts: number;
  sent: number;
  skipped: number;
  ok: number;
  success_rate: number | null;
  success_ci: [number, number] | null;
  slo_attainment: number | null;
  p50_ms: number | null;
  p95_ms: number | null;
  p99_ms: number | null;
  ttft_p50_ms: number | null;
  ttft_p95_ms: number | null;
  /** ok answers that did not come from the tier's own target / ok answers whose server is known */
  gateway_fallback_rate: number | null;
  gateway_fallback_ci: [number, number] | null;
  /** ok answers a gateway served from another target, and ok answers whose server is known */
  gateway_fallbacks: number;
  gateway_known: number;
  statuses: Partial<Record<Status, number>>;
  /** failed attempts of the statuses that fold several causes together, by `status:error_code` (bad_request:model_not_found, network:dns, ...) */
  error_codes: Record<string, number>;
  prompt_tokens: number;
  completion_tokens: number;
  cost_usd: number | null;
}

/** A growable list of doubles (transferable between threads as one buffer). */
export interface Samples {
  data: Float64Array;
  n: number;
}

/** A group's running totals: counts, and the ok latencies and TTFTs kept for exact quantiles. */
export interface GroupAcc {
  keys: GroupKeys;
  attempts: number;
  skipped: number;
  ok: number;
  sloOk: number;
  sloKnown: boolean;
  /** attempts by status, indexed as STATUSES */
  statusCounts: Float64Array;
  latencies: Samples;
  ttfts: Samples;
  promptTokens: number;
  completionTokens: number;
  cost: number;
  /** Neumaier compensation of `cost`: the sum does not depend on the order records arrive in */
  costComp: number;
  costKnown: boolean;
  /** ok answers whose server is known (gateway_fallback true or false), and those served elsewhere */
  gwKnown: number;
  gwFallback: number;
  /** failures of CODED statuses by `status index \0 error code` */
  codes: Map<string, number>;
}

/** Statuses that fold several causes together: their failures are also counted by error_code. */
export const CODED: ReadonlySet<Status> = new Set<Status>(["bad_request", "network", "bad_response", "expectation_failed", "truncated"]);
const CODED_INDEX = Uint8Array.from(STATUSES, (s) => (CODED.has(s) ? 1 : 0));

/** An empty accumulator for a group. */
export function newGroupAcc(keys: GroupKeys): GroupAcc {
  return {
    keys,
    attempts: 0,
    skipped: 0,
    ok: 0,
    sloOk: 0,
    sloKnown: false,
    statusCounts: new Float64Array(STATUSES.length),
    latencies: { data: new Float64Array(16), n: 0 },
    ttfts: { data: new Float64Array(0), n: 0 },
    promptTokens: 0,
    completionTokens: 0,
    cost: 0,
    costComp: 0,
    costKnown: false,
    gwKnown: 0,
    gwFallback: 0,
    codes: new Map(),
  };
}

function addCost(acc: GroupAcc, x: number): void {
  const t = acc.cost + x;
  acc.costComp += Math.abs(acc.cost) >= Math.abs(x) ? acc.cost - t + x : x - t + acc.cost;
  acc.cost = t;
}

/** Doubles a sample list's buffer. */
export function growSamples(s: Samples): void {
  const bigger = new Float64Array(Math.max(16, s.data.length * 2));
  bigger.set(s.data);
  s.data = bigger;
}

/** Appends a value to a sample list, growing its buffer when full. */
export function pushSample(s: Samples, x: number): void {
  if (s.n === s.data.length) growSamples(s);
  s.data[s.n++] = x;
}

/** Where an attempt's numbers sit in its values array (NaN where a record has none). */
export const V_LATENCY = 0;
export const V_TTFT = 1;
export const V_SLO = 2;
export const V_PROMPT = 3;
export const V_COMPLETION = 4;
export const V_COST = 5;
/** gateway_fallback: 1 true, 0 false, NaN unknown */
export const V_GATEWAY = 6;

/** A values array for `accumulate`: the numbers travel in it, so that a call boxes no double. */
export function newAttemptValues(): Float64Array {
  return new Float64Array(7);
}

const OK = 0;
const SKIPPED = STATUSES.indexOf("skipped");

/**
 * Adds one attempt: the one definition of how an attempt counts, for report's byte path and the record
 * path alike. `status` is its index in STATUSES; `v` holds its numbers (V_LATENCY ...), NaN where absent.
 * Latency, TTFT and who served (V_GATEWAY) count only for ok attempts; skipped ones are not sent; the SLO
 * (V_SLO) is the chain's latency ceiling, NaN when it has none; cost is a compensated sum.
 */
export function accumulate(acc: GroupAcc, status: number, v: Float64Array, errorCode?: string | null): void {
  acc.attempts++;
  acc.statusCounts[status]! += 1;
  if (errorCode && CODED_INDEX[status] === 1) {
    const k = `${status}\u0000${errorCode}`;
    acc.codes.set(k, (acc.codes.get(k) ?? 0) + 1);
  }
  if (status === SKIPPED) {
    acc.skipped++;
    return;
  }
  const latency = v[V_LATENCY]!;
  const slo = v[V_SLO]!;
  if (slo === slo) acc.sloKnown = true;
  if (status === OK) {
    acc.ok++;
    if (latency === latency) {
      const lat = acc.latencies;
      if (lat.n === lat.data.length) growSamples(lat);
      lat.data[lat.n++] = latency;
    }
    const ttft = v[V_TTFT]!;
    if (ttft === ttft) {
      const tt = acc.ttfts;
      if (tt.n === tt.data.length) growSamples(tt);
      tt.data[tt.n++] = ttft;
    }
    if (slo !== slo || latency <= slo) acc.sloOk++;
    const gw = v[V_GATEWAY]!;
    if (gw === gw) {
      acc.gwKnown++;
      if (gw === 1) acc.gwFallback++;
    }
  }
  const prompt = v[V_PROMPT]!;
  if (prompt === prompt) acc.promptTokens += prompt;
  const completion = v[V_COMPLETION]!;
  if (completion === completion) acc.completionTokens += completion;
  const cost = v[V_COST]!;
  if (cost === cost) {
    addCost(acc, cost);
    acc.costKnown = true;
  }
}

const recordValues = newAttemptValues();
const nan = (x: number | null | undefined) => (x === null || x === undefined ? Number.NaN : x);

/** Adds one attempt given as a record's fields (the record path's form of `accumulate`). */
export function addAttempt(
  acc: GroupAcc,
  status: Status,
  latencyMs: number | null,
  ttftMs: number | null,
  sloMs: number | undefined,
  promptTokens: number | null,
  completionTokens: number | null,
  costUsd: number | null,
  gatewayFallback: boolean | null | undefined,
  errorCode?: string | null,
): void {
  recordValues[V_LATENCY] = nan(latencyMs);
  recordValues[V_TTFT] = nan(ttftMs);
  recordValues[V_SLO] = nan(sloMs);
  recordValues[V_PROMPT] = nan(promptTokens);
  recordValues[V_COMPLETION] = nan(completionTokens);
  recordValues[V_COST] = nan(costUsd);
  recordValues[V_GATEWAY] = gatewayFallback === true ? 1 : gatewayFallback === false ? 0 : Number.NaN;
  accumulate(acc, STATUSES.indexOf(status), recordValues, errorCode);
}

/** Joins partial accumulators of one group (from threads or files) into one, samples in exact-size arrays. */
export function mergeGroupAccs(parts: readonly GroupAcc[]): GroupAcc {
  const first = parts[0]!;
  const into: GroupAcc = { ...newGroupAcc(first.keys), latencies: concat(parts.map((p) => p.latencies)), ttfts: concat(parts.map((p) => p.ttfts)) };
  for (const p of parts) mergeGroupAcc(into, { ...p, latencies: EMPTY, ttfts: EMPTY });
  return into;
}

const EMPTY: Samples = { data: new Float64Array(0), n: 0 };

function concat(list: readonly Samples[]): Samples {
  const n = list.reduce((a, s) => a + s.n, 0);
  const data = new Float64Array(n);
  let at = 0;
  for (const s of list) {
    data.set(s.data.subarray(0, s.n), at);
    at += s.n;
  }
  return { data, n };
}

/** Adds `from` into `into` (partial results of two threads or two files). */
export function mergeGroupAcc(into: GroupAcc, from: GroupAcc): void {
  into.attempts += from.attempts;
  into.skipped += from.skipped;
  into.ok += from.ok;
  into.sloOk += from.sloOk;
  into.sloKnown ||= from.sloKnown;
  for (let k = 0; k < into.statusCounts.length; k++) into.statusCounts[k]! += from.statusCounts[k]!;
  for (let i = 0; i < from.latencies.n; i++) pushSample(into.latencies, from.latencies.data[i]!);
  for (let i = 0; i < from.ttfts.n; i++) pushSample(into.ttfts, from.ttfts.data[i]!);
  into.promptTokens += from.promptTokens;
  into.completionTokens += from.completionTokens;
  addCost(into, from.cost);
  addCost(into, from.costComp);
  into.costKnown ||= from.costKnown;
  into.gwKnown += from.gwKnown;
  into.gwFallback += from.gwFallback;
  for (const [k, n] of from.codes) into.codes.set(k, (into.codes.get(k) ?? 0) + n);
}

/** Turns totals into the row: success with its Wilson interval over sent attempts, quantiles over ok ones. May reorder the samples. */
export function finishGroup(acc: GroupAcc): GroupRow {
  const sent = acc.attempts - acc.skipped;
  // no sort: linear in the samples, the same values as quantileSorted on the sorted list
  const [p50, p95, p99] = quantilesByHistogram(acc.latencies.data, acc.latencies.n, [0.5, 0.95, 0.99]).map((v) => v ?? null);
  const [t50, t95] = quantilesByHistogram(acc.ttfts.data, acc.ttfts.n, [0.5, 0.95]).map((v) => v ?? null);
  return {
    keys: acc.keys,
    attempts: acc.attempts,
    sent,
    skipped: acc.skipped,
    ok: acc.ok,
    success_rate: sent > 0 ? acc.ok / sent : null,
    success_ci: wilsonInterval(acc.ok, sent),
    slo_attainment: sent > 0 && acc.sloKnown ? acc.sloOk / sent : null,
    p50_ms: p50!,
    p95_ms: p95!,
    p99_ms: p99!,
    ttft_p50_ms: t50!,
    ttft_p95_ms: t95!,
    gateway_fallback_rate: acc.gwKnown > 0 ? acc.gwFallback / acc.gwKnown : null,
    gateway_fallback_ci: wilsonInterval(acc.gwFallback, acc.gwKnown),
    gateway_fallbacks: acc.gwFallback,
    gateway_known: acc.gwKnown,
    statuses: statusesOf(acc.statusCounts),
    error_codes: codesOf(acc.codes),
    prompt_tokens: acc.promptTokens,
    completion_tokens: acc.completionTokens,
    // compensated, then rounded to 1e-10 USD: the same total however the input was split across threads
    cost_usd: acc.costKnown ? Math.round((acc.cost + acc.costComp) * 1e10) / 1e10 : null,
  };
}

/** Orders rows by their keys, dimension by dimension (numbers numerically, missing last). */
export function compareKeys(a: GroupKeys, b: GroupKeys, by: readonly Dimension[]): number {
  for (const d of by) {
    const x = a[d];
    const y = b[d];
    if (x === y) continue;
    if (x === null || x === undefined) return 1;
    if (y === null || y === undefined) return -1;
    if (typeof x === "number" && typeof y === "number") return x - y;
    if (typeof x === "boolean" && typeof y === "boolean") return x ? 1 : -1;
    return String(x) < String(y) ? -1 : 1;
  }
  return 0;
}

/** Failures by `status:error_code`, largest first (then by name). */
function codesOf(codes: Map<string, number>): Record<string, number> {
  return Object.fromEntries(
    [...codes]
      .map(([k, n]) => {
        const [s, code] = k.split("\u0000");
        return [`${STATUSES[Number(s)]}:${code}`, n] as const;
      })
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)),
  );
}

/** The attempts by status as the row shows them: the statuses that occurred, in STATUSES order. */
function statusesOf(counts: Float64Array): Partial<Record<Status, number>> {
  const out: Partial<Record<Status, number>> = {};
  counts.forEach((n, k) => {
    if (n > 0) out[STATUSES[k]!] = n;
  });
  return out;
}
