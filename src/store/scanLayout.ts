// The fast path of the record reader. A writer puts its keys in the same order on every line (tierwatch's
// own, an application's logger, `jq -c`), so the reader learns that order from one line, then reads each
// following line by checking its keys against the learned ones, eight bytes at a time, and parsing only
// the values. A line that differs in any way (another key order, spaces, a nested value, anything
// unusual) returns -1 and goes to the general scanner, so the numbers never depend on the path a line took.
import { FIELDS, setString, skipEscape, stringEnd, T_NULL, T_NUMBER, T_OTHER, T_STRING, type Scan } from "./scanRecord.js";
import { copyBytes } from "../util/bufferText.js";

/** One key of a layout: its literal bytes (`{"v":`, `,"ts":`, ...), the field it fills (-1: none) and the learned line's value type. */
interface KeyLiteral {
  bytes: Uint8Array;
  id: number;
  type: number;
}

const FIELD_ID = new Map<string, number>(FIELDS.map((f, i) => [f, i]));
const MAX_KEYS = 64;
const MAX_LAYOUTS = 64;
const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i);
const NULL = 0x6c6c756e; // "null"
const TRUE = 0x65757274; // "true"
const FALS = 0x736c6166; // "fals"

const compiled = new Map<string, LayoutReader>();

/**
 * A reader for lines laid out as the compact line (no spaces, plain keys, flat values) at buf[s, e), or
 * null when the line is not one the fast path can read. Readers are compiled once per key order and
 * process, and shared.
 */
export function learnLayout(buf: Uint8Array, s: number, e: number): LayoutReader | null {
  if (buf[s] !== 123) return null;
  const literals: KeyLiteral[] = [];
  const seen = new Set<string>();
  let i = s + 1;
  let litStart = s;
  for (;;) {
    if (buf[i] !== 34) return null;
    const ks = i + 1;
    let ke = ks;
    while (ke < e && buf[ke] !== 34 && buf[ke] !== 92 && buf[ke]! >= 32) ke++;
    if (buf[ke] !== 34 || buf[ke + 1] !== 58) return null;
    const key = Buffer.from(buf.buffer, buf.byteOffset + ks, ke - ks).toString("latin1");
    // a repeated key: JSON.parse keeps the last value, the fast path would keep both; leave it to the general path
    if (seen.has(key) || literals.length >= MAX_KEYS) return null;
    seen.add(key);
    i = ke + 2;
    const c = buf[i];
    literals.push({ bytes: copyBytes(buf, litStart, i), id: FIELD_ID.get(key) ?? -1, type: c === 34 ? T_STRING : c === 110 ? T_NULL : c === 116 || c === 102 ? T_OTHER : T_NUMBER });
    const v = skipValue(buf, i, e);
    if (v < 0) return null;
    i = v;
    if (buf[i] === 44) {
      litStart = i;
      i++;
      continue;
    }
    if (buf[i] === 125 && i + 1 === e) break;
    return null;
  }
  // by key order alone: a reader takes any flat value of any type (the learned line's types are only its
  // fast paths), and each new reader costs a compile and a warm-up
  const signature = literals.map((l) => Buffer.from(l.bytes).toString("latin1")).join("");
  const known = compiled.get(signature);
  if (known) return known;
  // a writer with ever-changing key orders: stay on the general path
  if (compiled.size >= MAX_LAYOUTS) return null;
  const read = compileLayout(literals);
  compiled.set(signature, read);
  return read;
}

// A flat JSON value without spaces: the index after it, or -1.
function skipValue(buf: Uint8Array, i: number, e: number): number {
  const c = buf[i];
  if (c === 34) {
    const str = stringEnd(buf, i + 1, e);
    return str < 0 ? -1 : (str >> 1) + 1;
  }
  if (c === 110 || c === 116 || c === 102) {
    const word = c === 102 ? "false" : c === 110 ? "null" : "true";
    for (let j = 0; j < word.length; j++) if (buf[i + j] !== word.charCodeAt(j)) return -1;
    return i + word.length;
  }
  if (c === 45 || (c !== undefined && c >= 48 && c <= 57)) {
    let j = i + 1;
    while (j < e && ((buf[j]! >= 48 && buf[j]! <= 57) || buf[j] === 46 || buf[j] === 101 || buf[j] === 69 || buf[j] === 43 || buf[j] === 45)) j++;
    return j;
  }
  return -1;
}

