/** Latencies are printed to a microsecond, rates to 1e-9: enough for any comparison, without float noise (49.224999999999994). */
export function roundLatency(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

/** A rate or a share, to 1e-9. */
function roundRate(x: number): number {
  return Math.round(x * 1e9) / 1e9;
}

// keys (or metric names) whose numbers are rates or shares
const RATE_KEYS = /(_rate|_ci|^slo_attainment|^p_value|^value)$/;

/**
 * A document as it is printed: every number under a key ending in `_ms` rounded with roundLatency, every
 * rate or interval (`*_rate`, `*_ci`, `slo_attainment`, `p_value`) with roundRate; the rest as it is.
 * A lone value is rounded by the key (or metric name) it stands for.
 * Applied at output only: every comparison inside tierwatch uses the full values.
 */
export function roundForOutput<T>(doc: T, key = ""): T {
  if (typeof doc === "number") {
    if (!Number.isFinite(doc)) return doc;
    if (key.endsWith("_ms")) return roundLatency(doc) as T;
    if (RATE_KEYS.test(key)) return roundRate(doc) as T;
    return doc;
  }
  if (Array.isArray(doc)) return doc.map((v) => roundForOutput(v, key)) as T;
  if (doc !== null && typeof doc === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(doc)) out[k] = roundForOutput(v, k);
    return out as T;
  }
  return doc;
}
