import { constants } from "node:fs";
import { access, readdir, stat } from "node:fs/promises";
import path from "node:path";
import { isatty } from "node:tty";
import { inputError, ioError } from "../errors.js";
import { STDIN } from "./stdin.js";

const GLOB = /[*?[]/;

function globToRegExp(segment: string): RegExp {
  let re = "";
  for (const ch of segment) {
    if (ch === "*") re += "[^/]*";
    else if (ch === "?") re += "[^/]";
    else re += ch.replace(/[.+^${}()|\\\]]/g, "\\$&");
  }
  return new RegExp(`^${re}$`);
}

/**
 * Expands files, directories (their *.jsonl and *.jsonl.gz files) and globs (`*`, `?`, `**`) into a
 * sorted list of files; `-` is standard input (`some-tool | tierwatch report -`), read after the files.
 */
export async function expandInputs(inputs: readonly string[], cwd: string, stdinIsTerminal = isatty(0)): Promise<string[]> {
  const files = new Set<string>();
  let readStdin = false;
  for (const input of inputs) {
    if (input === "-") {
      if (stdinIsTerminal) throw ioError("- reads records from standard input, which is a terminal here; pipe them in (cat app.jsonl | tierwatch report -)");
      if (process.platform === "win32") throw ioError("- (standard input) is not supported on Windows; pass a records file");
      readStdin = true;
      continue;
    }
    const abs = path.resolve(cwd, input);
    if (GLOB.test(input)) {
      const matched = await expandGlob(abs);
      if (matched.length === 0) throw ioError(`no file matches ${input}`);
      for (const f of matched) files.add(f);
      continue;
    }
    let st;
    try {
      st = await stat(abs);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw unreadable(abs, "cannot be reached", err);
      throw ioError(`${input} does not exist (pass a records file, a data directory or a glob such as 'data/*.jsonl')`, err);
    }
    if (st.isDirectory()) {
      for (const f of await jsonlFilesIn(abs)) files.add(f);
    } else files.add(abs);
  }
  const sorted = [...files].sort();
  // a file that cannot be read is named now, before any is read: its records would otherwise be missing from the answer
  for (const f of sorted) {
    try {
      await access(f, constants.R_OK);
    } catch (err) {
      throw unreadable(f, "cannot be read", err);
    }
  }
  return [...sorted, ...(readStdin ? [STDIN] : [])];
}

/** An input that exists but cannot be read or listed (exit 3), named as the CLI names inputs. */
function unreadable(file: string, what: string, cause: unknown): Error {
  const code = (cause as NodeJS.ErrnoException).code ?? "error";
  const why = code === "EACCES" || code === "EPERM" ? `permission denied (${code})` : code;
  return inputError(file, (name) => `${name} ${what}: ${why}; check its permissions (ls -ld), or run tierwatch as a user who may read it`, cause);
}

async function jsonlFilesIn(dir: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    throw unreadable(dir, "cannot be listed", err);
  }
  return entries.filter((e) => e.isFile() && /\.jsonl(\.gz)?$/.test(e.name)).map((e) => path.join(dir, e.name)).sort();
}

async function expandGlob(pattern: string): Promise<string[]> {
  const segments = pattern.split(path.sep);
  const firstGlob = segments.findIndex((s) => GLOB.test(s));
  const root = segments.slice(0, firstGlob).join(path.sep) || path.sep;
  const out: string[] = [];
  const walk = async (dir: string, rest: string[]): Promise<void> => {
    const [seg, ...tail] = rest;
    if (seg === undefined) return;
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (err) {
      // a directory the pattern reaches but may not list would hide its records: say so
      const code = (err as NodeJS.ErrnoException).code;
      if (code === "EACCES" || code === "EPERM") throw unreadable(dir, "cannot be listed", err);
      return;
    }
    if (seg === "**") {
      await walk(dir, tail);
      for (const e of entries) if (e.isDirectory()) await walk(path.join(dir, e.name), rest);
      return;
    }
    const re = globToRegExp(seg);
    for (const e of entries) {
      if (!re.test(e.name)) continue;
      const p = path.join(dir, e.name);
      if (tail.length === 0) {
        if (e.isFile()) out.push(p);
      } else if (e.isDirectory()) await walk(p, tail);
    }
  };
  await walk(root, segments.slice(firstGlob));
  return [...new Set(out)].sort();
}
