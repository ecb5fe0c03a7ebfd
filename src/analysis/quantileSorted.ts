/**
 * The p-quantile of an ascending sample by the inverted empirical CDF that averages at a jump
 * (numpy's `averaged_inverted_cdf`, Hyndman & Fan type 2): with g = n·p, the ⌈g⌉-th smallest value,
 * or the mean of the g-th and (g+1)-th when g is a whole number. Undefined for an empty sample.
 */
export function quantileSorted(sorted: ArrayLike<number>, p: number): number | undefined {
  const n = sorted.length;
  if (n === 0) return undefined;
  if (p <= 0) return sorted[0];
  if (p >= 1) return sorted[n - 1];
  const g = n * p;
  const j = Math.round(g);
  // n·p is meant to be exact (20 × 0.95 = 19): absorb the binary representation error of p
  if (Math.abs(g - j) < 1e-9 * Math.max(1, n)) {
    if (j <= 0) return sorted[0];
    if (j >= n) return sorted[n - 1];
    return (sorted[j - 1]! + sorted[j]!) / 2;
  }
  return sorted[Math.ceil(g) - 1];
}
