import { describeValue, FIELD_RULES, numberFits, ruleReason, statusReason } from "../model/recordRules.js";
import { F, T_ABSENT, T_NULL, T_NUMBER, T_STRING, type Scan } from "./scanRecord.js";

// The field rules of model/recordRules.ts on a scanned line (report's byte path): the same table, the same
// words; the mutated-lines test in report.test.ts pins the two readers' verdicts and reasons together.

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

/** Rule `k` broken by a scanned line, worded as valueProblem words it; `text(f)` decodes a string field. */
export function scannedReason(scan: Scan, k: number, text: (f: number) => string): string {
  const [field, kind] = FIELD_RULES[k]!;
  const f = F[field];
  const t = scan.type[f];
  return ruleReason(field, kind, t === T_STRING ? describeValue(text(f)) : t === T_NUMBER ? describeValue(scan.num[f]) : "another type");
}

/** statusReason for a scanned status field: its type, and its text when it is a string. */
export function scannedStatusReason(scan: Scan, text: (f: number) => string): string {
  const t = scan.type[F.status]!;
  return statusReason(t === T_ABSENT ? undefined : t === T_STRING ? text(F.status) : t === T_NUMBER ? scan.num[F.status] : t === T_NULL ? null : {});
}
