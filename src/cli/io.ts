/** What a command may touch of the outside world; the entry point passes the real process, tests pass fakes. */
export interface CliIo {
  stdout: { write(text: string): unknown; isTTY?: boolean };
  stderr: { write(text: string): unknown; isTTY?: boolean };
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
}

/** The real process's streams, environment and directory. */
export function processIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() };
}

/** True when progress and colour are for a person: stderr is a terminal and NO_COLOR/CI are unset. */
export function interactive(io: CliIo): boolean {
  return io.stderr.isTTY === true && !io.env.CI;
}
