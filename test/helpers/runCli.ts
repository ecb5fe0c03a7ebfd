import { spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { main } from "../../src/cli/main.js";

export const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../bin/tierwatch.js");

/** What a CLI run printed and returned. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in-process with captured output, a given environment and directory. */
export async function runCli(args: string[], options: { env?: Record<string, string | undefined>; cwd: string }): Promise<CliRun> {
  let stdout = "";
  let stderr = "";
  const code = await main(["node", "tierwatch", ...args], {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    env: options.env ?? {},
    cwd: options.cwd,
  });
  return { code, stdout, stderr };
}

/** Runs the real bin in a child process (for signals, concurrency and exit codes as a shell sees them). */
export function spawnCli(args: string[], options: { env?: Record<string, string | undefined>; cwd: string; timeoutMs?: number; uid?: number; gid?: number }): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: options.cwd,
      env: { PATH: process.env.PATH, ...options.env } as NodeJS.ProcessEnv,
      stdio: ["ignore", "pipe", "pipe"],
      ...(options.uid === undefined ? {} : { uid: options.uid, gid: options.gid ?? options.uid }),
    });
    // a child that hangs is killed, so that the test fails instead of waiting forever
    const killer = options.timeoutMs === undefined ? undefined : setTimeout(() => child.kill("SIGKILL"), options.timeoutMs);
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(killer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}
