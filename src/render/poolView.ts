import type { PoolRow } from "../analysis/poolRows.js";
import { fmt } from "./fmt.js";
import type { View } from "./view.js";

/** Pool tiers: the pool as its users see it (members weighted by share), then each member. */
export function poolView(rows: readonly PoolRow[]): View {
  const out: Record<string, unknown>[] = [];
  for (const p of rows) {
    out.push({ what: `${p.chain} tier ${p.tier} (${p.strategy})`, share: 1, success_rate: p.success_rate, p50_ms: p.p50_ms, p95_ms: p.p95_ms, sent: null });
    for (const m of p.members) out.push({ what: `  ${m.member}`, share: m.share, success_rate: m.success_rate, p95_ms: m.p95_ms, p50_ms: null, sent: m.sent });
  }
  return {
    title: "Pools",
    columns: [
      { key: "what", header: "pool / member" },
      { key: "share", header: "share", align: "right", format: fmt.pct },
      { key: "sent", header: "sent", align: "right", format: fmt.int },
      { key: "success_rate", header: "success", align: "right", format: fmt.pct },
      { key: "p50_ms", header: "p50", align: "right", format: fmt.ms, hideOrder: 1 },
      { key: "p95_ms", header: "p95", align: "right", format: fmt.ms },
    ],
    rows: out,
    notes: ["a pool's success and latency: its members' (every attempt to the member's endpoint and model) weighted by their share of first attempts (strategy weighted: the weights; latency, least_errors: equal)"],
  };
}
