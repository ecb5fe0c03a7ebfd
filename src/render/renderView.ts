import { usageError } from "../errors.js";
import { renderCsv } from "./renderCsv.js";
import { renderMarkdown } from "./renderMarkdown.js";
import { renderTable } from "./renderTable.js";
import type { View } from "./view.js";

export const VIEW_FORMATS = ["table", "csv", "markdown"] as const;
export type ViewFormat = (typeof VIEW_FORMATS)[number];

const RENDERERS: Record<ViewFormat, (v: View, width?: number) => string> = { table: renderTable, csv: renderCsv, markdown: renderMarkdown };

/** Renders several views in one format: one renderer per format name; tables fit `width` when given. */
export function renderViews(views: readonly View[], format: ViewFormat, width?: number): string {
  const render = RENDERERS[format];
  if (!render) throw usageError(`unknown format ${String(format)}`);
  return views.map((v) => render(v, width)).join("\n");
}
