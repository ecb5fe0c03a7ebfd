import { membersOf, type Endpoint, type Policy, type Tier } from "../model/policy.js";
import { targetKey } from "../model/targetKey.js";

/** One distinct target (endpoint, model, the tier's own headers) to probe, with the chain and tier it first appears in (whose timeouts apply). */
export interface ProbeTarget {
  endpoint: Endpoint;
  model: string;
  chain: string;
  tier: Tier;
}

/**
 * Every distinct target of every chain, in policy order: a model in several chains is probed once, and two
 * tiers that ask one model of one endpoint with different headers (routed by them) are probed apart.
 */
export function probeTargets(policy: Policy, filter: { models?: string[] } = {}): ProbeTarget[] {
  const seen = new Set<string>();
  const out: ProbeTarget[] = [];
  for (const chain of Object.values(policy.chains)) {
    // every member of a pool is a target of its own
    for (const tier of chain.tiers.flatMap(membersOf)) {
      if (filter.models && !filter.models.includes(tier.model)) continue;
      const key = targetKey(tier.endpoint, tier.model, tier.headersId);
      if (seen.has(key)) continue;
      seen.add(key);
      const endpoint = policy.endpoints[tier.endpoint];
      if (endpoint) out.push({ endpoint, model: tier.model, chain: chain.name, tier });
    }
  }
  return out;
}
