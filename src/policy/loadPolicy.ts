import { readFile } from "node:fs/promises";
import path from "node:path";
import { ExitCode, TierwatchError, usageError, type Problem } from "../errors.js";
import { createRedactor, type Redactor } from "../util/redact.js";
import { defaultPolicyDoc } from "./defaultPolicyDoc.js";
import { findPolicyFile } from "./findPolicyFile.js";
import { lintPolicy } from "./lintPolicy.js";
import { parsePolicyText } from "./parsePolicyText.js";
import type { Policy } from "../model/policy.js";
import { DEFAULT_API_KEY_ENV, DEFAULT_BASE_URL_ENV, validatePolicy } from "./validatePolicy.js";

/** A policy ready to use, its warnings, and a redactor that knows its secrets. */
export interface LoadedPolicy {
  policy: Policy;
  warnings: Problem[];
  redact: Redactor;
  /** set when no file was found and the built-in default is used */
  notice: string | undefined;
}


/** Reads, validates and lints a policy file (or the env-only default); throws with every problem when it cannot work. */
export async function loadPolicy(
  file: string | undefined,
  options: { env: Readonly<Record<string, string | undefined>>; cwd: string; offline?: boolean; option?: string },
): Promise<LoadedPolicy> {
  const { env, cwd } = options;
  let doc: unknown;
  let source: string;
  let baseDir = cwd;
  let notice: string | undefined;
  const found = file === undefined ? await findPolicyFile(cwd) : path.resolve(cwd, file);
  if (found === undefined) {
    if (!env[DEFAULT_BASE_URL_ENV] && !options.offline) {
      throw usageError(
        `no policy: there is no ./tierwatch.yaml and ${DEFAULT_BASE_URL_ENV} is not set.\n` +
          `  Write one with \`tierwatch init\`, pass --policy FILE, or export ${DEFAULT_BASE_URL_ENV} and ${DEFAULT_API_KEY_ENV} to probe the guide's default tiers.`,
      );
    }
    doc = defaultPolicyDoc();
    source = `built-in default (${DEFAULT_BASE_URL_ENV})`;
    notice = `no tierwatch.yaml here: using the built-in default policy (gpt-4.1 → gpt-4.1-mini → gpt-4o-mini on $${DEFAULT_BASE_URL_ENV}); \`tierwatch init\` writes one to edit`;
  } else {
    let text: string;
    try {
      text = await readFile(found, "utf8");
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw usageError(
        code === "ENOENT"
          ? `policy file ${found} does not exist (check ${options.option ?? "--policy"}, or write one with \`tierwatch init\`)`
          : `cannot read policy file ${found}: ${(err as Error).message}`,
        undefined,
        err,
      );
    }
    doc = parsePolicyText(text, found);
    source = found;
    baseDir = path.dirname(found);
  }
  return resolvePolicy(doc, { env, source, baseDir, offline: options.offline, notice });
}

/** Validates a parsed document and lints it; throws with every problem when it cannot work (shared by the CLI and the library). */
export function resolvePolicy(
  doc: unknown,
  options: { env: Readonly<Record<string, string | undefined>>; source: string; baseDir: string; offline?: boolean; notice?: string },
): LoadedPolicy {
  const { source } = options;
  const { policy, problems, secrets } = validatePolicy(doc, { env: options.env, source, offline: options.offline });
  const redact = createRedactor(secrets);
  if (!policy) {
    const errors = problems.filter((p) => p.severity === "error");
    throw new TierwatchError(`${source}: ${errors.length} problem${errors.length === 1 ? "" : "s"}; nothing was sent`, {
      exitCode: ExitCode.usage,
      problems: problems.map((p) => ({ ...p, message: redact(p.message) })),
    });
  }
  policy.store.dir = path.resolve(options.baseDir, policy.store.dir);
  return { policy, warnings: [...problems, ...lintPolicy(policy)], redact, notice: options.notice };
}

