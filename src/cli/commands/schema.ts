import { policySchema } from "../../policy/schema.js";
import type { CliIo } from "../io.js";

/** `tierwatch schema`: the policy's JSON Schema, for editors. */
export async function schemaCommand(io: CliIo): Promise<number> {
  io.stdout.write(`${JSON.stringify(policySchema, null, 2)}\n`);
  return 0;
}
