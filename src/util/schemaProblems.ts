import type { ErrorObject } from "ajv";
import type { Problem } from "../errors.js";
import { didYouMean, formatPath } from "./paths.js";

/** Turns JSON Schema errors into problems with paths, unknown keys named with a likely intended key. */
export function schemaProblems(errors: readonly ErrorObject[] | null | undefined): Problem[] {
  return mergeAlternatives(dedupe((errors ?? []).map(problemOf)));
}

// A value that fits none of a field's alternatives (anyOf) gets one line in words: "must be a number or
// a mapping (got "fast")", or, when the alternatives each require a key, "needs model or members"; not
// one line per alternative and the validator's "must match a schema in anyOf".
function mergeAlternatives(problems: Problem[]): Problem[] {
  const anyOf = new Set(problems.filter((p) => p.message === ANY_OF).map((p) => p.path));
  if (anyOf.size === 0) return problems;
  // keys the alternatives require, by the anyOf's path
  const required = new Map<string, string[]>();
  for (const p of problems) {
    if (p.message !== "is required") continue;
    const parent = p.path.slice(0, p.path.lastIndexOf("."));
    const key = p.path.slice(parent.length + 1);
    if (anyOf.has(parent) && !required.get(parent)?.includes(key)) required.set(parent, [...(required.get(parent) ?? []), key]);
  }
  const out: Problem[] = [];
  // one line per such path, where its first alternative stood, its message growing with each alternative
  const merged = new Map<string, { line: Problem; kinds: string[] }>();
  for (const p of problems) {
    if (p.message === "is required" && (required.get(p.path.slice(0, p.path.lastIndexOf(".")))?.length ?? 0) > 1) continue;
    const alternative = anyOf.has(p.path) ? /^must be (.+) \(got (.+)\)$/.exec(p.message) : null;
    if (!anyOf.has(p.path) || (!alternative && p.message !== ANY_OF)) {
      out.push(p);
      continue;
    }
    let entry = merged.get(p.path);
    if (!entry) {
      const keys = required.get(p.path);
      entry = { line: { path: p.path, message: keys && keys.length > 1 ? `needs ${keys.join(" or ")}` : "is none of the forms it may take", severity: "error" }, kinds: [] };
      merged.set(p.path, entry);
      out.push(entry.line);
    }
    if (alternative && !entry.kinds.includes(alternative[1]!)) {
      entry.kinds.push(alternative[1]!);
      entry.line.message = `must be ${entry.kinds.join(" or ")} (got ${alternative[2]})`;
    }
  }
  return out;
}

const ANY_OF = "must match a schema in anyOf";

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
      return { path: formatPath(segments), message: `must be ${article((e.params as { type: string | string[] }).type)} (got ${got})`, severity: "error" };
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

function article(type: string | string[]): string {
  // a field of several types ("number,null" in the validator's words) is any of them
  const types = Array.isArray(type) ? type : type.split(",");
  return types.map((t) => (t === "integer" ? "a whole number" : t === "object" ? "a mapping" : t === "array" ? "a list" : t === "null" ? "null" : `a ${t}`)).join(" or ");
}

export function describeValue(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "a list";
  if (typeof v === "object") return "a mapping";
  if (typeof v === "string") return JSON.stringify(v.length > 40 ? `${v.slice(0, 37)}...` : v);
  return String(v);
}

