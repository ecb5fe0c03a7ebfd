import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { HeatMap, TimeSeries } from "../analysis/timeSeries.js";
import { METRIC_DEFINITIONS } from "../model/metrics.js";
import { HTML_PAGE_SCRIPT } from "./htmlPageScript.js";
import { cellText, type View } from "./view.js";

/** What the page shows: the report's JSON document (the same numbers as `--format json`), its views, the series and the heat map. */
export interface HtmlReport {
  title: string;
  /** the document `report --format json` prints for the same flags */
  doc: Record<string, unknown>;
  /** the report's tables, as the table format shows them (groups, chains, previous chains) */
  views: View[];
  series: TimeSeries;
  heatmap: HeatMap;
  generatedAt: string;
}

const require = createRequire(import.meta.url);
let assets: { js: string; css: string } | undefined;

/** uPlot, read once from its package: the page carries it inline, so it needs no network when it is viewed. */
function uplot(): { js: string; css: string } {
  assets ??= {
    js: readFileSync(require.resolve("uplot/dist/uPlot.iife.min.js"), "utf8"),
    css: readFileSync(require.resolve("uplot/dist/uPlot.min.css"), "utf8"),
  };
  return assets;
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

/** JSON inside a script element: no `<` reaches the HTML parser, so no value (a model name from a record) can close the element. */
const scriptJson = (v: unknown) => JSON.stringify(v).replace(/</g, "\\u003c").replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");

/** A view as an HTML table; every cell keeps its raw value (data-value) beside the text people read. */
function tableHtml(view: View, id: string): string {
  const head = view.columns.map((c) => `<th scope="col"${c.align === "right" ? ' class="num"' : ""}>${escapeHtml(c.header)}</th>`).join("");
  const rows = view.rows
    .map((row) => {
      const cells = view.columns.map((c) => {
        const raw = row[c.key];
        const value = raw === undefined ? "" : ` data-value="${escapeHtml(JSON.stringify(raw))}"`;
        return `<td data-key="${escapeHtml(c.key)}"${value}${c.align === "right" ? ' class="num"' : ""}>${escapeHtml(cellText(c, row))}</td>`;
      });
      return `<tr>${cells.join("")}</tr>`;
    })
    .join("\n");
  const notes = (view.notes ?? []).map((n) => `<p class="note">${escapeHtml(n)}</p>`).join("");
  const caption = view.title ? `<caption>${escapeHtml(view.title)}</caption>` : "";
  return `<table id="${id}">${caption}<thead><tr>${head}</tr></thead><tbody>\n${rows}\n</tbody></table>${notes}`;
}

/** The heat map as a table whose cells are shaded by their value (an accessible chart: every number is text). */
function heatMapHtml(h: HeatMap): string {
  const all = h.p95_ms.flat().filter((v): v is number => v !== null);
  const lo = Math.min(...all);
  const hi = Math.max(...all);
  const head = h.hours.map((x) => `<th scope="col" class="num">${x}</th>`).join("");
  const rows = h.models
    .map((m, i) => {
      const cells = h.hours.map((_, j) => {
        const v = h.p95_ms[i]![j] ?? null;
        if (v === null) return `<td class="num empty" data-value="null">·</td>`;
        const share = hi > lo ? (v - lo) / (hi - lo) : 0;
        return `<td class="num heat" style="--heat:${share.toFixed(3)}" data-value="${v}" title="${escapeHtml(m)} ${h.hours[j]}:00 UTC: p95 ${Math.round(v)} ms over ${h.n[i]![j]} ok answers">${Math.round(v)}</td>`;
      });
      return `<tr><th scope="row">${escapeHtml(m)}</th>${cells.join("")}</tr>`;
    })
    .join("\n");
  return `<table id="heatmap-table" class="heatmap"><thead><tr><th scope="col">model</th>${head}</tr></thead><tbody>\n${rows}\n</tbody></table>`;
}

const CSS = `
:root { color-scheme: light dark; --fg: #1d2330; --muted: #5b6474; --bg: #ffffff; --card: #f5f7fa; --line: #d9dee7; --heat-rgb: 214, 69, 65; }
@media (prefers-color-scheme: dark) { :root { --fg: #e6e9ef; --muted: #9aa4b5; --bg: #14171c; --card: #1c2027; --line: #303642; --heat-rgb: 240, 98, 90; } }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); background: var(--bg); margin: 0 auto; max-width: 1180px; padding: 24px; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 17px; margin: 28px 0 8px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
.meta, .note, caption { color: var(--muted); } caption { text-align: left; padding: 4px 0; }
table { border-collapse: collapse; width: 100%; margin: 6px 0; font-variant-numeric: tabular-nums; }
th, td { padding: 3px 8px; border-bottom: 1px solid var(--line); text-align: left; white-space: nowrap; }
.num { text-align: right; }
.charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(520px, 1fr)); gap: 16px; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 6px; padding: 10px; break-inside: avoid; }
.card h3 { font-size: 14px; margin: 0 0 6px; }
.heatmap td.heat { background: rgba(var(--heat-rgb), calc(0.08 + 0.72 * var(--heat))); }
.heatmap td.empty { color: var(--muted); }
.heatmap td, .heatmap th { padding: 2px 4px; font-size: 12px; }
dt { font-weight: 600; margin-top: 6px; } dd { margin: 0 0 0 16px; color: var(--muted); }
.uplot, .u-legend { color: var(--fg); font-size: 12px; }
@media print { body { max-width: none; padding: 0; } .charts { grid-template-columns: 1fr 1fr; } h2 { break-after: avoid; } }
`;

/** The whole page: self-contained (uPlot, styles, data and script inline), light and dark, printable. */
export function renderHtml(r: HtmlReport): string {
  const { js, css } = uplot();
  const [groups, ...rest] = r.views;
  const inputs = (r.doc.inputs as string[]) ?? [];
  const win = r.doc.window as { since: string | null; until: string | null };
  const [first, last] = r.heatmap.extent ?? [null, null];
  const iso = (t: number | null) => (t === null ? "-" : new Date(t).toISOString());
  const windowText = `${win.since ?? "open"} to ${win.until ?? "now"}; records from ${iso(first)} to ${iso(last)}`;
  const definitions = METRIC_DEFINITIONS.map((m) => `<dt>${m.name}</dt><dd>${escapeHtml(m.text)}</dd>`).join("");
  const data = { doc: r.doc, series: r.series, heatmap: r.heatmap };
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="tierwatch">
<title>${escapeHtml(r.title)}</title>
<style>${css}</style>
<style>${CSS}</style>
</head>
<body>
<header>
<h1>${escapeHtml(r.title)}</h1>
<p class="meta" id="meta">Window: ${escapeHtml(windowText)} (UTC). ${Number(r.doc.records)} record(s) from ${inputs.length} file(s): ${escapeHtml(inputs.join(", "))}. Generated ${escapeHtml(r.generatedAt)} by tierwatch; every number here is in <code>report --format json</code> for the same flags.</p>
</header>
<main>
<section id="summary"><h2>Per group</h2>${groups ? tableHtml(groups, "groups-table") : ""}</section>
${rest.map((v, i) => `<section><h2>${escapeHtml(v.title ?? "Chains")}</h2>${tableHtml({ ...v, title: undefined }, i === 0 ? "chains-table" : `chains-table-${i}`)}</section>`).join("\n")}
<section id="series"><h2>Per tier and model, over time (${escapeHtml(describeBucket(r.series.bucket_ms))} buckets)</h2><div class="charts" id="group-charts"></div></section>
<section id="chain-series"><h2>Chains over time</h2><div class="charts" id="chain-charts"></div></section>
<section id="heatmap"><h2>p95 latency (ms) by model and hour of day, UTC</h2>${heatMapHtml(r.heatmap)}</section>
<section id="definitions"><h2>Definitions</h2><dl>${definitions}</dl></section>
</main>
<script type="application/json" id="tierwatch-data">${scriptJson(data)}</script>
<script>${js}</script>
<script>${HTML_PAGE_SCRIPT}</script>
</body>
</html>
`;
}

function describeBucket(ms: number): string {
  if (ms % 86_400_000 === 0) return `${ms / 86_400_000} d`;
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000} h`;
  if (ms % 60_000 === 0) return `${ms / 60_000} min`;
  return `${ms / 1000} s`;
}
