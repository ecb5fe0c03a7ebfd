import { spawn, type ChildProcess } from "node:child_process";
import { writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { BIN } from "../helpers/runCli.js";

/** Starts `tierwatch mock` in its own process (so client and server do not share an event loop); resolves its URL. */
export async function startMockProcess(scenario: object): Promise<{ url: string; child: ChildProcess; stop(): void }> {
  const file = path.join(os.tmpdir(), `tierwatch-bench-${process.pid}-${Date.now()}.json`);
  await writeFile(file, JSON.stringify(scenario));
  const child = spawn(process.execPath, [BIN, "mock", "--scenario", file, "--port", "0"], { stdio: ["ignore", "pipe", "inherit"] });
  const url = await new Promise<string>((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (d) => {
      out += d;
      const line = out.split("\n")[0];
      if (out.includes("\n") && line) resolve(line.trim());
    });
    child.once("exit", (code) => reject(new Error(`mock exited with ${code}`)));
  });
  return { url, child, stop: () => child.kill("SIGTERM") };
}
