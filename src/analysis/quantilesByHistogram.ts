import { quantilesBySelection, ranksOf, select } from "./quantilesBySelection.js";

// buckets: the top 20 bits of each double's order-preserving bit pattern (sign, exponent, 8 mantissa bits)
const SHIFT = 12;
const counts = new Int32Array(1 << (32 - SHIFT));
const SMALL = 8192;

// the bucket of the double whose high word is h: monotone in the double's value
const bucketOf = (h: number) => ((h & 0x80000000 ? ~h : h | 0x80000000) >>> SHIFT) >>> 0;

/**
 * The same quantiles as `quantilesBySelection` (numpy's averaged_inverted_cdf), for large samples in two
 * linear passes: count the values per bucket of their leading bits to find the bucket that holds each
 * rank, then gather only those buckets' values and select within them. Leaves `data` as it was.
 */
export function quantilesByHistogram(data: Float64Array, n: number, ps: readonly number[]): (number | undefined)[] {
  if (n < SMALL) return quantilesBySelection(data, n, ps);
  const words = new Uint32Array(data.buffer, data.byteOffset, n * 2);
  const hiAt = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;
  let first = counts.length;
  let last = -1;
  for (let i = hiAt; i < 2 * n; i += 2) {
    const b = bucketOf(words[i]!);
    counts[b]!++;
    if (b < first) first = b;
    if (b > last) last = b;
  }
  // every rank the quantiles read, ascending, and the bucket and rank within it of each
  const ranks = [...new Set(ps.flatMap((p) => {
    const { lo, pair } = ranksOf(n, p);
    return pair ? [lo, lo + 1] : [lo];
  }))].sort((a, b) => a - b);
  const where = new Map<number, { bucket: number; within: number }>();
  let below = 0;
  let r = 0;
  for (let b = first; b <= last && r < ranks.length; b++) {
    const c = counts[b]!;
    while (r < ranks.length && ranks[r]! < below + c) {
      where.set(ranks[r]!, { bucket: b, within: ranks[r]! - below });
      r++;
    }
    below += c;
  }
  // gather the values of the buckets that hold a rank
  const wanted = [...new Set([...where.values()].map((w) => w.bucket))];
  const gathered = wanted.map((b) => ({ values: new Float64Array(counts[b]!), n: 0 }));
  const w0 = wanted[0]!;
  const w1 = wanted[1] ?? -1;
  const w2 = wanted[2] ?? -1;
  for (let i = 0; i < n; i++) {
    const b = bucketOf(words[2 * i + hiAt]!);
    if (b !== w0 && b !== w1 && b !== w2) {
      if (wanted.length <= 3) continue;
      const k = wanted.indexOf(b, 3);
      if (k < 0) continue;
      const g = gathered[k]!;
      g.values[g.n++] = data[i]!;
      continue;
    }
    const g = gathered[b === w0 ? 0 : b === w1 ? 1 : 2]!;
    g.values[g.n++] = data[i]!;
  }
  counts.fill(0, first, last + 1);
  const at = (rank: number) => {
    const { bucket, within } = where.get(rank)!;
    const { values } = gathered[wanted.indexOf(bucket)]!;
    select(values, 0, values.length - 1, within);
    return values[within]!;
  };
  return ps.map((p) => {
    const { lo, pair } = ranksOf(n, p);
    return pair ? (at(lo) + at(lo + 1)) / 2 : at(lo);
  });
}
