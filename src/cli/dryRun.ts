import { evaluateAlertRules } from "../alerts/createAlerting.js";
import { tierName, type Chain, type Policy } from "../model/policy.js";
import { worstCaseMs } from "../policy/worstCaseMs.js";
import type { ProbeTarget } from "../probe/probeTargets.js";
import { formatMs } from "../util/duration.js";
import { tableWidth, type CliIo } from "./io.js";
import { wrapText } from "../util/wrapText.js";

/** What a probe run would do. */
export interface DryRunPlan {
  policy: Policy;
  targets: readonly ProbeTarget[];
  chains: readonly Chain[];
  dataDir: string;
  stream: boolean;
  /** "3 round(s), 30 s apart", "a round every 1 min" */
  schedule: string;
  format: "table" | "json";
}

/**
 * `probe --dry-run`: prints what each round would probe (targets with their deadlines, chains with their
 * worst case) and what each alert rule would evaluate, with its verdict over the records already in its
 * window. Sends no request, writes no record, keeps no alert state.
 */
export async function printDryRun(plan: DryRunPlan, io: CliIo, now = Date.now()): Promise<void> {
  const targets = plan.targets.map((t) => ({
    endpoint: t.endpoint.name,
    base_url: t.endpoint.baseUrl,
    model: t.model,
    chain: t.chain,
    tier: t.tier.index,
    timeout_ms: t.tier.timeoutMs,
    ttft_timeout_ms: plan.stream ? (t.tier.ttftTimeoutMs ?? null) : null,
    stream: plan.stream,
  }));
  const chains = plan.chains.map((c) => ({ chain: c.name, tiers: c.tiers.slice(0, c.maxDepth).map(tierName), worst_case_ms: worstCaseMs(c), deadline_ms: c.deadlineMs ?? null }));
  const verdicts = plan.policy.alerts.length > 0 ? await evaluateAlertRules(plan.policy, plan.dataDir, now) : [];
  const alerts = plan.policy.alerts.map((a, i) => ({
    alert: a.name,
    condition: a.when.text,
    window_ms: a.windowMs,
    min_samples: a.minSamples,
    to: a.webhook ? new URL(a.webhook).origin : "stdout",
    now: verdicts[i]!.verdict === "pass" ? "would fire" : verdicts[i]!.verdict === "fail" ? "quiet" : "too few samples",
    evidence: verdicts[i]!.message,
  }));
  if (plan.format === "json") {
    io.stdout.write(`${JSON.stringify({ dry_run: true, schedule: plan.schedule, data_dir: plan.dataDir, targets, chains, alerts }, null, 2)}\n`);
    return;
  }
  const lines = [`dry run: nothing is sent, nothing is written; ${plan.schedule}, records would go to ${plan.dataDir}`];
  lines.push(`each round would probe ${targets.length} target(s)${plan.stream ? ", streaming" : ""}:`);
  for (const t of targets) {
    lines.push(`  ${t.model} on ${t.endpoint} (${t.base_url}), chain ${t.chain} tier ${t.tier}: timeout ${formatMs(t.timeout_ms)}${t.ttft_timeout_ms ? `, first token ${formatMs(t.ttft_timeout_ms)}` : ""}`);
  }
  for (const c of chains) lines.push(`and run chain ${c.chain} (${c.tiers.join(" → ")}): worst case ${formatMs(c.worst_case_ms)}${c.deadline_ms ? `, deadline ${formatMs(c.deadline_ms)}` : ""}`);
  if (alerts.length > 0) lines.push("after each round, the alert rules:");
  for (const a of alerts) lines.push(`  ${a.alert}: ${a.condition} over ${formatMs(a.window_ms)} (min ${a.min_samples} samples), to ${a.to}; now: ${a.now} (${a.evidence})`);
  io.stdout.write(`${wrapText(lines.join("\n"), tableWidth(io), 4)}\n`);
}
