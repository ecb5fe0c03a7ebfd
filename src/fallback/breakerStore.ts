import { open, readFile, rename, stat, unlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { ioError } from "../errors.js";
import { makeDir } from "../util/makeDir.js";
import { CLOSED, type BreakerState } from "../model/breakerState.js";

/** Where breaker states live: read-modify-write of one key is atomic. */
export interface BreakerStore {
  get(key: string): Promise<BreakerState>;
  update<T>(key: string, fn: (s: BreakerState) => { next: BreakerState; value: T }): Promise<T>;
  snapshot(): Promise<Record<string, BreakerState>>;
}

/** Breakers in this process's memory: for an application, where one process serves many requests. */
export function memoryBreakerStore(): BreakerStore {
  const states = new Map<string, BreakerState>();
  return {
    async get(key) {
      return states.get(key) ?? CLOSED;
    },
    async update(key, fn) {
      const { next, value } = fn(states.get(key) ?? CLOSED);
      states.set(key, next);
      return value;
    },
    async snapshot() {
      return Object.fromEntries(states);
    },
  };
}

const LOCK_STALE_MS = 5000;
const LOCK_WAIT_MS = 10_000;

/**
 * Breakers in `<dir>/breakers.json`, shared by separate processes (cron invocations, parallel probes):
 * each update takes an O_EXCL lock file, reads, writes a temp file and renames it over the old one.
 * A lock older than 5 s (its holder was killed) is taken over.
 */
export function fileBreakerStore(dir: string): BreakerStore {
  const file = path.join(dir, "breakers.json");
  const lock = path.join(dir, "breakers.lock");
  const read = async (): Promise<Record<string, BreakerState>> => {
    try {
      return JSON.parse(await readFile(file, "utf8")) as Record<string, BreakerState>;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT" || err instanceof SyntaxError) return {};
      throw ioError(`cannot read circuit breakers from ${file}`, err);
    }
  };
  const withLock = async <T>(fn: () => Promise<T>): Promise<T> => {
    await makeDir(dir);
    const started = Date.now();
    for (let wait = 2; ; wait = Math.min(wait * 2, 50)) {
      try {
        const fh = await open(lock, "wx");
        await fh.write(`${process.pid} ${Date.now()}\n`);
        await fh.close();
        break;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw ioError(`cannot lock ${lock}`, err);
        const age = await stat(lock).then((s) => Date.now() - s.mtimeMs, () => 0);
        if (age > LOCK_STALE_MS) await unlink(lock).catch(() => undefined);
        else if (Date.now() - started > LOCK_WAIT_MS) throw ioError(`${lock} has been held for over ${LOCK_WAIT_MS / 1000} s; remove it if no tierwatch is running`);
        else await new Promise((r) => setTimeout(r, wait));
      }
    }
    try {
      return await fn();
    } finally {
      await unlink(lock).catch(() => undefined);
    }
  };
  return {
    async get(key) {
      return (await read())[key] ?? CLOSED;
    },
    update(key, fn) {
      return withLock(async () => {
        const all = await read();
        const { next, value } = fn(all[key] ?? CLOSED);
        all[key] = next;
        const tmp = `${file}.${process.pid}.tmp`;
        await writeFile(tmp, JSON.stringify(all));
        await rename(tmp, file);
        return value;
      });
    },
    snapshot: read,
  };
}
