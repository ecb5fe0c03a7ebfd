import assert from "node:assert/strict";
import { test, type TestContext } from "node:test";
import { createFallbackClient } from "../src/index.js";
import { createRng } from "../src/sim/rng.js";
import { startSimulator } from "../src/sim/startSimulator.js";
import type { Scenario } from "../src/sim/scenario.js";

/** Two endpoints, each a simulator of its own serving gpt-4.1; a chain whose tier 1 is a pool of both (`east`, `west`: each member's own keys). */
async function pool(t: TestContext, east: Scenario, west: Scenario, tier: { strategy: string; east?: object; west?: object }) {
  const a = await startSimulator(east, { seed: 11 });
  const b = await startSimulator(west, { seed: 12 });
  const fallback = await startSimulator({ models: { "claude-sonnet-4": { latency_ms: 1 } } });
  t.after(() => Promise.all([a.close(), b.close(), fallback.close()]));
  const members = [
    { model: "gpt-4.1", endpoint: "east", ...tier.east },
    { model: "gpt-4.1", endpoint: "west", ...tier.west },
  ];
  const policy = {
    version: 1,
    endpoints: { east: { base_url: a.url }, west: { base_url: b.url }, other: { base_url: fallback.url } },
    chains: {
      c: {
        tiers: [
          { members, strategy: tier.strategy, timeout_ms: 2000 },
          { model: "claude-sonnet-4", endpoint: "other", timeout_ms: 2000 },
        ],
        retry: { max_attempts: 1, base_delay_ms: 1, max_delay_ms: 2 },
        breaker: { enabled: false },
      },
    },
  };
  const client = createFallbackClient(policy, { env: {}, random: createRng(2026) });
  t.after(() => client.close());
  return { client, a, b, fallback };
}

test("a weighted pool sends each member its share: 70/30 over 2,000 requests, within 3 points (3 standard deviations)", { timeout: 60_000 }, async (t) => {
  const { client, a, b } = await pool(t, { models: { "gpt-4.1": { latency_ms: 0 } } }, { models: { "gpt-4.1": { latency_ms: 0 } } }, { strategy: "weighted", east: { weight: 70 }, west: { weight: 30 } });
  const members: Record<string, number> = {};
  for (let i = 0; i < 2000; i++) {
    const r = await client.complete({ chain: "c", messages: [{ role: "user", content: "hi" }] });
    members[r.member!] = (members[r.member!] ?? 0) + 1;
  }
  const east = members["east/gpt-4.1"]! / 2000;
  assert.ok(Math.abs(east - 0.7) < 0.03, `east served ${(east * 100).toFixed(1)} %`);
  assert.equal(a.requests.length + b.requests.length, 2000, "one attempt each: no member failed");
});

test("a latency pool moves its traffic to the faster member and keeps probing the slower one", { timeout: 60_000 }, async (t) => {
  const { client, b } = await pool(t, { models: { "gpt-4.1": { latency_ms: 2 } } }, { models: { "gpt-4.1": { latency_ms: 40 } } }, { strategy: "latency" });
  const served: string[] = [];
  for (let i = 0; i < 400; i++) served.push((await client.complete({ chain: "c", messages: [{ role: "user", content: "hi" }] })).member!);
  // the first requests learn both members; from the 10th on, the fast one takes at least 90 %
  const later = served.slice(10);
  const fast = later.filter((m) => m === "east/gpt-4.1").length / later.length;
  assert.ok(fast >= 0.9, `east served ${(fast * 100).toFixed(1)} % of requests 10-400`);
  assert.ok(later.includes("west/gpt-4.1"), "the slower member is still tried now and then");
  assert.ok(b.requests.length >= 5 && b.requests.length <= 60, `west got ${b.requests.length} requests`);
});

test("a member's failures are recovered by the other member before the next tier is tried", { timeout: 60_000 }, async (t) => {
  const { client, a, fallback } = await pool(t, { models: { "gpt-4.1": { latency_ms: 0, faults: { server_error: 0.3 } } } }, { models: { "gpt-4.1": { latency_ms: 0 } } }, { strategy: "weighted" });
  let recovered = 0;
  for (let i = 0; i < 500; i++) {
    const r = await client.complete({ chain: "c", messages: [{ role: "user", content: "hi" }] });
    assert.equal(r.tier, 1, "tier 1 served every request");
    if (r.attempts.length === 2) {
      assert.deepEqual(r.attempts.map((x) => [x.member, x.status]), [["east/gpt-4.1", "server_error"], ["west/gpt-4.1", "ok"]]);
      recovered++;
    }
  }
  assert.equal(fallback.requests.length, 0, "tier 2 was never needed");
  const eastFailures = a.requests.filter((r) => r.fault === "server_error").length;
  assert.equal(recovered, eastFailures);
  assert.ok(eastFailures > 40, `${eastFailures} failures on east`);
});
