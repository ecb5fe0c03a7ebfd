// The report's two inner parts against their references, in one run: reading record lines (JSON.parse
// per line, the general byte scanner, the learned-layout reader) and exact quantiles (sort, selection,
// histogram then selection).
import { readdirSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { quantilesByHistogram } from "../../src/analysis/quantilesByHistogram.js";
import { quantilesBySelection } from "../../src/analysis/quantilesBySelection.js";
import { quantileSorted } from "../../src/analysis/quantileSorted.js";
import { createRng } from "../../src/sim/rng.js";
import { createLayoutReader } from "../../src/store/scanLayout.js";
import { F, newScan, scanRecord } from "../../src/store/scanRecord.js";
import { generateHistory } from "./generateHistory.js";

const MAX_BYTES = 256 * 1024 * 1024;

export async function readerBench(): Promise<string> {
  const { dir } = generateHistory(path.join(os.tmpdir(), "tierwatch-bench-history-1000000"), 1_000_000);
  const parts: Buffer[] = [];
  let size = 0;
  for (const name of readdirSync(dir).filter((f) => f.endsWith(".jsonl")).sort()) {
    if (size >= MAX_BYTES) break;
    const b = readFileSync(path.join(dir, name));
    parts.push(b);
    size += b.length;
  }
  // in the layout reader's memory (where the report reads into), with one byte of slack after the data,
  // as the report's reader keeps for its sentinel; every reader reads it there
  const reader = createLayoutReader(size + 1);
  const buf = reader.buf;
  Buffer.concat(parts).copy(buf);
  buf[size] = 0;
  const scan = newScan();

  // each reader returns the sum of latency_ms over its lines: the three must agree
  const readers: Record<string, () => number> = {
    "JSON.parse per line": () => {
      let sum = 0;
      for (let ls = 0; ls < size; ) {
        const nl = buf.indexOf(10, ls);
        const r = JSON.parse(buf.toString("utf8", ls, nl)) as { latency_ms: number | null };
        if (typeof r.latency_ms === "number") sum += r.latency_ms;
        ls = nl + 1;
      }
      return sum;
    },
    "byte scanner (any layout)": () => {
      let sum = 0;
      for (let ls = 0; ls < size; ) {
        const nl = buf.indexOf(10, ls);
        if (scanRecord(buf, ls, nl, scan) && scan.type[F.latency_ms] === 2) sum += scan.num[F.latency_ms]!;
        ls = nl + 1;
      }
      return sum;
    },
    "learned layout, scanner for the rest": () => {
      let sum = 0;
      // as the report does: the layouts learned so far, the last matched first
      const layouts: number[] = [];
      const fields = reader.scan;
      for (let ls = 0; ls < size; ) {
        let nl = -1;
        for (let k = 0; k < layouts.length && nl < 0; k++) {
          nl = reader.read(layouts[k]!, ls, size);
          if (nl >= 0 && k > 0) layouts.unshift(...layouts.splice(k, 1));
        }
        if (nl < 0) {
          nl = buf.indexOf(10, ls);
          if (!scanRecord(buf, ls, nl, fields)) {
            ls = nl + 1;
            continue;
          }
          const learned = reader.learn(ls, nl);
          if (learned >= 0 && !layouts.includes(learned)) layouts.unshift(learned);
        }
        if (fields.type[F.latency_ms] === 2) sum += fields.num[F.latency_ms]!;
        ls = nl + 1;
      }
      return sum;
    },
  };
  const best: Record<string, number> = {};
  const sums = new Set<number>();
  for (let round = 0; round < 3; round++) {
    for (const [name, read] of Object.entries(readers)) {
      const t = performance.now();
      sums.add(Math.round(read() * 100));
      const ms = performance.now() - t;
      best[name] = Math.min(best[name] ?? Infinity, ms);
    }
  }
  if (sums.size !== 1) throw new Error(`the readers disagree: ${[...sums].join(", ")}`);
  const base = best["JSON.parse per line"]!;
  const lines = [`reading ${(size / 1e6).toFixed(0)} MB of records (best of 3, interleaved; the same sum of latency_ms from each):`];
  for (const [name, ms] of Object.entries(best)) lines.push(`  ${name.padEnd(38)} ${ms.toFixed(0).padStart(6)} ms  ${(size / 1e6 / (ms / 1000)).toFixed(0).padStart(5)} MB/s  ${(base / ms).toFixed(2)}x JSON.parse`);

  // quantiles: 30 groups of 316,000 latencies (10M records' worth), p50/p95/p99
  const rand = createRng(11);
  const groups = Array.from({ length: 30 }, () => Float64Array.from({ length: 316_000 }, () => Math.round(300 * Math.exp(0.35 * (rand() * 2 - 1)) * 100) / 100));
  const ps = [0.5, 0.95, 0.99];
  const ways: Record<string, (xs: Float64Array) => (number | undefined)[]> = {
    "sort, then read the ranks": (xs) => {
      const sorted = xs.slice().sort();
      return ps.map((p) => quantileSorted(sorted, p));
    },
    selection: (xs) => quantilesBySelection(xs.slice(), xs.length, ps),
    "histogram, then selection": (xs) => quantilesByHistogram(xs.slice(), xs.length, ps),
  };
  const qBest: Record<string, number> = {};
  const answers = new Set<string>();
  for (let round = 0; round < 3; round++) {
    for (const [name, way] of Object.entries(ways)) {
      const t = performance.now();
      answers.add(JSON.stringify(groups.map(way)));
      qBest[name] = Math.min(qBest[name] ?? Infinity, performance.now() - t);
    }
  }
  if (answers.size !== 1) throw new Error("the quantile methods disagree");
  lines.push("exact p50/p95/p99 of 30 groups of 316,000 values (each copied first; best of 3; the same answers):");
  const qBase = qBest["sort, then read the ranks"]!;
  for (const [name, ms] of Object.entries(qBest)) lines.push(`  ${name.padEnd(38)} ${ms.toFixed(0).padStart(6)} ms  ${(qBase / ms).toFixed(2)}x sort`);
  return lines.join("\n");
}
