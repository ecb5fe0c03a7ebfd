import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import { isStatus } from "../probe/status.js";
import { STDIN } from "./stdin.js";
import { RECORD_VERSION, type AttemptRecord } from "./record.js";

/** Where a line could not be used, and why. */
export interface BadLine {
  file: string;
  line: number;
  reason: string;
}

/** What reading found besides the records. */
export interface ReadSummary {
  files: number;
  lines: number;
  records: number;
  badCount: number;
  /** the first few bad lines, for the message */
  bad: BadLine[];
  /** a last line cut mid-write (a writer still running, or killed): skipped, not counted as bad */
  torn: number;
  /** records from a newer format than this tierwatch reads */
  newerVersion: number;
}

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
  if (!isStatus(r.status)) return `status ${JSON.stringify(r.status)} is not one tierwatch knows`;
  return undefined;
}

/** Streams records from files, calling `onRecord` for each usable one; bad lines are counted with file:line. */
export async function readRecords(files: readonly string[], onRecord: (r: AttemptRecord) => void): Promise<ReadSummary> {
  const summary: ReadSummary = { files: files.length, lines: 0, records: 0, badCount: 0, bad: [], torn: 0, newerVersion: 0 };
  for (const file of files) {
    // standard input is read from its descriptor (opening /dev/stdin fails when it is a socket)
    const stream = file === STDIN ? createReadStream("", { fd: 0, autoClose: false, encoding: "utf8" }) : createReadStream(file, { encoding: "utf8" });
    // whether the input ends with a newline, seen as it streams (a pipe cannot be read again)
    let lastChar = "\n";
    stream.on("data", (chunk) => {
      if (chunk.length > 0) lastChar = (chunk as string).slice(-1);
    });
    const rl = createInterface({ input: stream, crlfDelay: Infinity });
    let lineNo = 0;
    let pending: { line: number; reason: string } | undefined;
    for await (const line of rl) {
      lineNo++;
      if (pending) addBad(summary, file, pending.line, pending.reason);
      pending = undefined;
      if (line.trim() === "") continue;
      summary.lines++;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        pending = { line: lineNo, reason: "not valid JSON" };
        continue;
      }
      const problem = recordProblem(value);
      if (problem) {
        if (problem.startsWith("schema version")) summary.newerVersion++;
        addBad(summary, file, lineNo, problem);
        continue;
      }
      const rec = value as AttemptRecord;
      rec.v ??= RECORD_VERSION;
      summary.records++;
      onRecord(rec);
    }
    // An unparsable last line with no newline is a write in progress or cut short, not corruption.
    if (pending) {
      if (lastChar === "\n") addBad(summary, file, pending.line, pending.reason);
      else summary.torn++;
    }
  }
  return summary;
}

function addBad(summary: ReadSummary, file: string, line: number, reason: string): void {
  summary.badCount++;
  if (summary.bad.length < MAX_BAD_SAMPLES) summary.bad.push({ file, line, reason });
}
