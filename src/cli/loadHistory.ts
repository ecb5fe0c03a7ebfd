import { expandInputs } from "../store/expandInputs.js";
import { readRecords, type ReadSummary } from "../store/readRecords.js";
import { cutShortNotes } from "../store/gzip.js";
import { createHistoryBuilder, type History } from "../replay/history.js";
import type { AttemptRecord } from "../store/record.js";
import { parseTime } from "../util/parseTime.js";
import type { CliIo } from "./io.js";

/** Reads the probe rounds (and chain records) of a window from record files. */
export async function loadHistory(
  inputs: string[],
  window: { since?: string; until?: string },
  io: CliIo,
  now = Date.now(),
): Promise<{ history: History; chainRecords: AttemptRecord[]; files: number }> {
  const since = window.since ? parseTime(window.since, now, "--since") : undefined;
  const until = window.until ? parseTime(window.until, now, "--until") : undefined;
  const files = await expandInputs(inputs, io.cwd);
  const builder = createHistoryBuilder();
  const read = await readRecords(files, (r) => {
    const t = Date.parse(r.ts);
    if ((since === undefined || t >= since) && (until === undefined || t < until)) builder.add(r);
  });
  noteRead(read, io);
  return { ...builder.build(), files: files.length };
}

/** Says on stderr what reading skipped (bad lines: `report` names them) and which gzip files were cut short. */
export function noteRead(read: ReadSummary, io: CliIo): void {
  if (read.badCount > 0) io.stderr.write(`${read.badCount} bad line(s) skipped (tierwatch report names them)\n`);
  io.stderr.write(cutShortNotes(read.cutShort, io.cwd));
}
