import { stat } from "node:fs/promises";
import os from "node:os";
import { Worker } from "node:worker_threads";
import type { BadLine, ReadSummary } from "../store/readRecords.js";
import { compareKeys, finishGroup, mergeGroupAccs, type GroupAcc, type GroupRow } from "./groupAcc.js";
import { mergeTally } from "./chainTally.js";
import { replayRound } from "./replayRound.js";
import { chainRow, type ChainRow } from "./summarizeChains.js";
import { countChain, summarizeRange, type ChainCounts, type PartialSummary, type SummarySpec } from "./summarizeRange.js";

/** One window's numbers. */
export interface WindowSummary {
  groups: GroupRow[];
  chains: ChainRow[];
  records: number;
}

/** Everything a report needs: each window's numbers and what reading found. */
export interface FilesSummary {
  windows: WindowSummary[];
  read: ReadSummary;
}

const PIECE_BYTES = 64 * 1024 * 1024;
const SMALL_INPUT = 32 * 1024 * 1024;

/**
 * Summarises record files in one streaming pass, in parallel over pieces of about 64 MB on worker
 * threads (one per core; small inputs stay on this thread). Memory grows with the groups and their
 * ok samples, not with the input.
 */
export async function summarizeFiles(
  files: readonly string[],
  spec: SummarySpec,
  options: { threads?: number; pieceBytes?: number } = {},
): Promise<FilesSummary> {
  const pieceBytes = options.pieceBytes ?? PIECE_BYTES;
  const pieces: { file: string; index: number; start: number; end: number; size: number }[] = [];
  let total = 0;
  for (const file of files) {
    const { size } = await stat(file);
    total += size;
    let index = 0;
    for (let start = 0; start < size || (start === 0 && size === 0); start += pieceBytes) {
      pieces.push({ file, index: index++, start, end: Math.min(size, start + pieceBytes), size });
      if (size === 0) break;
    }
  }
  const threads = options.threads ?? (total < SMALL_INPUT ? 1 : os.availableParallelism());
  const partials: PartialSummary[] = new Array(pieces.length);
  if (threads <= 1) {
    pieces.forEach((p, i) => (partials[i] = summarizeRange(p.file, p.start, p.end, p.size, spec)));
  } else {
    await runOnWorkers(pieces, spec, Math.min(threads, pieces.length), partials);
  }
  return merge(pieces, partials, spec);
}

async function runOnWorkers(
  pieces: { file: string; start: number; end: number; size: number }[],
  spec: SummarySpec,
  threads: number,
  partials: PartialSummary[],
): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: threads }, () => new Worker(new URL("./summaryWorker.js", import.meta.url)));
  try {
    await Promise.all(
      workers.map(
        (w) =>
          new Promise<void>((resolve, reject) => {
            let current = -1;
            const send = () => {
              if (next >= pieces.length) return resolve();
              current = next++;
              const p = pieces[current]!;
              w.postMessage({ file: p.file, start: p.start, end: p.end, size: p.size, spec });
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

function merge(pieces: { file: string; index: number }[], partials: PartialSummary[], spec: SummarySpec): FilesSummary {
  const read: ReadSummary = { files: new Set(pieces.map((p) => p.file)).size, lines: 0, records: 0, badCount: 0, bad: [], torn: 0, newerVersion: 0 };
  const groups = new Map<string, { window: number; parts: GroupAcc[] }>();
  const measured = new Map<string, ChainCounts>();
  const replayed = new Map<string, ChainCounts>();
  const open = new Map<string, { window: number; results: Map<string, number> }>();
  const lineOffset = new Map<string, number>();
  partials.forEach((part, i) => {
    const file = pieces[i]!.file;
    const offset = lineOffset.get(file) ?? 0;
    lineOffset.set(file, offset + part.lineCount);
    read.lines += part.lines;
    read.records += part.records;
    read.badCount += part.badCount;
    read.torn += part.torn;
    read.newerVersion += part.newerVersion;
    for (const b of part.bad) if (read.bad.length < 5) read.bad.push({ ...b, line: b.line + offset } satisfies BadLine);
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
    for (const r of part.openRounds) {
      const have = open.get(r.key);
      if (have) for (const [slot, v] of Object.entries(r.results)) have.results.set(slot, v);
      else open.set(r.key, { window: r.window, results: new Map(Object.entries(r.results)) });
    }
  });
  const shapes = spec.chains?.map((c) => ({ name: c.name, tiers: c.tiers.length })) ?? null;
  for (const r of open.values()) for (const { chain, served } of replayRound(r.results, shapes)) countChain(replayed, r.window, chain, served);

  const windows: WindowSummary[] = spec.windows.map((_, w) => {
    const rows = [...groups.values()].filter((g) => g.window === w).map((g) => finishGroup(mergeGroupAccs(g.parts)));
    rows.sort((a, b) => compareKeys(a.keys, b.keys, spec.by));
    const names = new Set([...measured.values(), ...replayed.values()].filter((c) => c.window === w).map((c) => c.chain));
    const chains = [...names].sort().map((name) => {
      const m = measured.get(`${w}\u0000${name}`);
      const c = m ?? replayed.get(`${w}\u0000${name}`)!;
      return chainRow(name, m ? "chain_records" : "replay", c.requests, c.fallback, c.exhausted, c.byTier);
    });
    const records = rows.reduce((n, r) => n + r.attempts, 0) + [...measured.values()].filter((c) => c.window === w).reduce((n, c) => n + c.requests, 0);
    return { groups: rows, chains, records };
  });
  return { windows, read };
}
