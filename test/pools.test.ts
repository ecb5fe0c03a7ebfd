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

test("replay of a weighted pool is the expectation over its picks, computed by hand on four rounds", async () => {
  const { validatePolicy } = await import("../src/policy/validatePolicy.js");
  const { createHistoryBuilder } = await import("../src/replay/history.js");
  const { replayChain } = await import("../src/replay/replayChain.js");
  const { record } = await import("./helpers/builders.js");
  const { policy } = validatePolicy(
    {
      version: 1,
      endpoints: { e: { base_url: "http://127.0.0.1:9/v1" } },
      chains: {
        c: {
          tiers: [{ members: [{ model: "a", weight: 3 }, { model: "b", weight: 1 }], timeout_ms: 1000 }, { model: "c", timeout_ms: 1000 }],
          retry: { max_attempts: 1 },
        },
      },
    },
    { env: {}, source: "test" },
  );
  // round: [a, b, c] as [status, latency]
  const rounds: [string, number][][] = [
    [["ok", 100], ["ok", 300], ["ok", 50]],
    [["server_error", 10], ["ok", 200], ["ok", 50]],
    [["ok", 100], ["server_error", 20], ["ok", 50]],
    [["server_error", 10], ["server_error", 20], ["ok", 50]],
  ];
  const h = createHistoryBuilder();
  rounds.forEach((cells, i) =>
    ["a", "b", "c"].forEach((model, k) =>
      h.add(record({ ts: new Date(Date.UTC(2026, 10, 1) + i * 60_000).toISOString(), run_id: "r", round: i, endpoint: "e", model, status: cells[k]![0] as never, latency_ms: cells[k]![1] })),
    ),
  );
  const r = replayChain(h.build().history, policy!.chains.c!);
  // picks: a (3/4) then b, or b (1/4) then a; round 4: neither, tier 2 after 10 + 20 ms
  // served latencies (weight): 100 (.75) 300 (.25) | 210 (.75) 200 (.25) | 100 (.75) 120 (.25) | 80 (1)
  assert.equal(r.requests, 4);
  assert.equal(r.success_rate, 1);
  assert.equal(r.fallback_activation_rate, 0.25);
  assert.deepEqual(r.served_by_tier, { 1: 3, 2: 1 });
  assert.equal(r.p50_ms, 100, "cumulative weight 2 of 4 is reached at 100 (1 + 0.75 + 0.75)");
  assert.equal(r.p95_ms, 300);
});

