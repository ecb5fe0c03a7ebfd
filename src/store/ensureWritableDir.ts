import { constants } from "node:fs";
import { access } from "node:fs/promises";
import { ioError, TierwatchError } from "../errors.js";
import { makeDir } from "../util/makeDir.js";

/** Creates the data directory if needed and checks it is writable, before any request is sent. */
export async function ensureWritableDir(dir: string): Promise<void> {
  try {
    await makeDir(dir);
    await access(dir, constants.W_OK);
  } catch (err) {
    if (err instanceof TierwatchError) throw ioError(`${err.message}: pick another with --data-dir or store.dir`, err.cause);
    const code = (err as NodeJS.ErrnoException).code ?? "error";
    throw ioError(`the data directory ${dir} is not writable (${code}): pick another with --data-dir or store.dir`, err);
  }
}
