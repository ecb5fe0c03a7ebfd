import { readFile } from "node:fs/promises";
import { usageError } from "../errors.js";
import { parsePolicyText } from "../policy/parsePolicyText.js";
import { validateScenario, type Scenario } from "./scenario.js";

/** Reads and checks a scenario file (YAML or JSON). */
export async function loadScenario(file: string): Promise<Scenario> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (err) {
    throw usageError(`cannot read scenario ${file}: ${(err as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (err as Error).message}`, undefined, err);
  }
  return validateScenario(parsePolicyText(text, file), file);
}
