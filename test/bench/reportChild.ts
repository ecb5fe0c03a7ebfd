// Child process: `tierwatch report DIR --by region,model --format json` in-process; prints its groups,
// wall time and peak RSS (threads included: they share the process).
import { readFileSync } from "node:fs";
import { main } from "../../src/cli/main.js";

const dir = process.argv[2]!;
const started = performance.now();
let out = "";
const code = await main(["node", "tierwatch", "report", dir, "--by", "region,model", "--format", "json"], {
  stdout: { write: (s: string) => (out += s) },
  stderr: { write: (s: string) => process.stderr.write(s) },
  env: {},
  cwd: process.cwd(),
});
const wallMs = performance.now() - started;
const hwm = Number(/VmHWM:\s+(\d+)/.exec(readFileSync("/proc/self/status", "utf8"))?.[1] ?? 0) * 1024;
if (code !== 0) process.exit(code);
process.stdout.write(JSON.stringify({ wallMs, hwm, rows: JSON.parse(out).groups }));
