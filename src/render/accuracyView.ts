import { fmt } from "./fmt.js";
import type { View } from "./view.js";

/** How close replay of the current policy came to what its chain runs measured in the same window. */
export function accuracyView(rows: Record<string, unknown>[]): View {
  return {
    title: "Replay accuracy: the current policy replayed, against its chain runs in the same window",
    columns: [
      { key: "chain", header: "chain" },
      { key: "chain_runs", header: "chain runs", align: "right" },
      { key: "measured_fallback", header: "fallback measured", align: "right", format: fmt.pct },
      { key: "replayed_fallback", header: "replayed", align: "right", format: fmt.pct },
      { key: "measured_success", header: "success measured", align: "right", format: fmt.pct },
      { key: "replayed_success", header: "replayed", align: "right", format: fmt.pct },
    ],
    rows,
  };
}
