import { findPolicyFile } from "../policy/findPolicyFile.js";
import type { LoadedPolicy } from "../policy/loadPolicy.js";
import type { CliIo } from "./io.js";

/** For commands that send nothing: the policy named by --policy, or ./tierwatch.yaml when there is one, read offline. */
export async function loadOptionalPolicy(file: string | undefined, io: CliIo): Promise<LoadedPolicy | undefined> {
  if (file === undefined && (await findPolicyFile(io.cwd)) === undefined) return undefined;
  const { loadPolicy } = await import("../policy/loadPolicy.js");
  return loadPolicy(file, { env: io.env, cwd: io.cwd, offline: true });
}
