import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { test } from "node:test";
import { parseRetryAfter } from "../src/probe/classifyHttpError.js";
import { runAttempt, type AttemptSpec } from "../src/probe/runAttempt.js";
import { createTransport } from "../src/probe/transport.js";
import type { Scenario } from "../src/sim/scenario.js";
import { startSimulator } from "../src/sim/startSimulator.js";
import { endpointAt } from "./helpers/builders.js";

async function withSim(t: import("node:test").TestContext, scenario: Scenario) {
  const sim = await startSimulator(scenario);
  const transport = createTransport();
  t.after(async () => {
    await transport.close();
    await sim.close();
  });
  const attempt = (overrides: Partial<AttemptSpec> = {}) =>
    runAttempt(
      {
        endpoint: endpointAt(sim.url),
        model: "m",
        messages: [{ role: "user", content: "healthcheck" }],
        params: { max_tokens: 8 },
        stream: false,
        timeoutMs: 1500,
        requestId: "req-1",
        ...overrides,
      },
      transport,
    );
  return { sim, attempt };
}

// fault → expected [status, error_code] without and with streaming
const CASES: [string, [string, string | null], [string, string | null]][] = [
  ["none", ["ok", null], ["ok", null]],
  ["rate_limited", ["rate_limited", "rate_limit_exceeded"], ["rate_limited", "rate_limit_exceeded"]],
  ["server_error", ["server_error", "server_error"], ["server_error", "server_error"]],
  ["auth", ["auth", "invalid_api_key"], ["auth", "invalid_api_key"]],
  ["context_length", ["bad_request", "context_length"], ["bad_request", "context_length"]],
  ["content_filter", ["bad_request", "content_filter"], ["bad_request", "content_filter"]],
  ["reset", ["network", "reset"], ["network", "reset"]],
  ["malformed_json", ["bad_response", "invalid_json"], ["bad_response", "invalid_json"]],
  ["wrong_shape", ["bad_response", "shape"], ["bad_response", "shape"]],
  ["malformed_chunk", ["bad_response", "invalid_json"], ["bad_response", "malformed_chunk"]],
  ["stream_cut", ["truncated", "cut"], ["truncated", "cut"]],
  ["stream_stall", ["stream_stalled", "stall"], ["stream_stalled", "stall"]],
  ["length", ["truncated", "length"], ["truncated", "length"]],
  ["hang", ["timeout", "deadline"], ["timeout", "deadline"]],
];

test("every fault ends in its one status, streaming and not; nothing broken is ok", async (t) => {
  const { attempt } = await withSim(t, { unknown_models: "serve", defaults: { latency_ms: 20, tokens: 6 } });
  const expect = { contains: undefined, regex: undefined, json: false, jsonSchema: undefined, finishReason: ["stop"] };
  for (const [fault, plain, streamed] of CASES) {
    for (const [stream, want] of [
      [false, plain],
      [true, streamed],
    ] as const) {
      const headers: Record<string, string> = fault === "none" ? {} : { "x-tierwatch-fault": fault };
      const r = await attempt({ stream, headers, expect, timeoutMs: 600, stallTimeoutMs: 200 });
      assert.deepEqual([r.status, r.errorCode], want, `${fault} stream=${stream}: ${r.error}`);
    }
  }
});

test("a server that never answers: the attempt ends within its timeout plus a small margin", async (t) => {
  const { attempt } = await withSim(t, { unknown_models: "serve" });
  for (const fault of ["hang", "drip"]) {
    const started = performance.now();
    const r = await attempt({ timeoutMs: 300, headers: { "x-tierwatch-fault": fault } });
    const took = performance.now() - started;
    assert.equal(r.status, "timeout", fault);
    assert.ok(took >= 295 && took < 400, `${fault} took ${took.toFixed(0)} ms`);
  }
});

test("the headers deadline fires before the total one when set", async (t) => {
  const { attempt } = await withSim(t, { unknown_models: "serve" });
  const r = await attempt({ timeoutMs: 1000, connectTimeoutMs: 150, headers: { "x-tierwatch-fault": "hang" } });
  assert.equal(r.status, "timeout");
  assert.equal(r.errorCode, "headers");
  assert.ok(r.latencyMs < 300, String(r.latencyMs));
});

test("time to first token counts from the first content chunk, not from the headers", async (t) => {
  const { attempt } = await withSim(t, { unknown_models: "serve", defaults: { latency_ms: 300, ttft_ms: 150, tokens: 4 } });
  const r = await attempt({ stream: true });
  assert.equal(r.status, "ok");
  assert.ok(r.ttftMs !== null && r.ttftMs >= 145 && r.ttftMs < 260, `ttft ${r.ttftMs}`);
  assert.ok(r.latencyMs >= 295, `latency ${r.latencyMs}`);
  assert.equal(r.completionTokens, 4);
  assert.equal(r.content, "OK ok ok.");
});

