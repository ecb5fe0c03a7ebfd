import { loadWasm } from "../util/loadWasm.js";
import { quantilesBySelection, ranksOf, select } from "./quantilesBySelection.js";

const SMALL = 8192;
// the module's memory (quantilesByHistogram.wat): a count per bucket (2^20), then the values and the gathered ones
const BUCKETS = 1 << 20;
const VALUES = BUCKETS * 4;
const PAGE = 65536;

interface Exports {
  memory: WebAssembly.Memory;
  lowest: WebAssembly.Global;
  highest: WebAssembly.Global;
  count(values: number, n: number): void;
  gather(values: number, n: number, b0: number, b1: number, b2: number, out0: number, out1: number, out2: number): void;
}

let passes: Exports | undefined;
// the two passes, made on first use (a report finishes its groups on one thread)
const wasm = () =>
  (passes ??= new WebAssembly.Instance(loadWasm(new URL("./quantilesByHistogram.wasm", import.meta.url))).exports as unknown as Exports);

/**
 * The same quantiles as `quantilesBySelection` (numpy's averaged_inverted_cdf), for large samples in two
 * linear passes (WebAssembly): count the values per bucket of their leading bits to find the bucket that
 * holds each rank, then gather only those buckets' values and select within them. Leaves `data` as it was.
 */
export function quantilesByHistogram(data: Float64Array, n: number, ps: readonly number[]): (number | undefined)[] {
  if (n < SMALL) return quantilesBySelection(data, n, ps);
  const { memory, lowest, highest, count, gather } = wasm();
  // room for the values and, at most, as many gathered ones
  const need = Math.ceil((VALUES + 16 * n) / PAGE) - memory.buffer.byteLength / PAGE;
  if (need > 0) memory.grow(need);
  new Float64Array(memory.buffer, VALUES, n).set(data.subarray(0, n));
  count(VALUES, n);
  const counts = new Int32Array(memory.buffer, 0, BUCKETS);
  const lo = lowest.value as number;
  const hi = highest.value as number;
  // every rank the quantiles read, ascending, and the bucket and rank within it of each
  const asked = ps.map((p) => ranksOf(n, p));
  const ranks = [...new Set(asked.flatMap(({ lo, pair }) => (pair ? [lo, lo + 1] : [lo])))].sort((a, b) => a - b);
  const bucketOfRank = new Map<number, number>();
  const withinOfRank = new Map<number, number>();
  let below = 0;
  let r = 0;
  for (let b = lo; b <= hi && r < ranks.length; b++) {
    const c = counts[b]!;
    while (r < ranks.length && ranks[r]! < below + c) {
      bucketOfRank.set(ranks[r]!, b);
      withinOfRank.set(ranks[r]!, ranks[r]! - below);
      r++;
    }
    below += c;
  }
  const wanted = [...new Set(bucketOfRank.values())];
  // each wanted bucket's values, gathered after the input, three buckets a pass
  let out = VALUES + 8 * n;
  const places = wanted.map((b) => {
    const at = out;
    out += 8 * counts[b]!;
    return at;
  });
  for (let k = 0; k < wanted.length; k += 3) {
    gather(VALUES, n, wanted[k]!, wanted[k + 1] ?? -1, wanted[k + 2] ?? -1, places[k]!, places[k + 1] ?? 0, places[k + 2] ?? 0);
  }
  // selected in place, in the module's memory (nothing grows it before this call returns)
  const gathered = wanted.map((b, k) => new Float64Array(memory.buffer, places[k]!, counts[b]!));
  counts.fill(0, lo, hi + 1);
  const at = (rank: number) => {
    const values = gathered[wanted.indexOf(bucketOfRank.get(rank)!)]!;
    const within = withinOfRank.get(rank)!;
    select(values, 0, values.length - 1, within);
    return values[within]!;
  };
  return asked.map(({ lo, pair }) => (pair ? (at(lo) + at(lo + 1)) / 2 : at(lo)));
}
