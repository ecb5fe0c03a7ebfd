import { Ajv, type ValidateFunction } from "ajv";
import type { Expectation } from "../model/policy.js";
import type { Status } from "../model/status.js";

/** The verdict on a complete answer: ok, or why not. */
export interface AnswerVerdict {
  status: Status;
  errorCode: string | null;
  error: string | null;
}

const compiledSchemas = new WeakMap<object, ValidateFunction>();
const ajv = new Ajv({ strict: false, allErrors: false });

/** Judges a complete answer's finish reason and the policy's expectations (contains, regex, JSON, JSON Schema). */
export function checkAnswer(content: string | null, finishReason: string | null, expect: Expectation | undefined): AnswerVerdict {
  const ok: AnswerVerdict = { status: "ok", errorCode: null, error: null };
  if (finishReason === "content_filter") {
    return { status: "bad_request", errorCode: "content_filter", error: "the provider filtered the answer (finish_reason: content_filter)" };
  }
  const accepted = expect?.finishReason ?? ["stop", "length"];
  if (finishReason !== null && !accepted.includes(finishReason) && !(finishReason === "tool_calls" && accepted.includes("stop"))) {
    if (finishReason === "length") {
      return { status: "truncated", errorCode: "length", error: "the answer was cut by max_tokens (finish_reason: length)" };
    }
    return { status: "expectation_failed", errorCode: "finish_reason", error: `finish_reason ${finishReason} is not one of ${accepted.join(", ")}` };
  }
  if (!expect) return ok;
  const text = content ?? "";
  if (expect.contains !== undefined && !text.includes(expect.contains)) {
    return { status: "expectation_failed", errorCode: "contains", error: `the answer does not contain ${JSON.stringify(expect.contains)}` };
  }
  if (expect.regex !== undefined && !new RegExp(expect.regex).test(text)) {
    return { status: "expectation_failed", errorCode: "regex", error: `the answer does not match /${expect.regex}/` };
  }
  if (expect.json || expect.jsonSchema) {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return { status: "expectation_failed", errorCode: "json", error: "the answer is not valid JSON" };
    }
    if (expect.jsonSchema) {
      let validate = compiledSchemas.get(expect.jsonSchema);
      if (!validate) {
        validate = ajv.compile(expect.jsonSchema);
        compiledSchemas.set(expect.jsonSchema, validate);
      }
      if (!validate(value)) {
        const e = validate.errors?.[0];
        return { status: "expectation_failed", errorCode: "json_schema", error: `the answer does not match the schema: ${e?.instancePath || "/"} ${e?.message ?? ""}`.trim() };
      }
    }
  }
  return ok;
}
