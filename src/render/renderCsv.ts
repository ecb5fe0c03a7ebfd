import { stringify } from "csv-stringify/sync";
import { roundForOutput } from "./outputNumbers.js";
import type { View } from "./view.js";

/** Renders a view as CSV with full values (latencies to a microsecond, rates to 1e-9; lists and objects as JSON). */
export function renderCsv(view: View): string {
  const raw = (v: unknown) => (v === null || v === undefined ? "" : typeof v === "object" ? JSON.stringify(v) : v);
  return stringify(
    view.rows.map((r) => view.columns.map((c) => raw(roundForOutput(r[c.key], c.key)))),
    { header: true, columns: view.columns.map((c) => c.key) },
  );
}
