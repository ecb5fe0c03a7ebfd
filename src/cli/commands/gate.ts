import { appendFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { ExitCode, ioError, usageError } from "../../errors.js";
import { fileBreakerStore } from "../../fallback/breakerStore.js";
import { createThresholdEvaluator, type Verdict } from "../../gate/evaluateThresholds.js";
import { judgeFiles } from "../../gate/judgeFiles.js";
import { checkLabelValues, policyLabelValues } from "../../gate/checkLabelValues.js";
import { parseThreshold, type Threshold } from "../../model/threshold.js";
import { loadPolicy } from "../../policy/loadPolicy.js";
import type { Policy } from "../../model/policy.js";
import { expandInputs } from "../../store/expandInputs.js";
import { readNotes } from "../../store/readNotes.js";
import { roundForOutput } from "../../render/outputNumbers.js";
import { parseTime } from "../../util/parseTime.js";
import { type CliIo, tableWidth } from "../io.js";

export interface GateOptions {
  policy?: string;
  rounds?: number;
  from?: string[];
  since?: string;
  until?: string;
  threshold?: string[];
  minSamples: number;
  junit?: string;
  summary?: string;
  dataDir?: string;
  format: "table" | "json";
}

/** The policy's SLOs as thresholds on tier 1 of each chain: its success rate and its p95. */
export function sloThresholds(policy: Policy): Threshold[] {
  return Object.values(policy.chains).flatMap((c) => [
    ...(c.slo.successRate === undefined ? [] : [parseThreshold(`success_rate{chain=${c.name},tier=1} >= ${c.slo.successRate}`)]),
    ...(c.slo.p95Ms === undefined ? [] : [parseThreshold(`p95_ms{chain=${c.name},tier=1} <= ${c.slo.p95Ms}`)]),
  ]);
}

/** `tierwatch gate`: fresh rounds or recorded history against thresholds; exit 0 pass, 1 fail, 4 too few samples. */
export async function gateCommand(opts: GateOptions, io: CliIo, now = Date.now()): Promise<number> {
  if (opts.rounds !== undefined && opts.from) throw usageError("give either --rounds (fresh probes) or --from (recorded history), not both");
  // thresholds first: a typo should fail before any request is sent
  const explicit = (opts.threshold ?? []).map(parseThreshold);
  const offline = opts.from !== undefined;
  const { policy, redact } = await loadPolicy(opts.policy, { env: io.env, cwd: io.cwd, offline });
  const thresholds = explicit.length > 0 ? explicit : sloThresholds(policy);
  if (thresholds.length === 0) throw usageError("no thresholds: pass --threshold 'success_rate{tier=1} >= 0.99', or set slo: in the policy's chains");
  const started = performance.now();
  const dataDir = opts.dataDir ? path.resolve(io.cwd, opts.dataDir) : policy.store.dir;
  const breakers = async () => (thresholds.some((t) => t.metric === "breaker_open_ms") ? await fileBreakerStore(dataDir).snapshot() : undefined);
  let source: string;
  let verdicts: Verdict[];
  if (opts.from) {
    // recorded history is read the way report reads it
    const since = opts.since ? parseTime(opts.since, now, "--since") : undefined;
    const until = opts.until ? parseTime(opts.until, now, "--until") : undefined;
    const files = await expandInputs(opts.from, io.cwd);
    const judged = await judgeFiles(files, thresholds, policy, { since, until }, { minSamples: opts.minSamples, now, breakers: await breakers(), known: policyLabelValues(policy) });
    io.stderr.write(readNotes(judged.read, io.cwd));
    verdicts = judged.verdicts;
    source = `${files.length} file(s)${opts.since ? ` since ${opts.since}` : ""}`;
  } else {
    const rounds = opts.rounds ?? 10;
    // fresh rounds probe the policy's targets: a label value it does not name can never be measured
    checkLabelValues(thresholds, policyLabelValues(policy));
    // the HTTP client and the spinner load only for fresh rounds: judging history starts as fast as report
    const [{ runRounds }, { probeTargets }] = await Promise.all([import("../runRounds.js"), import("../../probe/probeTargets.js")]);
    const { records } = await runRounds(
      { policy, redact, targets: probeTargets(policy), chains: Object.values(policy.chains), dataDir, rounds, intervalMs: 0, progress: opts.format === "table" },
      io,
    );
    const evaluator = createThresholdEvaluator(thresholds, policy);
    for (const r of records) evaluator.add(r);
    verdicts = evaluator.verdicts({ minSamples: opts.minSamples, now, breakers: await breakers() });
    source = `${rounds} fresh round(s) of per-model and chain probes (records in ${dataDir})`;
  }
  const failed = verdicts.filter((v) => v.verdict === "fail").length;
  const insufficient = verdicts.filter((v) => v.verdict === "insufficient").length;
  const overall = failed > 0 ? "fail" : insufficient > 0 ? "insufficient" : "pass";
  const seconds = (performance.now() - started) / 1000;

  const wantsMarkdown = opts.summary !== undefined || io.env.GITHUB_STEP_SUMMARY !== undefined;
  const views = opts.format === "table" || wantsMarkdown ? await Promise.all([import("../../render/renderView.js"), import("../../render/verdictView.js")]) : undefined;
  const renderViews = views?.[0].renderViews;
  const verdictView = views?.[1].verdictView;
  if (opts.format === "json") {
    // measured values and intervals as the metric is printed: latencies to a microsecond, rates to 1e-9
    const printed = verdicts.map((v, i) => ({ ...v, measured: roundForOutput(v.measured, thresholds[i]!.metric), ci: roundForOutput(v.ci, thresholds[i]!.metric) }));
    io.stdout.write(`${JSON.stringify({ verdict: overall, source, thresholds: printed }, null, 2)}\n`);
  }
  else {
    io.stdout.write(renderViews!([verdictView!(verdicts, `Gate over ${source}`)], "table", tableWidth(io)));
    io.stderr.write(`gate: ${overall.toUpperCase()} (${verdicts.length - failed - insufficient} passed, ${failed} failed, ${insufficient} too few samples)\n`);
  }
  if (opts.junit) await writeOut(path.resolve(io.cwd, opts.junit), (await import("../../render/renderJunit.js")).renderJunit(verdicts, new Date(now).toISOString(), seconds));
  if (wantsMarkdown) {
    const markdown = `## tierwatch gate: ${overall === "pass" ? "✅ pass" : overall === "fail" ? "❌ fail" : "⚠️ too few samples"}\n\n${renderViews!([verdictView!(verdicts, `Over ${source}`)], "markdown")}`;
    if (opts.summary) await writeOut(path.resolve(io.cwd, opts.summary), markdown);
    if (io.env.GITHUB_STEP_SUMMARY) await appendFile(io.env.GITHUB_STEP_SUMMARY, `${markdown}\n`).catch((err) => io.stderr.write(`cannot append to GITHUB_STEP_SUMMARY: ${(err as Error).message}\n`));
  }
  return failed > 0 ? ExitCode.checkFailed : insufficient > 0 ? ExitCode.noData : ExitCode.ok;
}

async function writeOut(file: string, text: string): Promise<void> {
  try {
    await writeFile(file, text);
  } catch (err) {
    throw ioError(`cannot write ${file}: ${(err as Error).message}`, err);
  }
}
