// Finding the policy file is apart from reading it, so that commands that may run without one (report)
// load the YAML parser and the schema validator only when there is a file.
import { stat } from "node:fs/promises";
import path from "node:path";

/** The file names tierwatch looks for in the working directory, in order. */
export const DEFAULT_POLICY_FILES = ["tierwatch.yaml", "tierwatch.yml", "tierwatch.json"];

/** The first of tierwatch.yaml, .yml, .json in `cwd` that exists (one that cannot be read counts, so its error is seen). */
export async function findPolicyFile(cwd: string): Promise<string | undefined> {
  for (const p of DEFAULT_POLICY_FILES.map((f) => path.resolve(cwd, f))) {
    try {
      await stat(p);
      return p;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") return p;
    }
  }
  return undefined;
}
