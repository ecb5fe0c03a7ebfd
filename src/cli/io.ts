/** What a command may touch of the outside world; the entry point passes the real process, tests pass fakes. */
export interface CliIo {
  stdout: { write(text: string): unknown; isTTY?: boolean; columns?: number };
  stderr: { write(text: string): unknown; isTTY?: boolean; columns?: number };
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
  /** aborts when standard output's reader has gone (`tierwatch probe --every 1m --format json | head`) */
  outputClosed?: AbortSignal;
}

/** The real process's streams, environment and directory. */
export function processIo(): CliIo {
  const stdoutClosed = new AbortController();
  return {
    stdout: closedPipeIgnored(process.stdout, () => stdoutClosed.abort()),
    stderr: closedPipeIgnored(process.stderr),
    env: process.env,
    cwd: process.cwd(),
    outputClosed: stdoutClosed.signal,
  };
}

// A reader that stops early (`tierwatch report | head`) closes the pipe: what is written after that is
// dropped, and the command ends with its own exit code (a gate's verdict survives a pipe), not a stack
// trace; a monitor stops after its round (`onClosed`).
function closedPipeIgnored<T extends NodeJS.WriteStream>(stream: T, onClosed?: () => void): T {
  stream.on("error", (err: NodeJS.ErrnoException) => {
    if (err.code !== "EPIPE" && err.code !== "ERR_STREAM_DESTROYED") throw err;
    onClosed?.();
  });
  return stream;
}

/** Narrower than this, a terminal cannot show a spinner's line (a pseudo-terminal with 0 columns has none). */
const MIN_SPINNER_COLUMNS = 20;

/**
 * True when progress and colour are for a person: stderr is a terminal of usable width and CI is unset.
 * A terminal that reports no width (some CI runners' pseudo-terminals) gets no spinner: redrawing a line
 * of zero columns never ends.
 */
export function interactive(io: CliIo): boolean {
  return io.stderr.isTTY === true && (io.stderr.columns ?? 0) >= MIN_SPINNER_COLUMNS && !io.env.CI;
}

/**
 * The width tables fit: the terminal's, or COLUMNS when set (`COLUMNS=100 tierwatch report | less`);
 * none otherwise (a file or a pipe gets every column).
 */
export function tableWidth(io: CliIo): number | undefined {
  const fromEnv = Number(io.env.COLUMNS);
  if (Number.isInteger(fromEnv) && fromEnv > 0) return fromEnv;
  return io.stdout.isTTY && io.stdout.columns ? io.stdout.columns : undefined;
}
