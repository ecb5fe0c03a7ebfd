import { errorFunction } from "simple-statistics";

/**
 * Two-proportion z-test, pooled, two-sided: is k1/n1 different from k2/n2? Returns the p-value, or null
 * when either sample is empty or the pooled rate is 0 or 1 (no variance: nothing to test).
 */
export function twoProportionPValue(k1: number, n1: number, k2: number, n2: number): number | null {
  if (n1 === 0 || n2 === 0) return null;
  const pooled = (k1 + k2) / (n1 + n2);
  if (pooled === 0 || pooled === 1) return null;
  const z = (k1 / n1 - k2 / n2) / Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
  // two-sided tail 2·(1 − Φ(|z|)) = erfc(|z|/√2); simple-statistics' erf, not its 4-decimal normal table
  return Math.min(1, Math.max(0, 1 - errorFunction(Math.abs(z) / Math.SQRT2)));
}
