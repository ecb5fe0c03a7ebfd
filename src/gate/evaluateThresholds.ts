import { createChainSummary, type ChainRow } from "../analysis/summarizeChains.js";
import { createGroupSummary, type GroupRow } from "../analysis/summarizeGroups.js";
import { policySlos } from "../analysis/summarizeRange.js";
import { wilsonInterval } from "../analysis/wilsonInterval.js";
import { METRIC_DEFINITIONS } from "../model/metrics.js";
import { CLOSED, type BreakerState } from "../model/breakerState.js";
import type { Policy } from "../model/policy.js";
import type { AttemptRecord } from "../model/record.js";
import { holds, type Threshold } from "../model/threshold.js";

/** One threshold's verdict with its evidence. */
export interface Verdict {
  threshold: string;
  verdict: "pass" | "fail" | "insufficient";
  measured: number | null;
  /** 95 % Wilson interval, for rates */
  ci: [number, number] | null;
  /** the sample the value stands on: sent attempts, or chain requests */
  n: number;
  message: string;
}

/**
 * How to judge: the sample a verdict needs (`minSamples`), the time and breakers for breaker_open_ms, and
 * which verdict decisive evidence may give below the sample size: "fail" for a gate (a rate whose whole
 * interval is on the failing side fails), "pass" for an alert rule (a condition that clearly holds fires).
 */
export interface JudgeOptions {
  minSamples: number;
  now: number;
  breakers?: Record<string, BreakerState>;
  decisive?: "fail" | "pass";
}

/** Metrics of chain requests, not of attempts (from the model's definitions). */
export const CHAIN_METRICS: ReadonlySet<string> = new Set(METRIC_DEFINITIONS.filter((m) => m.over === "chain requests").map((m) => m.name));
// percentiles: they stand on the ok answers they are taken from
const TRENDS: ReadonlySet<string> = new Set(METRIC_DEFINITIONS.filter((m) => m.kind === "trend").map((m) => m.name));

/** Accumulates records for each threshold in one pass, then judges each (pure: records, policy and breakers in). */
export function createThresholdEvaluator(thresholds: readonly Threshold[], policy: Policy | undefined) {
  // the latency SLO of a record's chain, as report and judgeFiles apply it
  const slos = policySlos(policy);
  const latencySloMs = (r: AttemptRecord) => (r.chain ? slos[r.chain] : undefined);
  const accs = thresholds.map((t) => ({ t, groups: createGroupSummary([], { latencySloMs }), chains: createChainSummary(policy) }));
  return {
    add(r: AttemptRecord): void {
      for (const a of accs) {
        const l = a.t.labels;
        if (CHAIN_METRICS.has(a.t.metric)) {
          if (l.chain === undefined || r.chain === l.chain) a.chains.add(r);
          continue;
        }
        if (l.tier !== undefined && r.tier !== Number(l.tier)) continue;
        if (l.model !== undefined && r.model !== l.model) continue;
        if (l.chain !== undefined && r.chain !== l.chain) continue;
        if (l.endpoint !== undefined && r.endpoint !== l.endpoint) continue;
        if (l.region !== undefined && r.region !== l.region) continue;
        a.groups.add(r);
      }
    },
    verdicts(options: JudgeOptions): Verdict[] {
      return accs.map(({ t, groups, chains }) => judge(t, groups.rows()[0], chains.rows(), options));
    },
  };
}

