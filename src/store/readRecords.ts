import { createReadStream } from "node:fs";
import { createGunzip } from "node:zlib";
import { compressedPipeError, gunzipError, isCutShort, isGzipFile, isGzipHead, isZlibError } from "./gzip.js";
import { isStatus } from "../model/status.js";
import type { ReadSummary } from "../model/readSummary.js";
import { statusReason, valueProblem } from "../model/recordRules.js";
import { STDIN } from "./stdin.js";
import { MAX_LINE_BYTES, RECORD_VERSION, TOO_LONG, type AttemptRecord } from "../model/record.js";

const MAX_BAD_SAMPLES = 5;

/** Checks one parsed line; returns the reason it is unusable, or undefined. */
export function recordProblem(value: unknown): string | undefined {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return "not a JSON object";
  const r = value as Partial<AttemptRecord>;
  if (r.v !== undefined && typeof r.v !== "number") return "v (schema version) is not a number";
  if (typeof r.v === "number" && r.v > RECORD_VERSION) {
    return `schema version ${r.v} is newer than this tierwatch reads (${RECORD_VERSION}); upgrade tierwatch`;
  }
  if (typeof r.ts !== "string" || Number.isNaN(Date.parse(r.ts))) return "ts is missing or not a date";
  if (!isStatus(r.status)) return statusReason(r.status);
  return valueProblem(value as Record<string, unknown>);
}

/** Streams records from files, calling `onRecord` for each usable one; bad lines are counted with file:line. */
export async function readRecords(files: readonly string[], onRecord: (r: AttemptRecord) => void): Promise<ReadSummary> {
  const summary: ReadSummary = { files: files.length, lines: 0, records: 0, badCount: 0, bad: [], torn: 0, newerVersion: 0, cutShort: [] };
  for (const file of files) {
    let lineNo = 0;
    // one line: its text, or null when it is longer than any record; `ended`: a newline ends it
    const take = (line: string | null, ended: boolean) => {
      lineNo++;
      // a UTF-8 byte-order mark (Windows editors, some loggers) opens the file, not the first record
      if (lineNo === 1 && line?.charCodeAt(0) === 0xfeff) line = line.slice(1);
      if (line === null) {
        summary.lines++;
        addBad(summary, file, lineNo, TOO_LONG);
        return;
      }
      if (line.trim() === "") return;
      summary.lines++;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        // an unparsable last line with no newline is a write in progress or cut short, not corruption
        if (ended) addBad(summary, file, lineNo, "not valid JSON");
        else summary.torn++;
        return;
      }
      const problem = recordProblem(value);
      if (problem) {
        if (problem.startsWith("schema version")) summary.newerVersion++;
        addBad(summary, file, lineNo, problem);
        return;
      }
      const rec = value as AttemptRecord;
      rec.v ??= RECORD_VERSION;
      summary.records++;
      onRecord(rec);
    };
    // standard input through Node's own stream for it: opening /dev/stdin fails when it is a socket, and
    // a plain read of descriptor 0 fails (EAGAIN) when it is non-blocking and momentarily empty
    // a gzip file is decompressed, standard input redirected from one too (`- < app.jsonl.gz`, as report does)
    const stream: AsyncIterable<Buffer> = isGzipFile(file) ? gunzipped(file, () => summary.cutShort.push(file)) : notGzip(file === STDIN ? process.stdin : createReadStream(file), file);
    await splitLines(stream, take);
  }
  return summary;
}

// A gzip file's decompressed bytes; one that ends early (a compressor still writing) is read up to there
// and `onCutShort` told; one that is not gzip past its first bytes is a clear error.
async function* gunzipped(file: string, onCutShort: () => void): AsyncGenerator<Buffer> {
  const input = createReadStream(file);
  const gunzip = createGunzip();
  input.on("error", (err) => gunzip.destroy(err));
  try {
    yield* input.pipe(gunzip);
  } catch (err) {
    if (isCutShort(err)) onCutShort();
    else throw gunzipError(file, { message: (err as Error).message, zlib: isZlibError(err) }, err);
  }
}

// A stream's bytes, unless its first two say gzip (a pipe: a regular gzip file is decompressed instead).
async function* notGzip(input: AsyncIterable<Buffer>, file: string): AsyncGenerator<Buffer> {
  let head: Buffer | undefined = Buffer.alloc(0);
  for await (const chunk of input) {
    if (head) {
      head = Buffer.concat([head, chunk]);
      if (head.length < 2) continue;
      if (isGzipHead(head)) throw compressedPipeError(file);
      yield head;
      head = undefined;
    } else yield chunk;
  }
  if (head && head.length > 0) yield head;
}

// Splits a byte stream into lines at "\n" (as the report's byte path does), decoding each as UTF-8; a line
// longer than MAX_LINE_BYTES is dropped as it streams and handed on as null.
async function splitLines(input: AsyncIterable<Buffer>, take: (line: string | null, ended: boolean) => void): Promise<void> {
  let carry: Buffer[] = [];
  let carried = 0;
  let tooLong = false;
  for await (const chunk of input) {
    let start = 0;
    for (let nl = chunk.indexOf(10); nl >= 0; nl = chunk.indexOf(10, start)) {
      if (tooLong || carried + nl - start > MAX_LINE_BYTES) take(null, true);
      else take(carried === 0 ? chunk.toString("utf8", start, nl) : Buffer.concat([...carry, chunk.subarray(start, nl)]).toString("utf8"), true);
      carry = [];
      carried = 0;
      tooLong = false;
      start = nl + 1;
    }
    if (start === chunk.length) continue;
    carried += chunk.length - start;
    if (carried > MAX_LINE_BYTES) {
      tooLong = true;
      carry = [];
    } else carry.push(chunk.subarray(start));
  }
  if (tooLong) take(null, false);
  else if (carried > 0) take(Buffer.concat(carry).toString("utf8"), false);
}

function addBad(summary: ReadSummary, file: string, line: number, reason: string): void {
  summary.badCount++;
  if (summary.bad.length < MAX_BAD_SAMPLES) summary.bad.push({ file, line, reason });
}

