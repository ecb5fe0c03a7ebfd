/**
 * Quantiles of weighted samples: the inverted CDF of the weighted empirical distribution, averaging at a
 * jump as the unweighted definition does (with every weight 1 it gives numpy's averaged_inverted_cdf):
 * the smallest value whose cumulative weight reaches p × total, or the mean of it and the next value
 * when the cumulative weight there equals p × total exactly. For ps in ascending order.
 *
 * Samples come in a few weights (a pool's picks): each weight's values are sorted as a typed array,
 * then the sorted runs are merged while the weight accumulates.
 */
export function weightedQuantiles(values: Float64Array, weights: Float64Array, n: number, ps: readonly number[]): (number | null)[] {
  if (n === 0) return ps.map(() => null);
  const byWeight = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const w = weights[i]!;
    let list = byWeight.get(w);
    if (!list) byWeight.set(w, (list = []));
    list.push(values[i]!);
  }
  const runs = [...byWeight].map(([w, list]) => ({ w, v: Float64Array.from(list).sort(), at: 0 }));
  let total = 0;
  for (const r of runs) total += r.w * r.v.length;
  const eps = 1e-9 * total;
  // the next smallest value across the runs, and its weight
  const next = (): { v: number; w: number } | undefined => {
    let best: (typeof runs)[number] | undefined;
    for (const r of runs) if (r.at < r.v.length && (best === undefined || r.v[r.at]! < best.v[best.at]!)) best = r;
    if (!best) return undefined;
    return { v: best.v[best.at++]!, w: best.w };
  };
  const out: (number | null)[] = [];
  let cum = 0;
  let cur = next()!;
  for (const p of ps) {
    const target = p * total;
    while (cum + cur.w < target - eps) {
      cum += cur.w;
      const n2 = next();
      if (!n2) break;
      cur = n2;
    }
    if (Math.abs(cum + cur.w - target) <= eps) {
      // at a jump: the mean of this value and the next (without consuming it for the next p)
      const peek = runs.reduce<number | undefined>((m, r) => (r.at < r.v.length && (m === undefined || r.v[r.at]! < m) ? r.v[r.at]! : m), undefined);
      out.push(peek === undefined ? cur.v : (cur.v + peek) / 2);
    } else out.push(cur.v);
  }
  return out;
}
