import { twoProportionPValue } from "./compareProportions.js";
import type { Dimension, GroupRow } from "./groupAcc.js";

/** A group beside the same group in the previous window. */
export interface GroupComparison {
  previous: Pick<GroupRow, "sent" | "ok" | "success_rate" | "success_ci" | "p50_ms" | "p95_ms" | "p99_ms"> | null;
  delta_success_rate: number | null;
  delta_p95_ms: number | null;
  /** two-proportion z-test, pooled, two-sided */
  p_value: number | null;
  /** p < 0.05 */
  significant: boolean | null;
}

/** Pairs each current group with the previous window's group of the same keys (in the current rows' order). */
export function compareGroups(current: readonly GroupRow[], previous: readonly GroupRow[], by: readonly Dimension[]): GroupComparison[] {
  const id = (r: GroupRow) => JSON.stringify(by.map((d) => r.keys[d] ?? null));
  const prev = new Map(previous.map((r) => [id(r), r]));
  return current.map((r) => {
    const p = prev.get(id(r));
    if (!p) return { previous: null, delta_success_rate: null, delta_p95_ms: null, p_value: null, significant: null };
    const pValue = twoProportionPValue(r.ok, r.sent, p.ok, p.sent);
    return {
      previous: { sent: p.sent, ok: p.ok, success_rate: p.success_rate, success_ci: p.success_ci, p50_ms: p.p50_ms, p95_ms: p.p95_ms, p99_ms: p.p99_ms },
      delta_success_rate: r.success_rate !== null && p.success_rate !== null ? r.success_rate - p.success_rate : null,
      delta_p95_ms: r.p95_ms !== null && p.p95_ms !== null ? r.p95_ms - p.p95_ms : null,
      p_value: pValue,
      significant: pValue === null ? null : pValue < 0.05,
    };
  });
}
