import path from "node:path";
import { createGroupSummary } from "../../analysis/summarizeGroups.js";
import { usageError } from "../../errors.js";
import { loadPolicy } from "../../policy/loadPolicy.js";
import { probeTargets } from "../../probe/probeTargets.js";
import { groupView } from "../../render/groupView.js";
import { createChainSummary } from "../../analysis/summarizeChains.js";
import { chainView } from "../../render/chainView.js";
import { renderViews } from "../../render/renderView.js";
import { dayFile } from "../../store/appendRecords.js";
import { formatMs, parseDuration } from "../../util/duration.js";
import { type CliIo, tableWidth } from "../io.js";
import { createAlerting } from "../../alerts/createAlerting.js";
import { runMonitor } from "../runMonitor.js";
import { runRounds } from "../runRounds.js";
import { printAlert } from "../printAlert.js";

export interface ProbeOptions {
  policy?: string;
  rounds: number;
  interval?: string;
  dataDir?: string;
  concurrency?: number;
  stream?: boolean;
  chain?: string[];
  chains?: boolean;
  models: boolean;
  model?: string[];
  format: "table" | "json";
  warmup: boolean;
  every?: string;
  lock?: boolean;
  /** host:port to serve Prometheus metrics on while the monitor runs */
  metricsListen?: string;
  /** whether --rounds was given (with --every it caps the rounds) */
  roundsGiven?: boolean;
  dryRun?: boolean;
}

/** `tierwatch probe`: rounds of per-model probes, each attempt appended to the JSONL store. Exit 0 whatever the models answered. */
export async function probeCommand(opts: ProbeOptions, io: CliIo): Promise<number> {
  const { policy, redact, warnings, notice } = await loadPolicy(opts.policy, { env: io.env, cwd: io.cwd });
  if (notice) io.stderr.write(`${notice}\n`);
  if (warnings.length > 0) io.stderr.write(`${warnings.length} policy warning(s): \`tierwatch validate\` lists them\n`);
  const intervalMs = opts.interval ? parseDuration(opts.interval, "--interval") : 0;
  const chains = opts.chains ? Object.values(policy.chains) : (opts.chain ?? []).map((name) => {
    const c = policy.chains[name];
    if (!c) throw usageError(`--chain ${name}: the policy has no such chain (it has ${Object.keys(policy.chains).join(", ")})`);
    return c;
  });
  const targets = opts.models ? probeTargets(policy, { models: opts.model }) : [];
  if (targets.length === 0 && chains.length === 0) throw usageError("nothing to probe: no model matches --model, and no --chain was given");
  const dataDir = opts.dataDir ? path.resolve(io.cwd, opts.dataDir) : policy.store.dir;
  if (opts.every !== undefined && opts.interval !== undefined) throw usageError("--every and --interval do not go together: --every schedules rounds on aligned ticks");
  const everyMs = opts.every === undefined ? undefined : parseDuration(opts.every, "--every");
  if (opts.dryRun) {
    // a dry run sends nothing and writes nothing: it says what the rounds and the alert rules would do
    const schedule = everyMs !== undefined ? `a round every ${formatMs(everyMs)}` : `${opts.rounds} round(s)${intervalMs ? `, ${formatMs(intervalMs)} apart` : ""}`;
    const { printDryRun } = await import("../dryRun.js");
    await printDryRun({ policy, targets, chains, dataDir, stream: opts.stream ?? policy.probe.stream, schedule, format: opts.format }, io);
    return 0;
  }
  if (everyMs !== undefined || opts.lock) {
    // a monitor (--every), or cron rounds under the same lock; both evaluate alerts after each round
    await runMonitor(
      {
        policy,
        redact,
        targets,
        chains,
        dataDir,
        concurrency: opts.concurrency,
        stream: opts.stream,
        warm: opts.warmup,
        everyMs,
        maxRounds: everyMs === undefined || opts.roundsGiven ? opts.rounds : undefined,
        format: opts.format,
        metricsListen: opts.metricsListen,
      },
      io,
    );
    return 0;
  }
  if (opts.metricsListen !== undefined) throw usageError("--metrics-listen needs --every: metrics are served while a monitor runs (for one-off rounds, see tierwatch serve)");
  // alert rules are evaluated after every round, as under --every and --lock
  const alerting = policy.alerts.length > 0 ? createAlerting(policy, dataDir, { log: (l) => io.stderr.write(`${l}\n`), print: printAlert(io, opts.format) }, redact) : undefined;
  const { runId, records } = await runRounds(
    {
      policy,
      redact,
      targets,
      chains,
      dataDir,
      rounds: opts.rounds,
      intervalMs,
      concurrency: opts.concurrency,
      stream: opts.stream,
      warm: opts.warmup,
      progress: opts.format === "table",
      afterRound: alerting ? () => alerting.afterRound(Date.now()) : undefined,
    },
    io,
  );
  await alerting?.flush();
  const files = [...new Set(records.map((r) => dayFile(dataDir, r.ts)))];
  if (opts.format === "json") {
    const rounds = new Set(records.map((r) => r.round)).size;
    io.stdout.write(`${JSON.stringify({ run_id: runId, data_dir: dataDir, files, rounds, records })}\n`);
    return 0;
  }
  const by = ["chain", "tier", "model"] as const;
  const summary = createGroupSummary(by);
  const chainSummary = createChainSummary(policy);
  for (const r of records) {
    summary.add(r);
    chainSummary.add(r);
  }
  const views = [groupView(summary.rows(), by, `run ${runId}: ${records.filter((r) => r.kind === "probe").length} attempt(s)`)];
  if (chains.length > 0) views.push(chainView(chainSummary.rows().filter((c) => c.source === "chain_records"), "Chain runs"));
  io.stdout.write(renderViews(views, "table", tableWidth(io)));
  io.stderr.write(`records appended to ${files.join(", ")}\n`);
  return 0;
}
