import { fstatSync } from "node:fs";
import { stat } from "node:fs/promises";
import os from "node:os";
import { Worker } from "node:worker_threads";
import { isGzipFile } from "../store/gzip.js";
import { layoutModule } from "../store/scanLayout.js";
import { STDIN } from "../store/stdin.js";
import type { BadLine, ReadSummary } from "../model/readSummary.js";
import { compareKeys, finishGroup, mergeGroupAccs, type GroupAcc, type GroupRow } from "./groupAcc.js";
import { mergeTally } from "./chainTally.js";
import { chainRow, type ChainRow } from "./summarizeChains.js";
import { joinOpenRounds } from "./joinOpenRounds.js";
import { summarizeRange, type ChainCounts, type PartialSummary, type SummarySpec } from "./summarizeRange.js";
import type { Segment } from "../store/readSegment.js";

/** One window's numbers. */
export interface WindowSummary {
  groups: GroupRow[];
  chains: ChainRow[];
  records: number;
  /** with `keepAccs`: each group's totals before they were finished, in the order of `groups` (to roll groups up) */
  accs?: GroupAcc[];
}

/** Everything a report needs: each window's numbers and what reading found. */
export interface FilesSummary {
  windows: WindowSummary[];
  read: ReadSummary;
  /** with spec.extent: the first and last record time in the windows, epoch ms; null when none */
  extent: [number, number] | null;
}

const SMALL_INPUT = 32 * 1024 * 1024;

/**
 * Summarises record files in one streaming pass. The input, in order, is cut into one contiguous range
 * per worker thread (one per core; small inputs stay on this thread); each range is read as one stream,
 * so only the probe rounds at the cuts are joined here. Memory grows with the groups and their ok
 * samples, not with the input.
 */
export async function summarizeFiles(
  files: readonly string[],
  spec: SummarySpec,
  options: { threads?: number; ranges?: number; keepAccs?: boolean; startAt?: ReadonlyMap<string, number> } = {},
): Promise<FilesSummary> {
  const sized: { file: string; size: number; gzip?: boolean; start?: number }[] = [];
  for (const file of files) {
    const st = file === STDIN ? fstatSync(0) : await stat(file);
    // a pipe's size is unknown, a compressed file's too: Infinity, read whole
    if (st.isFile() && isGzipFile(file)) sized.push({ file, size: Infinity, gzip: true });
    // a plain file may be read from an offset on (a window's start found by offsetOfTime)
    else sized.push({ file, size: st.isFile() ? st.size : Infinity, start: st.isFile() ? Math.min(options.startAt?.get(file) ?? 0, st.size) : 0 });
  }
  const total = sized.reduce((n, f) => n + f.size - (f.start ?? 0), 0);
  // a pipe or a compressed file cannot be cut: with one, this thread reads everything, in order (a
  // compressed file is decompressed on a thread of its own)
  const whole = total === Infinity;
  const threads = whole ? 1 : (options.threads ?? (total < SMALL_INPUT ? 1 : os.availableParallelism()));
  const ranges = whole ? [sized.map(({ file, size, gzip, start }) => ({ file, start: start ?? 0, end: size, size, ...(gzip ? { gzip } : {}) }))] : cutRanges(sized, Math.max(1, options.ranges ?? threads), threads > 1);
  const partials: PartialSummary[] = new Array(ranges.length);
  if (threads <= 1 || ranges.length === 1) ranges.forEach((r, i) => (partials[i] = summarizeRange(r, spec, edgesOf(i, ranges.length))));
  else {
    // this thread reads the first range while threads - 1 workers read the others
    const workers = runOnWorkers(ranges, spec, Math.min(threads - 1, ranges.length - 1), partials);
    partials[0] = summarizeRange(ranges[0]!, spec, edgesOf(0, ranges.length));
    await workers;
  }
  return merge(ranges, partials, spec, sized.length, options.keepAccs === true);
}

const edgesOf = (i: number, n: number) => ({ first: i === 0, last: i === n - 1 });

// a worker starts reading some 40-100 ms after this thread (measured on the 1M-record history: its
// thread and modules load first); this thread's range is longer by about what it reads meanwhile
const HEAD_START = 24 * 1024 * 1024;

// Cuts the files, in order, into `n` ranges (a cut may fall inside a file): the first, read on this
// thread, HEAD_START bytes longer (up to a quarter more), the others of equal bytes.
function cutRanges(files: readonly { file: string; size: number; start?: number }[], n: number, headStart: boolean): Segment[][] {
  const total = files.reduce((a, f) => a + f.size - (f.start ?? 0), 0);
  const extra = headStart && n > 1 ? Math.min(HEAD_START, Math.floor(total / n / 4)) : 0;
  const per = Math.max(1, Math.ceil((total - extra) / n));
  const ranges: Segment[][] = [[]];
  let room = per + extra;
  for (const { file, size, start: from } of files) {
    let start = from ?? 0;
    if (start >= size && size > 0) continue;
    do {
      const take = Math.min(size - start, room);
      ranges.at(-1)!.push({ file, start, end: start + take, size });
      start += take;
      room -= take;
      if (room === 0) {
        // the last range takes what is left
        room = ranges.length < n ? per : Infinity;
        if (room === per) ranges.push([]);
      }
    } while (start < size);
  }
  return ranges.filter((r) => r.length > 0);
}

