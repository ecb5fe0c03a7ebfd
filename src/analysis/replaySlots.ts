/** Round numbers below this are replayed (a probe's rounds count from 0 or 1); a run id and a round make one key below 2^53. */
export const ROUNDS_PER_RUN = 2 ** 30;

/** Slot keys: a chain (its index in the policy, or an id for a chain learned from the records) × MAX_TIER + tier. */
export const MAX_TIER = 1024;

/** A probe round's results by slot: the first n entries, 0 (or more) when the tier served (ok within its timeout), -1 when not. */
export interface RoundSlots {
  slots: number[];
  results: number[];
  n: number;
}

/** Receives each chain's replayed request: the window, the chain key, the tier that served (null: exhausted). */
export type CountServed = (window: number, chainKey: number, served: number | null) => void;

/** Records a slot's result; a later record of a round replaces an earlier one for the same slot, as a map would. */
export function setResult(r: RoundSlots, slot: number, v: number): void {
  const k = indexIn(r.slots, r.n, slot);
  if (k >= 0) r.results[k] = v;
  else {
    r.slots[r.n] = slot;
    r.results[r.n++] = v;
  }
}

/** Where `slot` is among the first n slots, or -1 (a round holds a handful: a scan beats a map). */
export function indexIn(slots: readonly number[], n: number, slot: number): number {
  for (let k = 0; k < n; k++) if (slots[k] === slot) return k;
  return -1;
}

/**
 * Replays a round down each chain, the one definition for both readers: `tiers`, the policy's chains'
 * depths by chain key, or null to take the chains from the slots. A chain counts the round when its
 * tier 1 was probed; its first tier that served serves it, none: exhausted.
 */
export function replaySlots(slots: readonly number[], results: readonly number[], n: number, tiers: readonly number[] | null, window: number, count: CountServed): void {
  if (tiers) {
    for (let ci = 0; ci < tiers.length; ci++) {
      if (indexIn(slots, n, ci * MAX_TIER + 1) < 0) continue;
      let served: number | null = null;
      for (let t = 1; t <= tiers[ci]!; t++) {
        const k = indexIn(slots, n, ci * MAX_TIER + t);
        if (k >= 0 && results[k]! >= 0) {
          served = t;
          break;
        }
      }
      count(window, ci, served);
    }
    return;
  }
  // learned chains: each chain present with a tier 1 is served by its lowest tier that served
  for (let k = 0; k < n; k++) {
    const chain = Math.floor(slots[k]! / MAX_TIER);
    if (slots[k]! % MAX_TIER !== 1) continue;
    let served = Infinity;
    for (let i = 0; i < n; i++) {
      const tier = slots[i]! - chain * MAX_TIER;
      if (tier >= 1 && tier < MAX_TIER && results[i]! >= 0 && tier < served) served = tier;
    }
    count(window, chain, served === Infinity ? null : served);
  }
}
