import { validatePolicy } from "../../src/policy/validatePolicy.js";
import { probeRound } from "../../src/probe/probeRound.js";
import { probeTargets } from "../../src/probe/probeTargets.js";
import { createTransport } from "../../src/probe/transport.js";
import { startMockProcess } from "./startMockProcess.js";

/** A round of 50 models, each delayed 1 s by the simulator: goal under 1.3 s of wall time. */
export async function roundOf50(rounds = 3): Promise<string> {
  const mock = await startMockProcess({ unknown_models: "serve", defaults: { latency_ms: 1000 } });
  const tiers = Array.from({ length: 50 }, (_, i) => ({ model: `model-${i}`, timeout_ms: 5000 }));
  const { policy, problems } = validatePolicy(
    { version: 1, endpoints: { sim: { base_url: mock.url } }, chains: { wide: { tiers } }, probe: { concurrency: 50 } },
    { env: {}, source: "bench" },
  );
  if (!policy) throw new Error(problems.map((p) => p.message).join("; "));
  const transport = createTransport();
  const times: string[] = [];
  try {
    for (let round = 1; round <= rounds; round++) {
      const started = performance.now();
      const records = await probeRound({ policy, targets: probeTargets(policy), transport, redact: (s) => s, runId: "bench", round });
      const wall = performance.now() - started;
      const ok = records.filter((r) => r.status === "ok").length;
      times.push(`${(wall / 1000).toFixed(3)} s (${ok}/50 ok)`);
    }
  } finally {
    await transport.close();
    mock.stop();
  }
  return `round of 50 models × 1 s delay, concurrency 50, warm-up included:\n  ${times.join("\n  ")}`;
}
