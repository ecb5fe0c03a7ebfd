import { diffArrays } from "diff";

// A line as the comparison sees it: its indentation as it is, the rest with each run of spaces as one
// and no trailing space (what a YAML writer re-spaces: a comment's gap, a value's trailing blank).
const shape = (line: string) => {
  const indent = /^[ \t]*/.exec(line)![0];
  return indent + line.slice(indent.length).replace(/[ \t]+/g, " ").trimEnd();
};

/**
 * `after` (a file rewritten by a serializer) with every line that only the serializer's spacing changed
 * given back its bytes from `before`: lines are aligned by their shape, and each aligned pair keeps the
 * original. Lines that really changed, moved or are new come from `after`.
 */
export function keepUnchangedLines(before: string, after: string): string {
  const a = before.split("\n");
  const b = after.split("\n");
  const out: string[] = [];
  let i = 0;
  let j = 0;
  for (const part of diffArrays(a.map(shape), b.map(shape))) {
    const n = part.count ?? part.value.length;
    if (part.added) {
      out.push(...b.slice(j, j + n));
      j += n;
    } else if (part.removed) i += n;
    else {
      out.push(...a.slice(i, i + n));
      i += n;
      j += n;
    }
  }
  return out.join("\n");
}
