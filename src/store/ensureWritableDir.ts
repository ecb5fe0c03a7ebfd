import { constants } from "node:fs";
import { access, mkdir } from "node:fs/promises";
import { ioError } from "../errors.js";

/** Creates the data directory if needed and checks it is writable, before any request is sent. */
export async function ensureWritableDir(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
    await access(dir, constants.W_OK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? "error";
    throw ioError(`the data directory ${dir} is not writable (${code}): pick another with --data-dir or store.dir`, err);
  }
}
