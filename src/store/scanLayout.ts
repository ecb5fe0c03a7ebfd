// The fast path of the report's byte reader. A writer puts its keys in the same order and spacing on
// every line (tierwatch's own, an application's logger, `jq -c`, Python's json.dumps), so the reader
// learns the layout from one line, then reads each following line by checking its keys against the
// learned ones and parsing only the values. A line that differs in any way (another key order or
// spacing, a nested value, anything unusual) returns -1 and goes to the general scanner, so the numbers
// never depend on the path a line took. The reading itself is WebAssembly (scanLayout.wat), compiled
// once per process and shared by its threads; a layout is data in the module's memory.
import { loadWasm } from "../util/loadWasm.js";
import { FIELDS, stringEnd, type Scan } from "./scanRecord.js";

const FIELD_ID = new Map<string, number>(FIELDS.map((f, i) => [f, i]));
const MAX_KEYS = 64;
const MAX_LAYOUTS = 64;
const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i);

// the module's memory (scanLayout.wat): per-field scan arrays, powers of ten, layouts, key literals, data
const TYPE = 0;
const ESC = 32;
const START = 64;
const END = 192;
const NUM = 320;
const POWERS = 576;
const LAYOUTS = 4096;
const LAYOUT_BYTES = 8 + MAX_KEYS * 32 + 8;
const LITERALS = LAYOUTS + MAX_LAYOUTS * LAYOUT_BYTES;
// readable bytes the reader may load past the data's limit
const SLACK = 32;
const PAGE = 65536;

interface Exports {
  memory: WebAssembly.Memory;
  data: WebAssembly.Global;
  readLine(layout: number, pos: number, limit: number): number;
}

let compiled: WebAssembly.Module | undefined;

/** The reader's compiled module: made once per thread from the bytes the build assembled, or given by the thread that made it. */
export function layoutModule(given?: WebAssembly.Module): WebAssembly.Module {
  if (given) compiled ??= given;
  return (compiled ??= loadWasm(new URL("./scanLayout.wasm", import.meta.url)));
}

/** A thread's reader: the buffer lines are read into, the fields of the line last read, and its learned layouts. */
export interface LayoutReader {
  /** the data buffer (a view on the reader's memory: read into it, then read lines from it) */
  buf: Buffer;
  dv: DataView;
  /** the fields of the line last read (views on the reader's memory) */
  scan: Scan;
  /**
   * Learns the layout of the line at buf[s, e) (buf[e] is its newline): its id, or -1 when the line is
   * not one the fast path can read (nested values, a repeated key, an escaped key, too many keys or layouts).
   */
  learn(s: number, e: number): number;
  /** Reads the line at buf[pos] with layout `layout`: the index of the newline ending it, or -1 (it does not match, or does not end 16 bytes before `limit`, where the data ends). */
  read(layout: number, pos: number, limit: number): number;
  /** Doubles the buffer, keeping its bytes; `buf`, `dv` and `scan` are new views. */
  grow(): void;
}

