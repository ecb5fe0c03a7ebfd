// Buffer's own utf8Slice/latin1Slice skip toString's encoding lookup, which matters per record at ten
// million records; they are not in Node's typings, so use them when present and fall back otherwise.
type Slicer = (this: Buffer, start: number, end: number) => string;
const proto = Buffer.prototype as unknown as { utf8Slice?: Slicer; latin1Slice?: Slicer };
const utf8Slice = proto.utf8Slice;
const latin1Slice = proto.latin1Slice;

/** UTF-8 text of buf[start, end). */
export const utf8 = utf8Slice
  ? (buf: Buffer, start: number, end: number): string => utf8Slice.call(buf, start, end)
  : (buf: Buffer, start: number, end: number): string => buf.toString("utf8", start, end);

/** One character per byte of buf[start, end): a cheap, exact key for bytes. */
export const latin1 = latin1Slice
  ? (buf: Buffer, start: number, end: number): string => latin1Slice.call(buf, start, end)
  : (buf: Buffer, start: number, end: number): string => buf.toString("latin1", start, end);

/** A copy of buf[start, end) that later writes to `buf` leave alone (a Buffer's own slice is a view). */
export function copyBytes(buf: Uint8Array, start: number, end: number): Uint8Array {
  const out = new Uint8Array(end - start);
  out.set(buf.subarray(start, end));
  return out;
}
