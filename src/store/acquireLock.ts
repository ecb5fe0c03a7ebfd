import { open, readFile, unlink } from "node:fs/promises";
import path from "node:path";
import { ExitCode, ioError, TierwatchError } from "../errors.js";

/** A held lock; release it when done. */
export interface Lock {
  release(): Promise<void>;
}

/**
 * Takes `<dir>/monitor.lock` (O_EXCL, holding our pid and its start time) so that two monitors never probe
 * into the same data directory. A lock whose process is gone (killed, crashed), or whose pid now belongs
 * to another process (reused after a reboot), is taken over; a live holder is exit code 5.
 */
export async function acquireLock(dir: string, pid = process.pid): Promise<Lock> {
  const file = path.join(dir, "monitor.lock");
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fh = await open(file, "wx");
      await fh.write(`${pid}\n${new Date().toISOString()}\n${(await startTime(pid)) ?? ""}\n`);
      await fh.close();
      return { release: () => unlink(file).catch(() => undefined) };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw ioError(`cannot create ${file}: ${(err as Error).message}`, err);
    }
    const [pidLine, , startLine] = (await readFile(file, "utf8").catch(() => "")).split("\n");
    const holder = Number(pidLine);
    if (Number.isInteger(holder) && holder > 0 && isAlive(holder) && (await isSameProcess(holder, startLine || undefined))) {
      throw new TierwatchError(
        `another tierwatch monitor (pid ${holder}) is probing into ${dir}; stop it, or give this one its own --data-dir`,
        { exitCode: ExitCode.busy },
      );
    }
    // stale: its process is gone, or its pid is another process's now
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

/** When the process started (clock ticks since boot, /proc/PID/stat field 22); undefined where there is no /proc. */
async function startTime(pid: number): Promise<string | undefined> {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => undefined);
  // the command name (field 2) may hold spaces and parentheses: count fields from the last ')'
  return stat?.slice(stat.lastIndexOf(")") + 2).split(" ")[19];
}

/**
 * Whether the live process `pid` is the one that wrote the lock: its start time matches the one recorded.
 * A lock without one (written where /proc was missing) is judged by the command line naming tierwatch.
 */
async function isSameProcess(pid: number, recordedStart: string | undefined): Promise<boolean> {
  const now = await startTime(pid);
  if (now === undefined) return true; // no /proc: alive is all that can be known
  if (recordedStart !== undefined) return now === recordedStart;
  const cmdline = await readFile(`/proc/${pid}/cmdline`, "utf8").catch(() => "");
  return cmdline.includes("tierwatch");
}
