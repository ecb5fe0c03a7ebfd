/**
 * Chain outcome counts: requests, those tier 1 did not serve (app-side fallback), those tier 1 served
 * through a gateway's fallback (not as intended), those no tier served, and who served.
 */
export interface ChainTally {
  requests: number;
  fallback: number;
  gateway: number;
  exhausted: number;
  byTier: Record<string, number>;
}

/** An empty tally. */
export function newTally(): ChainTally {
  return { requests: 0, fallback: 0, gateway: 0, exhausted: 0, byTier: {} };
}

/** Counts one chain request that tier `served` answered (null: no tier did); `gateway`: its answer came from a gateway's fallback. */
export function tally(t: ChainTally, served: number | null, gateway: boolean): void {
  t.requests++;
  if (served === 1 && gateway) t.gateway++;
  if (served === null) t.exhausted++;
  else t.byTier[String(served)] = (t.byTier[String(served)] ?? 0) + 1;
  if (served !== 1) t.fallback++;
}

/** Adds `from` into `into` (partial tallies of threads or files). */
export function mergeTally(into: ChainTally, from: ChainTally): void {
  into.requests += from.requests;
  into.fallback += from.fallback;
  into.gateway += from.gateway;
  into.exhausted += from.exhausted;
  for (const [t, n] of Object.entries(from.byTier)) into.byTier[t] = (into.byTier[t] ?? 0) + n;
}