/** One threshold's verdict from its group's numbers (attempt metrics), the chains' (chain metrics) or the breakers'. */
export function judge(
  t: Threshold,
  group: GroupRow | undefined,
  chains: readonly ChainRow[],
  options: JudgeOptions,
): Verdict {
  let measured: number | null = null;
  let ci: [number, number] | null = null;
  let n = 0;
  if (t.metric === "breaker_open_ms") {
    // the longest any matching breaker has been open (0 when none is)
    n = 1;
    measured = 0;
    for (const [key, s] of Object.entries(options.breakers ?? {})) {
      const [endpoint, model] = key.split("\u0000");
      if ((t.labels.model && model !== t.labels.model) || (t.labels.endpoint && endpoint !== t.labels.endpoint)) continue;
      if ((s ?? CLOSED).state !== "closed" && s.openedAt !== null) measured = Math.max(measured, options.now - s.openedAt);
    }
  } else if (CHAIN_METRICS.has(t.metric)) {
    const row = t.labels.chain !== undefined ? chains.find((c) => c.chain === t.labels.chain) : chains.length === 1 ? chains[0] : undefined;
    if (!t.labels.chain && chains.length > 1) {
      return { threshold: t.text, verdict: "insufficient", measured: null, ci: null, n: 0, message: `several chains have data (${chains.map((c) => c.chain).join(", ")}): name one with {chain=...}` };
    }
    if (row) {
      n = row.requests;
      if (t.metric === "fallback_activation_rate") {
        measured = row.fallback_activation_rate;
        ci = row.fallback_ci;
      } else if (t.metric === "app_fallback_rate") {
        measured = row.app_fallback_rate;
        ci = wilsonInterval(Math.round((row.app_fallback_rate ?? 0) * row.requests), row.requests);
      } else {
        measured = row.exhaustion_rate;
        ci = wilsonInterval(row.requests - row.served, row.requests);
      }
    }
  } else if (group && t.metric === "gateway_fallback_rate") {
    // stands on the ok answers whose server is known
    n = group.gateway_known;
    measured = group.gateway_fallback_rate;
    ci = group.gateway_fallback_ci;
  } else if (group) {
    // a percentile stands on the ok answers it is taken from; a rate on the attempts sent
    const percentile = TRENDS.has(t.metric);
    n = percentile ? group.ok : group.sent;
    measured = (group as unknown as Record<string, number | null>)[t.metric] ?? null;
    if (percentile && group.ok === 0 && group.sent > 0 && options.decisive !== "pass") {
      // every attempt failed: a dead tier does not meet a latency ceiling
      const what = t.metric.replace(/^ttft_/, "first-token ").replace(/_ms$/, "");
      return { threshold: t.text, verdict: "fail", measured: null, ci: null, n: 0, message: `no successful answer to take a ${what} from (0 ok of ${group.sent} sent)` };
    }
    if (t.metric === "success_rate") ci = group.success_ci;
    if (t.metric === "slo_attainment" && group.slo_attainment !== null) ci = wilsonInterval(Math.round(group.slo_attainment * group.sent), group.sent);
  }
  const what = `${formatMetric(t.metric, measured)}${ci ? ` (95% CI ${formatMetric(t.metric, ci[0])}–${formatMetric(t.metric, ci[1])})` : ""}, n=${n}`;
  if (measured !== null && n < options.minSamples && ci && t.op !== "==" && t.op !== "!=") {
    // evidence already decisive: the whole 95 % interval on one side of the threshold. The gate takes a
    // decisive failure, an alert a decisive firing, whatever the sample size; the other side still needs
    // min samples
    const side = holds(ci[0], t.op, t.value) && holds(ci[1], t.op, t.value) ? "pass" : !holds(ci[0], t.op, t.value) && !holds(ci[1], t.op, t.value) ? "fail" : undefined;
    if (side !== undefined && side === (options.decisive ?? "fail")) {
      return { threshold: t.text, verdict: side, measured, ci, n, message: `measured ${what}; ${side === "pass" ? "meets" : "fails"} ${t.op} ${formatMetric(t.metric, t.value)}: the whole 95% interval is on that side, below ${options.minSamples} samples` };
    }
  }
  if (measured === null || n < options.minSamples) {
    return { threshold: t.text, verdict: "insufficient", measured, ci, n, message: `too few samples to judge: ${what}; at least ${options.minSamples} needed` };
  }
  const ok = holds(measured, t.op, t.value);
  return { threshold: t.text, verdict: ok ? "pass" : "fail", measured, ci, n, message: `measured ${what}; ${ok ? "meets" : "fails"} ${t.op} ${formatMetric(t.metric, t.value)}` };
}

/** A metric's value as people read it: milliseconds, or a rate in percent. */
export function formatMetric(metric: Threshold["metric"], v: number | null): string {
  if (v === null) return "none";
  if (metric.endsWith("_ms")) return `${Math.round(v * 100) / 100} ms`;
  return `${(v * 100).toFixed(2)}%`;
}