/** Reads one line with a learned layout: the index of the newline that ends it, or -1 when the line does not match. */
export type LayoutReader = (buf: Uint8Array, dv: DataView, pos: number, limit: number, s: Scan) => number;

/**
 * Compiles a layout into a reader for its lines: the key checks unrolled with their words as constants,
 * each value parsed inline as the learned line's type, any other type by `readValue`. The reader fills
 * `s` as scanRecord would and returns the index of the newline that ends the line, or -1 when the line
 * does not match the layout (or does not end before `limit`).
 */
function compileLayout(literals: readonly KeyLiteral[]): LayoutReader {
  const filled = new Set(literals.map((l) => l.id));
  const code: string[] = [];
  code.push("const type = s.type, start = s.start, end = s.end, esc = s.esc, num = s.num;");
  FIELDS.forEach((_, id) => filled.has(id) || code.push(`type[${id}] = 0;`));
  code.push("const fast = limit - 8; let p = pos, j = 0, x = 0, q = 0, b = 0, m = 0, e = 0, d = 0, mant = 0, frac = 0;");
  for (const { bytes, id, type } of literals) {
    const len = bytes.length;
    code.push(`if (p + ${len} > fast || ${wordChecks(bytes).join(" || ")}) return -1;`, `p += ${len};`);
    const keep = id >= 0;
    if (type === T_STRING) {
      code.push(`if (buf[p] === 34) {
  j = p + 1; e = 0;
  for (;;) {
    if (j > fast) return -1;
    x = dv.getInt32(j, true); q = x ^ 0x22222222; b = x ^ 0x5c5c5c5c;
    m = (((q - 0x01010101) & ~q) | ((b - 0x01010101) & ~b) | ((x - 0x20202020) & ~x)) & 0x80808080;
    if (m === 0) {
      x = dv.getInt32(j + 4, true); q = x ^ 0x22222222; b = x ^ 0x5c5c5c5c;
      m = (((q - 0x01010101) & ~q) | ((b - 0x01010101) & ~b) | ((x - 0x20202020) & ~x)) & 0x80808080;
      j += 4;
      if (m === 0) { j += 4; continue; }
    }
    j += (31 - Math.clz32(m & -m)) >> 3;
    if (buf[j] === 34) break;
    if (buf[j] !== 92 || (j = skipEscape(buf, j)) < 0) return -1;
    e = 1;
  }
  ${keep ? `type[${id}] = 1; start[${id}] = p + 1; end[${id}] = j; esc[${id}] = e;` : ""}
  p = j + 1;
} else if (buf[p] === 110 && dv.getInt32(p, true) === ${NULL}) { ${keep ? `type[${id}] = 3; ` : ""}p += 4; }
else if ((p = readValue(buf, dv, p, fast, s, ${id})) < 0) return -1;`);
    } else if (type === T_NUMBER) {
      code.push(`d = buf[p] - 48;
if (d >= 0 && d <= 9) {
  mant = d; p++; d = buf[p] - 48; e = 1;
  if (mant === 0) { if (d >= 0 && d <= 9) return -1; }
  else while (d >= 0 && d <= 9) { mant = mant * 10 + d; e++; d = buf[++p] - 48; }
  frac = 0;
  if (d === -2) {
    q = ++p; d = buf[p] - 48;
    while (d >= 0 && d <= 9) { mant = mant * 10 + d; e++; d = buf[++p] - 48; }
    frac = p - q;
    if (frac === 0) return -1;
  }
  if (d === 53 || d === 21 || e > 15) return -1;
  ${keep ? `type[${id}] = 2; num[${id}] = frac === 0 ? mant : mant / POW10[frac];` : ""}
} else if (buf[p] === 110 && dv.getInt32(p, true) === ${NULL}) { ${keep ? `type[${id}] = 3; ` : ""}p += 4; }
else if ((p = readValue(buf, dv, p, fast, s, ${id})) < 0) return -1;`);
    } else if (type === T_NULL) {
      code.push(`if (dv.getInt32(p, true) === ${NULL}) { ${keep ? `type[${id}] = 3; ` : ""}p += 4; } else if ((p = readValue(buf, dv, p, fast, s, ${id})) < 0) return -1;`);
    } else code.push(`if ((p = readValue(buf, dv, p, fast, s, ${id})) < 0) return -1;`);
  }
  code.push("if (p + 1 >= limit || buf[p] !== 125 || buf[p + 1] !== 10) return -1;", "return p + 1;");
  const make = new Function("readValue", "skipEscape", "POW10", `return function readLayout(buf, dv, pos, limit, s) {\n${code.join("\n")}\n};`) as (
    r: typeof readValue,
    k: typeof skipEscape,
    p: number[],
  ) => LayoutReader;
  return make(readValue, skipEscape, POW10);
}

