import { cellText, type View } from "./view.js";

/** Renders a view as a GitHub-flavoured Markdown table. */
export function renderMarkdown(view: View): string {
  const esc = (s: string) => s.replace(/\|/g, "\\|").replace(/\n/g, " ");
  const lines: string[] = [];
  if (view.title) lines.push(`### ${esc(view.title)}`, "");
  lines.push(`| ${view.columns.map((c) => esc(c.header)).join(" | ")} |`);
  lines.push(`| ${view.columns.map((c) => (c.align === "right" ? "---:" : "---")).join(" | ")} |`);
  for (const row of view.rows) lines.push(`| ${view.columns.map((c) => esc(cellText(c, row))).join(" | ")} |`);
  for (const n of view.notes ?? []) lines.push("", n);
  return `${lines.join("\n")}\n`;
}
