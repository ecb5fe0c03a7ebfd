import { membersOf, tierAttempts, type Chain } from "../model/policy.js";

/**
 * Worst-case chain latency: over the tiers within max_depth, each attempt at its slowest member's
 * timeout, plus the backoff ceiling before each retry (an attempt that returns to a member already tried).
 */
export function worstCaseMs(chain: Chain): number {
  let total = 0;
  for (const tier of chain.tiers.slice(0, chain.maxDepth)) {
    const members = membersOf(tier);
    const attempts = tierAttempts(tier);
    total += Math.max(...members.map((m) => m.timeoutMs)) * attempts;
    for (let k = 0; k < attempts - members.length; k++) {
      total += Math.min(tier.retry.maxDelayMs, tier.retry.baseDelayMs * 2 ** k);
    }
  }
  return total;
}
