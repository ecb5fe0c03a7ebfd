import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { test, type TestContext } from "node:test";
import { AllTiersFailedError, createFallbackClient, type FallbackClient, type StreamEvent } from "../src/index.js";
import { backoffDelay } from "../src/fallback/backoffDelay.js";
import { breakerAdmit, breakerRecord } from "../src/fallback/breaker.js";
import { CLOSED } from "../src/model/breakerState.js";
import type { Scenario } from "../src/sim/scenario.js";
import { startSimulator, type Simulator } from "../src/sim/startSimulator.js";
import { tempDir } from "./helpers/tempDir.js";

type TierDoc = Record<string, unknown> & { model: string };

async function setup(t: TestContext, scenario: Scenario, tiers: TierDoc[], chain: Record<string, unknown> = {}, options: Parameters<typeof createFallbackClient>[1] = {}) {
  const sim = await startSimulator(scenario);
  const client = createFallbackClient(
    { version: 1, endpoints: { sim: { base_url: sim.url } }, chains: { main: { tiers, ...chain } } },
    { env: {}, ...options },
  );
  t.after(async () => {
    await client.close();
    await sim.close();
  });
  return { sim, client };
}

const ask = (client: FallbackClient, extra: Record<string, unknown> = {}) => client.complete({ messages: [{ role: "user", content: "hi" }], max_tokens: 8, ...extra });
const times = (sim: Simulator, model: string) => sim.requests.filter((r) => r.model === model).map((r) => r.at);

test("429 with Retry-After: 1 → the retry comes at least 1 s later, then succeeds", async (t) => {
  const { sim, client } = await setup(
    t,
    { models: { a: { latency_ms: 5, retry_after_s: 1, phases: [{ requests: [0, 1], faults: { rate_limited: 1 } }] }, b: { latency_ms: 5 } } },
    [{ model: "a", timeout_ms: 2000 }, { model: "b", timeout_ms: 2000 }],
    { retry: { max_attempts: 2, base_delay_ms: 10, max_delay_ms: 50 } },
  );
  const r = await ask(client);
  assert.equal(r.tier, 1);
  assert.deepEqual(r.attempts.map((a) => [a.tier, a.attempt, a.status]), [[1, 1, "rate_limited"], [1, 2, "ok"]]);
  const [first, second] = times(sim, "a");
  assert.ok(second! - first! >= 990, `retry after ${(second! - first!).toFixed(0)} ms`);
});

test("a Retry-After longer than max_retry_after_ms fails over at once", async (t) => {
  const { sim, client } = await setup(
    t,
    { models: { a: { latency_ms: 5, retry_after_s: 30, faults: { rate_limited: 1 } }, b: { latency_ms: 5 } } },
    [{ model: "a" }, { model: "b" }],
    { retry: { max_attempts: 3, max_retry_after_ms: 5000 } },
  );
  const started = performance.now();
  const r = await ask(client);
  assert.equal(r.tier, 2);
  assert.equal(times(sim, "a").length, 1, "no retry on a");
  assert.ok(performance.now() - started < 500);
});

test("persistent 429 without Retry-After: jittered backoff, max_attempts attempts, then fail over", async (t) => {
  const { sim, client } = await setup(
    t,
    { models: { a: { latency_ms: 1, faults: { rate_limited: 1 } }, b: { latency_ms: 1 } } },
    [{ model: "a" }, { model: "b" }],
    { retry: { max_attempts: 4, base_delay_ms: 40, max_delay_ms: 100 } },
  );
  const r = await ask(client);
  assert.equal(r.tier, 2);
  assert.equal(r.fallback, true);
  const ta = times(sim, "a");
  assert.equal(ta.length, 4);
  // gaps are ≤ the backoff ceilings 40, 80, 100 (plus scheduling slack), and jitter makes them differ
  const gaps = ta.slice(1).map((x, i) => x - ta[i]!);
  [40, 80, 100].forEach((ceiling, i) => assert.ok(gaps[i]! <= ceiling + 25, `gap ${i} = ${gaps[i]}`));
  const rand = [0.1, 0.9];
  assert.equal(backoffDelay(1, { baseDelayMs: 40, maxDelayMs: 100, jitter: "full" }, () => rand[0]!), 8);
  assert.equal(backoffDelay(5, { baseDelayMs: 40, maxDelayMs: 100, jitter: "none" }, Math.random), 100);
});

