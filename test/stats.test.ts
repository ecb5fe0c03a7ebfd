import assert from "node:assert/strict";
import { test } from "node:test";
import { quantileSorted } from "../src/analysis/quantileSorted.js";
import { createChainSummary } from "../src/analysis/summarizeChains.js";
import { createGroupSummary } from "../src/analysis/summarizeGroups.js";
import { wilsonInterval } from "../src/analysis/wilsonInterval.js";
import { validatePolicy } from "../src/policy/validatePolicy.js";
import { record } from "./helpers/builders.js";

test("quantiles equal numpy's averaged_inverted_cdf (values from numpy 2.4.6)", () => {
  // np.quantile(x, p, method="averaged_inverted_cdf")
  const cases: [number[], [number, number][]][] = [
    [[1, 2, 3, 4, 5], [[0.2, 1.5], [0.4, 2.5], [0.5, 3], [0.95, 5], [0.99, 5]]],
    [[1, 2, 3, 4], [[0.25, 1.5], [0.5, 2.5], [0.75, 3.5], [0.95, 4]]],
    [[7], [[0.5, 7], [0.95, 7], [0.99, 7]]],
    [Array.from({ length: 20 }, (_, i) => i + 1), [[0.5, 10.5], [0.95, 19.5], [0.99, 20]]],
    [[1, 5, 5, 5, 9, 9], [[0.5, 5], [0.95, 9]]],
    [Array.from({ length: 100 }, (_, i) => i + 1), [[0.5, 50.5], [0.95, 95.5], [0.99, 99.5]]],
  ];
  for (const [xs, ps] of cases) for (const [p, want] of ps) assert.equal(quantileSorted(xs, p), want, `n=${xs.length} p=${p}`);
  assert.equal(quantileSorted([], 0.5), undefined);
});

test("Wilson intervals match Newcombe (1998), Table I, score method", () => {
  const cases: [number, number, number, number][] = [
    [81, 263, 0.2553, 0.3662],
    [15, 148, 0.0624, 0.1605],
    [0, 20, 0, 0.1611],
    [1, 29, 0.0061, 0.1718],
  ];
  for (const [k, n, lo, hi] of cases) {
    const [a, b] = wilsonInterval(k, n)!;
    assert.equal(Number(a.toFixed(4)), lo, `${k}/${n} low`);
    assert.equal(Number(b.toFixed(4)), hi, `${k}/${n} high`);
  }
  assert.equal(wilsonInterval(0, 0), null);
});

test("group summary: ties, a single sample, all failures, skipped attempts, tokens and cost", () => {
  const s = createGroupSummary(["model"], { latencySloMs: () => 250 });
  // model a: ok latencies 100, 200, 200, 300 (a tie), one timeout, one skipped
  for (const ms of [300, 200, 100, 200]) s.add(record({ model: "a", latency_ms: ms, cost_usd: 0.001, prompt_tokens: 10, completion_tokens: 2 }));
  s.add(record({ model: "a", status: "timeout", latency_ms: 1000 }));
  s.add(record({ model: "a", status: "skipped", latency_ms: null }));
  // model b: a single ok sample; model c: only failures
  s.add(record({ model: "b", latency_ms: 42, ttft_ms: 7 }));
  s.add(record({ model: "c", status: "rate_limited", latency_ms: 5 }));
  s.add(record({ model: "c", status: "server_error", latency_ms: 9 }));
  // a chain outcome record is not an attempt
  s.add(record({ model: "a", kind: "chain", served_tier: 1 }));
  const [a, b, c] = s.rows();
  assert.deepEqual(a!.keys, { model: "a" });
  assert.deepEqual([a!.attempts, a!.sent, a!.skipped, a!.ok], [6, 5, 1, 4]);
  assert.equal(a!.success_rate, 4 / 5);
  // sorted ok latencies [100, 200, 200, 300]: n·p = 2 at p50 → (200 + 200) / 2; p95: n·p = 3.8 → 4th value
  assert.deepEqual([a!.p50_ms, a!.p95_ms, a!.p99_ms], [200, 300, 300]);
  assert.equal(a!.slo_attainment, 3 / 5, "ok and ≤ 250 ms: 100, 200, 200 of 5 sent");
  assert.deepEqual(a!.statuses, { ok: 4, timeout: 1, skipped: 1 });
  assert.equal(a!.cost_usd, 0.004);
  assert.deepEqual([a!.prompt_tokens, a!.completion_tokens], [40, 8]);
  assert.deepEqual([b!.p50_ms, b!.p95_ms, b!.p99_ms, b!.ttft_p50_ms], [42, 42, 42, 7]);
  assert.deepEqual([b!.success_rate, b!.cost_usd], [1, null]);
  assert.deepEqual([c!.ok, c!.success_rate, c!.p50_ms, c!.p95_ms], [0, 0, null, null]);
  assert.deepEqual(c!.success_ci!.map((x) => Number(x.toFixed(4))), [0, 0.6576]);
});

