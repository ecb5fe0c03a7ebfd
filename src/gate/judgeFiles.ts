import { finishGroup, mergeGroupAccs, type GroupRow } from "../analysis/groupAcc.js";
import { summarizeFiles } from "../analysis/summarizeFiles.js";
import { policyChains, policySlos, type SummarySpec } from "../analysis/summarizeRange.js";
import type { BreakerState } from "../model/breakerState.js";
import { LABELS, type Label } from "../model/metrics.js";
import type { Policy } from "../model/policy.js";
import type { Threshold } from "../model/threshold.js";
import type { ReadSummary } from "../model/readSummary.js";
import { CHAIN_METRICS, judge, type Verdict } from "./evaluateThresholds.js";
import { checkLabelValues, labelValuesOf, mergeKnown, type KnownLabels } from "./checkLabelValues.js";

/**
 * Judges thresholds over record files read by report's reader (summarizeFiles): one pass grouped by every
 * label the thresholds name; a threshold's group is the roll-up of the groups its labels select (exact
 * quantiles: the samples are merged, not the percentiles).
 */
export async function judgeFiles(
  files: readonly string[],
  thresholds: readonly Threshold[],
  policy: Policy | undefined,
  window: { since?: number; until?: number },
  options: {
    /** one for all thresholds, or one per threshold (alert rules each have their own) */
    minSamples: number | readonly number[];
    now: number;
    breakers?: Record<string, BreakerState>;
    threads?: number;
    /** where to start reading a file (a window's start; line numbers in bad-line notes then count from there) */
    startAt?: ReadonlyMap<string, number>;
    /** which verdict decisive evidence may give below the sample size (JudgeOptions) */
    decisive?: "fail" | "pass";
    /** label values a threshold may name besides those in the data (the policy's); undefined: no check */
    known?: KnownLabels;
  },
): Promise<{ verdicts: Verdict[]; read: ReadSummary }> {
  const used = new Set<Label>();
  for (const t of thresholds) if (!CHAIN_METRICS.has(t.metric)) for (const l of Object.keys(t.labels) as Label[]) used.add(l);
  const by = LABELS.filter((l) => used.has(l));
  const spec: SummarySpec = {
    by,
    windows: [window],
    filters: {},
    sloByChain: policySlos(policy),
    chains: policy ? policyChains(policy) : null,
  };
  const { windows, read } = await summarizeFiles(files, spec, { keepAccs: true, threads: options.threads, startAt: options.startAt });
  const { accs = [], chains } = windows[0]!;
  if (options.known) {
    // a value the policy does not name and the data does not hold is a typo, not a lack of samples
    const known = mergeKnown(options.known, labelValuesOf(accs.map((a) => a.keys), by), { chain: chains.map((c) => c.chain) });
    checkLabelValues(thresholds, known);
  }
  const verdicts = thresholds.map((t, i) => {
    const selected = accs.filter((acc) => (Object.entries(t.labels) as [Label, string][]).every(([l, v]) => acc.keys[l] !== null && acc.keys[l] !== undefined && String(acc.keys[l]) === v));
    const group: GroupRow | undefined = selected.length > 0 ? finishGroup(mergeGroupAccs(selected)) : undefined;
    const minSamples = typeof options.minSamples === "number" ? options.minSamples : options.minSamples[i]!;
    return judge(t, group, chains, { ...options, minSamples });
  });
  return { verdicts, read };
}
