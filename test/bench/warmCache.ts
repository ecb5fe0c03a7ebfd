import { closeSync, openSync, readdirSync, readSync } from "node:fs";
import path from "node:path";

/**
 * Reads every record file of `dir` into the page cache, just before a timed run: this machine's cache
 * lets go of files within tens of seconds, and a run reading from disk would not compare with one
 * reading from memory.
 */
export function warmCache(dir: string): void {
  const buf = Buffer.allocUnsafe(1 << 20);
  for (const name of readdirSync(dir)) {
    if (!name.endsWith(".jsonl")) continue;
    const fd = openSync(path.join(dir, name), "r");
    while (readSync(fd, buf, 0, buf.length, null) > 0);
    closeSync(fd);
  }
}
