import type { AttemptRecord } from "../model/record.js";
import { addAttempt, compareKeys, finishGroup, newGroupAcc, type Dimension, type GroupAcc, type GroupKeys, type GroupRow } from "./groupAcc.js";

export { DIMENSIONS, type Dimension, type GroupRow } from "./groupAcc.js";

/** Options: the bucket size for the `bucket` dimension, and the latency SLO that applies to a record. */
export interface GroupOptions {
  bucketMs?: number;
  latencySloMs?: (r: AttemptRecord) => number | undefined;
}

/** The value of one dimension for a record. */
export function dimensionValue(r: AttemptRecord, d: Dimension, bucketMs = 3_600_000): string | number | boolean | null {
  switch (d) {
    case "hour":
      return r.ts.slice(11, 13);
    case "day":
      return r.ts.slice(0, 10);
    case "bucket":
      return new Date(Math.floor(Date.parse(r.ts) / bucketMs) * bucketMs).toISOString();
    case "stream":
      // a record that does not say it streamed was a plain request
      return r.stream ?? false;
    default:
      return r[d] ?? null;
  }
}

/**
 * Accumulates attempt records (kind "probe") into groups, one pass, no record kept: success rate with a
 * 95 % Wilson interval over sent attempts (skipped ones apart), latency and TTFT quantiles over `ok` attempts.
 */
export function createGroupSummary(by: readonly Dimension[], options: GroupOptions = {}) {
  const groups = new Map<string, GroupAcc>();
  return {
    add(r: AttemptRecord): void {
      if (r.kind === "chain") return;
      const keys: GroupKeys = {};
      for (const d of by) keys[d] = dimensionValue(r, d, options.bucketMs);
      const id = by.map((d) => String(keys[d])).join("\0");
      let acc = groups.get(id);
      if (!acc) groups.set(id, (acc = newGroupAcc(keys)));
      const num = (v: unknown) => (typeof v === "number" ? v : null);
      addAttempt(acc, r.status, num(r.latency_ms), num(r.ttft_ms), options.latencySloMs?.(r), num(r.prompt_tokens), num(r.completion_tokens), num(r.cost_usd), r.gateway_fallback, r.error_code);
    },
    rows(): GroupRow[] {
      return [...groups.values()].map(finishGroup).sort((a, b) => compareKeys(a.keys, b.keys, by));
    },
  };
}
