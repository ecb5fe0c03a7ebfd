// Worker thread: summarises the ranges of input the main thread sends, one at a time.
import { parentPort } from "node:worker_threads";
import { layoutModule } from "../store/scanLayout.js";
import { summarizeRange, type RangeEdges, type SummarySpec } from "./summarizeRange.js";
import type { Segment } from "../store/readSegment.js";

parentPort!.on("message", (m: { segments: Segment[]; spec: SummarySpec; edges: RangeEdges; layouts: WebAssembly.Module }) => {
  layoutModule(m.layouts);
  const partial = summarizeRange(m.segments, m.spec, m.edges);
  const buffers = partial.groups.flatMap((g) => [g.acc.latencies.data.buffer, g.acc.ttfts.data.buffer]) as ArrayBuffer[];
  buffers.push(partial.openRounds.data.buffer as ArrayBuffer);
  parentPort!.postMessage(partial, buffers);
});
