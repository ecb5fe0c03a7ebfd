import type { ReplayResult } from "../replay/replayChain.js";
import { fmt } from "./fmt.js";
import type { View } from "./view.js";

/** Replay results as rows: success, fallback, exhaustion, latency and cost. */
export function replayView(rows: (ReplayResult & { policy: string })[], title: string): View {
  return {
    title,
    columns: [
      { key: "policy", header: "policy" },
      { key: "chain", header: "chain" },
      { key: "requests", header: "rounds", align: "right" },
      { key: "success_rate", header: "success", align: "right", format: fmt.pct },
      { key: "fallback_activation_rate", header: "fallback", align: "right", format: fmt.pct },
      { key: "exhaustion_rate", header: "exhausted", align: "right", format: fmt.pct, hideOrder: 3 },
      { key: "p50_ms", header: "p50", align: "right", format: fmt.ms, hideOrder: 2 },
      { key: "p95_ms", header: "p95", align: "right", format: fmt.ms },
      { key: "p99_ms", header: "p99", align: "right", format: fmt.ms, hideOrder: 1 },
      { key: "cost_per_1k", header: "cost/1k", align: "right", format: fmt.usd },
    ],
    rows: rows.map((r) => ({ ...r })),
    notes: ["replay: a tier fails when not ok or slower than its timeout; retries fare as the same model did in the next round"],
  };
}
