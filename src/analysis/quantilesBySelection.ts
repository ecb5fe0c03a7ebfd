/**
 * The same quantiles as `quantileSorted` (numpy's averaged_inverted_cdf) without sorting: quickselect
 * in place, largest p first so each later selection works on a smaller prefix. Reorders `data[0, n)`.
 * For ps in ascending order; undefined entries for an empty sample.
 */
export function quantilesBySelection(data: Float64Array, n: number, ps: readonly number[]): (number | undefined)[] {
  const out: (number | undefined)[] = new Array(ps.length);
  if (n === 0) return out.fill(undefined);
  let hi = n - 1;
  for (let q = ps.length - 1; q >= 0; q--) {
    const p = ps[q]!;
    const { lo, pair } = ranksOf(n, p);
    const end = Math.max(hi, pair ? lo + 1 : lo);
    select(data, 0, end, lo);
    let v = data[lo]!;
    if (pair) {
      // the next order statistic is the smallest value right of lo
      let next = Infinity;
      for (let i = lo + 1; i <= end; i++) if (data[i]! < next) next = data[i]!;
      v = (v + next) / 2;
    }
    out[q] = v;
    hi = lo;
  }
  return out;
}

/**
 * The 0-based ranks numpy's averaged_inverted_cdf reads for p in a sample of n: one (`lo`), or two
 * neighbours averaged (`lo`, `lo + 1`) when n·p is whole.
 */
export function ranksOf(n: number, p: number): { lo: number; pair: boolean } {
  if (p <= 0) return { lo: 0, pair: false };
  if (p >= 1) return { lo: n - 1, pair: false };
  const g = n * p;
  const j = Math.round(g);
  // n·p is meant to be exact (20 × 0.95 = 19): absorb the binary representation error of p
  if (Math.abs(g - j) < 1e-9 * Math.max(1, n)) {
    if (j <= 0) return { lo: 0, pair: false };
    if (j >= n) return { lo: n - 1, pair: false };
    return { lo: j - 1, pair: true };
  }
  return { lo: Math.ceil(g) - 1, pair: false };
}

// Hoare-partition quickselect (median of three pivots): afterwards data[k] is the k-th smallest of data[left..right].
export function select(a: Float64Array, left: number, right: number, k: number): void {
  while (right > left) {
    const mid = (left + right) >> 1;
    if (a[mid]! < a[left]!) swap(a, mid, left);
    if (a[right]! < a[left]!) swap(a, right, left);
    if (a[right]! < a[mid]!) swap(a, right, mid);
    const pivot = a[mid]!;
    let i = left;
    let j = right;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        swap(a, i, j);
        i++;
        j--;
      }
    }
    if (k <= j) right = j;
    else if (k >= i) left = i;
    else return;
  }
}

function swap(a: Float64Array, i: number, j: number): void {
  const t = a[i]!;
  a[i] = a[j]!;
  a[j] = t;
}
