// Worker thread: summarises the pieces of input the main thread sends, one at a time.
import { parentPort } from "node:worker_threads";
import { summarizeRange, type SummarySpec } from "./summarizeRange.js";

parentPort!.on("message", (m: { file: string; start: number; end: number; size: number; spec: SummarySpec }) => {
  const partial = summarizeRange(m.file, m.start, m.end, m.size, m.spec);
  const buffers = partial.groups.flatMap((g) => [g.acc.latencies.data.buffer, g.acc.ttfts.data.buffer]) as ArrayBuffer[];
  parentPort!.postMessage(partial, buffers);
});
