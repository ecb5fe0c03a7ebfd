/**
 * The type rules of a record's fields, one home for both readers: the record path (gate, alerts, replay)
 * checks parsed records with `valueProblem`; report's byte path checks scanned lines with the twin in
 * store/scannedRules.ts, which reads the same table and words a broken rule with the same functions.
 * Every field here may also be null or absent.
 */
const KINDS = {
  /** a name: chain, model, endpoint, ... */
  text: "a string",
  /** a duration or an amount: finite and not negative */
  amount: "a finite number ≥ 0",
  /** a tier's position: 1, 2, ... */
  position: "a whole number ≥ 1",
  /** a round or a count: 0, 1, ... */
  count: "a whole number ≥ 0",
  /** yes or no */
  flag: "true or false",
} as const;
export type FieldKind = keyof typeof KINDS;

/** Each checked field and its kind (v, ts and status have rules of their own in the readers). */
export const FIELD_RULES = [
  ["kind", "text"],
  ["origin", "text"],
  ["chain", "text"],
  ["model", "text"],
  ["endpoint", "text"],
  ["region", "text"],
  ["run_id", "text"],
  ["served_model", "text"],
  ["served_target", "text"],
  ["gateway_error", "text"],
  ["headers_id", "text"],
  ["error_code", "text"],
  ["member", "text"],
  ["stream", "flag"],
  ["gateway_fallback", "flag"],
  ["tier", "position"],
  ["served_tier", "position"],
  ["round", "count"],
  ["gateway_attempts", "count"],
  ["latency_ms", "amount"],
  ["ttft_ms", "amount"],
  ["prompt_tokens", "amount"],
  ["completion_tokens", "amount"],
  ["cost_usd", "amount"],
] as const satisfies readonly (readonly [string, FieldKind])[];

/** Whether a number keeps a numeric kind's rule. */
export function numberFits(kind: Exclude<FieldKind, "text" | "flag">, x: number): boolean {
  if (kind === "amount") return x >= 0 && x < Infinity;
  if (kind === "position") return Number.isInteger(x) && x >= 1;
  return Number.isInteger(x) && x >= 0;
}

/** Why a field breaks its rule, given how its value is named (`describeValue`). */
export function ruleReason(field: string, kind: FieldKind, got: string): string {
  return `${field} must be ${KINDS[kind]} or null (got ${got})`;
}

/** How a value is named in a reason: the same text whichever reader found it. */
export function describeValue(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value.length > 40 ? `${value.slice(0, 37)}...` : value);
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (value === null) return "null";
  return "another type";
}

/** Why a record's status is unusable, worded alike on both paths. */
export function statusReason(value: unknown): string {
  return value === undefined ? "status is missing" : `status ${describeValue(value)} is not one tierwatch knows`;
}

/** The first field rule a parsed record breaks, worded; undefined when it keeps them all. */
export function valueProblem(r: Record<string, unknown>): string | undefined {
  for (const [field, kind] of FIELD_RULES) {
    const v = r[field];
    if (v === undefined || v === null) continue;
    if (kind === "text" ? typeof v === "string" : kind === "flag" ? typeof v === "boolean" : typeof v === "number" && numberFits(kind, v)) continue;
    return ruleReason(field, kind, describeValue(v));
  }
  return undefined;
}
