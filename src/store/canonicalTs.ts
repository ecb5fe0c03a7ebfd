// Timestamps as tierwatch writes them, read from the bytes of a line: report's reader compares and
// decodes them without making a string.

/** The number the n digits at buf[at] spell. */
export function digits(buf: Uint8Array, at: number, n: number): number {
  let v = 0;
  for (let j = 0; j < n; j++) v = v * 10 + (buf[at + j]! - 48);
  return v;
}

/**
 * True when buf[s, s + 24) is a UTC timestamp as tierwatch writes it (2026-11-01T12:00:00.000Z) that
 * Date.parse reads as such: then it compares as text and its fields are read from the bytes. Anything
 * else (another form, an hour of 24) goes through Date.parse.
 */
export function isCanonicalTs(buf: Uint8Array, s: number): boolean {
  return isCanonicalHead(buf, s) && isCanonicalTail(buf, s);
}
// its first 16 bytes: "yyyy-mm-ddThh:mm", a real month, day, hour and minute
function isCanonicalHead(buf: Uint8Array, s: number): boolean {
  for (let k = 0; k < 16; k++) {
    const c = buf[s + k]!;
    const want = TS_SHAPE[k]!;
    if (want === 0 ? !isDigit(c) : c !== want) return false;
  }
  const month = digits(buf, s + 5, 2);
  const day = digits(buf, s + 8, 2);
  return month >= 1 && month <= 12 && day >= 1 && day <= 31 && digits(buf, s + 11, 2) <= 23 && digits(buf, s + 14, 2) <= 59;
}
/** The rest of a timestamp, checked alone when its first 16 bytes are a checked timestamp's. */
export function isCanonicalTail(buf: Uint8Array, s: number): boolean {
  // ":ss.mmmZ", seconds below 60
  return (
    buf[s + 16] === 58 &&
    buf[s + 19] === 46 &&
    buf[s + 23] === 90 &&
    isDigit(buf[s + 17]!) &&
    buf[s + 17]! <= 53 &&
    isDigit(buf[s + 18]!) &&
    isDigit(buf[s + 20]!) &&
    isDigit(buf[s + 21]!) &&
    isDigit(buf[s + 22]!)
  );
}
const isDigit = (c: number) => c >= 48 && c <= 57;
// 0: a digit; otherwise the byte itself
const TS_SHAPE = Uint8Array.from("dddd-dd-ddTdd:dd", (ch) => (ch === "d" ? 0 : ch.charCodeAt(0)));

/** The sign of the canonical timestamp at buf[s, s + 24) against an ISO string of the same form. */
export function compareIso(buf: Uint8Array, s: number, iso: Uint8Array): number {
  for (let j = 0; j < 24; j++) {
    const d = buf[s + j]! - iso[j]!;
    if (d !== 0) return d;
  }
  return 0;
}