test("recommend shifts weight away from a failing member with its evidence, and --write writes the weights; a healthy 50/50 pool is left alone", async (t) => {
  const { writeFile, readFile } = await import("node:fs/promises");
  const path = await import("node:path");
  const { tempDir } = await import("./helpers/tempDir.js");
  const { runCli } = await import("./helpers/runCli.js");
  const { record } = await import("./helpers/builders.js");
  const dir = await tempDir(t);
  const policyText = `version: 1
endpoints:
  east: { base_url: "http://127.0.0.1:9/v1" }
  west: { base_url: "http://127.0.0.1:9/v1" }
chains:
  c:
    tiers:
      # tier 1: one model on two providers
      - members:
          - { model: gpt-4.1, endpoint: east, weight: 50 }   # the old contract
          - { model: gpt-4.1, endpoint: west, weight: 50 }
        timeout_ms: 1000
      - { model: claude-sonnet-4, endpoint: west, timeout_ms: 1000 }
    retry: { max_attempts: 1 }
    deadline_ms: 10000
`;
  const history = (eastFails: number, westMs = 120) => {
    const rand = createRng(7);
    const lines: string[] = [];
    for (let i = 0; i < 200; i++) {
      const ts = new Date(Date.UTC(2026, 10, 1) + i * 60_000).toISOString();
      const east = rand() < eastFails;
      lines.push(JSON.stringify(record({ ts, run_id: "r", round: i, endpoint: "east", model: "gpt-4.1", member: "east/gpt-4.1", status: east ? "server_error" : "ok", latency_ms: 100 })));
      lines.push(JSON.stringify(record({ ts, run_id: "r", round: i, endpoint: "west", model: "gpt-4.1", member: "west/gpt-4.1", status: "ok", latency_ms: westMs })));
      lines.push(JSON.stringify(record({ ts, run_id: "r", round: i, endpoint: "west", model: "claude-sonnet-4", status: "ok", latency_ms: 150 })));
    }
    return `${lines.join("\n")}\n`;
  };
  await writeFile(path.join(dir, "tierwatch.yaml"), policyText);
  await writeFile(path.join(dir, "failing.jsonl"), history(0.3));
  await writeFile(path.join(dir, "healthy.jsonl"), history(0));
  await writeFile(path.join(dir, "slow.jsonl"), history(0, 400));
  const healthy = await runCli(["recommend", "healthy.jsonl", "--format", "json"], { cwd: dir });
  assert.equal(healthy.code, 0, healthy.stderr);
  const h = (JSON.parse(healthy.stdout) as { chains: { verdict: string; pools: unknown[] }[] }).chains[0]!;
  assert.deepEqual(h.pools, []);
  assert.equal(h.verdict, "keep");
  assert.ok(!(h as unknown as { flags: string[] }).flags.some((f) => /strategy latency/.test(f)), "100 against 120 ms: no strategy advice");
  // members that answer alike, one much faster: the latency strategy is suggested
  const slow = await runCli(["recommend", "slow.jsonl", "--format", "json"], { cwd: dir });
  const flags = (JSON.parse(slow.stdout) as { chains: { flags: string[] }[] }).chains[0]!.flags;
  assert.ok(flags.includes("tier 1: strategy latency would send most requests to east/gpt-4.1 (median 100 ms against west/gpt-4.1's 400 ms, success alike); set strategy: latency to follow it"), flags.join("\n"));
  const w = await runCli(["recommend", "failing.jsonl", "--write"], { cwd: dir });
  assert.equal(w.code, 0, w.stderr);
  assert.match(w.stdout.replace(/\s+/g, " "), /shift east\/gpt-4\.1 50 → 25: its success 7\d\.\d% \[\d+\.\d%–\d+\.\d%\] against west\/gpt-4\.1's 100\.0% \[9\d\.\d%–100\.0%\] over 200 rounds/);
  const after = await readFile(path.join(dir, "tierwatch.yaml"), "utf8");
  assert.match(after, /- \{ model: gpt-4\.1, endpoint: east, weight: 25 \} +# the old contract/);
  assert.match(after, /- \{ model: gpt-4\.1, endpoint: west, weight: 75 \}/);
  assert.match(after, /# tier 1: one model on two providers/);
});

test("report: --by member, and a pool tier's figures as its users see them, equal to an independent computation", async (t) => {
  const { writeFile } = await import("node:fs/promises");
  const path = await import("node:path");
  const { tempDir } = await import("./helpers/tempDir.js");
  const { runCli } = await import("./helpers/runCli.js");
  const { record } = await import("./helpers/builders.js");
  const dir = await tempDir(t);
  await writeFile(
    path.join(dir, "tierwatch.yaml"),
    `version: 1\nendpoints:\n  east: { base_url: "http://127.0.0.1:9/v1" }\n  west: { base_url: "http://127.0.0.1:9/v1" }\nchains:\n  c:\n    tiers:\n      - members: [ { model: m, endpoint: east, weight: 70 }, { model: m, endpoint: west, weight: 30 } ]\n`,
  );
  const east = [100, 110, 120, 130, 140, 150, 160, 170];
  const west = [300, 310, 320, 330, 340, 350, 360, 370, 380, 390];
  const lines: string[] = [];
  const at = (i: number) => new Date(Date.UTC(2026, 10, 1) + i * 60_000).toISOString();
  east.forEach((l, i) => lines.push(JSON.stringify(record({ ts: at(i), run_id: "r", round: i, endpoint: "east", model: "m", member: "east/m", latency_ms: l }))));
  for (const i of [8, 9]) lines.push(JSON.stringify(record({ ts: at(i), run_id: "r", round: i, endpoint: "east", model: "m", member: "east/m", status: "server_error", latency_ms: 5 })));
  west.forEach((l, i) => lines.push(JSON.stringify(record({ ts: at(i), run_id: "r", round: i, endpoint: "west", model: "m", member: "west/m", latency_ms: l }))));
  await writeFile(path.join(dir, "r.jsonl"), `${lines.join("\n")}\n`);
  const r = await runCli(["report", "r.jsonl", "--by", "member", "--format", "json"], { cwd: dir });
  assert.equal(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout) as { groups: { member: string; success_rate: number }[]; pools: { success_rate: number; p50_ms: number; p95_ms: number; members: { member: string; share: number }[] }[] };
  assert.deepEqual(doc.groups.map((g) => [g.member, g.success_rate]), [["east/m", 0.8], ["west/m", 1]]);
  const pool = doc.pools[0]!;
  assert.deepEqual(pool.members.map((m) => [m.member, m.share]), [["east/m", 0.7], ["west/m", 0.3]]);
  assert.ok(Math.abs(pool.success_rate - (0.7 * 0.8 + 0.3 * 1)) < 1e-9);
  // independently: each east sample stands for 0.7/8 and each west one for 0.3/10, i.e. 35 and 12 copies
  const copies = [...east.flatMap((l) => Array(35).fill(l)), ...west.flatMap((l) => Array(12).fill(l))].sort((a, b) => a - b);
  const q = (p: number) => {
    const g = copies.length * p;
    return Number.isInteger(g) ? (copies[g - 1]! + copies[g]!) / 2 : copies[Math.ceil(g) - 1]!;
  };
  assert.equal(pool.p50_ms, q(0.5));
  assert.equal(pool.p95_ms, q(0.95));
  const table = await runCli(["report", "r.jsonl"], { cwd: dir });
  assert.match(table.stdout, /Pools\npool \/ member +share +sent +success +p50 +p95\nc tier 1 \(weighted\) +100% +- +86\.0%/);
});

test("weighted quantiles with every weight 1 are the unweighted definition (numpy's averaged_inverted_cdf)", async () => {
  const { weightedQuantiles } = await import("../src/analysis/weightedQuantiles.js");
  const { quantilesBySelection } = await import("../src/analysis/quantilesBySelection.js");
  const rand = createRng(99);
  for (const n of [1, 2, 3, 4, 10, 20, 101, 1000]) {
    const values = Float64Array.from({ length: n }, () => Math.round(rand() * 50));
    const ps = [0.05, 0.25, 0.5, 0.75, 0.95, 0.99];
    const want = quantilesBySelection(Float64Array.from(values), n, ps);
    assert.deepEqual(weightedQuantiles(values, new Float64Array(n).fill(1), n, ps), want, `n=${n}`);
  }
});

test("validation and lint cover pools: model or members, distinct members, positive weights, providers counted by member, the worst case over every member", async () => {
  const { validatePolicy } = await import("../src/policy/validatePolicy.js");
  const { lintPolicy } = await import("../src/policy/lintPolicy.js");
  const { worstCaseMs } = await import("../src/policy/worstCaseMs.js");
  const { probeTargets } = await import("../src/probe/probeTargets.js");
  const check = (tier: Record<string, unknown>) =>
    validatePolicy({ version: 1, endpoints: { a: { base_url: "http://127.0.0.1:9/v1" }, b: { base_url: "http://127.0.0.1:8/v1" } }, chains: { c: { tiers: [tier, { model: "z", endpoint: "a" }] } } }, { env: {}, source: "t" });
  const messages = (tier: Record<string, unknown>) => check(tier).problems.filter((p) => p.severity === "error").map((p) => `${p.path}: ${p.message}`);
  assert.deepEqual(messages({ timeout_ms: 5 }), ["chains.c.tiers[0]: needs model or members"]);
  assert.deepEqual(messages({ model: "m", members: [{ model: "m", endpoint: "a" }] }), ["chains.c.tiers[0].members: a tier is either one model or a pool of members: remove model (or members)"]);
  assert.deepEqual(messages({ members: [{ model: "m", endpoint: "a" }, { model: "m", endpoint: "a" }] }), ["chains.c.tiers[0].members[1]: is members[0] again (the same model on the same endpoint with the same headers): members must differ"]);
  assert.match(messages({ members: [{ model: "m", endpoint: "a", weight: 0 }] })[0]!, /members\[0\]\.weight: must be > 0/);
  const ok = check({ members: [{ model: "gpt-4.1", endpoint: "a", timeout_ms: 3000 }, { model: "gpt-4.1", endpoint: "b", timeout_ms: 1000, provider: "azure" }], retry: { max_attempts: 1 } });
  assert.deepEqual(ok.problems.filter((p) => p.severity === "error"), []);
  const policy = ok.policy!;
  // two providers within the pool: no single-provider warning
  assert.ok(!lintPolicy(policy).some((p) => /every tier is served by/.test(p.message)));
  // two attempts (one per member) at the slower member's 3 s, then tier 2 (20 s × 2 attempts and a backoff)
  assert.equal(worstCaseMs(policy.chains.c!), 2 * 3000 + 2 * 20_000 + 250);
  assert.deepEqual(probeTargets(policy).map((t) => `${t.endpoint.name}/${t.model}`), ["a/gpt-4.1", "b/gpt-4.1", "a/z"]);
  const { tierName } = await import("../src/model/policy.js");
  assert.equal(tierName(policy.chains.c!.tiers[0]!), "gpt-4.1 1 / b/gpt-4.1 1", "validate and the dry run name a pool by its members and weights");
});
