import { parseDocument } from "yaml";
import { usageError } from "../errors.js";

/** Parses policy text as JSON (by name or leading brace) or YAML; a syntax error names the file, line and column. */
export function parsePolicyText(text: string, fileName: string): unknown {
  if (fileName.endsWith(".json") || /^\s*\{/.test(text)) {
    try {
      return JSON.parse(text);
    } catch (err) {
      throw usageError(`${fileName}: not valid JSON: ${(err as Error).message}`, undefined, err);
    }
  }
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  const first = doc.errors[0];
  if (first) {
    const pos = first.linePos?.[0];
    const where = pos ? `${fileName}:${pos.line}:${pos.col}` : fileName;
    const message = (first.message.split("\n")[0] ?? first.message).replace(/ at line \d+, column \d+:?$/, "");
    throw usageError(`${where}: not valid YAML: ${message}`, undefined, first);
  }
  return doc.toJS();
}
