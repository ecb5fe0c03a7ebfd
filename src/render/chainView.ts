import type { ChainRow } from "../analysis/summarizeChains.js";
import { fmt } from "./fmt.js";
import type { View } from "./view.js";

/** The per-chain view: requests, fallback activation with its interval, exhaustion, who served. */
export function chainView(rows: readonly ChainRow[], title = "Chains"): View {
  const hasGateway = rows.some((r) => (r.gateway_fallback_rate ?? 0) > 0);
  return {
    title,
    columns: [
      { key: "chain", header: "chain" },
      { key: "requests", header: "requests", align: "right" },
      { key: "fallback_activation_rate", header: "fallback", align: "right", format: fmt.pct },
      { key: "fallback_ci", header: "95% CI", align: "right", format: fmt.ci, hideOrder: 2 },
      ...(hasGateway
        ? [
            { key: "app_fallback_rate", header: "app", align: "right" as const, format: fmt.pct, hideOrder: 4 },
            { key: "gateway_fallback_rate", header: "gateway", align: "right" as const, format: fmt.pct, hideOrder: 3 },
          ]
        : []),
      { key: "exhaustion_rate", header: "exhausted", align: "right", format: fmt.pct },
      {
        key: "served_by_tier",
        header: "served by tier",
        format: (v) =>
          Object.entries((v ?? {}) as Record<string, number>)
            .sort((a, b) => Number(a[0]) - Number(b[0]))
            .map(([t, n]) => `t${t}: ${n}`)
            .join("  ") || "-",
      },
      { key: "source", header: "from", format: (v) => (v === "replay" ? "probe rounds" : "chain runs"), hideOrder: 1 },
    ],
    rows: rows.map((r) => ({ ...r })),
    notes: hasGateway
      ? ["fallback: tier 1 did not serve as intended = app (a later tier served, or none) + gateway (tier 1's answer came from another target)"]
      : [],
  };
}
