// Small dense ids for the values of one record field (models, regions, chains, ...), looked up from the
// bytes of a line without making a string: a report groups and filters by ids, and makes each value's
// text once, when it is first seen.
import { copyBytes } from "../util/bufferText.js";

/** A field value as a report keys it: a string, a number, or null (missing, null, or another type). */
export type KeyValue = string | number | boolean | null;

export interface ValueIds {
  /** the id of the string buf[s, e) (plain bytes, no escapes; `dv` views `buf`), made on first sight */
  ofBytes(buf: Uint8Array, dv: DataView, s: number, e: number): number;
  /** the id of a string given as text (one that had escapes in the line) */
  ofText(text: string): number;
  /** the id of a number */
  ofNumber(x: number): number;
  /** the id of true or false */
  ofBoolean(x: boolean): number;
  /** id → value; id 0 is null */
  readonly values: KeyValue[];
}

const enc = new TextEncoder();

function sameBytes(b: Uint8Array, buf: Uint8Array, s: number, len: number): boolean {
  for (let j = 0; j < len; j++) if (b[j] !== buf[s + j]) return false;
  return true;
}

/** An empty table; `onNew` sees each new id once, with its value (to precompute what depends on it). */
export function createValueIds(onNew?: (id: number, value: KeyValue) => void): ValueIds {
  const values: KeyValue[] = [null];
  const bytesOf: Uint8Array[] = [new Uint8Array(0)];
  // the same bytes as overlapping words, compared eight bytes at a time: as doubles at 0, 8, ... and
  // len - 8 when len >= 8 (a line's plain string holds no NUL, so no word is ±0, and a NaN word only
  // ever fails, sending the lookup to the byte compare); as 32-bit words at 0 and len - 4 when 4 <= len < 8
  const wideOf: Float64Array[] = [new Float64Array(0)];
  const narrowOf: Int32Array[] = [new Int32Array(0)];
  const numbers = new Map<number, number>();
  // the ids of false and true (0: not seen yet)
  const flags = [0, 0];
  // open addressing on a 32-bit hash of the bytes; slot holds id + 1, 0 when empty
  let mask = 63;
  let hashes = new Int32Array(mask + 1);
  let ids = new Int32Array(mask + 1);
  let count = 0;

  const hashOf = (buf: Uint8Array, s: number, e: number) => {
    let h = Math.imul(e - s, 0x9e3779b1);
    for (let j = s; j < e; j++) h = Math.imul(h ^ buf[j]!, 0x01000193);
    return h ^ (h >>> 15);
  };
  const add = (value: KeyValue, bytes: Uint8Array): number => {
    const id = values.length;
    values.push(value);
    bytesOf.push(bytes);
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
    const len = bytes.length;
    const wide = len >= 8 ? Array.from({ length: Math.ceil(len / 8) }, (_, k) => dv.getFloat64(Math.min(k * 8, len - 8), true)) : [];
    wideOf.push(Float64Array.from(wide));
    narrowOf.push(len >= 4 && len < 8 ? Int32Array.from([dv.getInt32(0, true), dv.getInt32(len - 4, true)]) : new Int32Array(0));
    onNew?.(id, value);
    return id;
  };
  const insert = (h: number, id: number) => {
    let i = h & mask;
    while (ids[i] !== 0) i = (i + 1) & mask;
    hashes[i] = h;
    ids[i] = id + 1;
  };
  const grow = () => {
    const oldH = hashes;
    const oldI = ids;
    mask = mask * 2 + 1;
    hashes = new Int32Array(mask + 1);
    ids = new Int32Array(mask + 1);
    for (let i = 0; i < oldI.length; i++) if (oldI[i] !== 0) insert(oldH[i]!, oldI[i]! - 1);
  };

  // a direct-mapped cache in front of the table, on the length and three bytes: most lookups end here
  const recent = new Int32Array(1024);
  const same = (id: number, buf: Uint8Array, dv: DataView, s: number, len: number) => {
    const b = bytesOf[id]!;
    if (b.length !== len) return false;
    if (len >= 8) {
      const w = wideOf[id]!;
      const last = w.length - 1;
      for (let k = 0; k < last; k++) if (dv.getFloat64(s + k * 8, true) !== w[k]) return sameBytes(b, buf, s, len);
      return dv.getFloat64(s + len - 8, true) === w[last] || sameBytes(b, buf, s, len);
    }
    if (len >= 4) {
      const w = narrowOf[id]!;
      return dv.getInt32(s, true) === w[0] && dv.getInt32(s + len - 4, true) === w[1];
    }
    return sameBytes(b, buf, s, len);
  };
  const ofBytes = (buf: Uint8Array, dv: DataView, s: number, e: number): number => {
    const len = e - s;
    const r =
      len >= 4
        ? Math.imul(dv.getInt32(s, true) ^ dv.getInt32(e - 4, true) ^ len, 0x9e3779b1) >>> 22
        : len === 0
          ? 0
          : (Math.imul(len ^ (buf[s]! << 8) ^ (buf[e - 1]! << 16), 0x9e3779b1) >>> 22) & 1023;
    const cached = recent[r]!;
    if (cached !== 0 && same(cached, buf, dv, s, len)) return cached;
    const id = lookup(buf, dv, s, e);
    recent[r] = id;
    return id;
  };
  const lookup = (buf: Uint8Array, dv: DataView, s: number, e: number): number => {
    const h = hashOf(buf, s, e);
    const len = e - s;
    let i = h & mask;
    for (;;) {
      const slot = ids[i]!;
      if (slot === 0) break;
      if (hashes[i] === h && same(slot - 1, buf, dv, s, len)) return slot - 1;
      i = (i + 1) & mask;
    }
    const bytes = copyBytes(buf, s, e);
    const id = add(Buffer.from(bytes.buffer, bytes.byteOffset, len).toString("utf8"), bytes);
    if (++count * 2 > mask) grow();
    insert(h, id);
    return id;
  };
  return {
    values,
    ofBytes,
    ofText(text: string): number {
      const b = enc.encode(text);
      return ofBytes(b, new DataView(b.buffer, b.byteOffset, b.length), 0, b.length);
    },
    ofNumber(x: number): number {
      let id = numbers.get(x);
      if (id === undefined) numbers.set(x, (id = add(x, new Uint8Array(0))));
      return id;
    },
    ofBoolean(x: boolean): number {
      const k = x ? 1 : 0;
      return (flags[k] ||= add(x, new Uint8Array(0)));
    },
  };
}
