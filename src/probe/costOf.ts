import type { Price } from "../model/policy.js";

/** USD cost of one answer from its token usage and the tier's price per million tokens; null when either is unknown. */
export function costOf(price: Price | undefined, promptTokens: number | null, completionTokens: number | null): number | null {
  if (!price || promptTokens === null || completionTokens === null) return null;
  return (promptTokens * price.inputPerMTok + completionTokens * price.outputPerMTok) / 1e6;
}
