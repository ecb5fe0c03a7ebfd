import { execFile } from "node:child_process";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { generateHistory } from "./generateHistory.js";
import { warmCache } from "./warmCache.js";

const run = promisify(execFile);
const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../bin/tierwatch.js");
const PAIRS = 3;
const THRESHOLDS = ["success_rate >= 0.5", "success_rate{region=eu-west-1} >= 0.5", "p95_ms{model=gpt-4.1} < 100000", "ttft_p50_ms{region=us-east-1,model=gpt-4o-mini} < 100000"];

async function timed(args: string[], cwd: string): Promise<number> {
  const started = performance.now();
  // exit 0 or 1 (a threshold failed) are both answers; anything else is an error
  await run(process.execPath, [BIN, ...args], { cwd, maxBuffer: 64 * 1024 * 1024 }).catch((err: { code?: number }) => {
    if (err.code !== 1) throw err;
  });
  return performance.now() - started;
}

/**
 * `tierwatch gate --from` against `tierwatch report` on the same generated history, both through the real
 * bin, interleaved, PAIRS times (the better of each): the gate reads history with report's reader, so
 * it should cost about what the report does.
 */
export async function gateVsReport(n: number): Promise<string> {
  const dir = path.join(os.tmpdir(), `tierwatch-bench-history-${n}`);
  generateHistory(dir, n);
  const cwd = os.tmpdir();
  const gate = ["gate", "--from", dir, "--min-samples", "1", "--format", "json", ...THRESHOLDS.flatMap((t) => ["--threshold", t])];
  const report = ["report", dir, "--by", "region,model", "--format", "json"];
  const pairs: [number, number][] = [];
  for (let i = 0; i < PAIRS; i++) {
    warmCache(dir);
    const g = await timed(gate, cwd);
    warmCache(dir);
    pairs.push([g, await timed(report, cwd)]);
  }
  const g = Math.min(...pairs.map((p) => p[0]));
  const r = Math.min(...pairs.map((p) => p[1]));
  return [
    `gate --from (${THRESHOLDS.length} thresholds) and report on ${n.toLocaleString("en")} records, through the bin, best of ${PAIRS}:`,
    `  gate ${(g / 1000).toFixed(2)} s, report ${(r / 1000).toFixed(2)} s, ratio gate/report ${(g / r).toFixed(2)}`,
    `  each pair (gate / report): ${pairs.map(([a, b]) => `${(a / 1000).toFixed(2)} / ${(b / 1000).toFixed(2)} s`).join(", ")}`,
  ].join("\n");
}
