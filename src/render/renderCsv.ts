import { stringify } from "csv-stringify/sync";
import type { View } from "./view.js";

/** Renders a view as CSV with raw values (numbers unrounded, lists and objects as JSON). */
export function renderCsv(view: View): string {
  const raw = (v: unknown) => (v === null || v === undefined ? "" : typeof v === "object" ? JSON.stringify(v) : v);
  return stringify(
    view.rows.map((r) => view.columns.map((c) => raw(r[c.key]))),
    { header: true, columns: view.columns.map((c) => c.key) },
  );
}
