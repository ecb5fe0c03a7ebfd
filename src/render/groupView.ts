import type { Dimension, GroupRow } from "../analysis/summarizeGroups.js";
import { fmt } from "./fmt.js";
import type { Column, View } from "./view.js";

const DIM_HEADERS: Record<Dimension, string> = {
  model: "model",
  tier: "tier",
  chain: "chain",
  endpoint: "endpoint",
  region: "region",
  member: "member",
  served_model: "served model",
  served_target: "served target",
  stream: "stream",
  hour: "hour (UTC)",
  day: "day",
  bucket: "from",
};

/** The per-group view: keys, attempts, success with its 95 % interval, latency quantiles, non-ok statuses. */
export function groupView(rows: readonly GroupRow[], by: readonly Dimension[], title?: string): View {
  const hasTtft = rows.some((r) => r.ttft_p50_ms !== null);
  const hasSkipped = rows.some((r) => r.skipped > 0);
  const hasSlo = rows.some((r) => r.slo_attainment !== null);
  const hasCost = rows.some((r) => r.cost_usd !== null);
  const hasGateway = rows.some((r) => r.gateway_known > 0);
  const columns: Column[] = [
    ...by.map((d): Column => ({ key: d, header: DIM_HEADERS[d], ...(d === "stream" ? { format: fmt.stream } : d === "bucket" ? { format: fmt.bucket } : {}) })),
    { key: "sent", header: "sent", align: "right" },
    ...(hasSkipped ? [{ key: "skipped", header: "skip", align: "right", hideOrder: 4 } as Column] : []),
    { key: "success_rate", header: "success", align: "right", format: fmt.pct },
    { key: "success_ci", header: "95% CI", align: "right", format: fmt.ci, hideOrder: 5 },
    ...(hasGateway ? [{ key: "gateway_fallback_rate", header: "gw fb", align: "right", format: fmt.pct, hideOrder: 7 } as Column] : []),
    ...(hasSlo ? [{ key: "slo_attainment", header: "in SLO", align: "right", format: fmt.pct, hideOrder: 3 } as Column] : []),
    { key: "p50_ms", header: "p50", align: "right", format: fmt.ms },
    { key: "p95_ms", header: "p95", align: "right", format: fmt.ms },
    { key: "p99_ms", header: "p99", align: "right", format: fmt.ms, hideOrder: 6 },
    ...(hasTtft ? [{ key: "ttft_p50_ms", header: "ttft50", align: "right", format: fmt.ms, hideOrder: 2 } as Column] : []),
    ...(hasCost ? [{ key: "cost_usd", header: "cost", align: "right", format: fmt.usd, hideOrder: 1 } as Column] : []),
    { key: "statuses", header: "failures", format: (_v, row) => fmt.failures(row), fit: (_v, width, row) => fmt.failures(row, width) },
  ];
  return {
    title,
    columns,
    rows: rows.map((r) => ({ ...r.keys, ...r })),
    notes: ["latency in ms over ok attempts; 95% CI: Wilson interval of the success rate (%)", ...gatewayNote(rows, by)],
  };
}

/**
 * The line under the table when a gateway served some ok answers from another target than the tier asked
 * for: how many, where, and how to see who served them.
 */
function gatewayNote(rows: readonly GroupRow[], by: readonly Dimension[]): string[] {
  const elsewhere = rows.filter((r) => r.gateway_fallbacks > 0);
  if (elsewhere.length === 0) return [];
  const n = elsewhere.reduce((a, r) => a + r.gateway_fallbacks, 0);
  const known = rows.reduce((a, r) => a + r.gateway_known, 0);
  const named = by.filter((d) => d !== "served_model" && d !== "served_target");
  const where = elsewhere
    .slice(0, 3)
    .map((r) => named.map((d) => `${d}=${String(r.keys[d])}`).join(" ") || "all")
    .join("; ");
  const more = elsewhere.length > 3 ? `; ${elsewhere.length - 3} more` : "";
  const see = by.includes("served_model") || by.includes("served_target") ? "" : " (--by served_model or --by served_target shows who)";
  return [`gw fb: gateway fallback, ok answers not served as the tier asked. ${n} of ${known} came from another target: ${where}${more}${see}`];
}
