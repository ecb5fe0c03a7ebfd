import { describeValue, FIELD_RULES, numberFits, ruleReason, statusReason } from "../model/recordRules.js";
import { F, FIELDS, T_ABSENT, T_FALSE, T_NULL, T_NUMBER, T_STRING, T_TRUE, type Scan } from "./scanRecord.js";

// The field rules of model/recordRules.ts on a scanned line (report's byte path): the same table, the same
// words; the mutated-lines test in report.test.ts pins the two readers' verdicts and reasons together.

const RULED = Int32Array.from(FIELD_RULES.map(([f]) => F[f]));
// the kinds as small numbers, so that the per-record loop compares integers: 0 text, 1 amount, 2 position, 3 count, 4 flag
const KIND_CODE = Uint8Array.from(FIELD_RULES.map(([, k]) => ["text", "amount", "position", "count", "flag"].indexOf(k)));
// the type bytes of a line as words: seven cover every field the byte path reads
const WORDS = 7;
if (FIELDS.length > WORDS * 4) throw new Error("scannedRules: more fields than its type words cover");

/**
 * The first field rule (its index in FIELD_RULES) a scanned line breaks, or -1: numberFits and the
 * string check of model/recordRules.ts written out on the scan's typed arrays, since it runs for every
 * record of a report. A writer gives its lines a few sets of value types (a streamed probe's ttft_ms is a
 * number, a plain one's null), so the types of recent good lines are kept, each as seven words (the type
 * bytes read four at a time): a line whose types are one of them needs only its numbers' ranges checked.
 */
export function brokenRule(scan: Scan): number {
  const type = scan.type;
  if (type !== seenType) {
    seenType = type;
    words = type.byteOffset % 4 === 0 && type.buffer.byteLength >= type.byteOffset + WORDS * 4 ? new Uint32Array(type.buffer, type.byteOffset, WORDS) : undefined;
    known.length = 0;
  }
  const w = words;
  if (w !== undefined) {
    const w0 = w[0]!;
    const w1 = w[1]!;
    const w2 = w[2]!;
    const w3 = w[3]!;
    const w4 = w[4]!;
    const w5 = w[5]!;
    const w6 = w[6]!;
    for (let c = 0; c < known.length; c++) {
      const e = known[c]!;
      const g = e.words;
      if (g[0] !== w0 || g[1] !== w1 || g[2] !== w2 || g[3] !== w3 || g[4] !== w4 || g[5] !== w5 || g[6] !== w6) continue;
      const num = scan.num;
      for (let i = 0; i < e.amounts.length; i++) {
        const x = num[e.amounts[i]!]!;
        if (!(x >= 0 && x < Infinity)) return e.amountRule[i]!;
      }
      for (let i = 0; i < e.wholes.length; i++) {
        const x = num[e.wholes[i]!]!;
        if (!(x < Infinity && x === Math.floor(x) && x >= e.wholeMin[i]!)) return e.wholeRule[i]!;
      }
      return -1;
    }
  }
  const k = checkAll(scan);
  if (k < 0 && w !== undefined) remember(scan, w);
  return k;
}

/** A set of value types seen on a good line, and for it the numeric fields whose ranges still need a look. */
interface KnownTypes {
  words: Uint32Array;
  amounts: Int32Array;
  amountRule: Int32Array;
  wholes: Int32Array;
  wholeRule: Int32Array;
  wholeMin: Int32Array;
}

const KNOWN_TYPES = 8;
let seenType: Uint8Array | undefined;
let words: Uint32Array | undefined;
const known: KnownTypes[] = [];
let nextKnown = 0;

function remember(scan: Scan, w: Uint32Array): void {
  const a: number[] = [];
  const whole: number[] = [];
  RULED.forEach((f, k) => {
    if (scan.type[f] !== T_NUMBER) return;
    if (KIND_CODE[k] === 1) a.push(k);
    else if (KIND_CODE[k]! > 1) whole.push(k);
  });
  const entry: KnownTypes = {
    words: Uint32Array.from(w),
    amounts: Int32Array.from(a, (k) => RULED[k]!),
    amountRule: Int32Array.from(a),
    wholes: Int32Array.from(whole, (k) => RULED[k]!),
    wholeRule: Int32Array.from(whole),
    wholeMin: Int32Array.from(whole, (k) => (KIND_CODE[k] === 2 ? 1 : 0)),
  };
  if (known.length < KNOWN_TYPES) known.push(entry);
  else {
    known[nextKnown] = entry;
    nextKnown = (nextKnown + 1) % KNOWN_TYPES;
  }
}

// The rules as the model states them, for a line whose value types are not known yet (rare: a few a file).
function checkAll(scan: Scan): number {
  for (let k = 0; k < RULED.length; k++) {
    const f = RULED[k]!;
    const t = scan.type[f]!;
    if (t === T_ABSENT || t === T_NULL) continue;
    const kind = FIELD_RULES[k]![1];
    if (kind === "text" ? t !== T_STRING : kind === "flag" ? t !== T_TRUE && t !== T_FALSE : t !== T_NUMBER || !numberFits(kind, scan.num[f]!)) return k;
  }
  return -1;
}

/** Rule `k` broken by a scanned line, worded as valueProblem words it; `text(buf, f)` decodes a string field. */
export function scannedReason(scan: Scan, k: number, buf: Buffer, text: (buf: Buffer, f: number) => string): string {
  const [field, kind] = FIELD_RULES[k]!;
  const f = F[field];
  const t = scan.type[f];
  const value = t === T_STRING ? text(buf, f) : t === T_NUMBER ? scan.num[f] : t === T_TRUE ? true : t === T_FALSE ? false : {};
  return ruleReason(field, kind, describeValue(value));
}

/** statusReason for a scanned status field: its type, and its text when it is a string. */
export function scannedStatusReason(scan: Scan, buf: Buffer, text: (buf: Buffer, f: number) => string): string {
  const t = scan.type[F.status]!;
  return statusReason(t === T_ABSENT ? undefined : t === T_STRING ? text(buf, F.status) : t === T_NUMBER ? scan.num[F.status] : t === T_NULL ? null : t === T_TRUE ? true : t === T_FALSE ? false : {});
}
