import type { ChainRow } from "./summarizeChains.js";
import type { GroupRow } from "./groupAcc.js";
import { summarizeFiles } from "./summarizeFiles.js";
import { finishGroup, mergeGroupAccs, type GroupAcc } from "./groupAcc.js";
import type { SummarySpec } from "./summarizeRange.js";

/** Bucket sizes a time series may take, smallest first. */
const LADDER = [1000, 5000, 15_000, 30_000, 60_000, 300_000, 900_000, 3_600_000, 3 * 3_600_000, 6 * 3_600_000, 12 * 3_600_000, 86_400_000, 7 * 86_400_000];
/** A time series has at most this many buckets, however long the window and however many records: a page's size does not grow with the history. */
export const MAX_BUCKETS = 120;

/** The smallest bucket on the ladder that covers [start, end) in at most MAX_BUCKETS, and the grid's aligned start and count. */
export function chooseGrid(start: number, end: number): { start: number; size: number; count: number } {
  const size = LADDER.find((s) => Math.ceil((end - Math.floor(start / s) * s) / s) <= MAX_BUCKETS) ?? Math.ceil((end - start) / MAX_BUCKETS);
  const from = Math.floor(start / size) * size;
  return { start: from, size, count: Math.max(1, Math.ceil((end - from) / size)) };
}

/** One group's numbers bucket by bucket (null where a bucket has no attempt). */
export interface GroupSeries {
  tier: number | null;
  model: string | null;
  sent: (number | null)[];
  success_rate: (number | null)[];
  success_lo: (number | null)[];
  success_hi: (number | null)[];
  p50_ms: (number | null)[];
  p95_ms: (number | null)[];
  p99_ms: (number | null)[];
  ttft_p50_ms: (number | null)[];
  gateway_fallback_rate: (number | null)[];
}

/** One chain's outcomes bucket by bucket. */
export interface ChainSeries {
  chain: string;
  requests: (number | null)[];
  fallback_activation_rate: (number | null)[];
  app_fallback_rate: (number | null)[];
  gateway_fallback_rate: (number | null)[];
  exhaustion_rate: (number | null)[];
  /** per tier ("1", "2", ...): the share of the bucket's requests it served */
  served_share: Record<string, (number | null)[]>;
}

export interface TimeSeries {
  bucket_ms: number;
  /** each bucket's start, ISO 8601 UTC */
  buckets: string[];
  groups: GroupSeries[];
  chains: ChainSeries[];
}

/**
 * Per tier and model, and per chain, the report's numbers in each bucket of a grid over [start, end):
 * one pass over the input, each bucket a window of its own (groups and chain replay alike).
 */
export async function timeSeries(files: readonly string[], spec: SummarySpec, start: number, end: number, threads?: number): Promise<TimeSeries> {
  const grid = chooseGrid(start, end);
  const windows = Array.from({ length: grid.count }, (_, w) => ({ since: grid.start + w * grid.size, until: grid.start + (w + 1) * grid.size }));
  const { windows: results } = await summarizeFiles(files, { ...spec, by: ["tier", "model"], bucketMs: undefined, windows, grid }, { threads });
  const n = grid.count;
  const empty = () => new Array<number | null>(n).fill(null);
  const groups = new Map<string, GroupSeries>();
  const chains = new Map<string, ChainSeries>();
  results.forEach((w, i) => {
    for (const g of w.groups) {
      const key = `${g.keys.tier}\u0000${g.keys.model}`;
      let s = groups.get(key);
      if (!s) {
        s = { tier: (g.keys.tier as number | null) ?? null, model: (g.keys.model as string | null) ?? null, sent: empty(), success_rate: empty(), success_lo: empty(), success_hi: empty(), p50_ms: empty(), p95_ms: empty(), p99_ms: empty(), ttft_p50_ms: empty(), gateway_fallback_rate: empty() };
        groups.set(key, s);
      }
      setGroupPoint(s, i, g);
    }
    for (const c of w.chains) {
      let s = chains.get(c.chain);
      if (!s) {
        s = { chain: c.chain, requests: empty(), fallback_activation_rate: empty(), app_fallback_rate: empty(), gateway_fallback_rate: empty(), exhaustion_rate: empty(), served_share: {} };
        chains.set(c.chain, s);
      }
      setChainPoint(s, i, c, empty);
    }
  });
  // a tier that served none of a bucket's requests served a share of 0, not an unknown one
  for (const c of chains.values()) for (const shares of Object.values(c.served_share)) c.requests.forEach((r, i) => {
    if (r !== null && r > 0) shares[i] ??= 0;
  });
  const order = (a: GroupSeries, b: GroupSeries) => (a.tier ?? Infinity) - (b.tier ?? Infinity) || String(a.model).localeCompare(String(b.model));
  return {
    bucket_ms: grid.size,
    buckets: windows.map((w) => new Date(w.since).toISOString()),
    groups: [...groups.values()].sort(order),
    chains: [...chains.values()].sort((a, b) => a.chain.localeCompare(b.chain)),
  };
}

