import { writeFile } from "node:fs/promises";
import path from "node:path";
import { ioError, usageError } from "../../errors.js";
import { policySchema } from "../../policy/schema.js";
import { STARTER_POLICY } from "../../policy/starterPolicy.js";
import type { CliIo } from "../io.js";

export interface InitOptions {
  file: string;
  force?: boolean;
}

/** `tierwatch init`: writes the commented starter policy and its JSON Schema beside it. */
export async function initCommand(opts: InitOptions, io: CliIo): Promise<number> {
  const target = path.resolve(io.cwd, opts.file);
  const schemaFile = path.join(path.dirname(target), "tierwatch.schema.json");
  try {
    await writeFile(target, STARTER_POLICY, { flag: opts.force ? "w" : "wx" });
    await writeFile(schemaFile, `${JSON.stringify(policySchema, null, 2)}\n`);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EEXIST") {
      throw usageError(`${target} already exists; pass --force to overwrite it`);
    }
    throw ioError(`cannot write ${target}: ${(err as Error).message}`, err);
  }
  io.stderr.write(
    `wrote ${target} (and tierwatch.schema.json for editors)\nnext: export FB_OPENAI_BASE_URL and FB_API_KEY_SECRET, then \`tierwatch validate\` and \`tierwatch probe\`\n`,
  );
  return 0;
}
