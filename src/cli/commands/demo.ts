import { mkdtemp } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { createChainSummary } from "../../analysis/summarizeChains.js";
import { createGroupSummary } from "../../analysis/summarizeGroups.js";
import { loadPolicy } from "../../policy/loadPolicy.js";
import { probeTargets } from "../../probe/probeTargets.js";
import { chainView } from "../../render/chainView.js";
import { groupView } from "../../render/groupView.js";
import { renderTable } from "../../render/renderTable.js";
import { loadScenario } from "../../sim/loadScenario.js";
import { startSimulator } from "../../sim/startSimulator.js";
import { packageRoot } from "../../util/packageRoot.js";
import { type CliIo, tableWidth } from "../io.js";
import { runRounds } from "../runRounds.js";

export interface DemoOptions {
  dataDir?: string;
  rounds: number;
  seed?: number;
  format: "table" | "json";
}

/** `tierwatch demo`: the simulator in-process, rounds of probes through the demo policy, a summary, what to try next. */
export async function demoCommand(opts: DemoOptions, io: CliIo): Promise<number> {
  const root = packageRoot();
  const scenarioFile = path.join(root, "fixtures", "scenarios", "demo.yaml");
  const policyFile = path.join(root, "fixtures", "demo", "tierwatch.yaml");
  const scenario = await loadScenario(scenarioFile);
  const sim = await startSimulator(scenario, { seed: opts.seed });
  try {
    const { policy, redact } = await loadPolicy(policyFile, { env: { ...io.env, TIERWATCH_DEMO_URL: sim.url }, cwd: io.cwd });
    const dataDir = opts.dataDir ? path.resolve(io.cwd, opts.dataDir) : await mkdtemp(path.join(os.tmpdir(), "tierwatch-demo-"));
    io.stderr.write(`tierwatch demo: simulated gateway on ${sim.url}; ${opts.rounds} rounds of probes into ${dataDir}\n`);
    const started = performance.now();
    const { records } = await runRounds(
      { policy, redact, targets: probeTargets(policy), dataDir, rounds: opts.rounds, intervalMs: 0, progress: opts.format === "table" },
      io,
    );
    const by = ["tier", "model"] as const;
    const groups = createGroupSummary(by, { latencySloMs: () => policy.chains.default?.slo.p95Ms });
    const chains = createChainSummary(policy);
    for (const r of records) {
      groups.add(r);
      chains.add(r);
    }
    if (opts.format === "json") {
      io.stdout.write(`${JSON.stringify({ data_dir: dataDir, groups: groups.rows(), chains: chains.rows() })}\n`);
      return 0;
    }
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    // the chains as configured: without the policy, a report learns them from the records, where a model
    // two chains share is recorded under the first
    const shownPolicy = path.relative(io.cwd, policyFile) || policyFile;
    io.stdout.write(renderTable(groupView(groups.rows(), by, `Per model: ${records.length} probes in ${seconds} s`), tableWidth(io)));
    io.stdout.write("\n");
    io.stdout.write(renderTable(chainView(chains.rows(), "Chains, replayed over each round (default: gpt-4.1 → claude-sonnet-4 → llama-3.1-8b; pooled: gpt-4.1 70 / gpt-4.1-azure 30 → claude-sonnet-4)"), tableWidth(io)));
    io.stdout.write(
      [
        "",
        `Records: ${dataDir}`,
        "Try next:",
        `  npx tierwatch report --data-dir ${dataDir} --policy ${shownPolicy} --by model`,
        `  npx tierwatch report --data-dir ${dataDir} --policy ${shownPolicy} --by member   # the pool`,
        `  npx tierwatch report --data-dir ${dataDir} --policy ${shownPolicy} --format html --output demo.html`,
        `  npx tierwatch mock --scenario ${path.relative(io.cwd, scenarioFile) || scenarioFile} --port 8787   # the same simulator, to point your own tools at`,
        "Against your gateway:",
        "  export FB_OPENAI_BASE_URL=https://<your-gateway>/v1 FB_API_KEY_SECRET=<key>",
        "  npx tierwatch init && npx tierwatch validate && npx tierwatch probe --rounds 3",
        "",
      ].join("\n"),
    );
    return 0;
  } finally {
    await sim.close();
  }
}
