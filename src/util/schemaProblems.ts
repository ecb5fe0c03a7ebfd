import type { ErrorObject } from "ajv";
import type { Problem } from "../errors.js";
import { didYouMean, formatPath } from "./paths.js";

/** Turns JSON Schema errors into problems with paths, unknown keys named with a likely intended key. */
export function schemaProblems(errors: readonly ErrorObject[] | null | undefined): Problem[] {
  return dedupe((errors ?? []).map(problemOf));
}

function problemOf(e: ErrorObject): Problem {
  const segments = e.instancePath
    .split("/")
    .slice(1)
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
  const got = describeValue(e.data);
  switch (e.keyword) {
    case "additionalProperties": {
      const key = String((e.params as { additionalProperty: string }).additionalProperty);
      const known = Object.keys((e.parentSchema as { properties?: Record<string, unknown> }).properties ?? {});
      const hint = didYouMean(key, known);
      return {
        path: formatPath([...segments, key]),
        message: `unknown key${hint ? ` (did you mean ${hint}?)` : known.length ? ` (known: ${known.join(", ")})` : ""}`,
        severity: "error",
      };
    }
    case "required":
      return {
        path: formatPath([...segments, (e.params as { missingProperty: string }).missingProperty]),
        message: "is required",
        severity: "error",
      };
    case "type":
      return { path: formatPath(segments), message: `must be ${article((e.params as { type: string }).type)} (got ${got})`, severity: "error" };
    case "exclusiveMinimum":
      return { path: formatPath(segments), message: `must be > ${(e.params as { limit: number }).limit} (got ${got})`, severity: "error" };
    case "minimum":
      return { path: formatPath(segments), message: `must be >= ${(e.params as { limit: number }).limit} (got ${got})`, severity: "error" };
    case "maximum":
      return { path: formatPath(segments), message: `must be <= ${(e.params as { limit: number }).limit} (got ${got})`, severity: "error" };
    case "enum":
      return {
        path: formatPath(segments),
        message: `must be one of ${((e.params as { allowedValues: unknown[] }).allowedValues).join(", ")} (got ${got})`,
        severity: "error",
      };
    case "const":
      return { path: formatPath(segments), message: `must be ${JSON.stringify((e.params as { allowedValue: unknown }).allowedValue)} (got ${got})`, severity: "error" };
    case "minItems":
    case "minProperties":
      return { path: formatPath(segments), message: `must not be empty`, severity: "error" };
    default:
      return { path: formatPath(segments), message: e.message ?? "is invalid", severity: "error" };
  }
}

// anyOf branches repeat themselves; keep one line per path and message.
function dedupe(problems: Problem[]): Problem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const k = `${p.path}\0${p.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function article(type: string): string {
  return type === "integer" ? "a whole number" : type === "object" ? "a mapping" : type === "array" ? "a list" : `a ${type}`;
}

export function describeValue(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "a list";
  if (typeof v === "object") return "a mapping";
  if (typeof v === "string") return JSON.stringify(v.length > 40 ? `${v.slice(0, 37)}...` : v);
  return String(v);
}