/** A reader whose buffer holds `capacity` bytes. */
export function createLayoutReader(capacity: number): LayoutReader {
  const exports = new WebAssembly.Instance(layoutModule()).exports as unknown as Exports;
  const { memory } = exports;
  const base = exports.data.value as number;
  const n = FIELDS.length;
  const scan = {} as Scan;
  let size = 0;
  const reader: LayoutReader = {
    buf: Buffer.alloc(0),
    dv: new DataView(new ArrayBuffer(0)),
    scan,
    learn: (s, e) => learn(reader.buf, s, e),
    read: exports.readLine,
    grow: () => resize(size * 2),
  };
  const resize = (bytes: number) => {
    const pages = Math.ceil((base + bytes + SLACK) / PAGE) - memory.buffer.byteLength / PAGE;
    if (pages > 0) memory.grow(pages);
    size = bytes;
    // growing detaches the old views
    const mem = memory.buffer;
    reader.buf = Buffer.from(mem, base, size);
    reader.dv = new DataView(mem, base, size);
    scan.type = new Uint8Array(mem, TYPE, n);
    scan.esc = new Uint8Array(mem, ESC, n);
    scan.start = new Int32Array(mem, START, n);
    scan.end = new Int32Array(mem, END, n);
    scan.num = new Float64Array(mem, NUM, n);
  };
  resize(capacity);
  new Float64Array(memory.buffer, POWERS, POW10.length).set(POW10);

  // layouts by their key literals; the literals' bytes in the module's memory, from LITERALS up to the data
  const known = new Map<string, number>();
  let literalsEnd = LITERALS;
  const learn = (buf: Uint8Array, s: number, e: number): number => {
    const layout = keyLiterals(buf, s, e);
    if (!layout) return -1;
    const { keys, tail } = layout;
    const signature = [...keys.map((l) => l.bytes), tail].map((b) => Buffer.from(b).toString("latin1")).join("\u0000");
    const have = known.get(signature);
    if (have !== undefined) return have;
    const bytes = keys.reduce((sum, l) => sum + l.bytes.length, tail.length);
    // a writer with ever-changing key orders or spacing stays on the general path
    if (known.size >= MAX_LAYOUTS || literalsEnd + bytes > base) return -1;
    const at = LAYOUTS + known.size * LAYOUT_BYTES;
    const table = new DataView(memory.buffer, at, LAYOUT_BYTES);
    const mem = new Uint8Array(memory.buffer);
    const place = (b: Uint8Array) => {
      mem.set(b, literalsEnd);
      literalsEnd += b.length;
      return literalsEnd - b.length;
    };
    table.setInt32(0, keys.length, true);
    keys.forEach(({ bytes, id }, k) => {
      const entry = 8 + k * 32;
      const word = (from: number) => {
        const w = new Uint8Array(8);
        w.set(bytes.subarray(from, from + 8));
        return new DataView(w.buffer).getBigInt64(0, true);
      };
      table.setBigInt64(entry, word(0), true);
      // up to 8 bytes: the mask of the literal's bytes; longer: its last 8
      table.setBigInt64(entry + 8, bytes.length <= 8 ? BigInt.asIntN(64, (1n << BigInt(8 * bytes.length)) - 1n) : word(bytes.length - 8), true);
      table.setInt32(entry + 16, place(bytes), true);
      table.setInt32(entry + 20, bytes.length, true);
      table.setInt32(entry + 24, id, true);
    });
    table.setInt32(8 + keys.length * 32, place(tail), true);
    table.setInt32(8 + keys.length * 32 + 4, tail.length, true);
    known.set(signature, at);
    return at;
  };
  return reader;
}

/** One key of a layout: its literal bytes (`{"v":`, `, "ts": `, ...) and the field it fills (-1: none). */
interface KeyLiteral {
  bytes: Uint8Array;
  id: number;
}

const isSpace = (c: number | undefined) => c === 32 || c === 9 || c === 13;

// The layout of the line at buf[s, e) (flat values, plain keys; any spacing, kept in the literals: a
// writer spaces every line alike): its keys in order, each literal running from the end of the value
// before it (or the line's start) to the start of its value, and the tail from the last value to the
// line's end, newline included. Null when the line is not one the fast path can read.
function keyLiterals(buf: Uint8Array, s: number, e: number): { keys: KeyLiteral[]; tail: Uint8Array } | null {
  if (buf[s] !== 123) return null;
  const keys: KeyLiteral[] = [];
  const seen = new Set<string>();
  let litStart = s;
  let i = s + 1;
  while (isSpace(buf[i])) i++;
  for (;;) {
    if (buf[i] !== 34) return null;
    const ks = i + 1;
    let ke = ks;
    while (ke < e && buf[ke] !== 34 && buf[ke] !== 92 && buf[ke]! >= 32) ke++;
    if (buf[ke] !== 34) return null;
    const key = Buffer.from(buf.buffer, buf.byteOffset + ks, ke - ks).toString("latin1");
    // a repeated key: JSON.parse keeps the last value, the fast path would keep both; leave it to the general path
    if (seen.has(key) || keys.length >= MAX_KEYS) return null;
    seen.add(key);
    i = ke + 1;
    while (isSpace(buf[i])) i++;
    if (buf[i] !== 58) return null;
    i++;
    while (isSpace(buf[i])) i++;
    keys.push({ bytes: Uint8Array.from(buf.subarray(litStart, i)), id: FIELD_ID.get(key) ?? -1 });
    const v = skipValue(buf, i, e);
    if (v < 0) return null;
    litStart = i = v;
    while (isSpace(buf[i])) i++;
    if (buf[i] === 44) {
      i++;
      while (isSpace(buf[i])) i++;
      continue;
    }
    if (buf[i] !== 125) return null;
    i++;
    while (i < e && isSpace(buf[i])) i++;
    return i === e ? { keys, tail: Uint8Array.from(buf.subarray(litStart, e + 1)) } : null;
  }
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

