/**
 * Quantiles of weighted samples: the inverted CDF of the weighted empirical distribution, averaging at a
 * jump as the unweighted definition does (with every weight 1 it gives numpy's averaged_inverted_cdf):
 * the smallest value whose cumulative weight reaches p × total, or the mean of it and the next value
 * when the cumulative weight there equals p × total exactly. For ps in ascending order.
 */
export function weightedQuantiles(values: Float64Array, weights: Float64Array, n: number, ps: readonly number[]): (number | null)[] {
  if (n === 0) return ps.map(() => null);
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => values[a]! - values[b]!);
  let total = 0;
  for (let i = 0; i < n; i++) total += weights[i]!;
  const out: (number | null)[] = [];
  let k = 0;
  let cum = 0;
  for (const p of ps) {
    const target = p * total;
    while (k < n && cum + weights[order[k]!]! < target - 1e-9 * total) cum += weights[order[k++]!]!;
    const at = Math.min(k, n - 1);
    const v = values[order[at]!]!;
    const reached = cum + weights[order[at]!]!;
    out.push(Math.abs(reached - target) <= 1e-9 * total && at + 1 < n ? (v + values[order[at + 1]!]!) / 2 : v);
  }
  return out;
}
