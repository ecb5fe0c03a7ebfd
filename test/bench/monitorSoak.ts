import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { runMonitor } from "../../src/cli/runMonitor.js";
import { validatePolicy } from "../../src/policy/validatePolicy.js";
import { probeTargets } from "../../src/probe/probeTargets.js";
import { startMockProcess } from "./startMockProcess.js";

/** A monitor of 1,000 fast rounds (SOAK_ROUNDS to change; 3 models, one chain, every 20 ms): heap and RSS after round 100 and every 500. */
export async function monitorSoak(rounds = Number(process.env.SOAK_ROUNDS ?? 1000)): Promise<string> {
  const mock = await startMockProcess({ unknown_models: "serve", defaults: { latency_ms: 1 } });
  const dir = await mkdtemp(path.join(os.tmpdir(), "tierwatch-soak-"));
  const { policy } = validatePolicy(
    { version: 1, endpoints: { sim: { base_url: mock.url } }, chains: { c: { tiers: [{ model: "a" }, { model: "b" }, { model: "c" }] } } },
    { env: {}, source: "soak" },
  );
  const samples: { round: number; heapMb: number; rssMb: number }[] = [];
  let seen = 0;
  const io = {
    stdout: {
      write: () => {
        seen++;
        if (seen === 100 || seen % 500 === 0 || seen === rounds) {
          globalThis.gc?.();
          const m = process.memoryUsage();
          samples.push({ round: seen, heapMb: m.heapUsed / 1048576, rssMb: m.rss / 1048576 });
        }
        return true;
      },
    },
    stderr: { write: () => true },
    env: {},
    cwd: dir,
  };
  const started = performance.now();
  try {
    await runMonitor(
      { policy: policy!, redact: (s) => s, targets: probeTargets(policy!), chains: Object.values(policy!.chains), dataDir: dir, everyMs: 20, maxRounds: rounds, format: "json", warm: false },
      io,
    );
  } finally {
    mock.stop();
    await rm(dir, { recursive: true, force: true });
  }
  return [
    `monitor soak: ${rounds} rounds every 20 ms (3 per-model probes + 1 chain run each) in ${((performance.now() - started) / 1000).toFixed(1)} s${globalThis.gc ? "" : " (run node with --expose-gc for steadier heap figures)"}:`,
    ...samples.map((x) => `  after round ${x.round}: heap ${x.heapMb.toFixed(1)} MB, RSS ${x.rssMb.toFixed(1)} MB`),
  ].join("\n");
}
