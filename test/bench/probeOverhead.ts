import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { runAttempt } from "../../src/probe/runAttempt.js";
import { createTransport } from "../../src/probe/transport.js";
import { warmUp } from "../../src/probe/warmUp.js";
import { endpointAt } from "../helpers/builders.js";
import { medianP99 } from "./stats.js";
import { startMockProcess } from "./startMockProcess.js";

const run = promisify(execFile);
const DELAY_MS = 50;

/**
 * Timing overhead: what tierwatch records minus the simulator's injected delay, against
 * curl -w '%{time_total}' to the same server, interleaved one by one in the same run.
 */
export async function probeOverhead(n = 500): Promise<string> {
  const mock = await startMockProcess({ unknown_models: "serve", defaults: { latency_ms: DELAY_MS } });
  const transport = createTransport();
  const endpoint = endpointAt(mock.url);
  const body = JSON.stringify({ model: "m", messages: [{ role: "user", content: "healthcheck" }], max_tokens: 8 });
  const tw: number[] = [];
  const curl: number[] = [];
  try {
    await warmUp([endpoint], 1, transport);
    const viaTierwatch = async (i: number) => {
      const r = await runAttempt(
        { endpoint, model: "m", messages: [{ role: "user", content: "healthcheck" }], params: { max_tokens: 8 }, stream: false, timeoutMs: 5000, requestId: `b${i}` },
        transport,
      );
      if (r.status !== "ok") throw new Error(`attempt ${i}: ${r.status} ${r.error}`);
      tw.push(r.latencyMs - DELAY_MS);
    };
    const viaCurl = async () => {
      const { stdout } = await run("curl", ["-s", "-o", "/dev/null", "-w", "%{time_total}", "-X", "POST", "-H", "content-type: application/json", "-d", body, `${mock.url}/chat/completions`]);
      curl.push(Number(stdout) * 1000 - DELAY_MS);
    };
    // alternate who goes first, so neither gets a systematic advantage from the other's wake-up
    for (let i = 0; i < n; i++) {
      if (i % 2 === 0) {
        await viaTierwatch(i);
        await viaCurl();
      } else {
        await viaCurl();
        await viaTierwatch(i);
      }
    }
  } finally {
    await transport.close();
    mock.stop();
  }
  const a = medianP99(tw);
  const b = medianP99(curl);
  return [
    `probe timing overhead (measured − ${DELAY_MS} ms injected), ${n} requests each, interleaved:`,
    `  tierwatch   median ${a.median.toFixed(2)} ms   p99 ${a.p99.toFixed(2)} ms`,
    `  curl        median ${b.median.toFixed(2)} ms   p99 ${b.p99.toFixed(2)} ms`,
    `  ratio tierwatch/curl: median ${(a.median / b.median).toFixed(2)}, p99 ${(a.p99 / b.p99).toFixed(2)}`,
  ].join("\n");
}
