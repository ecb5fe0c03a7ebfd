// A byte-level reader for one JSON record line that extracts only the fields a report needs, in any key
// order and spacing. Anything unusual (escaped keys, exotic numbers, malformed input) returns false and
// the caller falls back to JSON.parse, so every valid line gives the same values either way.

/** The fields a report reads, by index. */
export const FIELDS = [
  "v",
  "ts",
  "status",
  "kind",
  "origin",
  "chain",
  "tier",
  "model",
  "endpoint",
  "region",
  "latency_ms",
  "ttft_ms",
  "run_id",
  "round",
  "served_tier",
  "prompt_tokens",
  "completion_tokens",
  "cost_usd",
  "served_model",
  "served_target",
  "stream",
  "gateway_fallback",
  "gateway_attempts",
  "gateway_error",
  "headers_id",
  "error_code",
  "member",
] as const;
export type Field = (typeof FIELDS)[number];
export const F = Object.fromEntries(FIELDS.map((f, i) => [f, i])) as Record<Field, number>;

export const T_ABSENT = 0;
export const T_STRING = 1;
export const T_NUMBER = 2;
export const T_NULL = 3;
export const T_TRUE = 4;
export const T_FALSE = 5;
/** an object or an array */
export const T_OTHER = 6;

/** Where each field's value is in the line: its type, its byte range (strings, without quotes) or its number. */
export interface Scan {
  type: Uint8Array;
  start: Int32Array;
  end: Int32Array;
  num: Float64Array;
  /** the string contains an escape and must be decoded with JSON.parse */
  esc: Uint8Array;
}

/** Scratch space for scanning, reused for every line. */
export function newScan(): Scan {
  const n = FIELDS.length;
  // the type bytes sit in a buffer of whole words, which the field rules read four bytes at a time
  return { type: new Uint8Array(new ArrayBuffer(Math.ceil(n / 8) * 8 + 8), 0, n), start: new Int32Array(n), end: new Int32Array(n), num: new Float64Array(n), esc: new Uint8Array(n) };
}

const KEY_BYTES = FIELDS.map((f) => Buffer.from(f, "latin1"));
const BY_LENGTH: number[][] = [];
KEY_BYTES.forEach((k, i) => (BY_LENGTH[k.length] ??= []).push(i));
const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i);

function keyId(buf: Uint8Array, s: number, e: number): number {
  const cands = BY_LENGTH[e - s];
  if (!cands) return -1;
  outer: for (const id of cands) {
    const k = KEY_BYTES[id]!;
    for (let j = 0; j < k.length; j++) if (buf[s + j] !== k[j]) continue outer;
    return id;
  }
  return -1;
}

const TRUE = Buffer.from("true");
const FALSE = Buffer.from("false");

function escapedKeyId(buf: Uint8Array, s: number, e: number): number {
  try {
    const key = JSON.parse(`"${Buffer.from(buf.buffer, buf.byteOffset + s, e - s).toString("utf8")}"`) as string;
    return (FIELDS as readonly string[]).indexOf(key);
  } catch {
    return -2;
  }
}

const isWs = (c: number | undefined) => c === 32 || c === 9 || c === 13 || c === 10;

