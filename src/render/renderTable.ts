import Table from "cli-table3";
import { cellText, type View } from "./view.js";

const CHAR_NAMES = [
  "top", "top-mid", "top-left", "top-right", "bottom", "bottom-mid", "bottom-left", "bottom-right",
  "left", "left-mid", "mid", "mid-mid", "right", "right-mid", "middle",
] as const;

/** Renders a view as a boxed terminal table (no colour codes, so it is safe in logs). */
export function renderTable(view: View): string {
  const table = new Table({
    head: view.columns.map((c) => c.header),
    colAligns: view.columns.map((c) => c.align ?? "left"),
    // borderless, like kubectl: narrow enough for 100 columns, and greppable
    style: { head: [], border: [], compact: true, "padding-left": 0, "padding-right": 2 },
    chars: Object.fromEntries(CHAR_NAMES.map((c) => [c, ""])),
  });
  for (const row of view.rows) table.push(view.columns.map((c) => cellText(c, row)));
  const parts = [];
  if (view.title) parts.push(view.title);
  const text = table.toString().split("\n").map((l) => l.trimEnd()).join("\n");
  parts.push(view.rows.length === 0 ? "(no rows)" : text);
  for (const n of view.notes ?? []) parts.push(n);
  return `${parts.join("\n")}\n`;
}
