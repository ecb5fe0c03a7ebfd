import { stat } from "node:fs/promises";
import path from "node:path";
import { DEFAULT_POLICY_FILES, loadPolicy, type LoadedPolicy } from "../policy/loadPolicy.js";
import type { CliIo } from "./io.js";

/** For commands that send nothing: the policy named by --policy, or ./tierwatch.yaml when there is one, read offline. */
export async function loadOptionalPolicy(file: string | undefined, io: CliIo): Promise<LoadedPolicy | undefined> {
  if (file === undefined) {
    let found = false;
    for (const f of DEFAULT_POLICY_FILES) {
      found = await stat(path.resolve(io.cwd, f)).then(
        () => true,
        () => false,
      );
      if (found) break;
    }
    if (!found) return undefined;
  }
  return loadPolicy(file, { env: io.env, cwd: io.cwd, offline: true });
}