// Reads ranges 1.. on `threads` workers, each taking the next range when it is done.
async function runOnWorkers(ranges: Segment[][], spec: SummarySpec, threads: number, partials: PartialSummary[]): Promise<void> {
  let next = 1;
  // the line reader's module, compiled here once: a worker instantiates it rather than compiling its own
  const layouts = layoutModule();
  const workers = Array.from({ length: threads }, () => new Worker(new URL("./summaryWorker.js", import.meta.url)));
  try {
    await Promise.all(
      workers.map(
        (w) =>
          new Promise<void>((resolve, reject) => {
            let current = -1;
            const send = () => {
              if (next >= ranges.length) return resolve();
              current = next++;
              w.postMessage({ segments: ranges[current], spec, edges: edgesOf(current, ranges.length), layouts });
            };
            w.on("message", (partial: PartialSummary) => {
              partials[current] = partial;
              send();
            });
            w.on("error", reject);
            send();
          }),
      ),
    );
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

function merge(ranges: Segment[][], partials: PartialSummary[], spec: SummarySpec, fileCount: number, keepAccs: boolean): FilesSummary {
  const read: ReadSummary = { files: fileCount, lines: 0, records: 0, badCount: 0, bad: [], torn: 0, newerVersion: 0, unplaced: 0, cutShort: [] };
  const groups = new Map<string, { window: number; parts: GroupAcc[] }>();
  const measured = new Map<string, ChainCounts>();
  const replayed = new Map<string, ChainCounts>();
  const lineOffset = new Map<string, number>();
  partials.forEach((part, i) => {
    // where each segment's lines start in its file: after the lines of the file's earlier segments
    const offsets = ranges[i]!.map((seg, k) => {
      const offset = lineOffset.get(seg.file) ?? 0;
      lineOffset.set(seg.file, offset + part.segmentLines[k]!);
      return offset;
    });
    read.lines += part.lines;
    read.records += part.records;
    read.badCount += part.badCount;
    read.torn += part.torn;
    read.newerVersion += part.newerVersion;
    read.unplaced! += part.unplaced;
    read.cutShort.push(...part.cutShort);
    for (const { segment, ...b } of part.bad) if (read.bad.length < 5) read.bad.push({ ...b, line: b.line + offsets[segment]! } satisfies BadLine);
    for (const g of part.groups) {
      const id = `${g.window}\u0000${JSON.stringify(spec.by.map((d) => g.acc.keys[d] ?? null))}`;
      const have = groups.get(id);
      if (have) have.parts.push(g.acc);
      else groups.set(id, { window: g.window, parts: [g.acc] });
    }
    for (const [into, list] of [
      [measured, part.measured],
      [replayed, part.replayed],
    ] as const) {
      for (const c of list) {
        const k = `${c.window}\u0000${c.chain}`;
        const have = into.get(k);
        if (have) mergeTally(have, c);
        else into.set(k, { ...c, byTier: { ...c.byTier } });
      }
    }
  });
  joinOpenRounds(partials.map((p) => p.openRounds), spec, replayed);
  const windows: WindowSummary[] = spec.windows.map((_, w) => {
    // in key order; each group's merged totals are dropped once finished unless they are asked for
    // (all of them at once hold a copy of every ok sample)
    const parts = [...groups.values()].filter((g) => g.window === w).sort((a, b) => compareKeys(a.parts[0]!.keys, b.parts[0]!.keys, spec.by));
    const accs: GroupAcc[] = [];
    const rows = parts.map((g) => {
      const acc = mergeGroupAccs(g.parts);
      if (keepAccs) accs.push(acc);
      return finishGroup(acc);
    });
    const names = new Set([...measured.values(), ...replayed.values()].filter((c) => c.window === w).map((c) => c.chain));
    const chains = [...names].sort().map((name) => {
      const m = measured.get(`${w}\u0000${name}`);
      const c = m ?? replayed.get(`${w}\u0000${name}`)!;
      return chainRow(name, m ? "chain_records" : "replay", c);
    });
    const records = rows.reduce((n, r) => n + r.attempts, 0) + [...measured.values()].filter((c) => c.window === w).reduce((n, c) => n + c.requests, 0);
    return { groups: rows, chains, records, ...(keepAccs ? { accs } : {}) };
  });
  const lo = Math.min(...partials.map((p) => p.extent[0]));
  const hi = Math.max(...partials.map((p) => p.extent[1]));
  return { windows, read, extent: lo <= hi ? [lo, hi] : null };
}
