import { sameModel } from "../model/gateway.js";
import type { Chain, Price } from "../model/policy.js";

/** USD cost of one answer from its token usage and the tier's price per million tokens; null when either is unknown. */
export function costOf(price: Price | undefined, promptTokens: number | null, completionTokens: number | null): number | null {
  if (!price || promptTokens === null || completionTokens === null) return null;
  return (promptTokens * price.inputPerMTok + completionTokens * price.outputPerMTok) / 1e6;
}

/** The prices a policy's chains declare, by model name. */
export function pricesOf(chains: readonly Chain[]): Map<string, Price> {
  const out = new Map<string, Price>();
  for (const c of chains) for (const t of c.tiers) if (t.price && !out.has(t.model)) out.set(t.model, t.price);
  return out;
}

/**
 * What an answer cost. Served as intended: the tier's price, else what the gateway says. Served by another
 * model (a gateway fallback): that model's price when the policy knows it, else what the gateway says,
 * else unknown (the tier's price would be another model's).
 */
export function answerCost(
  tierPrice: Price | undefined,
  servedModel: string | null,
  gatewayFallback: boolean | null,
  prices: ReadonlyMap<string, Price> | undefined,
  gatewayCostUsd: number | null,
  promptTokens: number | null,
  completionTokens: number | null,
): number | null {
  if (gatewayFallback !== true) return costOf(tierPrice, promptTokens, completionTokens) ?? gatewayCostUsd;
  let price: Price | undefined;
  if (servedModel !== null && prices) for (const [model, p] of prices) if (sameModel(model, servedModel)) price = p;
  return costOf(price, promptTokens, completionTokens) ?? gatewayCostUsd;
}