/** Scans one line `buf[pos, end)`; true when it is a JSON object whose needed fields were all read. */
export function scanRecord(buf: Uint8Array, pos: number, end: number, s: Scan): boolean {
  s.type.fill(T_ABSENT);
  let i = pos;
  while (i < end && isWs(buf[i])) i++;
  if (buf[i] !== 123) return false; // {
  i++;
  let first = true;
  for (;;) {
    while (i < end && isWs(buf[i])) i++;
    // `}` may close an empty object, never follow a comma
    if (first && buf[i] === 125) {
      i++;
      break;
    }
    first = false;
    if (buf[i] !== 34) return false; // "
    const ks = i + 1;
    const key = stringEnd(buf, ks, end);
    if (key < 0) return false;
    const ke = key >> 1;
    const id = key & 1 ? escapedKeyId(buf, ks, ke) : keyId(buf, ks, ke);
    if (id === -2) return false;
    i = ke + 1;
    while (i < end && isWs(buf[i])) i++;
    if (buf[i] !== 58) return false; // :
    i++;
    while (i < end && isWs(buf[i])) i++;
    const c = buf[i];
    if (c === 34) {
      const vs = i + 1;
      const str = stringEnd(buf, vs, end);
      if (str < 0) return false;
      if (id >= 0) setString(s, id, vs, str);
      i = (str >> 1) + 1;
    } else if (c === 45 || (c !== undefined && c >= 48 && c <= 57)) {
      // JSON number: -?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?
      const ns = i;
      let neg = false;
      if (c === 45) {
        neg = true;
        i++;
      }
      let mant = 0;
      let digits = 0;
      let frac = 0;
      if (buf[i] === 48) {
        i++;
        if (buf[i] !== undefined && buf[i]! >= 48 && buf[i]! <= 57) return false;
      } else if (buf[i] !== undefined && buf[i]! >= 49 && buf[i]! <= 57) {
        while (i < end && buf[i]! >= 48 && buf[i]! <= 57) {
          mant = mant * 10 + (buf[i]! - 48);
          digits++;
          i++;
        }
      } else return false;
      if (buf[i] === 46) {
        i++;
        const fs = i;
        while (i < end && buf[i]! >= 48 && buf[i]! <= 57) {
          mant = mant * 10 + (buf[i]! - 48);
          digits++;
          i++;
        }
        frac = i - fs;
        if (frac === 0) return false;
      }
      let exact = digits <= 15 && frac <= 22;
      if (buf[i] === 101 || buf[i] === 69) {
        exact = false;
        i++;
        if (buf[i] === 43 || buf[i] === 45) i++;
        const es = i;
        while (i < end && buf[i]! >= 48 && buf[i]! <= 57) i++;
        if (i === es) return false;
      }
      if (id >= 0) {
        s.type[id] = T_NUMBER;
        // an exact integer mantissa over an exact power of ten: one correctly rounded division, as Number() gives
        s.num[id] = exact ? (neg ? -mant : mant) / POW10[frac]! : Number(Buffer.from(buf.buffer, buf.byteOffset + ns, i - ns).toString("latin1"));
      }
    } else if (c === 110) {
      if (buf[i + 1] !== 117 || buf[i + 2] !== 108 || buf[i + 3] !== 108) return false;
      if (id >= 0) s.type[id] = T_NULL;
      i += 4;
    } else if (c === 116 || c === 102) {
      const lit = c === 116 ? TRUE : FALSE;
      for (let j = 1; j < lit.length; j++) if (buf[i + j] !== lit[j]) return false;
      if (id >= 0) s.type[id] = c === 116 ? T_TRUE : T_FALSE;
      i += lit.length;
    } else if (c === 123 || c === 91) {
      const j = skipNested(buf, i, end);
      if (j < 0) return false;
      if (id >= 0) s.type[id] = T_OTHER;
      i = j;
    } else return false;
    while (i < end && isWs(buf[i])) i++;
    if (buf[i] === 44) {
      i++;
      continue;
    }
    if (buf[i] === 125) {
      i++;
      break;
    }
    return false;
  }
  while (i < end && isWs(buf[i])) i++;
  return i === end;
}

// Skips an object or array (strings inside may hold brackets); returns the index after it, or -1.
function skipNested(buf: Uint8Array, i: number, end: number): number {
  let depth = 0;
  while (i < end) {
    const b = buf[i]!;
    if (b === 34) {
      const str = stringEnd(buf, i + 1, end);
      if (str < 0) return -1;
      i = str >> 1;
    } else if (b === 123 || b === 91) depth++;
    else if (b === 125 || b === 93) {
      depth--;
      if (depth === 0) return i + 1;
    }
    i++;
  }
  return -1;
}

/**
 * The end of a JSON string whose first byte after the quote is at j, before `end`: the closing quote's
 * index × 2, plus 1 when the string has escapes; -1 when it is cut, or holds a bad escape or a raw
 * control byte (JSON.parse refuses those). Indices stay below 2^30: a read buffer holds one line at
 * most. The one scan of a string's bytes for the JavaScript readers (the layout reader in
 * scanLayout.wat makes the same test sixteen bytes at a time).
 */
export function stringEnd(buf: Uint8Array, j: number, end: number): number {
  let esc = 0;
  for (;;) {
    if (j >= end) return -1;
    const b = buf[j]!;
    if (b === 34) return j * 2 + esc;
    if (b === 92) {
      esc = 1;
      j = skipEscape(buf, j);
      if (j < 0) return -1;
    } else if (b < 32) return -1;
    else j++;
  }
}

/** Records a string value read by stringEnd: its bytes are [start, quote), escaped or not. */
export function setString(s: Scan, id: number, start: number, end: number): void {
  s.type[id] = T_STRING;
  s.start[id] = start;
  s.end[id] = end >> 1;
  s.esc[id] = end & 1;
}

/** After a backslash at j: the index after the escape (\" \\ \/ \b \f \n \r \t, or \u and four hex digits), or -1. */
export function skipEscape(buf: Uint8Array, j: number): number {
  const n = buf[j + 1];
  if (n === 117) {
    for (let h = 2; h < 6; h++) {
      const d = buf[j + h]! | 32;
      if (!((d >= 48 && d <= 57) || (d >= 97 && d <= 102))) return -1;
    }
    return j + 6;
  }
  return n === 34 || n === 92 || n === 47 || n === 98 || n === 102 || n === 110 || n === 114 || n === 116 ? j + 2 : -1;
}