test("chain summary replays probe rounds down the tiers (a tier serves when ok within its timeout)", () => {
  const { policy } = validatePolicy(
    {
      version: 1,
      endpoints: { e: { base_url: "http://x/v1" } },
      chains: { c: { tiers: [{ model: "t1", timeout_ms: 100 }, { model: "t2", timeout_ms: 100 }] } },
    },
    { env: {}, source: "t" },
  );
  const s = createChainSummary(policy);
  const round = (n: number, t1: [string, number], t2: [string, number]) => {
    s.add(record({ round: n, endpoint: "e", model: "t1", tier: 1, chain: "c", status: t1[0] as "ok", latency_ms: t1[1] }));
    s.add(record({ round: n, endpoint: "e", model: "t2", tier: 2, chain: "c", status: t2[0] as "ok", latency_ms: t2[1] }));
  };
  round(1, ["ok", 50], ["ok", 50]); // tier 1 serves
  round(2, ["timeout", 100], ["ok", 60]); // fallback to tier 2
  round(3, ["ok", 150], ["ok", 60]); // ok but past tier 1's timeout: fallback
  round(4, ["server_error", 5], ["rate_limited", 5]); // exhausted
  const [row] = s.rows();
  assert.equal(row!.source, "replay");
  assert.equal(row!.requests, 4);
  assert.equal(row!.fallback_activation_rate, 3 / 4);
  assert.equal(row!.exhaustion_rate, 1 / 4);
  assert.deepEqual(row!.served_by_tier, { "1": 1, "2": 2 });
});

test("chain summary prefers measured chain records", () => {
  const s = createChainSummary(undefined);
  s.add(record({ kind: "chain", chain: "c", served_tier: 1, status: "ok" }));
  s.add(record({ kind: "chain", chain: "c", served_tier: 2, status: "ok", fallback: true }));
  s.add(record({ kind: "chain", chain: "c", served_tier: null, status: "timeout", fallback: true }));
  const [row] = s.rows();
  assert.deepEqual(
    [row!.source, row!.requests, row!.fallback_activation_rate, row!.exhaustion_rate, row!.served_by_tier],
    ["chain_records", 3, 2 / 3, 1 / 3, { "1": 1, "2": 1 }],
  );
});

test("quantiles by selection equal quantiles of the sorted sample (ties, small and odd sizes)", async () => {
  const { quantilesBySelection } = await import("../src/analysis/quantilesBySelection.js");
  const { createRng } = await import("../src/sim/rng.js");
  const rand = createRng(4);
  const ps = [0.5, 0.95, 0.99];
  for (const n of [1, 2, 3, 5, 19, 20, 100, 101, 1000, 4321]) {
    for (const ties of [false, true]) {
      const data = Float64Array.from({ length: n }, () => (ties ? Math.floor(rand() * 7) : rand() * 1000));
      const sorted = data.slice().sort();
      const want = ps.map((p) => quantileSorted(sorted, p));
      assert.deepEqual(quantilesBySelection(data.slice(), n, ps), want, `n=${n} ties=${ties}`);
    }
  }
  assert.deepEqual(quantilesBySelection(new Float64Array(0), 0, ps), [undefined, undefined, undefined]);
});

test("quantiles by histogram equal quantiles of the sorted sample (large, ties, one value, negatives, wide ranges)", async () => {
  const { quantilesByHistogram } = await import("../src/analysis/quantilesByHistogram.js");
  const { createRng } = await import("../src/sim/rng.js");
  const rand = createRng(9);
  const ps = [0.5, 0.95, 0.99];
  const shapes: Record<string, () => number> = {
    latency: () => Math.round(300 * Math.exp(0.5 * (rand() * 2 - 1)) * 100) / 100,
    ties: () => Math.floor(rand() * 5) * 10,
    one: () => 123.45,
    signed: () => (rand() - 0.5) * 1000,
    wide: () => 10 ** (rand() * 600 - 300),
    zeros: () => (rand() < 0.5 ? -0 : 0),
  };
  for (const n of [5, 8191, 8192, 20_000, 20_001, 100_000]) {
    for (const [shape, draw] of Object.entries(shapes)) {
      const data = Float64Array.from({ length: n }, draw);
      const before = data.slice();
      const sorted = data.slice().sort();
      const want = ps.map((p) => quantileSorted(sorted, p));
      const got = quantilesByHistogram(data, n, ps);
      got.forEach((v, i) => assert.ok(v === want[i], `n=${n} ${shape} p=${ps[i]}: ${v} vs ${want[i]}`));
      if (n >= 8192) assert.deepEqual(data, before, "the sample is left as it was");
    }
  }
});

test("a WebAssembly module missing from the install is a clear error, not a stack trace", async () => {
  const { loadWasm } = await import("../src/util/loadWasm.js");
  const { TierwatchError } = await import("../src/errors.js");
  assert.throws(
    () => loadWasm(new URL("file:///nonexistent/tierwatch/scanLayout.wasm")),
    (err: unknown) => err instanceof TierwatchError && /scanLayout\.wasm cannot be read, so this install of tierwatch is incomplete; run npm run build/.test(err.message),
  );
});