function setGroupPoint(s: GroupSeries, i: number, g: GroupRow): void {
  s.sent[i] = g.sent;
  s.success_rate[i] = g.success_rate;
  s.success_lo[i] = g.success_ci?.[0] ?? null;
  s.success_hi[i] = g.success_ci?.[1] ?? null;
  s.p50_ms[i] = g.p50_ms;
  s.p95_ms[i] = g.p95_ms;
  s.p99_ms[i] = g.p99_ms;
  s.ttft_p50_ms[i] = g.ttft_p50_ms;
  s.gateway_fallback_rate[i] = g.gateway_fallback_rate;
}

function setChainPoint(s: ChainSeries, i: number, c: ChainRow, empty: () => (number | null)[]): void {
  s.requests[i] = c.requests;
  s.fallback_activation_rate[i] = c.fallback_activation_rate;
  s.app_fallback_rate[i] = c.app_fallback_rate;
  s.gateway_fallback_rate[i] = c.gateway_fallback_rate;
  s.exhaustion_rate[i] = c.exhaustion_rate;
  for (const [tier, count] of Object.entries(c.served_by_tier)) (s.served_share[tier] ??= empty())[i] = c.requests > 0 ? count / c.requests : null;
}

/** Latency by model and hour of day (UTC), across the window's days: the "is the fast model slower at certain hours" question. */
export interface HeatMap {
  metric: "p95_ms";
  models: string[];
  hours: string[];
  /** [model][hour]: the p95 latency, null where there was no ok answer */
  p95_ms: (number | null)[][];
  /** [model][hour]: the ok answers the value stands on */
  n: number[][];
  /** the first and last record time in the window, epoch ms (null: none) */
  extent: [number, number] | null;
}

/** The heat map from one pass grouped by model and hour, which also finds the window's first and last record. */
export async function heatMap(files: readonly string[], spec: SummarySpec, threads?: number): Promise<HeatMap> {
  const { windows, extent } = await summarizeFiles(files, { ...spec, by: ["model", "hour"], bucketMs: undefined, grid: undefined, extent: true, windows: [spec.windows[0]!] }, { threads, keepAccs: true });
  const accs = windows[0]!.accs ?? [];
  const models = [...new Set(accs.map((a) => a.keys.model).filter((m): m is string => typeof m === "string"))].sort();
  const hours = Array.from({ length: 24 }, (_, h) => String(h).padStart(2, "0"));
  const cell = new Map<string, GroupAcc[]>();
  for (const a of accs) {
    const k = `${a.keys.model}\u0000${a.keys.hour}`;
    cell.set(k, [...(cell.get(k) ?? []), a]);
  }
  const values = models.map(() => hours.map((): number | null => null));
  const n = models.map(() => hours.map(() => 0));
  models.forEach((m, i) =>
    hours.forEach((h, j) => {
      const parts = cell.get(`${m}\u0000${h}`);
      if (!parts) return;
      const row = finishGroup(mergeGroupAccs(parts));
      values[i]![j] = row.p95_ms;
      n[i]![j] = row.ok;
    }),
  );
  return { metric: "p95_ms", models, hours, p95_ms: values, n, extent };
}
