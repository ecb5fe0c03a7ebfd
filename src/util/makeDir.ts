import { mkdir, stat } from "node:fs/promises";
import path from "node:path";
import { ioError } from "../errors.js";

const REASONS: Record<string, string> = {
  EACCES: "permission denied (EACCES)",
  EPERM: "not permitted (EPERM)",
  EROFS: "read-only file system (EROFS)",
  ENOSPC: "no space left on the device (ENOSPC)",
  // the parent exists (it was just checked) but refuses new entries: /proc, /sys
  ENOENT: "its file system does not allow new directories (ENOENT)",
};

/**
 * Creates `dir` and its missing parents one level at a time. Node's recursive mkdir loops forever where a
 * parent refuses new entries without saying EACCES (under /proc); here every failure is an exit-3 error
 * naming the directory and the part that could not be made.
 */
export async function makeDir(dir: string): Promise<void> {
  const missing: string[] = [];
  let at = path.resolve(dir);
  for (;;) {
    try {
      const st = await stat(at);
      if (!st.isDirectory()) throw ioError(`cannot make the directory ${dir}: ${at} is a file, not a directory`);
      break;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      // ENOTDIR: a part above is a file; climbing on finds it and says so
      if (code !== "ENOENT" && code !== "ENOTDIR") {
        if (err instanceof Error && err.name === "TierwatchError") throw err;
        throw ioError(`cannot make the directory ${dir}: ${at} cannot be read (${(err as NodeJS.ErrnoException).code ?? "error"})`, err);
      }
      missing.push(at);
      const parent = path.dirname(at);
      if (parent === at) break;
      at = parent;
    }
  }
  for (const part of missing.reverse()) {
    try {
      await mkdir(part);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? "error";
      if (code === "EEXIST") continue;
      const which = part === path.resolve(dir) ? "" : ` (its parent ${part} could not be made)`;
      throw ioError(`cannot make the directory ${dir}${which}: ${REASONS[code] ?? code}`, err);
    }
  }
}
