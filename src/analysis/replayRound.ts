/** A slot id: chain name and tier number (from 1). */
export const slotId = (chain: string, tier: number) => `${chain}\u0000${tier}`;

/**
 * Replays one probe round down each chain: `results` maps a slot to the latency of an ok result within
 * the tier's timeout, or -1. A chain counts the round when its tier 1 was probed; the first tier with a
 * result ≥ 0 serves it, none means exhausted. Chains come from the policy (name and tier count), or,
 * without one, from the slots present.
 */
export function replayRound(
  results: ReadonlyMap<string, number>,
  chains: readonly { name: string; tiers: number }[] | null,
): { chain: string; served: number | null }[] {
  const out: { chain: string; served: number | null }[] = [];
  if (chains) {
    for (const c of chains) {
      if (!results.has(slotId(c.name, 1))) continue;
      let served: number | null = null;
      for (let t = 1; t <= c.tiers; t++) {
        const v = results.get(slotId(c.name, t));
        if (v !== undefined && v >= 0) {
          served = t;
          break;
        }
      }
      out.push({ chain: c.name, served });
    }
    return out;
  }
  // without a policy: the chains and tiers are the slots present (one pass, no copies)
  const byChain = new Map<string, number[]>();
  for (const slot of results.keys()) {
    const sep = slot.lastIndexOf("\u0000");
    const name = slot.slice(0, sep);
    const tiers = byChain.get(name);
    const tier = Number(slot.slice(sep + 1));
    if (tiers) tiers.push(tier);
    else byChain.set(name, [tier]);
  }
  for (const [name, tiers] of byChain) {
    if (!tiers.includes(1)) continue;
    tiers.sort((a, b) => a - b);
    const served = tiers.find((t) => results.get(slotId(name, t))! >= 0) ?? null;
    out.push({ chain: name, served });
  }
  return out;
}
