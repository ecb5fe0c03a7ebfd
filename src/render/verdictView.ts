import type { Verdict } from "../gate/evaluateThresholds.js";
import type { View } from "./view.js";

/** The gate's verdicts: pass, FAIL or too few samples, the threshold, and the evidence. */
export function verdictView(verdicts: readonly Verdict[], title: string): View {
  const icon = { pass: "pass", fail: "FAIL", insufficient: "too few" };
  return {
    title,
    columns: [
      { key: "verdict", header: "verdict", format: (v: unknown) => icon[v as Verdict["verdict"]] },
      { key: "threshold", header: "threshold" },
      { key: "message", header: "evidence" },
    ],
    rows: verdicts.map((v) => ({ ...v })),
  };
}
