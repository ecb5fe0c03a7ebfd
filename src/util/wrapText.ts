/**
 * Text wrapped at word boundaries to `width` columns: a line longer than that continues on lines
 * indented by `hang` spaces more than its own indentation (a hanging indent), or by `hang` exactly when
 * it is given as a string. A word longer than the room keeps a line of its own. Without a width
 * (a file or a pipe), the text as it is.
 */
export function wrapText(text: string, width: number | undefined, hang: number | string = 2): string {
  if (width === undefined) return text;
  return text
    .split("\n")
    .map((line) => wrapLine(line, width, hang))
    .join("\n");
}

function wrapLine(line: string, width: number, hang: number | string): string {
  if (line.length <= width) return line;
  const indent = /^ */.exec(line)![0];
  const next = typeof hang === "string" ? hang : indent + " ".repeat(hang);
  const words = line.slice(indent.length).split(" ");
  const lines: string[] = [];
  let current = indent;
  let fresh = true;
  for (const word of words) {
    if (!fresh && current.length + 1 + word.length > width) {
      lines.push(current);
      current = next + word;
    } else current = fresh ? current + word : `${current} ${word}`;
    fresh = false;
  }
  lines.push(current);
  return lines.join("\n");
}
