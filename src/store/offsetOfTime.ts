import { closeSync, fstatSync, openSync, readSync } from "node:fs";

// a piece holds a whole line of any record tierwatch writes (error texts are cut at 300 characters)
const PROBE_BYTES = 16 * 1024;
const TS = /"ts"\s*:\s*"([^"]+)"/;

/**
 * A byte offset in a records file (appended in time order) at or before the first line whose `ts` is at
 * or after `sinceMs`: a binary search over the file that reads a few 16 KB pieces, not the file. It errs
 * early, never late: a piece without a readable timestamp moves the answer back, so a reader that starts
 * here and filters by time loses nothing. Callers allow for records written out of order by passing a
 * time earlier than the one they want.
 */
export function offsetOfTime(file: string, sinceMs: number): number {
  const fd = openSync(file, "r");
  try {
    const size = fstatSync(fd).size;
    const buf = Buffer.allocUnsafe(PROBE_BYTES);
    // lo: a line start known to begin before sinceMs (or 0); hi: a point at or past the answer
    let lo = 0;
    let hi = size;
    while (hi - lo > PROBE_BYTES) {
      const mid = lo + Math.floor((hi - lo) / 2);
      const n = readSync(fd, buf, 0, PROBE_BYTES, mid);
      const nl = buf.indexOf(10);
      const end = nl < 0 || nl >= n ? -1 : buf.indexOf(10, nl + 1);
      const ts = end < 0 || end >= n ? undefined : TS.exec(buf.toString("utf8", nl + 1, end))?.[1];
      const t = ts === undefined ? Number.NaN : Date.parse(ts);
      if (t < sinceMs) lo = mid + nl + 1;
      else hi = mid;
    }
    return lo;
  } finally {
    closeSync(fd);
  }
}
