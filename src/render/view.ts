/** A column: the row key, its header, and how people see a value (CSV keeps the raw value). */
export interface Column {
  key: string;
  header: string;
  format?: (value: unknown, row: Record<string, unknown>) => string;
  align?: "left" | "right";
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
