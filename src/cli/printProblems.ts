import { formatProblem, type Problem } from "../errors.js";
import { wrapText } from "../util/wrapText.js";
import { tableWidth, type CliIo } from "./io.js";

/** Writes problems to stderr, errors first, one `path: message` each (wrapped to the terminal with a hanging indent). */
export function printProblems(io: CliIo, problems: readonly Problem[], heading?: string): void {
  if (problems.length === 0) return;
  const width = tableWidth(io);
  if (heading) io.stderr.write(`${wrapText(heading, width)}\n`);
  const sorted = [...problems].sort((a, b) => (a.severity === b.severity ? 0 : a.severity === "error" ? -1 : 1));
  for (const p of sorted) io.stderr.write(`${wrapText(`  ${p.severity === "error" ? "error  " : "warning"} ${formatProblem(p)}`, width, " ".repeat(12))}\n`);
}
