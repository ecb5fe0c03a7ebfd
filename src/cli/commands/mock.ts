import path from "node:path";
import { loadScenario } from "../../sim/loadScenario.js";
import { usageError } from "../../errors.js";
import { startSimulator } from "../../sim/startSimulator.js";
import type { CliIo } from "../io.js";

export interface MockOptions {
  scenario: string;
  port: number;
  host: string;
  seed?: number;
}

/** `tierwatch mock`: serves the fault-injecting simulator until SIGINT or SIGTERM. */
export async function mockCommand(opts: MockOptions, io: CliIo): Promise<number> {
  const file = path.resolve(io.cwd, opts.scenario);
  const scenario = await loadScenario(file);
  const sim = await startSimulator(scenario, { port: opts.port, host: opts.host, seed: opts.seed }).catch((err: NodeJS.ErrnoException) => {
    const where = `${opts.host}:${opts.port}`;
    if (err.code === "EADDRINUSE") throw usageError(`${where} is already in use; pick another --port (0 takes a free one)`, undefined, err);
    if (err.code === "EACCES") throw usageError(`${where}: no permission to listen there (ports below 1024 need privileges); pick another --port`, undefined, err);
    if (err.code === "EADDRNOTAVAIL" || err.code === "ENOTFOUND") throw usageError(`${opts.host} is not an address of this machine; pass --host 127.0.0.1 or another local address`, undefined, err);
    throw err;
  });
  io.stdout.write(`${sim.url}\n`);
  io.stderr.write(
    `tierwatch mock: OpenAI-compatible simulator on ${sim.url} (scenario ${opts.scenario}, seed ${opts.seed ?? scenario.seed ?? 1}); Ctrl-C stops it\n` +
      `  point a policy at it: base_url: ${sim.url}   (force a fault per request with the header x-tierwatch-fault: hang)\n`,
  );
  await new Promise<void>((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  await sim.close();
  io.stderr.write(`tierwatch mock: stopped after ${sim.requests.length} request(s)\n`);
  return 0;
}
