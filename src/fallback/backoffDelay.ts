import type { RetrySpec } from "../model/policy.js";

/** Delay before retry number `retry` (0 for the first retry): exponential, capped, with full jitter by default. */
export function backoffDelay(retry: number, spec: Pick<RetrySpec, "baseDelayMs" | "maxDelayMs" | "jitter">, random: () => number): number {
  const ceiling = Math.min(spec.maxDelayMs, spec.baseDelayMs * 2 ** retry);
  return spec.jitter === "full" ? random() * ceiling : ceiling;
}
