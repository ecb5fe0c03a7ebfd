import { heatMap, timeSeries } from "../../analysis/timeSeries.js";
import type { SummarySpec } from "../../analysis/summarizeRange.js";
import { roundForOutput } from "../../render/outputNumbers.js";
import { renderHtml } from "../../render/renderHtml.js";
import type { View } from "../../render/view.js";

/**
 * `report --format html`: the report's document and tables, plus two more passes over the same inputs:
 * the heat map (by model and hour, which also finds the first and last record for a window left open)
 * and the time series on a grid of at most MAX_BUCKETS buckets. The page carries buckets,
 * never records: its size does not grow with the history.
 */
export async function htmlPage(input: {
  files: readonly string[];
  spec: SummarySpec;
  doc: Record<string, unknown>;
  views: View[];
  threads?: number;
  now: number;
  since: number | undefined;
  until: number | undefined;
}): Promise<string> {
  const { files, spec, threads } = input;
  const current: SummarySpec = { ...spec, windows: [spec.windows[0]!] };
  const heat = await heatMap(files, current, threads);
  // the series covers the window as asked, or the records' own extent where the window is open
  const start = input.since ?? heat.extent?.[0] ?? input.now - 86_400_000;
  const end = input.until ?? (input.since === undefined && heat.extent ? heat.extent[1] + 1 : input.now);
  const series = await timeSeries(files, current, start, Math.max(end, start + 1000), threads);
  return renderHtml({
    title: "tierwatch report",
    doc: input.doc,
    views: input.views,
    series: roundForOutput(series),
    heatmap: roundForOutput(heat),
    generatedAt: new Date(input.now).toISOString(),
  });
}
