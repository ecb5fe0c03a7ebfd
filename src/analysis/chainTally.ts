/** Chain outcome counts: requests, those tier 1 did not serve, those no tier served, and who served. */
export interface ChainTally {
  requests: number;
  fallback: number;
  exhausted: number;
  byTier: Record<string, number>;
}

/** An empty tally. */
export function newTally(): ChainTally {
  return { requests: 0, fallback: 0, exhausted: 0, byTier: {} };
}

/** Counts one chain request that tier `served` answered (null: no tier did). */
export function tally(t: ChainTally, served: number | null): void {
  t.requests++;
  if (served === null) t.exhausted++;
  else t.byTier[String(served)] = (t.byTier[String(served)] ?? 0) + 1;
  if (served !== 1) t.fallback++;
}

/** Adds `from` into `into` (partial tallies of threads or files). */
export function mergeTally(into: ChainTally, from: ChainTally): void {
  into.requests += from.requests;
  into.fallback += from.fallback;
  into.exhausted += from.exhausted;
  for (const [t, n] of Object.entries(from.byTier)) into.byTier[t] = (into.byTier[t] ?? 0) + n;
}
