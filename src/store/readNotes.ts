import { cutShortNotes } from "./gzip.js";
import type { ReadSummary } from "../model/readSummary.js";
import { shownInput } from "./stdin.js";

/**
 * What reading skipped, as stderr lines, the same from every command that reads history: the first bad
 * lines as `file:line: reason`, unfinished last lines, gzip files cut short.
 */
export function readNotes(read: Pick<ReadSummary, "badCount" | "bad" | "torn" | "cutShort" | "unplaced">, cwd: string): string {
  let out = "";
  if (read.badCount > 0) {
    out += `${read.badCount} bad line(s) skipped${read.bad.length < read.badCount ? `; the first ${read.bad.length}` : ""}:\n`;
    for (const b of read.bad) out += `  ${shownInput(b.file, cwd)}:${b.line}: ${b.reason}\n`;
  }
  if (read.torn > 0) out += `${read.torn} unfinished last line(s) skipped (a writer was still writing or was stopped)\n`;
  if (read.unplaced) out += `${read.unplaced} probe record(s) without a run_id left out of the chain replay (a probe record without a round is round 0 of its run_id)\n`;
  return out + cutShortNotes(read.cutShort, cwd);
}
