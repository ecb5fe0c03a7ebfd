import { quantileSorted } from "../../src/analysis/quantileSorted.js";

/** Median and p99 of a sample (the same quantile definition as reports). */
export function medianP99(xs: number[]): { median: number; p99: number } {
  const s = Float64Array.from(xs).sort();
  return { median: quantileSorted(s, 0.5)!, p99: quantileSorted(s, 0.99)! };
}
