import type { Problem } from "../errors.js";
import { formatPath } from "../util/paths.js";

const VAR = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/** Result of replacing `${VAR}` and `${VAR:-default}` in every string of a parsed document. */
export interface Substituted {
  value: unknown;
  problems: Problem[];
  /** values that came from variables in an `api_key`, a `webhook` or a header (kept only to redact them) */
  secrets: string[];
}

/** Replaces `${VAR}` in strings from `env`; a missing variable is a problem that names it (never a value), or is left as written when `lenient`. */
export function substituteEnv(doc: unknown, env: Readonly<Record<string, string | undefined>>, lenient = false): Substituted {
  const problems: Problem[] = [];
  const secrets: string[] = [];
  const walk = (node: unknown, path: (string | number)[]): unknown => {
    if (typeof node === "string") {
      const last = path[path.length - 1];
      // a header value taken from the environment is most often a credential (x-portkey-api-key, x-api-key)
      const isSecret = last === "api_key" || last === "webhook" || path[path.length - 2] === "headers";
      return node.replace(VAR, (_m, name: string, fallback: string | undefined) => {
        const v = env[name];
        if (v !== undefined && v !== "") {
          if (isSecret) secrets.push(v);
          return v;
        }
        if (fallback !== undefined) return fallback;
        // lenient: nothing will be sent, so an unset variable is left as written
        if (lenient) return `\${${name}}`;
        problems.push({
          path: formatPath(path),
          message: `environment variable ${name} is not set (export ${name}=..., or write \${${name}:-default})`,
          severity: "error",
        });
        return "";
      });
    }
    if (Array.isArray(node)) return node.map((item, i) => walk(item, [...path, i]));
    if (node !== null && typeof node === "object") {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(node)) out[k] = walk(v, [...path, k]);
      return out;
    }
    return node;
  };
  return { value: walk(doc, []), problems, secrets };
}
