import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { roundLatency } from "../../src/render/outputNumbers.js";
import { generateHistory } from "./generateHistory.js";
import { warmCache } from "./warmCache.js";

const run = promisify(execFile);
const here = path.dirname(fileURLToPath(import.meta.url));
const FIELDS = ["attempts", "sent", "ok", "p50_ms", "p95_ms", "p99_ms", "ttft_p50_ms", "ttft_p95_ms"] as const;

interface Side {
  wallMs: number;
  hwm: number;
  rows: Record<string, unknown>[];
}

// DuckDB is a package of its own (test/bench/duckdb), installed here on first use: `npm install` at the
// top never downloads it
const duckdbDir = path.resolve(here, "../../../test/bench/duckdb");

async function ensureDuckdb(): Promise<void> {
  if (existsSync(path.join(duckdbDir, "node_modules", "@duckdb", "node-api"))) return;
  process.stderr.write(`installing DuckDB for the comparison into ${path.relative(process.cwd(), duckdbDir)} (npm ci)\n`);
  await run("npm", ["ci", "--no-audit", "--no-fund"], { cwd: duckdbDir });
}

async function side(script: string, dir: string): Promise<Side & { processMs: number }> {
  const started = performance.now();
  const { stdout } = await run(process.execPath, [path.isAbsolute(script) ? script : path.join(here, script), dir], { maxBuffer: 64 * 1024 * 1024 });
  return { ...(JSON.parse(stdout) as Side), processMs: performance.now() - started };
}

const PAIRS = 3;

/**
 * `tierwatch report` against DuckDB (read_ndjson, the same groups and quantile definition) on a generated
 * history, each in its own process, interleaved, PAIRS times (the better of its runs each); the numbers
 * must agree exactly.
 */
export async function reportVsDuckdb(n: number): Promise<string> {
  await ensureDuckdb();
  const dir = path.join(os.tmpdir(), `tierwatch-bench-history-${n}`);
  const genStart = performance.now();
  const { bytes } = generateHistory(dir, n);
  const genS = (performance.now() - genStart) / 1000;
  const best = (a: Awaited<ReturnType<typeof side>>, b: Awaited<ReturnType<typeof side>>) => (a.processMs <= b.processMs ? a : b);
  // Both read from the page cache: every file is read just before each run. Reading once at the start
  // is not enough: this machine's cache lets go of files within tens of seconds (the 0.55 GB history
  // read in 80 ms, and again 10 s later; 40 s later it took 357 ms), and a later run would read from disk.
  // Interleaved, so that a slow spell of a shared machine falls on both sides.
  const runs: { tw: Awaited<ReturnType<typeof side>>; db: Awaited<ReturnType<typeof side>> }[] = [];
  for (let i = 0; i < PAIRS; i++) {
    warmCache(dir);
    const twRun = await side("reportChild.js", dir);
    warmCache(dir);
    runs.push({ tw: twRun, db: await side(path.join(duckdbDir, "duckdbChild.mjs"), dir) });
  }
  const tw = runs.map((r) => r.tw).reduce(best);
  const db = runs.map((r) => r.db).reduce(best);
  // exact agreement, group by group, field by field
  if (tw.rows.length !== db.rows.length) throw new Error(`group counts differ: tierwatch ${tw.rows.length}, duckdb ${db.rows.length}`);
  let compared = 0;
  tw.rows.forEach((t, i) => {
    const d = db.rows[i]!;
    if (t.region !== d.region || t.model !== d.model) throw new Error(`group ${i} differs: ${t.region}/${t.model} vs ${d.region}/${d.model}`);
    for (const f of FIELDS) {
      const a = t[f] === null ? null : Number(t[f]);
      // tierwatch prints latencies to a microsecond: DuckDB's are compared at the same rounding
      const b = d[f] === null ? null : roundLatency(Number(d[f]));
      if (a !== b) throw new Error(`${t.region}/${t.model} ${f}: tierwatch ${a}, duckdb ${b}`);
      compared++;
    }
  });
  const mb = (x: number) => `${(x / 1024 / 1024).toFixed(0)} MB`;
  return [
    `report on ${n.toLocaleString("en")} records (${(bytes / 1e9).toFixed(2)} GB, ${tw.rows.length} groups; generated or reused in ${genS.toFixed(1)} s):`,
    `  tierwatch  ${(tw.processMs / 1000).toFixed(2)} s (process, best of ${PAIRS}), peak RSS ${mb(tw.hwm)}`,
    `  duckdb     ${(db.processMs / 1000).toFixed(2)} s (process, best of ${PAIRS}), peak RSS ${mb(db.hwm)}`,
    `  ratio tierwatch/duckdb: time ${(tw.processMs / db.processMs).toFixed(2)}, memory ${(tw.hwm / db.hwm).toFixed(2)}`,
    `  each pair (tierwatch / duckdb): ${runs.map((r) => `${(r.tw.processMs / 1000).toFixed(2)} / ${(r.db.processMs / 1000).toFixed(2)} s`).join(", ")}`,
    `  ${compared} numbers compared: all equal`,
  ].join("\n");
}
