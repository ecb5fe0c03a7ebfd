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
  /** gzip files that end before their compressed stream does (a compressor still writing): read up to there */
  cutShort: string[];
  /** per-model probe records that no probe round could take (no run_id), where rounds were built */
  unplaced?: number;
}
