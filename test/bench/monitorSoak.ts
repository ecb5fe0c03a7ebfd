import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { runMonitor } from "../../src/cli/runMonitor.js";
import { validatePolicy } from "../../src/policy/validatePolicy.js";
import { probeTargets } from "../../src/probe/probeTargets.js";
import { startMockProcess } from "./startMockProcess.js";

/** A monitor of 1,000 fast rounds (3 models, one chain, every 20 ms): heap and RSS after rounds 100 and 1,000. */
export async function monitorSoak(rounds = 1000): Promise<string> {
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
        if (seen === 100 || seen === rounds) {
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
      { policy: policy!, redact: (s) => s, targets: probeTargets(policy!), chains: Object.values(policy!.chains), dataDir: dir, everyMs: 20, maxRounds: rounds, dryRun: true, format: "json", warm: false },
      io,
    );
  } finally {
    mock.stop();
    await rm(dir, { recursive: true, force: true });
  }
  const [a, b] = samples;
  return [
    `monitor soak: ${rounds} rounds every 20 ms (3 per-model probes + 1 chain run each) in ${((performance.now() - started) / 1000).toFixed(1)} s${globalThis.gc ? "" : " (run node with --expose-gc for steadier heap figures)"}:`,
    `  after round ${a?.round}: heap ${a?.heapMb.toFixed(1)} MB, RSS ${a?.rssMb.toFixed(1)} MB`,
    `  after round ${b?.round}: heap ${b?.heapMb.toFixed(1)} MB, RSS ${b?.rssMb.toFixed(1)} MB`,
  ].join("\n");
}