test("a provider that never answers: one attempt (never retried), the call ends inside its budget", async (t) => {
  const { sim, client } = await setup(
    t,
    { models: { a: { faults: { hang: 1 } }, b: { latency_ms: 5 } } },
    [{ model: "a", timeout_ms: 300 }, { model: "b", timeout_ms: 300 }],
    { retry: { max_attempts: 3 } },
  );
  const started = performance.now();
  const r = await ask(client);
  const took = performance.now() - started;
  assert.equal(r.tier, 2);
  assert.deepEqual(r.attempts.map((a) => a.status), ["timeout", "ok"]);
  assert.equal(times(sim, "a").length, 1);
  assert.ok(took >= 295 && took < 450, `took ${took.toFixed(0)} ms`);
});

test("the chain deadline bounds everything; exhaustion rejects with every attempt", async (t) => {
  const { client } = await setup(
    t,
    { models: { a: { faults: { hang: 1 } }, b: { faults: { hang: 1 } }, c: { faults: { hang: 1 } } } },
    [{ model: "a", timeout_ms: 250 }, { model: "b", timeout_ms: 250 }, { model: "c", timeout_ms: 250 }],
    { deadline_ms: 400 },
  );
  const started = performance.now();
  await assert.rejects(ask(client), (err: AllTiersFailedError) => {
    assert.ok(err instanceof AllTiersFailedError);
    assert.match(err.message, /^(All model tiers failed: timeout|the chain's 400 ms deadline)/);
    assert.deepEqual(err.attempts.slice(0, 2).map((a) => a.tier), [1, 2]);
    assert.ok(err.attempts.every((a) => a.status === "timeout"));
    return true;
  });
  assert.ok(performance.now() - started < 550);
});

test("stream cut after 40 of 60 tokens: no success from that tier, a restart, the next tier answers", async (t) => {
  const words = Array.from({ length: 60 }, (_, i) => `w${i} `).join("");
  const { client } = await setup(
    t,
    { models: { a: { latency_ms: 120, ttft_ms: 5, content: words, faults: { stream_cut: 1 } }, b: { latency_ms: 20, content: "fine" } } },
    [{ model: "a" }, { model: "b" }],
  );
  const events: StreamEvent[] = [];
  for await (const e of client.stream({ messages: [{ role: "user", content: "hi" }] })) events.push(e);
  const fromA = events.filter((e) => e.type === "token" && e.tier === 1).length;
  assert.equal(fromA, 40);
  const restart = events.find((e) => e.type === "restart");
  assert.ok(restart && restart.type === "restart" && restart.tier === 1 && /truncated/.test(restart.reason));
  const done = events.at(-1);
  assert.ok(done?.type === "done");
  assert.equal(done.result.tier, 2);
  assert.equal(done.result.content, "fine");
  assert.deepEqual(done.result.attempts.map((a) => a.status), ["truncated", "ok"]);
});

test("a stalled stream is detected within the stall limit and fails over", async (t) => {
  const { client } = await setup(
    t,
    { models: { a: { latency_ms: 60, ttft_ms: 5, tokens: 9, faults: { stream_stall: 1 } }, b: { latency_ms: 10 } } },
    [{ model: "a", stall_timeout_ms: 150, timeout_ms: 5000 }, { model: "b" }],
  );
  const started = performance.now();
  let result;
  for await (const e of client.stream({ messages: [{ role: "user", content: "hi" }] })) if (e.type === "done") result = e.result;
  assert.equal(result?.tier, 2);
  assert.equal(result?.attempts[0]?.status, "stream_stalled");
  assert.ok(performance.now() - started < 400);
});

test("a 400 context length: one attempt on that model, tiers with no larger window are skipped", async (t) => {
  const { sim, client } = await setup(
    t,
    { models: { a: { faults: { context_length: 1 } }, b: { latency_ms: 5 }, c: { latency_ms: 5 } } },
    [{ model: "a", context_window: 8000 }, { model: "b", context_window: 8000 }, { model: "c", context_window: 128000 }],
    { retry: { max_attempts: 3 } },
  );
  const r = await ask(client);
  assert.equal(r.tier, 3);
  assert.deepEqual(r.attempts.map((a) => [a.tier, a.status]), [[1, "bad_request"], [2, "skipped"], [3, "ok"]]);
  assert.equal(times(sim, "a").length, 1);
  assert.equal(times(sim, "b").length, 0);
});

test("a content filter stops the chain and carries the provider's reason; auth fails over and is flagged", async (t) => {
  const { client } = await setup(t, { models: { a: { faults: { content_filter: 1 } }, b: { latency_ms: 5 } } }, [{ model: "a" }, { model: "b" }]);
  await assert.rejects(ask(client), (err: AllTiersFailedError) => {
    assert.match(err.message, /content management policy/);
    assert.equal(err.attempts.length, 1);
    return true;
  });
  const second = await setup(t, { models: { a: { faults: { auth: 1 } }, b: { latency_ms: 5 } } }, [{ model: "a" }, { model: "b" }]);
  const r = await ask(second.client);
  assert.equal(r.tier, 2);
  assert.match(r.warnings[0] ?? "", /tier 1 \(a\) refused the credentials/);
});

test("the request id and metadata headers travel with every attempt", async (t) => {
  const { sim, client } = await setup(
    t,
    { models: { a: { faults: { server_error: 1 } }, b: { latency_ms: 5 } } },
    [{ model: "a" }, { model: "b" }],
    { retry: { max_attempts: 2, base_delay_ms: 1, max_delay_ms: 2 } },
    { headers: { "x-user": "u-42" } },
  );
  const r = await ask(client, { requestId: "req-abc", headers: { "x-session": "s-7" } });
  assert.equal(r.request_id, "req-abc");
  assert.equal(sim.requests.length, 3);
  for (const req of sim.requests) {
    assert.equal(req.headers["x-request-id"], "req-abc");
    assert.equal(req.headers["x-user"], "u-42");
    assert.equal(req.headers["x-session"], "s-7");
  }
});

test("hedging: when tier 1 is slow, tier 2 starts and the faster answer wins; the loser is cancelled", async (t) => {
  const { sim, client } = await setup(
    t,
    { models: { a: { latency_ms: 600 }, b: { latency_ms: 50 } } },
    [{ model: "a" }, { model: "b" }],
    { hedge_after_ms: 100 },
  );
  const started = performance.now();
  const r = await ask(client);
  const took = performance.now() - started;
  assert.equal(r.tier, 2);
  assert.ok(took >= 140 && took < 400, `took ${took.toFixed(0)} ms`);
  assert.deepEqual(r.attempts.map((a) => [a.tier, a.status]).sort(), [[1, "skipped"], [2, "ok"]]);
  assert.ok(times(sim, "b")[0]! - times(sim, "a")[0]! >= 95);
});

test("breaker state machine: opens at the threshold, one trial after the cooldown, closes on success", () => {
  const spec = { enabled: true, failureThreshold: 3, cooldownMs: 1000 };
  let s = CLOSED;
  for (let i = 0; i < 2; i++) s = breakerRecord(s, spec, "server_error", 0);
  assert.equal(s.state, "closed");
  s = breakerRecord(s, spec, "timeout", 10);
  assert.equal(s.state, "open");
  assert.equal(breakerAdmit(s, spec, 500).allow, false);
  const trial = breakerAdmit(s, spec, 1010);
  assert.deepEqual([trial.allow, trial.next.state], [true, "half_open"]);
  assert.equal(breakerAdmit(trial.next, spec, 1020).allow, false, "one trial at a time");
  assert.equal(breakerRecord(trial.next, spec, "server_error", 1030).state, "open");
  assert.deepEqual(breakerRecord(trial.next, spec, "ok", 1030), CLOSED);
  assert.equal(breakerRecord(CLOSED, spec, "bad_request", 0).failures, 0, "a bad request says nothing about health");
});

test("records from the library land where report reads them, as chain runs", async (t) => {
  const dir = await tempDir(t);
  const { client } = await setup(
    t,
    { models: { a: { latency_ms: 5, faults: { server_error: 1 } }, b: { latency_ms: 5 } } },
    [{ model: "a", price: { input_per_mtok: 1, output_per_mtok: 2 } }, { model: "b", price: { input_per_mtok: 1, output_per_mtok: 2 } }],
    { retry: { max_attempts: 1 } },
    { sink: { dir } },
  );
  await ask(client);
  await ask(client);
  await client.close();
  const files = (await import("node:fs/promises")).readdir(dir);
  const text = await readFile(path.join(dir, (await files).find((f) => f.endsWith(".jsonl"))!), "utf8");
  const recs = text.trim().split("\n").map((l) => JSON.parse(l));
  assert.deepEqual(recs.map((r) => [r.kind, r.origin, r.tier, r.status]), [
    ["probe", "app", 1, "server_error"],
    ["probe", "app", 2, "ok"],
    ["chain", "app", 2, "ok"],
    ["probe", "app", 1, "server_error"],
    ["probe", "app", 2, "ok"],
    ["chain", "app", 2, "ok"],
  ]);
  const chain = recs[2];
  assert.deepEqual([chain.served_tier, chain.fallback, chain.attempt], [2, true, 2]);
  assert.ok(chain.cost_usd > 0);
});

test("the breaker opens after N failures across separate processes and closes after recovery", async (t) => {
  const dir = await tempDir(t);
  // tier a fails its first 3 requests, then recovers
  const sim = await startSimulator({ models: { a: { latency_ms: 2, phases: [{ requests: [0, 3], faults: { server_error: 1 } }] }, b: { latency_ms: 2 } } });
  t.after(() => sim.close());
  const { writeFile } = await import("node:fs/promises");
  await writeFile(
    path.join(dir, "tierwatch.yaml"),
    `version: 1\nendpoints:\n  sim: { base_url: "${sim.url}" }\nchains:\n  main:\n    tiers: [ { model: a }, { model: b } ]\n    retry: { max_attempts: 1 }\n    breaker: { failure_threshold: 3, cooldown_ms: 2500 }\nstore: { dir: ./data }\n`,
  );
  const { spawnCli } = await import("./helpers/runCli.js");
  const once = async () => {
    const r = await spawnCli(["probe", "--chain", "main", "--no-models", "--format", "json"], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    const recs = JSON.parse(r.stdout).records as { kind: string; tier: number; status: string; served_tier: number }[];
    return { attempts: recs.filter((x) => x.kind === "probe").map((x) => `${x.tier}:${x.status}`), served: recs.find((x) => x.kind === "chain")!.served_tier };
  };
  for (let i = 0; i < 3; i++) assert.deepEqual(await once(), { attempts: ["1:server_error", "2:ok"], served: 2 });
  const breakers = JSON.parse(await readFile(path.join(dir, "data", "breakers.json"), "utf8"));
  assert.equal(breakers["sim\u0000a"].state, "open");
  // well inside the 2.5 s cooldown (a process starts in well under a second): tier 1 is not even tried
  const openedAt = breakers["sim\u0000a"].openedAt as number;
  assert.deepEqual(await once(), { attempts: ["1:skipped", "2:ok"], served: 2 });
  assert.ok(Date.now() - openedAt < 2500, "the skipped round ran after the cooldown; the check above proved nothing");
  await new Promise((r) => setTimeout(r, Math.max(0, openedAt + 2600 - Date.now())));
  assert.deepEqual(await once(), { attempts: ["1:ok"], served: 1 });
  const after = JSON.parse(await readFile(path.join(dir, "data", "breakers.json"), "utf8"));
  assert.equal(after["sim\u0000a"].state, "closed");
  assert.equal(sim.requests.filter((r) => r.model === "a").length, 4, "3 failures, no request while open, 1 trial");
});
