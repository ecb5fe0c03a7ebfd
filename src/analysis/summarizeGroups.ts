import type { Status } from "../probe/status.js";
import type { AttemptRecord } from "../store/record.js";
import { quantileSorted } from "./quantileSorted.js";
import { wilsonInterval } from "./wilsonInterval.js";

/** What attempts can be grouped by. */
export const DIMENSIONS = ["model", "tier", "chain", "endpoint", "region", "hour", "day", "bucket"] as const;
export type Dimension = (typeof DIMENSIONS)[number];

/** One group's numbers: the row model every format renders. */
export interface GroupRow {
  keys: Partial<Record<Dimension, string | number | null>>;
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
  statuses: Partial<Record<Status, number>>;
  prompt_tokens: number;
  completion_tokens: number;
  cost_usd: number | null;
}

interface Acc {
  keys: Partial<Record<Dimension, string | number | null>>;
  attempts: number;
  skipped: number;
  ok: number;
  sloOk: number;
  sloKnown: boolean;
  statuses: Partial<Record<Status, number>>;
  latencies: number[];
  ttfts: number[];
  promptTokens: number;
  completionTokens: number;
  cost: number;
  costKnown: boolean;
}

/** Options: the bucket size for the `bucket` dimension, and the latency SLO that applies to a record. */
export interface GroupOptions {
  bucketMs?: number;
  latencySloMs?: (r: AttemptRecord) => number | undefined;
}

/** The value of one dimension for a record. */
export function dimensionValue(r: AttemptRecord, d: Dimension, bucketMs = 3_600_000): string | number | null {
  switch (d) {
    case "hour":
      return r.ts.slice(11, 13);
    case "day":
      return r.ts.slice(0, 10);
    case "bucket":
      return new Date(Math.floor(Date.parse(r.ts) / bucketMs) * bucketMs).toISOString();
    default:
      return r[d] ?? null;
  }
}

/**
 * Accumulates attempt records (kind "probe") into groups, one pass, no record kept: success rate with a
 * 95 % Wilson interval over sent attempts (skipped ones apart), latency and TTFT quantiles over `ok` attempts.
 */
export function createGroupSummary(by: readonly Dimension[], options: GroupOptions = {}) {
  const groups = new Map<string, Acc>();
  return {
    add(r: AttemptRecord): void {
      if (r.kind === "chain") return;
      const keys: Partial<Record<Dimension, string | number | null>> = {};
      for (const d of by) keys[d] = dimensionValue(r, d, options.bucketMs);
      const id = by.map((d) => String(keys[d])).join("\0");
      let acc = groups.get(id);
      if (!acc) {
        acc = {
          keys,
          attempts: 0,
          skipped: 0,
          ok: 0,
          sloOk: 0,
          sloKnown: false,
          statuses: {},
          latencies: [],
          ttfts: [],
          promptTokens: 0,
          completionTokens: 0,
          cost: 0,
          costKnown: false,
        };
        groups.set(id, acc);
      }
      acc.attempts++;
      acc.statuses[r.status] = (acc.statuses[r.status] ?? 0) + 1;
      if (r.status === "skipped") {
        acc.skipped++;
        return;
      }
      const slo = options.latencySloMs?.(r);
      if (slo !== undefined) acc.sloKnown = true;
      if (r.status === "ok") {
        acc.ok++;
        if (typeof r.latency_ms === "number") acc.latencies.push(r.latency_ms);
        if (typeof r.ttft_ms === "number") acc.ttfts.push(r.ttft_ms);
        if (slo === undefined || (typeof r.latency_ms === "number" && r.latency_ms <= slo)) acc.sloOk++;
      }
      if (typeof r.prompt_tokens === "number") acc.promptTokens += r.prompt_tokens;
      if (typeof r.completion_tokens === "number") acc.completionTokens += r.completion_tokens;
      if (typeof r.cost_usd === "number") {
        acc.cost += r.cost_usd;
        acc.costKnown = true;
      }
    },
    rows(): GroupRow[] {
      return [...groups.values()].map(finishGroup).sort((a, b) => compareKeys(a.keys, b.keys, by));
    },
  };
}

function finishGroup(acc: Acc): GroupRow {
  const sent = acc.attempts - acc.skipped;
  const lat = Float64Array.from(acc.latencies).sort();
  const ttft = Float64Array.from(acc.ttfts).sort();
  const q = (xs: Float64Array, p: number) => quantileSorted(xs, p) ?? null;
  return {
    keys: acc.keys,
    attempts: acc.attempts,
    sent,
    skipped: acc.skipped,
    ok: acc.ok,
    success_rate: sent > 0 ? acc.ok / sent : null,
    success_ci: wilsonInterval(acc.ok, sent),
    slo_attainment: sent > 0 && acc.sloKnown ? acc.sloOk / sent : null,
    p50_ms: q(lat, 0.5),
    p95_ms: q(lat, 0.95),
    p99_ms: q(lat, 0.99),
    ttft_p50_ms: q(ttft, 0.5),
    ttft_p95_ms: q(ttft, 0.95),
    statuses: acc.statuses,
    prompt_tokens: acc.promptTokens,
    completion_tokens: acc.completionTokens,
    cost_usd: acc.costKnown ? acc.cost : null,
  };
}

function compareKeys(a: GroupRow["keys"], b: GroupRow["keys"], by: readonly Dimension[]): number {
  for (const d of by) {
    const x = a[d];
    const y = b[d];
    if (x === y) continue;
    if (x === null || x === undefined) return 1;
    if (y === null || y === undefined) return -1;
    if (typeof x === "number" && typeof y === "number") return x - y;
    return String(x) < String(y) ? -1 : 1;
  }
  return 0;
}
