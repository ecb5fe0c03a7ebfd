import { request } from "undici";
import { createFallbackClient } from "../../src/client/createFallbackClient.js";
import { createTransport } from "../../src/probe/transport.js";
import { medianP99 } from "./stats.js";
import { startMockProcess } from "./startMockProcess.js";

/**
 * The fallback engine's added cost: wall time of client.complete() (policy, breakers, retries armed,
 * no record sink) against a direct undici request() + JSON.parse to the same loopback server,
 * alternating one by one. Goal: ≤ 0.2 ms added at the median.
 */
export async function engineOverhead(n = 2000): Promise<string> {
  const mock = await startMockProcess({ unknown_models: "serve", defaults: { latency_ms: 0 } });
  const transport = createTransport();
  const client = createFallbackClient(
    {
      version: 1,
      endpoints: { sim: { base_url: mock.url } },
      chains: {
        main: { tiers: [{ model: "a" }, { model: "b" }] },
        // a pool of 4: the pick by weight and the member order on every request
        pool: { tiers: [{ members: ["a", "a2", "a3", "a4"].map((model, i) => ({ model, weight: 4 - i })) }, { model: "b" }] },
      },
    },
    { env: {}, transport },
  );
  const body = JSON.stringify({ model: "a", messages: [{ role: "user", content: "hi" }], max_tokens: 8 });
  const direct: number[] = [];
  const engine: number[] = [];
  const pooled: number[] = [];
  const viaDirect = async () => {
    const s = performance.now();
    const res = await request(`${mock.url}/chat/completions`, { dispatcher: transport.dispatcher, method: "POST", headers: { "content-type": "application/json" }, body });
    const json = (await res.body.json()) as { choices: { message: { content: string } }[] };
    if (!json.choices[0]?.message.content) throw new Error("no content");
    direct.push(performance.now() - s);
  };
  const viaEngine = async () => {
    const s = performance.now();
    const r = await client.complete({ chain: "main", messages: [{ role: "user", content: "hi" }], max_tokens: 8 });
    if (!r.content) throw new Error("no content");
    engine.push(performance.now() - s);
  };
  const viaPool = async () => {
    const s = performance.now();
    const r = await client.complete({ chain: "pool", messages: [{ role: "user", content: "hi" }], max_tokens: 8 });
    if (!r.content) throw new Error("no content");
    pooled.push(performance.now() - s);
  };
  try {
    for (let i = 0; i < 200; i++) await Promise.all([viaDirect(), viaEngine(), viaPool()]); // warm every path and the JIT
    direct.length = 0;
    engine.length = 0;
    pooled.length = 0;
    for (let i = 0; i < n; i++) {
      if (i % 2 === 0) {
        await viaDirect();
        await viaEngine();
        await viaPool();
      } else {
        await viaPool();
        await viaEngine();
        await viaDirect();
      }
    }
  } finally {
    await client.close();
    await transport.close();
    mock.stop();
  }
  const a = medianP99(direct);
  const b = medianP99(engine);
  const c = medianP99(pooled);
  return [
    `fallback engine overhead, ${n} calls each, interleaved, simulator with no delay in its own process:`,
    `  direct undici request   median ${a.median.toFixed(3)} ms   p99 ${a.p99.toFixed(3)} ms`,
    `  client.complete()       median ${b.median.toFixed(3)} ms   p99 ${b.p99.toFixed(3)} ms`,
    `  added at the median: ${(b.median - a.median).toFixed(3)} ms (ratio ${(b.median / a.median).toFixed(2)})`,
    `  client.complete(), tier 1 a weighted pool of 4: median ${c.median.toFixed(3)} ms   p99 ${c.p99.toFixed(3)} ms; added ${(c.median - a.median).toFixed(3)} ms (goal ≤ 0.2)`,
  ].join("\n");
}
