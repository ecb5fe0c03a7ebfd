import Table from "cli-table3";
import { cellText, type Column, type View } from "./view.js";

const CHAR_NAMES = [
  "top", "top-mid", "top-left", "top-right", "bottom", "bottom-mid", "bottom-left", "bottom-right",
  "left", "left-mid", "mid", "mid-mid", "right", "right-mid", "middle",
] as const;

// cli-table3 pads each cell on the right with this many spaces (the last is trimmed)
const GAP = 2;

/**
 * Renders a view as a borderless terminal table (no colour codes, so it is safe in logs). Given a
 * width (a terminal's), a table wider than that hides its optional columns, lowest hideOrder first, then
 * shortens its last column where the column can say less (`fit`), and notes what it hid.
 */
export function renderTable(view: View, width?: number): string {
  const fitted = width === undefined ? view : fitView(view, width);
  const table = new Table({
    head: fitted.columns.map((c) => c.header),
    colAligns: fitted.columns.map((c) => c.align ?? "left"),
    // borderless, like kubectl: narrow enough for 100 columns, and greppable
    style: { head: [], border: [], compact: true, "padding-left": 0, "padding-right": 2 },
    chars: Object.fromEntries(CHAR_NAMES.map((c) => [c, ""])),
  });
  for (const row of fitted.rows) table.push(fitted.columns.map((c) => cellText(c, row)));
  const parts = [];
  if (fitted.title) parts.push(fitted.title);
  const text = table.toString().split("\n").map((l) => l.trimEnd()).join("\n");
  parts.push(fitted.rows.length === 0 ? "(no rows)" : text);
  for (const n of fitted.notes ?? []) parts.push(wrap(n, width ?? 100));
  return `${parts.join("\n")}\n`;
}

/** A note wrapped at word boundaries to `width` columns (a word longer than that keeps its own line). */
function wrap(text: string, width: number): string {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(" ")) {
    if (line !== "" && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line === "" ? word : `${line} ${word}`;
  }
  lines.push(line);
  return lines.join("\n");
}

// a column that can say less (`fit`) keeps at least this many characters
const MIN_FIT = 16;

function fitView(view: View, width: number): View {
  const natural = (c: Column) => Math.max(c.header.length, ...view.rows.map((r) => cellText(c, r).length));
  // the narrowest a column goes: its natural width, or for one that fits, MIN_FIT
  const least = (c: Column) => (c.fit ? Math.min(natural(c), Math.max(c.header.length, MIN_FIT)) : natural(c));
  const lineWidth = (cols: readonly Column[], w: (c: Column) => number) => cols.reduce((a, c) => a + w(c), 0) + GAP * (cols.length - 1);
  let columns = view.columns;
  const hidden: string[] = [];
  const optional = columns.filter((c) => c.hideOrder !== undefined).sort((a, b) => a.hideOrder! - b.hideOrder!);
  for (const c of optional) {
    if (lineWidth(columns, least) <= width) break;
    columns = columns.filter((x) => x !== c);
    hidden.push(c.header);
  }
  const last = columns.at(-1);
  if (last?.fit && lineWidth(columns, natural) > width) {
    const room = Math.max(least(last), width - (lineWidth(columns.slice(0, -1), natural) + GAP));
    const fit = last.fit;
    columns = [...columns.slice(0, -1), { ...last, format: (v, row) => fit(v, room, row) }];
  }
  if (hidden.length === 0) return { ...view, columns };
  const note = `hidden to fit ${width} columns: ${hidden.join(", ")} (--format json has every number)`;
  return { ...view, columns, notes: [...(view.notes ?? []), note] };
}
