import { ExitCode, TierwatchError, type Problem } from "../../errors.js";
import { loadPolicy } from "../../policy/loadPolicy.js";
import { tierAttempts, tierName } from "../../model/policy.js";
import { worstCaseMs } from "../../policy/worstCaseMs.js";
import { formatMs } from "../../util/duration.js";
import { tableWidth, type CliIo } from "../io.js";
import { wrapText } from "../../util/wrapText.js";
import { printProblems } from "../printProblems.js";

export interface ValidateOptions {
  policy?: string;
  strict?: boolean;
  offline?: boolean;
  format: "table" | "json";
}

/** `tierwatch validate`: every problem with its path, and the production checklist as warnings. */
export async function validateCommand(opts: ValidateOptions, io: CliIo): Promise<number> {
  let problems: readonly Problem[];
  let summary: string[] = [];
  let source = opts.policy ?? "tierwatch.yaml";
  try {
    const loaded = await loadPolicy(opts.policy, { env: io.env, cwd: io.cwd, offline: opts.offline });
    problems = loaded.warnings;
    source = loaded.policy.source;
    if (loaded.notice) io.stderr.write(`${loaded.notice}\n`);
    summary = Object.values(loaded.policy.chains).map((c) => {
      const tiers = c.tiers.map((t) => `${tierName(t)} (${formatMs(t.timeoutMs)}${tierAttempts(t) > 1 ? ` ×${tierAttempts(t)}` : ""})`).join(" → ");
      return `chain ${c.name}: ${tiers}; worst case ${formatMs(worstCaseMs(c))}${c.deadlineMs ? `, deadline ${formatMs(c.deadlineMs)}` : ""}`;
    });
  } catch (err) {
    if (!(err instanceof TierwatchError) || err.problems.length === 0) throw err;
    problems = err.problems;
  }
  const errors = problems.filter((p) => p.severity === "error");
  const warnings = problems.filter((p) => p.severity === "warning");
  if (opts.format === "json") {
    io.stdout.write(`${JSON.stringify({ source, valid: errors.length === 0, errors, warnings }, null, 2)}\n`);
  } else {
    for (const line of summary) io.stdout.write(`${wrapText(line, tableWidth(io), 4)}\n`);
    printProblems(io, problems);
    const verdict =
      errors.length > 0
        ? `${source}: invalid (${errors.length} error(s), ${warnings.length} warning(s)); nothing would be sent`
        : `${source}: valid${warnings.length ? ` with ${warnings.length} warning(s)` : ""}`;
    io.stderr.write(`${verdict}\n`);
  }
  if (errors.length > 0) return ExitCode.usage;
  if (opts.strict && warnings.length > 0) return ExitCode.checkFailed;
  return ExitCode.ok;
}
