import type { LatencySpec } from "./scenario.js";

const Z95 = 1.6448536269514722;

/** Draws one latency in ms from a spec, using two uniforms from the caller's seeded generator. */
export function sampleLatency(spec: LatencySpec, rand: () => number): number {
  if (typeof spec === "number") return spec;
  if ("fixed" in spec) return spec.fixed;
  if ("min" in spec) return spec.min + (spec.max - spec.min) * rand();
  // log-normal through p50 and p95: mu = ln p50, sigma = (ln p95 - ln p50) / z(0.95); Box-Muller for the normal draw
  const mu = Math.log(spec.p50);
  const sigma = Math.max(0, (Math.log(spec.p95) - mu) / Z95);
  const u1 = Math.max(rand(), Number.MIN_VALUE);
  const u2 = rand();
  const z = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  return Math.exp(mu + sigma * z);
}
