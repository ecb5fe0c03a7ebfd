import { formatProblem, type Problem } from "../errors.js";
import type { CliIo } from "./io.js";

/** Writes problems to stderr, errors first, one `path: message` a line. */
export function printProblems(io: CliIo, problems: readonly Problem[], heading?: string): void {
  if (problems.length === 0) return;
  if (heading) io.stderr.write(`${heading}\n`);
  const sorted = [...problems].sort((a, b) => (a.severity === b.severity ? 0 : a.severity === "error" ? -1 : 1));
  for (const p of sorted) io.stderr.write(`  ${p.severity === "error" ? "error  " : "warning"} ${formatProblem(p)}\n`);
}
