/** Round numbers below this are replayed (a probe's rounds count from 0 or 1); a run id and a round make one key below 2^53. */
export const ROUNDS_PER_RUN = 2 ** 30;

/** Slot keys: a chain (its index in the policy, or an id for a chain learned from the records) × MAX_TIER + tier. */
export const MAX_TIER = 1024;

/**
 * A probe round's results by slot: the first n entries, SERVED when the tier served as intended (ok within
 * its timeout), VIA_GATEWAY when it served an answer a gateway took from another target, -1 when it did not serve.
 */
export interface RoundSlots {
  slots: number[];
  results: number[];
  n: number;
}

export const SERVED = 0;
export const VIA_GATEWAY = 1;
export const NOT_SERVED = -1;

/** A slot's result from an attempt: served (as intended or through a gateway's fallback) or not. */
export function slotResult(serves: boolean, gatewayFallback: boolean): number {
  return serves ? (gatewayFallback ? VIA_GATEWAY : SERVED) : NOT_SERVED;
}

/** Receives each chain's replayed request: the window, the chain key, the tier that served (null: exhausted), and whether its answer came through a gateway's fallback. */
export type CountServed = (window: number, chainKey: number, served: number | null, gateway: boolean) => void;

/** Records a slot's result; a later record of a round replaces an earlier one for the same slot, as a map would. */
export function setResult(r: RoundSlots, slot: number, v: number): void {
  const k = indexIn(r.slots, r.n, slot);
  if (k >= 0) r.results[k] = v;
  else {
    r.slots[r.n] = slot;
    r.results[r.n++] = v;
  }
}

/** Records a pool slot's result: the best any member had in the round (served as intended, then through a gateway, then not). */
export function setAny(r: RoundSlots, slot: number, v: number): void {
  const k = indexIn(r.slots, r.n, slot);
  if (k < 0) {
    r.slots[r.n] = slot;
    r.results[r.n++] = v;
  } else if (rank(v) > rank(r.results[k]!)) r.results[k] = v;
}

const rank = (v: number) => (v === SERVED ? 2 : v === VIA_GATEWAY ? 1 : 0);

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
      let gateway = false;
      for (let t = 1; t <= tiers[ci]!; t++) {
        const k = indexIn(slots, n, ci * MAX_TIER + t);
        if (k >= 0 && results[k]! >= 0) {
          served = t;
          gateway = results[k] === VIA_GATEWAY;
          break;
        }
      }
      count(window, ci, served, gateway);
    }
    return;
  }
  // learned chains: each chain present with a tier 1 is served by its lowest tier that served
  for (let k = 0; k < n; k++) {
    const chain = Math.floor(slots[k]! / MAX_TIER);
    if (slots[k]! % MAX_TIER !== 1) continue;
    let served = Infinity;
    let gateway = false;
    for (let i = 0; i < n; i++) {
      const tier = slots[i]! - chain * MAX_TIER;
      if (tier >= 1 && tier < MAX_TIER && results[i]! >= 0 && tier < served) {
        served = tier;
        gateway = results[i] === VIA_GATEWAY;
      }
    }
    count(window, chain, served === Infinity ? null : served, gateway);
  }
}
