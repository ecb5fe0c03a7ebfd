import { expandInputs } from "../store/expandInputs.js";
import { readRecords } from "../store/readRecords.js";
import { readNotes } from "../store/readNotes.js";
import { createHistoryBuilder, type History } from "../replay/history.js";
import type { AttemptRecord } from "../model/record.js";
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
  const built = builder.build();
  io.stderr.write(readNotes({ ...read, unplaced: built.unplaced }, io.cwd));
  return { ...built, files: files.length };
}