// The checks that the literal is at p: eight bytes at a time as doubles (an ASCII literal is never NaN or
// -0, so !== compares bits), the last word overlapping; four at a time for short or unusual literals.
function wordChecks(bytes: Uint8Array): string[] {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  const len = bytes.length;
  const at = (size: number) => {
    const offs: number[] = [];
    for (let o = 0; o + size <= len; o += size) offs.push(o);
    if (len % size) offs.push(len - size);
    return offs;
  };
  if (len >= 8) {
    const offs = at(8);
    const values = offs.map((o) => dv.getFloat64(o, true));
    if (values.every((v) => !Number.isNaN(v) && !Object.is(v, -0) && v !== 0)) return offs.map((o, i) => `dv.getFloat64(p + ${o}, true) !== ${String(values[i])}`);
  }
  return at(4).map((o) => `dv.getInt32(p + ${o}, true) !== ${dv.getInt32(o, true)}`);
}

// Any flat value at p (the reader's path for a type other than the learned one): the index after it, or -1.
function readValue(buf: Uint8Array, dv: DataView, p: number, fast: number, s: Scan, id: number): number {
  const c = buf[p]!;
  if (c === 34) {
    const str = stringEnd(buf, p + 1, fast + 1);
    if (str < 0) return -1;
    if (id >= 0) setString(s, id, p + 1, str);
    return (str >> 1) + 1;
  }
  if (p > fast) return -1;
  if (c === 110) {
    if (dv.getInt32(p, true) !== NULL) return -1;
    if (id >= 0) s.type[id] = T_NULL;
    return p + 4;
  }
  if (c === 116) {
    if (dv.getInt32(p, true) !== TRUE) return -1;
    if (id >= 0) s.type[id] = T_OTHER;
    return p + 4;
  }
  if (c === 102) {
    if (dv.getInt32(p, true) !== FALS || buf[p + 4] !== 101) return -1;
    if (id >= 0) s.type[id] = T_OTHER;
    return p + 5;
  }
  // a number: -?(0|[1-9]\d*)(\.\d+)? read exactly as Number() would; exponents and long ones go the general way
  let neg = false;
  if (c === 45) {
    neg = true;
    p++;
  }
  let d = buf[p]! - 48;
  if (d < 0 || d > 9) return -1;
  let mant = d;
  let digits = 1;
  p++;
  d = buf[p]! - 48;
  if (mant === 0) {
    if (d >= 0 && d <= 9) return -1;
  } else {
    while (d >= 0 && d <= 9) {
      mant = mant * 10 + d;
      digits++;
      d = buf[++p]! - 48;
    }
  }
  let frac = 0;
  if (d === -2) {
    const fs = ++p;
    d = buf[p]! - 48;
    while (d >= 0 && d <= 9) {
      mant = mant * 10 + d;
      digits++;
      d = buf[++p]! - 48;
    }
    frac = p - fs;
    if (frac === 0) return -1;
  }
  if (d === 53 || d === 21 || digits > 15) return -1;
  if (id >= 0) {
    s.type[id] = T_NUMBER;
    s.num[id] = (neg ? -mant : mant) / POW10[frac]!;
  }
  return p;
}
