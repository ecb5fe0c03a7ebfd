/** A column: the row key, its header, and how people see a value (CSV keeps the raw value). */
export interface Column {
  key: string;
  header: string;
  format?: (value: unknown, row: Record<string, unknown>) => string;
  align?: "left" | "right";
  /** a table narrower than its rows hides such columns, lowest first, before anything else gives */
  hideOrder?: number;
  /** the cell's text in at most `width` characters (the last column of a table too wide for its terminal) */
  fit?: (value: unknown, width: number, row: Record<string, unknown>) => string;
}

/** A table of rows: the one row model that table, CSV and Markdown all render. */
export interface View {
  title?: string;
  columns: Column[];
  rows: Record<string, unknown>[];
  /** lines printed under a table or Markdown view */
  notes?: string[];
}

/** A column's human text for one row. */
export function cellText(col: Column, row: Record<string, unknown>): string {
  const v = row[col.key];
  if (col.format) return col.format(v, row);
  return v === null || v === undefined ? "-" : String(v);
}
