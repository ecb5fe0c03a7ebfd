import type { GroupComparison } from "../analysis/compareGroups.js";
import type { Dimension, GroupRow } from "../analysis/groupAcc.js";
import { fmt } from "./fmt.js";
import type { Column, View } from "./view.js";

const signed = (v: unknown, f: (x: number) => string) => (typeof v === "number" ? `${v > 0 ? "+" : v < 0 ? "−" : "±"}${f(Math.abs(v))}` : "-");

/** This window beside the previous one: success and p95 with their deltas, and whether the change is significant. */
export function compareView(rows: readonly GroupRow[], compared: readonly GroupComparison[], by: readonly Dimension[], title: string): View {
  const columns: Column[] = [
    ...by.map((d): Column => ({ key: d, header: d })),
    { key: "sent", header: "sent", align: "right" },
    { key: "success_rate", header: "success", align: "right", format: fmt.pct },
    { key: "prev_success_rate", header: "before", align: "right", format: fmt.pct },
    { key: "delta_success_rate", header: "Δ", align: "right", format: (v) => signed(v, (x) => `${(x * 100).toFixed(1)}pp`) },
    { key: "significant", header: "sig", format: (v, r) => (v === null ? "-" : v ? `yes p=${fmtP(r.p_value)}` : `no p=${fmtP(r.p_value)}`) },
    { key: "p95_ms", header: "p95", align: "right", format: fmt.ms },
    { key: "prev_p95_ms", header: "before", align: "right", format: fmt.ms },
    { key: "delta_p95_ms", header: "Δ", align: "right", format: (v) => signed(v, (x) => String(Math.round(x))) },
  ];
  return {
    title: `${title}, against the previous window`,
    columns,
    rows: rows.map((r, i) => {
      const c = compared[i]!;
      return { ...r.keys, ...r, prev_success_rate: c.previous?.success_rate ?? null, prev_p95_ms: c.previous?.p95_ms ?? null, ...c };
    }),
    notes: ["sig: two-proportion z-test on the success rate, pooled, two-sided, α = 0.05"],
  };
}

function fmtP(v: unknown): string {
  return typeof v === "number" ? (v < 0.001 ? "<0.001" : v.toFixed(3)) : "-";
}