test("a TTFT limit turns a slow first token into ttft_timeout", async (t) => {
  const { attempt } = await withSim(t, { unknown_models: "serve", defaults: { latency_ms: 800, ttft_ms: 500 } });
  const r = await attempt({ stream: true, ttftTimeoutMs: 150 });
  assert.equal(r.status, "ttft_timeout");
  assert.ok(r.latencyMs >= 145 && r.latencyMs < 300, String(r.latencyMs));
});

test("the served model comes from the response; expectations are checked", async (t) => {
  const { attempt } = await withSim(t, { unknown_models: "reject", models: { "gpt-4.1": { latency_ms: 5, served_model: "gpt-4.1-2025-04-14", content: '{"ok": true}' } } });
  const base = { contains: undefined, regex: undefined, json: false, jsonSchema: undefined, finishReason: ["stop", "length"] };
  const ok = await attempt({ model: "gpt-4.1", expect: { ...base, json: true, jsonSchema: { type: "object", required: ["ok"] } } });
  assert.equal(ok.status, "ok");
  assert.equal(ok.servedModel, "gpt-4.1-2025-04-14");
  const bad = await attempt({ model: "gpt-4.1", expect: { ...base, contains: "healthy" } });
  assert.equal(bad.status, "expectation_failed");
  const schema = await attempt({ model: "gpt-4.1", expect: { ...base, jsonSchema: { type: "object", required: ["status"] } } });
  assert.equal(schema.status, "expectation_failed");
  assert.match(schema.error ?? "", /schema/);
  const unknown = await attempt({ model: "nope" });
  assert.deepEqual([unknown.status, unknown.httpStatus, unknown.errorCode], ["bad_request", 404, "model_not_found"]);
});

test("Retry-After is read in seconds, as a date, and as retry-after-ms", async (t) => {
  const { attempt } = await withSim(t, { unknown_models: "serve", defaults: { retry_after_s: 2 } });
  const r = await attempt({ headers: { "x-tierwatch-fault": "rate_limited" } });
  assert.equal(r.retryAfterMs, 2000);
  assert.equal(parseRetryAfter("Sun, 22 Nov 2026 10:00:05 GMT", undefined, Date.parse("2026-11-22T10:00:00Z")), 5000);
  assert.equal(parseRetryAfter("1", "250", 0), 250);
  assert.equal(parseRetryAfter("soon", undefined, 0), null);
});

test("a gateway's served-by header is recorded; a refused connection is network/refused", async (t) => {
  const server = createServer((_req, res) => {
    res.writeHead(200, { "content-type": "application/json", "x-served-by": "azure-eastus/gpt-4.1" });
    res.end(JSON.stringify({ model: "gpt-4.1", choices: [{ message: { content: "ok" }, finish_reason: "stop" }] }));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const transport = createTransport();
  t.after(async () => {
    await transport.close();
    server.close();
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  const spec = { model: "gpt-4.1", messages: [{ role: "user", content: "x" }], stream: false, timeoutMs: 1000, requestId: "r" };
  const r = await runAttempt({ ...spec, endpoint: endpointAt(url) }, transport);
  assert.equal(r.status, "ok");
  assert.equal(r.servedTarget, "azure-eastus/gpt-4.1");
  const refused = await runAttempt({ ...spec, endpoint: endpointAt("http://127.0.0.1:1/v1") }, transport);
  assert.deepEqual([refused.status, refused.errorCode], ["network", "refused"]);
});

test("the simulator is deterministic for a seed", async (t) => {
  const scenario: Scenario = { models: { m: { latency_ms: { p50: 5, p95: 20 }, faults: { server_error: 0.3, rate_limited: 0.2 } } } };
  const sequence = async (seed: number) => {
    const sim = await startSimulator(scenario, { seed });
    const transport = createTransport();
    try {
      for (let i = 0; i < 30; i++) {
        await runAttempt({ endpoint: endpointAt(sim.url), model: "m", messages: [], stream: false, timeoutMs: 1000, requestId: "r" }, transport);
      }
      return sim.requests.map((r) => `${r.fault}:${r.latencyMs.toFixed(3)}`);
    } finally {
      await transport.close();
      await sim.close();
    }
  };
  const a = await sequence(42);
  assert.deepEqual(await sequence(42), a);
  assert.notDeepEqual(await sequence(43), a);
  assert.ok(a.some((x) => x.startsWith("server_error")) && a.some((x) => x.startsWith("none")));
  void t;
});
