import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { ExitCode, TierwatchError } from "../errors.js";

/** The WebAssembly module at `url`, which the build assembles beside the JavaScript that loads it. */
export function loadWasm(url: URL): WebAssembly.Module {
  let bytes: Buffer;
  try {
    bytes = readFileSync(url);
  } catch (err) {
    throw new TierwatchError(`${fileURLToPath(url)} cannot be read, so this install of tierwatch is incomplete; run npm run build in its directory (npm install runs it)`, {
      exitCode: ExitCode.internal,
      cause: err,
    });
  }
  return new WebAssembly.Module(bytes);
}
