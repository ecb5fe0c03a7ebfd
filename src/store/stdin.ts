import path from "node:path";

/** What `-` among the inputs reads: standard input, named as a path (readers use its descriptor, 0). */
export const STDIN = "/dev/stdin";

/** An input as messages show it: relative to `cwd`, standard input as `<stdin>`. */
export function shownInput(file: string, cwd: string): string {
  return file === STDIN ? "<stdin>" : path.relative(cwd, file) || file;
}
