import { parseDocument, type YAMLError } from "yaml";
import { usageError } from "../errors.js";

/** Parses policy text as JSON (by name or leading brace) or YAML; a syntax error names the file, line and column. */
export function parsePolicyText(text: string, fileName: string): unknown {
  if (fileName.endsWith(".json") || /^\s*\{/.test(text)) {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      throw usageError(`${fileName}: not valid JSON: ${(err as Error).message}`, undefined, err);
    }
    // JSON.parse keeps the last of two equal keys and drops the first without a word; JSON is YAML, whose
    // parser names the duplicate and where it is
    const duplicate = parseDocument(text, { prettyErrors: true, uniqueKeys: true }).errors.find((e) => e.code === "DUPLICATE_KEY");
    if (duplicate) throw usageError(`${where(fileName, duplicate)}: not valid JSON: ${describe(duplicate, text)}`, undefined, duplicate);
    return value;
  }
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  const first = doc.errors[0];
  if (first) throw usageError(`${where(fileName, first)}: not valid YAML: ${describe(first, text)}`, undefined, first);
  try {
    return doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (err) {
    // the yaml library refuses aliases that expand past the count (a "billion laughs" document)
    throw usageError(`${fileName}: not a usable policy: its aliases (*name) expand too far; write the repeated parts out, or use fewer aliases`, undefined, err);
  }
}

/** Aliases a policy may expand (yaml's own default, stated): a real policy uses a handful. */
const MAX_ALIAS_COUNT = 100;

function where(fileName: string, e: YAMLError): string {
  const pos = e.linePos?.[0];
  return pos ? `${fileName}:${pos.line}:${pos.col}` : fileName;
}

/** The parser's first line, and for a duplicate key the key itself (which the parser leaves to its excerpt). */
function describe(e: YAMLError, text: string): string {
  const message = (e.message.split("\n")[0] ?? e.message).replace(/ at line \d+, column \d+:?$/, "");
  const pos = e.linePos?.[0];
  if (e.code !== "DUPLICATE_KEY" || !pos) return message;
  const at = (text.split("\n")[pos.line - 1] ?? "").slice(pos.col - 1);
  const key = /^"((?:[^"\\]|\\.)*)"/.exec(at)?.[1] ?? /^'([^']*)'/.exec(at)?.[1] ?? /^([^:#]+?)\s*:/.exec(at)?.[1];
  return key === undefined ? message : `the key ${JSON.stringify(key)} appears twice in the same mapping; keep one`;
}
