import type { Chain } from "../model/policy.js";

/** Worst-case chain latency: over the tiers within max_depth, timeout × attempts plus each backoff's ceiling. */
export function worstCaseMs(chain: Chain): number {
  let total = 0;
  for (const tier of chain.tiers.slice(0, chain.maxDepth)) {
    total += tier.timeoutMs * tier.retry.maxAttempts;
    for (let k = 0; k < tier.retry.maxAttempts - 1; k++) {
      total += Math.min(tier.retry.maxDelayMs, tier.retry.baseDelayMs * 2 ** k);
    }
  }
  return total;
}
