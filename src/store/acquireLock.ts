import { open, readFile, unlink } from "node:fs/promises";
import path from "node:path";
import { ExitCode, ioError, TierwatchError } from "../errors.js";

/** A held lock; release it when done. */
export interface Lock {
  release(): Promise<void>;
}

/**
 * Takes `<dir>/monitor.lock` (O_EXCL, holding our pid) so that two monitors never probe into the same data
 * directory. A lock whose process is gone (killed, crashed) is taken over; a live one is exit code 5.
 */
export async function acquireLock(dir: string, pid = process.pid): Promise<Lock> {
  const file = path.join(dir, "monitor.lock");
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fh = await open(file, "wx");
      await fh.write(`${pid}\n${new Date().toISOString()}\n`);
      await fh.close();
      return { release: () => unlink(file).catch(() => undefined) };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw ioError(`cannot create ${file}: ${(err as Error).message}`, err);
    }
    const holder = Number((await readFile(file, "utf8").catch(() => "")).split("\n")[0]);
    if (Number.isInteger(holder) && holder > 0 && isAlive(holder)) {
      throw new TierwatchError(
        `another tierwatch monitor (pid ${holder}) is probing into ${dir}; stop it, or give this one its own --data-dir`,
        { exitCode: ExitCode.busy },
      );
    }
    // stale: its process is gone
    await unlink(file).catch(() => undefined);
  }
  throw ioError(`cannot take ${file}: it keeps reappearing`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}
