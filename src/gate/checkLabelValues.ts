import { usageError } from "../errors.js";
import { LABELS, type Label } from "../model/metrics.js";
import type { Policy } from "../model/policy.js";
import type { Threshold } from "../model/threshold.js";

/** The values each label may take: what the policy names and what the data holds. */
export type KnownLabels = Partial<Record<Label, ReadonlySet<string>>>;

/** The label values a policy names: its chains, tier positions, models, endpoints and regions. */
export function policyLabelValues(policy: Policy | undefined): KnownLabels {
  const chains = Object.values(policy?.chains ?? {});
  return {
    chain: new Set(chains.map((c) => c.name)),
    tier: new Set(chains.flatMap((c) => c.tiers.map((t) => String(t.index)))),
    model: new Set(chains.flatMap((c) => c.tiers.map((t) => t.model))),
    endpoint: new Set(Object.keys(policy?.endpoints ?? {})),
    region: new Set(Object.values(policy?.endpoints ?? {}).flatMap((e) => (e.region ? [e.region] : []))),
  };
}

/** The label values present in groups' keys, for the labels they are keyed by. */
export function labelValuesOf(keys: readonly Partial<Record<string, string | number | boolean | null>>[], by: readonly Label[]): KnownLabels {
  const out: Partial<Record<Label, Set<string>>> = {};
  for (const l of by) out[l] = new Set(keys.flatMap((k) => (k[l] === null || k[l] === undefined ? [] : [String(k[l])])));
  return out;
}

/** The union of several sets of known values. */
export function mergeKnown(...all: (KnownLabels | Partial<Record<Label, readonly string[]>>)[]): KnownLabels {
  const out: Partial<Record<Label, Set<string>>> = {};
  for (const k of all) for (const l of LABELS) for (const v of k[l] ?? []) (out[l] ??= new Set()).add(v);
  return out;
}

/**
 * Throws a usage error (exit 2) for a threshold whose label value matches nothing known, naming the
 * values that exist: `success_rate{model=gpt-4.l}` is a typo, not a lack of samples.
 */
export function checkLabelValues(thresholds: readonly Threshold[], known: KnownLabels): void {
  const problems: string[] = [];
  for (const t of thresholds) {
    for (const [label, value] of Object.entries(t.labels) as [Label, string][]) {
      const values = known[label];
      if (values === undefined || values.has(value)) continue;
      const list = [...values].sort((a, b) => a.localeCompare(b, "en", { numeric: true }));
      problems.push(`threshold "${t.text}": no ${label} is named "${value}" in the policy or the data (${list.length ? `there are: ${list.join(", ")}` : `there is none`})`);
    }
  }
  if (problems.length > 0) throw usageError(problems.join("\n"));
}
