import { F, T_ABSENT, T_NULL, T_NUMBER, T_STRING, type Field, type Scan } from "./scanRecord.js";

/**
 * The type rules of a record's fields, one place for both readers: report's byte path checks the scanned
 * values with `scannedProblem`, the record path (gate, alerts, replay) the parsed ones with `valueProblem`,
 * and both word a broken rule the same way. Every field here may also be null or absent.
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
} as const;
type Kind = keyof typeof KINDS;

/** Each checked field and its kind (v, ts and status have rules of their own in the readers). */
export const FIELD_RULES: readonly (readonly [Field, Kind])[] = [
  ["kind", "text"],
  ["origin", "text"],
  ["chain", "text"],
  ["model", "text"],
  ["endpoint", "text"],
  ["region", "text"],
  ["run_id", "text"],
  ["tier", "position"],
  ["served_tier", "position"],
  ["round", "count"],
  ["latency_ms", "amount"],
  ["ttft_ms", "amount"],
  ["prompt_tokens", "amount"],
  ["completion_tokens", "amount"],
  ["cost_usd", "amount"],
];

function numberFits(kind: Kind, x: number): boolean {
  if (kind === "amount") return x >= 0 && x < Infinity;
  if (kind === "position") return Number.isInteger(x) && x >= 1;
  return Number.isInteger(x) && x >= 0;
}

function reason(field: string, kind: Kind, got: string): string {
  return `${field} must be ${KINDS[kind]} or null (got ${got})`;
}

/** How a value is named in a reason: the same text whichever reader found it. */
function describe(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value.length > 40 ? `${value.slice(0, 37)}...` : value);
  if (typeof value === "number") return String(value);
  if (value === null) return "null";
  return "another type";
}

/** Why a record's status is unusable, worded alike on both paths. */
export function statusReason(value: unknown): string {
  return value === undefined ? "status is missing" : `status ${describe(value)} is not one tierwatch knows`;
}

/** `statusReason` for a scanned status field: its type, and its text when it is a string. */
export function scannedStatusReason(scan: Scan, text: (f: number) => string): string {
  const t = scan.type[F.status]!;
  return statusReason(t === T_ABSENT ? undefined : t === T_STRING ? text(F.status) : t === T_NUMBER ? scan.num[F.status] : t === T_NULL ? null : {});
}

/** The first field rule a parsed record breaks, worded; undefined when it keeps them all. */
export function valueProblem(r: Record<string, unknown>): string | undefined {
  for (const [field, kind] of FIELD_RULES) {
    const v = r[field];
    if (v === undefined || v === null) continue;
    if (kind === "text" ? typeof v === "string" : typeof v === "number" && numberFits(kind, v)) continue;
    return reason(field, kind, describe(v));
  }
  return undefined;
}

const RULED = Int32Array.from(FIELD_RULES.map(([f]) => F[f]));
const WANT = Uint8Array.from(FIELD_RULES.map(([, k]) => (k === "text" ? T_STRING : T_NUMBER)));
const KIND = FIELD_RULES.map(([, k]) => k);

/** The first field rule (its index in FIELD_RULES) a scanned line breaks, or -1; it runs for every record of a report, so it only reads the scan's typed arrays. */
export function brokenRule(scan: Scan): number {
  const type = scan.type;
  const num = scan.num;
  for (let k = 0; k < RULED.length; k++) {
    const f = RULED[k]!;
    const t = type[f]!;
    if (t === T_ABSENT || t === T_NULL) continue;
    if (t === WANT[k] && (t === T_STRING || numberFits(KIND[k]!, num[f]!))) continue;
    return k;
  }
  return -1;
}

/** Rule `k` broken by a scanned line, worded as `valueProblem` words it; `text(f)` decodes a string field. */
export function scannedReason(scan: Scan, k: number, text: (f: number) => string): string {
  const [field, kind] = FIELD_RULES[k]!;
  const f = F[field];
  const t = scan.type[f];
  return reason(field, kind, t === T_STRING ? describe(text(f)) : t === T_NUMBER ? describe(scan.num[f]) : "another type");
}
