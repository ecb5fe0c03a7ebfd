import { open, type FileHandle } from "node:fs/promises";
import path from "node:path";
import { ioError, TierwatchError } from "../errors.js";
import { makeDir } from "../util/makeDir.js";
import type { AttemptRecord } from "../model/record.js";

/** The day file a record belongs to: `<dir>/YYYY-MM-DD.jsonl`, by the UTC day of its start time. */
export function dayFile(dir: string, ts: string): string {
  return path.join(dir, `${ts.slice(0, 10)}.jsonl`);
}

/**
 * Appends records as JSON lines. Each line goes out in one write() on an O_APPEND descriptor,
 * so concurrent writers (several probes, an application) never interleave inside a line.
 */
export async function appendRecords(dir: string, records: readonly AttemptRecord[]): Promise<void> {
  if (records.length === 0) return;
  const byFile = new Map<string, AttemptRecord[]>();
  for (const r of records) {
    const f = dayFile(dir, r.ts);
    const list = byFile.get(f);
    if (list) list.push(r);
    else byFile.set(f, [r]);
  }
  try {
    await makeDir(dir);
    for (const [file, list] of byFile) {
      const fh = await open(file, "a+");
      try {
        // a line left without its newline (a crash, a full disk) must stay one bad line, not swallow our first record
        if (!(await endsWithNewline(fh))) await fh.write("\n");
        for (const r of list) await fh.write(`${JSON.stringify(r)}\n`);
      } finally {
        await fh.close();
      }
    }
  } catch (err) {
    if (err instanceof TierwatchError) throw ioError(`${err.message}: choose a writable directory with --data-dir or store.dir`, err.cause);
    const code = (err as NodeJS.ErrnoException).code ?? "error";
    throw ioError(`cannot write records to ${dir} (${code}): choose a writable directory with --data-dir or store.dir`, err);
  }
}

async function endsWithNewline(fh: FileHandle): Promise<boolean> {
  const { size } = await fh.stat();
  if (size === 0) return true;
  const last = Buffer.alloc(1);
  await fh.read(last, 0, 1, size - 1);
  return last[0] === 0x0a;
}
