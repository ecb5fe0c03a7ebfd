import { mkdirSync, rmSync, writeFileSync, closeSync, openSync, writeSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { createAlerting } from "../../src/alerts/createAlerting.js";
import { resolvePolicy } from "../../src/policy/loadPolicy.js";

const WINDOW_MS = 15 * 60_000;
// the last half hour, at the same rate in both files: the window and the quarter hour before it
const TAIL_MS = 30 * 60_000;
const TAIL = 1200;
const RUNS = 31;

// A day file of `before` records in the hours before its last half hour, then the same TAIL records in it.
function writeDay(dir: string, before: number, now: number): void {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${new Date(now).toISOString().slice(0, 10)}.jsonl`);
  const dayStart = Math.floor(now / 86_400_000) * 86_400_000;
  const line = (ts: number, i: number) =>
    `{"v":1,"ts":"${new Date(ts).toISOString()}","run_id":"run-${Math.floor(i / 30)}","round":${i % 1000},"request_id":"r${i}","kind":"probe","origin":"probe","chain":"default","tier":${1 + (i % 3)},"model":"m${i % 3}","endpoint":"sim","region":"local","attempt":1,"status":"${i % 10 === 0 ? "server_error" : "ok"}","http_status":200,"latency_ms":${100 + (i % 50)},"ttft_ms":null,"served_model":"m","prompt_tokens":8,"completion_tokens":2,"cost_usd":null,"error":null}\n`;
  const fd = openSync(file, "w");
  let batch = "";
  const span = now - TAIL_MS - 60_000 - dayStart;
  for (let i = 0; i < before; i++) {
    batch += line(dayStart + Math.floor((i / before) * span), i);
    if (batch.length > 1 << 20) {
      writeSync(fd, batch);
      batch = "";
    }
  }
  for (let i = 0; i < TAIL; i++) batch += line(now - TAIL_MS + Math.floor((i / TAIL) * (TAIL_MS - 1000)), before + i);
  writeSync(fd, batch);
  closeSync(fd);
}

/**
 * An alert evaluation after a round, with a 15-minute window, over a day file of 1,000 records and over
 * one of 1,000,000 (the same last half hour): it reads from shortly before the window's start, so the two
 * should cost the same.
 */
export async function alertWindow(): Promise<string> {
  const now = Date.UTC(2026, 10, 1, 20, 0);
  const { policy } = resolvePolicy(
    {
      version: 1,
      endpoints: { sim: { base_url: "http://127.0.0.1:9/v1" } },
      chains: { default: { tiers: [{ model: "m0" }, { model: "m1" }, { model: "m2" }] } },
      alerts: [
        { name: "t1", when: "success_rate{tier=1} < 0.95", window: "15m", min_samples: 10 },
        { name: "slow", when: "p95_ms{tier=1} > 5000", window: "15m" },
      ],
    },
    { env: {}, source: "bench", baseDir: os.tmpdir(), offline: true },
  );
  const sizes = [1_000, 1_000_000];
  const sides = sizes.map((total) => {
    const dir = path.join(os.tmpdir(), `tierwatch-bench-alert-${total}`);
    rmSync(dir, { recursive: true, force: true });
    writeDay(dir, total - TAIL, now);
    writeFileSync(path.join(dir, "alerts.json"), "{}");
    return { dir, times: [] as number[], alerting: createAlerting(policy, dir, { log: (l) => process.stderr.write(`${l}\n`), print: () => undefined }, (s) => s) };
  });
  // interleaved; the first evaluation of each fires the rule (a notification, state written) and warms
  // up the reader: not timed
  for (let i = -2; i < RUNS; i++) {
    for (const side of sides) {
      const t = performance.now();
      await side.alerting.afterRound(now);
      if (i >= 0) side.times.push(performance.now() - t);
      await side.alerting.flush();
    }
  }
  const medians = sides.map((side) => [...side.times].sort((a, b) => a - b)[Math.floor(RUNS / 2)]!);
  const out = sides.map((side, k) => `  ${sizes[k]!.toLocaleString("en")} records in the day: median ${medians[k]!.toFixed(1)} ms, best ${Math.min(...side.times).toFixed(1)} ms (${RUNS} evaluations)`);
  for (const side of sides) rmSync(side.dir, { recursive: true, force: true });
  return [`alert evaluation, ${WINDOW_MS / 60_000}-minute window (${TAIL / 2} records in it, at the same rate as the quarter hour before):`, ...out, `  ratio 1M/1k: ${(medians[1]! / medians[0]!).toFixed(2)}`].join("\n");
}
