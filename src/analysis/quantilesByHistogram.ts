import { quantilesBySelection, ranksOf, select } from "./quantilesBySelection.js";

// buckets: the top 20 bits of each double's order-preserving bit pattern (sign, exponent, 8 mantissa bits)
const SHIFT = 12;
const counts = new Int32Array(1 << (32 - SHIFT));
const SMALL = 8192;
// which 32-bit half of a double holds its sign and exponent on this machine
const HI = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;

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
  countBuckets(words, n);
  // every rank the quantiles read, ascending, and the bucket and rank within it of each
  const asked = ps.map((p) => ranksOf(n, p));
  const ranks = [...new Set(asked.flatMap(({ lo, pair }) => (pair ? [lo, lo + 1] : [lo])))].sort((a, b) => a - b);
  const bucketOfRank = new Map<number, number>();
  const withinOfRank = new Map<number, number>();
  let below = 0;
  let r = 0;
  for (let b = lowest; b <= highest && r < ranks.length; b++) {
    const c = counts[b]!;
    while (r < ranks.length && ranks[r]! < below + c) {
      bucketOfRank.set(ranks[r]!, b);
      withinOfRank.set(ranks[r]!, ranks[r]! - below);
      r++;
    }
    below += c;
  }
  const wanted = [...new Set(bucketOfRank.values())];
  const gathered = wanted.map((b) => new Float64Array(counts[b]!));
  counts.fill(0, lowest, highest + 1);
  // gather the values of the buckets that hold a rank, three at a time
  for (let k = 0; k < wanted.length; k += 3) {
    const empty = new Float64Array(0);
    gather(words, data, n, wanted[k]!, wanted[k + 1] ?? -1, wanted[k + 2] ?? -1, gathered[k]!, gathered[k + 1] ?? empty, gathered[k + 2] ?? empty);
  }
  const at = (rank: number) => {
    const values = gathered[wanted.indexOf(bucketOfRank.get(rank)!)]!;
    const within = withinOfRank.get(rank)!;
    select(values, 0, values.length - 1, within);
    return values[within]!;
  };
  return asked.map(({ lo, pair }) => (pair ? (at(lo) + at(lo + 1)) / 2 : at(lo)));
}

// the lowest and highest bucket the last count touched
let lowest = 0;
let highest = 0;

// Counts the values per bucket (into `counts`, which is all zero before); sets lowest and highest.
function countBuckets(words: Uint32Array, n: number): void {
  let lo = counts.length;
  let hi = -1;
  for (let i = HI; i < 2 * n; i += 2) {
    const b = bucketOf(words[i]!);
    counts[b]!++;
    if (b < lo) lo = b;
    if (b > hi) hi = b;
  }
  lowest = lo;
  highest = hi;
}

// Copies the values of buckets b0, b1, b2 into out0, out1, out2 (each exactly the bucket's size).
function gather(words: Uint32Array, data: Float64Array, n: number, b0: number, b1: number, b2: number, out0: Float64Array, out1: Float64Array, out2: Float64Array): void {
  let n0 = 0;
  let n1 = 0;
  let n2 = 0;
  for (let i = 0; i < n; i++) {
    const b = bucketOf(words[2 * i + HI]!);
    if (b === b0) out0[n0++] = data[i]!;
    else if (b === b1) out1[n1++] = data[i]!;
    else if (b === b2) out2[n2++] = data[i]!;
  }
}
