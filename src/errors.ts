/** Documented exit codes; only the CLI entry point turns them into a process exit. */
export const ExitCode = {
  ok: 0,
  /** a check failed: a gate threshold, lint warnings under --strict, bad lines under --strict */
  checkFailed: 1,
  /** the command line or the policy is wrong; nothing was sent */
  usage: 2,
  /** a file or directory could not be read or written */
  io: 3,
  /** not enough data to answer: an empty window, too few samples */
  noData: 4,
  /** another tierwatch monitor holds the data directory's lock */
  busy: 5,
  /** a bug in tierwatch */
  internal: 70,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** One problem found in an input, with the path to it (`chains.default.tiers[1].timeout_ms`). */
export interface Problem {
  path: string;
  message: string;
  severity: "error" | "warning";
}

/** The one error type tierwatch throws on purpose: a self-describing message, an exit code, the cause. */
export class TierwatchError extends Error {
  readonly exitCode: ExitCodeValue;
  readonly problems: readonly Problem[];
  /** the message for an input file named another way (the CLI names inputs relative to its directory); the message names it by its path */
  readonly naming?: { file: string; describe: (name: string) => string };

  constructor(
    message: string,
    options: { exitCode: ExitCodeValue; cause?: unknown; problems?: readonly Problem[]; naming?: { file: string; describe: (name: string) => string } },
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "TierwatchError";
    this.exitCode = options.exitCode;
    this.problems = options.problems ?? [];
    if (options.naming) this.naming = options.naming;
  }
}

/** A wrong command line or policy (exit 2). */
export function usageError(message: string, problems?: readonly Problem[], cause?: unknown): TierwatchError {
  return new TierwatchError(message, { exitCode: ExitCode.usage, problems, cause });
}

/** A file or directory that could not be read or written (exit 3). */
export function ioError(message: string, cause?: unknown): TierwatchError {
  return new TierwatchError(message, { exitCode: ExitCode.io, cause });
}

/** An input file that could not be read (exit 3): `describe` words the message around the file's name. */
export function inputError(file: string, describe: (name: string) => string, cause?: unknown): TierwatchError {
  return new TierwatchError(describe(file), { exitCode: ExitCode.io, cause, naming: { file, describe } });
}

/** Too little data to answer (exit 4). */
export function noDataError(message: string): TierwatchError {
  return new TierwatchError(message, { exitCode: ExitCode.noData });
}

/** Formats a problem as one line: `path: message`. */
export function formatProblem(p: Problem): string {
  return `${p.path}: ${p.message}`;
}
