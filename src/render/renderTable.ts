import Table from "cli-table3";
import { wrapText } from "../util/wrapText.js";
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
  const fitted: View & { wrapLast?: number } = width === undefined ? view : fitView(view, width);
  const table = new Table({
    head: fitted.columns.map((c) => c.header),
    // a last column that still does not fit wraps within its room, so every line fits and rows stay aligned
    ...(fitted.wrapLast ? { colWidths: [...fitted.columns.slice(0, -1).map(() => null), fitted.wrapLast], wordWrap: true, wrapOnWordBoundary: true } : {}),
    colAligns: fitted.columns.map((c) => c.align ?? "left"),
    // borderless, like kubectl: narrow enough for 100 columns, and greppable
    style: { head: [], border: [], compact: true, "padding-left": 0, "padding-right": 2 },
    chars: Object.fromEntries(CHAR_NAMES.map((c) => [c, ""])),
  });
  for (const row of fitted.rows) table.push(fitted.columns.map((c) => cellText(c, row)));
  const parts = [];
  if (fitted.title) parts.push(wrapText(fitted.title, width, 2));
  const text = table.toString().split("\n").map((l) => l.trimEnd()).join("\n");
  parts.push(fitted.rows.length === 0 ? "(no rows)" : text);
  for (const n of fitted.notes ?? []) parts.push(wrapText(n, width ?? 100, 0));
  return `${parts.join("\n")}\n`;
}

// a column that can say less (`fit`) keeps at least this many characters
const MIN_FIT = 16;

function fitView(view: View, width: number): View & { wrapLast?: number } {
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
  let wrapLast: number | undefined;
  if (last && lineWidth(columns, natural) > width) {
    const room = width - (lineWidth(columns.slice(0, -1), natural) + GAP);
    const fit = last.fit;
    if (fit) {
      // the room left, however little: the column says less (a "+N" for what does not fit)
      const r = Math.max(6, room);
      columns = [...columns.slice(0, -1), { ...last, format: (v, row) => fit(v, r, row) }];
    }
    // a last column of prose wraps in the room left (cli-table3's width counts the cell's padding, 2)
    else if (room >= MIN_FIT) wrapLast = room + GAP;
  }
  const notes = hidden.length === 0 ? view.notes : [...(view.notes ?? []), `hidden to fit ${width} columns: ${hidden.join(", ")} (--format json has every number)`];
  return { ...view, columns, notes, wrapLast };
}
