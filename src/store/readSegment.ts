import { closeSync, openSync, readSync } from "node:fs";
import { MAX_LINE_BYTES } from "../model/record.js";
import { compressedPipeError, isGzipHead, type GunzipReader } from "./gzip.js";
import type { LayoutReader } from "./scanLayout.js";
import { STDIN } from "./stdin.js";

// How the report reads its input: a segment of a file, a pipe or a gzip stream, line by line, each line
// read in place by a learned layout (WebAssembly) when one fits, else handed whole to the sink's general
// path. What a line means is the sink's business (analysis/summarizeRange.ts).

/** Where each line goes: a line a layout read (its fields in the reader's scan), any other line, one too long to hold. */
export interface LineSink {
  /** counts lines; a layout-read line is counted here, the others by the sink */
  out: { lines: number };
  /** a line a learned layout read: its fields are in the reader's scan */
  record(buf: Buffer, dv: DataView, file: string, segment: number, lineNo: number): void;
  /** any other non-empty line, at buf[s, e): true when it read as a record in place (its layout may be learned) */
  line(buf: Buffer, dv: DataView, s: number, e: number, file: string, segment: number, lineNo: number, lastOfFile: boolean): boolean;
  /** a line longer than MAX_LINE_BYTES: counted, not read */
  tooLong(file: string, segment: number, lineNo: number): void;
}

// how many learned layouts a reader tries before the general scanner (writers whose lines mix)
const LAYOUTS_TRIED = 4;

/**
 * A part of one file: the lines that start in [start, end) (a line starting before `end` is read to its
 * end). A pipe or a gzip file has size and end Infinity and is read whole.
 */
export interface Segment {
  file: string;
  start: number;
  end: number;
  size: number;
  gzip?: boolean;
}

// Reads one segment's lines into the context (a gzip file's through `gunzip`); returns the number of newlines read.
// `layouts`: the layouts of the lines seen so far, most recently matched first.
export function readSegment(seg: Segment, segment: number, ctx: LineSink, reader: LayoutReader, layouts: number[], gunzip: GunzipReader | undefined): number {
  const { file, start, end, size } = seg;
  // a pipe (standard input, <(some-tool)) or a gzip file (`gunzip`) is read in order to its end; a file at offsets
  const stream = size === Infinity;
  // standard input is read from its descriptor (opening /dev/stdin fails when it is a socket)
  const fd = gunzip ? -1 : file === STDIN ? 0 : openSync(file, "r");
  const readChunk = (buf: Buffer, offset: number, length: number, pos: number) =>
    gunzip ? gunzip.read(buf, offset, length) : readAt(fd, buf, offset, length, stream ? null : pos);
  let lineNo = 1;
  try {
    let buf = reader.buf;
    let dv = new DataView(buf.buffer, buf.byteOffset, buf.length);
    let filled = 0;
    let pos = start;
    // a segment that starts mid-line leaves that line to the segment before it
    if (start > 0) {
      const one = Buffer.alloc(1);
      readSync(fd, one, 0, 1, start - 1);
      if (one[0] !== 10) {
        for (;;) {
          const n = readSync(fd, buf, 0, buf.length, pos);
          if (n === 0) return 0;
          const nl = buf.indexOf(10, 0);
          if (nl >= 0 && nl < n) {
            pos += nl + 1;
            break;
          }
          pos += n;
        }
      }
    }
    let lineStartAbs = pos;
    // a pipe's first two bytes say whether it carries gzip data (a file's were looked at before)
    let sniffed = !stream || gunzip !== undefined;
    let atInputStart = pos === 0;
    while (lineStartAbs < end) {
      // one byte is kept for a sentinel after the data: the readers' scans stop there, never past the buffer
      const n = readChunk(buf, filled, buf.length - 1 - filled, pos);
      pos += n;
      const avail = filled + n;
      buf[avail] = 0;
      if (!sniffed && avail >= 2) {
        sniffed = true;
        if (isGzipHead(buf)) throw compressedPipeError(file);
      }
      let ls = 0;
      if (atInputStart) {
        atInputStart = false;
        // a UTF-8 byte-order mark opens the file, not the first record (the record path skips it too)
        if (avail >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) {
          ls = 3;
          lineStartAbs += 3;
        }
      }
      for (;;) {
        if (lineStartAbs >= end) break;
        let nl = -1;
        for (let k = 0; k < layouts.length; k++) {
          nl = reader.read(layouts[k]!, ls, avail);
          if (nl >= 0) {
            if (k > 0) layouts.unshift(...layouts.splice(k, 1));
            ctx.out.lines++;
            ctx.record(buf, dv, file, segment, lineNo);
            break;
          }
        }
        if (nl < 0) {
          nl = buf.indexOf(10, ls);
          if (nl < 0 || nl >= avail) break;
          // a line ending this close to the end of the data read failed its layout for want of room (the
          // layout reader looks sixteen bytes ahead): read on first, and try it again at the front of the buffer
          if (nl + 16 >= avail && ls > 0 && n > 0 && pos < size) break;
          if (ctx.line(buf, dv, ls, nl, file, segment, lineNo, false)) learnInto(layouts, reader, ls, nl);
        }
        lineNo++;
        lineStartAbs += nl + 1 - ls;
        ls = nl + 1;
      }
      if (lineStartAbs >= end) break;
      if (n === 0) {
        // end of file without a newline: the last line was cut mid-write, unless it reads as a whole record
        if (ls < avail) ctx.line(buf, dv, ls, avail, file, segment, lineNo, stream || pos >= size);
        break;
      }
      // keep the unfinished line at the front; grow the buffer when one line fills it
      filled = avail - ls;
      if (ls === 0 && filled === buf.length - 1 && buf.length >= MAX_LINE_BYTES) {
        ctx.tooLong(file, segment, lineNo);
        // read on to the line's end (or the input's); what follows it goes to the front
        let after = -1;
        let m = 0;
        while (after < 0 && (m = readChunk(buf, 0, buf.length - 1, pos)) > 0) {
          pos += m;
          const nl = buf.indexOf(10, 0);
          if (nl >= 0 && nl < m) after = nl + 1;
          lineStartAbs += after < 0 ? m : after;
        }
        lineStartAbs += filled;
        // the input ended inside the line: no newline to count
        if (after < 0) break;
        lineNo++;
        filled = m - after;
        buf.copy(buf, 0, after, m);
      } else if (ls === 0 && filled === buf.length - 1) {
        // the buffer doubles in place: its bytes stay, its views are new
        reader.grow();
        buf = reader.buf;
        dv = reader.dv;
      } else buf.copy(buf, 0, ls, avail);
    }
  } finally {
    if (fd > 0) closeSync(fd);
  }
  return lineNo - 1;
}

const PAUSE = new Int32Array(new SharedArrayBuffer(4));

// Reads at `pos` (a file), or on from where the last read ended (pos null: a pipe), waiting out a pipe
// that has no data yet and was opened non-blocking.
function readAt(fd: number, buf: Buffer, offset: number, length: number, pos: number | null): number {
  for (;;) {
    try {
      return readSync(fd, buf, offset, length, pos);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EAGAIN") throw err;
      Atomics.wait(PAUSE, 0, 0, 5);
    }
  }
}

// Learns the layout of the line at buf[s, e) (read in place by the general scanner) and tries it first
// from now on, unless it is known.
function learnInto(layouts: number[], reader: LayoutReader, s: number, e: number): void {
  const learned = reader.learn(s, e);
  if (learned >= 0 && !layouts.includes(learned)) {
    layouts.unshift(learned);
    if (layouts.length > LAYOUTS_TRIED) layouts.pop();
  }
}

