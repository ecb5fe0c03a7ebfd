import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { validatePolicy } from "../src/policy/validatePolicy.js";
import type { Policy } from "../src/model/policy.js";
import type { Status } from "../src/model/status.js";
import { createHistoryBuilder } from "../src/replay/history.js";
import { allowedOrders, recommend } from "../src/replay/recommend.js";
import { replayChain } from "../src/replay/replayChain.js";
import { createRng } from "../src/sim/rng.js";
import type { AttemptRecord } from "../src/model/record.js";
import { record } from "./helpers/builders.js";
import { runCli } from "./helpers/runCli.js";
import { tempDir } from "./helpers/tempDir.js";

function policyOf(tiers: Record<string, unknown>[], chain: Record<string, unknown> = {}): Policy {
  const { policy, problems } = validatePolicy(
    { version: 1, endpoints: { e: { base_url: "http://x/v1" } }, chains: { c: { tiers, retry: { max_attempts: 1 }, ...chain } } },
    { env: {}, source: "t" },
  );
  assert.ok(policy, problems.map((p) => p.message).join("; "));
  return policy;
}

/** Rounds of probe records: `cells[i][model] = [status, latency]`. */
function roundsOf(cells: Record<string, [Status, number]>[]): AttemptRecord[] {
  return cells.flatMap((row, i) =>
    Object.entries(row).map(([model, [status, latency]]) =>
      record({ ts: new Date(Date.UTC(2026, 10, 1) + i * 60_000).toISOString(), run_id: "r", round: i + 1, endpoint: "e", model, status, latency_ms: latency, prompt_tokens: 10, completion_tokens: 5 }),
    ),
  );
}

function history(records: AttemptRecord[]) {
  const b = createHistoryBuilder();
  for (const r of records) b.add(r);
  return b.build().history;
}

test("replay without retries equals a hand computation", () => {
  const policy = policyOf([
    { model: "a", timeout_ms: 100, price: { input_per_mtok: 1, output_per_mtok: 2 } },
    { model: "b", timeout_ms: 200, price: { input_per_mtok: 10, output_per_mtok: 20 } },
  ]);
  const h = history(
    roundsOf([
      { a: ["ok", 50], b: ["ok", 80] }, // a serves: 50 ms
      { a: ["ok", 150], b: ["ok", 60] }, // a ok but past its 100 ms timeout: 100 + 60 = 160 ms, b serves
      { a: ["server_error", 10], b: ["ok", 70] }, // 10 + 70 = 80 ms, b serves
      { a: ["timeout", 100], b: ["timeout", 200] }, // exhausted
      { a: ["ok", 30], b: ["server_error", 5] }, // a serves: 30 ms
    ]),
  );
  const r = replayChain(h, policy.chains.c!);
  assert.deepEqual([r.requests, r.served, r.success_rate, r.fallback_activation_rate, r.exhaustion_rate], [5, 4, 0.8, 0.6, 0.2]);
  assert.deepEqual(r.served_by_tier, { "1": 2, "2": 2 });
  // served latencies sorted [30, 50, 80, 160]: p50 = (50 + 80) / 2 (n·p = 2), p95 = 4th (n·p = 3.8)
  assert.deepEqual([r.p50_ms, r.p95_ms, r.p99_ms], [65, 160, 160]);
  // cost: a answers 10·1 + 5·2 = 20 µ$ each (×2), b answers 10·10 + 5·20 = 200 µ$ each (×2): 440 µ$ over 5 requests
  assert.ok(Math.abs(r.cost_per_1k! - (440e-6 / 5) * 1000) < 1e-12);
});

function flakyHistory(n: number, seed: number, aFail: number, bFail: number) {
  const rand = createRng(seed);
  const cells: Record<string, [Status, number]>[] = [];
  for (let i = 0; i < n; i++) {
    cells.push({
      a: rand() < aFail ? ["server_error", 20] : ["ok", 100 + Math.round(rand() * 50)],
      b: rand() < bFail ? ["server_error", 20] : ["ok", 110 + Math.round(rand() * 50)],
      c: ["ok", 60],
    });
  }
  return history(roundsOf(cells));
}

test("a flaky tier 1 with a healthy equal-quality tier 2: the swap is proposed, with the replay's numbers", () => {
  const tiers = [
    { model: "a", timeout_ms: 1000, quality: 5 },
    { model: "b", timeout_ms: 1000, quality: 5 },
    { model: "c", timeout_ms: 1000, quality: 1 },
  ];
  const policy = policyOf(tiers, { max_depth: 2 });
  const h = flakyHistory(400, 3, 0.3, 0.01);
  const [rec] = recommend(h, policy, { optimize: ["success", "p95", "cost"] });
  assert.equal(rec!.verdict, "change", rec!.reason);
  assert.deepEqual(rec!.proposal!.map((p) => p.model), ["b", "a", "c"]);
  // the prediction is exactly the replay of the proposed chain, built independently from the proposal
  const proposed = policyOf(
    rec!.proposal!.map((p) => ({
      model: p.model,
      timeout_ms: p.timeout_ms,
      retry: { max_attempts: p.max_attempts },
      breaker: { failure_threshold: p.failure_threshold, cooldown_ms: p.cooldown_ms },
    })),
    { max_depth: 2 },
  );
  const expected = replayChain(h, proposed.chains.c!);
  assert.equal(rec!.proposed!.success_rate, expected.success_rate);
  assert.equal(rec!.proposed!.fallback_activation_rate, expected.fallback_activation_rate);
  assert.ok(rec!.proposed!.fallback_activation_rate! < rec!.current.fallback_activation_rate!);
  assert.match(rec!.notes[0]!, /reorder a → b → c to b → a → c/);
});

test("a healthy chain: keep; too few rounds: not enough evidence; a pinned tier stays", () => {
  const policy = policyOf([{ model: "a", timeout_ms: 1000 }, { model: "b", timeout_ms: 1000 }]);
  const healthy = recommend(flakyHistory(300, 5, 0.0, 0.0), policy)[0]!;
  assert.equal(healthy.verdict, "keep", healthy.reason);
  const few = recommend(flakyHistory(40, 5, 0.5, 0), policy)[0]!;
  assert.equal(few.verdict, "not_enough_evidence");
  assert.match(few.reason, /40 recorded round\(s\); at least 100/);
  const pinned = policyOf([{ model: "a", timeout_ms: 1000, pin: true }, { model: "b", timeout_ms: 1000 }, { model: "c", timeout_ms: 1000 }]);
  assert.ok(allowedOrders(pinned.chains.c!.tiers).every((o) => o[0]!.model === "a"));
  const rec = recommend(flakyHistory(400, 3, 0.3, 0.01), pinned)[0]!;
  assert.ok(rec.proposal === null || rec.proposal[0]!.model === "a");
  const ranked = policyOf([{ model: "a", quality: 1 }, { model: "b", quality: 3 }, { model: "c" }]);
  assert.ok(allowedOrders(ranked.chains.c!.tiers).every((o) => o.findIndex((t) => t.model === "b") < o.findIndex((t) => t.model === "a")));
});

test("timeouts: too tight are raised, too loose are lowered, with the predicted false-timeout rate", () => {
  const rand = createRng(9);
  // a's answers take 150-250 ms: a 100 ms timeout cuts them all
  const tight = policyOf([{ model: "a", timeout_ms: 100 }, { model: "b", timeout_ms: 1000 }]);
  const hTight = history(roundsOf(Array.from({ length: 300 }, () => ({ a: ["ok", 150 + Math.round(rand() * 100)] as [Status, number], b: rand() < 0.3 ? (["server_error", 10] as [Status, number]) : (["ok", 100] as [Status, number]) }))));
  const raised = recommend(hTight, tight)[0]!;
  assert.equal(raised.verdict, "change", raised.reason);
  assert.ok(raised.proposal!.find((p) => p.model === "a")!.timeout_ms > 250);
  assert.ok(raised.notes.some((n) => /a: timeout 100 ms → .* \(raise; ok answers it would cut: 100\.0% → 0\.0%/.test(n)), raised.notes.join("\n"));
  // a answers in 80-120 ms but hangs 10 % of the time on a 20 s timeout: lowering it saves those waits
  // (b is ranked lower, so the order stays: only the timeout can change)
  const loose = policyOf([{ model: "a", timeout_ms: 20_000, quality: 5 }, { model: "b", timeout_ms: 1000, quality: 3 }]);
  const hLoose = history(roundsOf(Array.from({ length: 400 }, () => ({ a: rand() < 0.1 ? (["timeout", 20_000] as [Status, number]) : (["ok", 80 + Math.round(rand() * 40)] as [Status, number]), b: ["ok", 300] as [Status, number] }))));
  const lowered = recommend(hLoose, loose, { optimize: ["success", "p95"] })[0]!;
  assert.equal(lowered.verdict, "change", lowered.reason);
  assert.deepEqual(lowered.proposal!.map((p) => p.model), ["a", "b"]);
  assert.ok(lowered.proposal!.find((p) => p.model === "a")!.timeout_ms < 1000);
  assert.ok(lowered.proposed!.p95_ms! < lowered.current.p95_ms!);
});

test("recommend --write keeps comments and layout and prints the diff; replay compares a candidate", async (t) => {
  const dir = await tempDir(t);
  const policyText = `# our routing policy
version: 1
endpoints:
  e:
    base_url: http://127.0.0.1:9/v1   # the gateway,   spaced as we like
  # a second endpoint, one day  
chains:
  c:
    tiers:
      # the frontier model
      - model: a
        timeout_ms: 1000
        quality: 3
      # the alternate
      - model: b
        timeout_ms: 1000
        quality: 3
    retry:
      max_attempts: 1
    max_depth: 2
store:
  dir: ./data
`;
  await writeFile(path.join(dir, "tierwatch.yaml"), policyText);
  const rand = createRng(3);
  const cells = Array.from({ length: 300 }, () => ({ a: rand() < 0.3 ? (["server_error", 20] as [Status, number]) : (["ok", 100] as [Status, number]), b: ["ok", 110] as [Status, number] }));
  await writeFile(path.join(dir, "h.jsonl"), roundsOf(cells).map((r) => JSON.stringify(r)).join("\n") + "\n");
  const dry = await runCli(["recommend", "h.jsonl"], { cwd: dir });
  assert.equal(dry.code, 0, dry.stderr);
  assert.match(dry.stdout, /Chain c: change/);
  assert.equal(await readFile(path.join(dir, "tierwatch.yaml"), "utf8"), policyText, "nothing written without --write");
  const w = await runCli(["recommend", "h.jsonl", "--write"], { cwd: dir });
  assert.equal(w.code, 0, w.stderr);
  const after = await readFile(path.join(dir, "tierwatch.yaml"), "utf8");
  assert.match(after, /# our routing policy/);
  // the lines --write did not change keep their exact bytes (a comment's spacing included)
  for (const line of ["    base_url: http://127.0.0.1:9/v1   # the gateway,   spaced as we like", "  # a second endpoint, one day  ", "store:", "  dir: ./data"]) {
    assert.ok(after.split("\n").includes(line), `kept: ${JSON.stringify(line)}\n${after}`);
  }
  assert.doesNotMatch(w.stderr, /^[-+]\s+base_url|^[-+]\s+# a second/m, "no unchanged line is in the diff");
  assert.match(after, /# the alternate\n\s+- model: b[\s\S]*# the frontier model\n\s+- model: a/);
  assert.match(w.stderr, /^wrote .*tierwatch\.yaml:/m);
  // a unified diff: the file's two names, a hunk header, removed lines before added ones
  assert.match(w.stderr, /^--- a\/tierwatch\.yaml\n\+\+\+ b\/tierwatch\.yaml\n@@ -\d+,\d+ \+\d+,\d+ @@/m);
  assert.match(w.stderr, /^-\s+- model: a[\s\S]*^ \s+- model: b[\s\S]*^\+\s+- model: a/m);
  // in each run of changed lines, the removed ones come first: no added line is followed by a removed one
  const marks = w.stderr.split("\n").filter((l) => !/^(---|\+\+\+) /.test(l)).map((l) => (l.startsWith("-") ? "-" : l.startsWith("+") ? "+" : " ")).join("");
  assert.ok(marks.includes("-") && marks.includes("+") && !marks.includes("+-"), marks);

  // the policy as it was against the one --write produced
  await writeFile(path.join(dir, "before.yaml"), policyText);
  const rep = await runCli(["replay", "h.jsonl", "--policy", "before.yaml", "--candidate", "tierwatch.yaml", "--format", "json"], { cwd: dir });
  assert.equal(rep.code, 0, rep.stderr);
  const doc = JSON.parse(rep.stdout);
  assert.equal(doc.rounds, 300);
  for (const k of ["chain", "requests", "success_rate", "fallback_activation_rate", "exhaustion_rate", "p50_ms", "p95_ms", "p99_ms", "cost_per_1k"]) assert.ok(k in doc.current.chains[0], k);
  assert.ok(doc.current.chains[0].fallback_activation_rate > 0.2);
  assert.equal(doc.candidate.chains[0].fallback_activation_rate, 0);
});

test("replay reports its own accuracy against chain runs in the same window", async (t) => {
  const dir = await tempDir(t);
  const cells = Array.from({ length: 10 }, (_, i) => ({ a: (i < 3 ? ["server_error", 10] : ["ok", 50]) as [Status, number], b: ["ok", 60] as [Status, number] }));
  const chainRuns = Array.from({ length: 10 }, (_, i) => record({ ts: new Date(Date.UTC(2026, 10, 1) + i * 60_000).toISOString(), kind: "chain", chain: "c", served_tier: i < 4 ? 2 : 1, status: "ok" }));
  await writeFile(path.join(dir, "h.jsonl"), [...roundsOf(cells), ...chainRuns].map((r) => JSON.stringify(r)).join("\n") + "\n");
  await writeFile(path.join(dir, "p.yaml"), "version: 1\nendpoints:\n  e: { base_url: http://127.0.0.1:9/v1 }\nchains:\n  c:\n    tiers: [ { model: a }, { model: b } ]\n    retry: { max_attempts: 1 }\n");
  const r = await runCli(["replay", "h.jsonl", "--policy", "p.yaml", "--candidate", "p.yaml", "--format", "json"], { cwd: dir });
  assert.equal(r.code, 0, r.stderr);
  const [acc] = JSON.parse(r.stdout).accuracy;
  assert.deepEqual([acc.chain, acc.chain_runs, acc.measured_fallback, acc.replayed_fallback], ["c", 10, 0.4, 0.3]);
  const table = await runCli(["replay", "h.jsonl", "--policy", "p.yaml", "--candidate", "p.yaml"], { cwd: dir });
  assert.match(table.stdout, /Replay accuracy/);
});

test("retry counts and breakers: tried by replay, breakers from observed failure runs", async () => {
  const { breakerSuggestion, failureRuns } = await import("../src/replay/recommend.js");
  // one tier failing 30 % of rounds at random: a second attempt (the next round's fate) lifts success
  const rand = createRng(21);
  const single = policyOf([{ model: "a", timeout_ms: 1000 }]);
  const h = history(roundsOf(Array.from({ length: 400 }, () => ({ a: (rand() < 0.3 ? ["server_error", 10] : ["ok", 50]) as [Status, number] }))));
  const rec = recommend(h, single)[0]!;
  assert.equal(rec.verdict, "change", rec.reason);
  assert.ok(rec.proposal![0]!.max_attempts >= 2);
  assert.ok(rec.notes.some((n) => /retries: max_attempts 1 → [23] on every tier/.test(n)), rec.notes.join("\n"));
  // blips of one round, and four outages of 10 rounds (10 minutes each)
  const cells: Record<string, [Status, number]>[] = [];
  for (let i = 0; i < 600; i++) {
    const inOutage = i % 150 >= 100 && i % 150 < 110;
    const blip = !inOutage && i % 10 === 3;
    cells.push({ a: inOutage || blip ? ["server_error", 10] : ["ok", 50] });
  }
  const tier = policyOf([{ model: "a", timeout_ms: 1000 }]).chains.c!.tiers[0]!;
  const hist = history(roundsOf(cells));
  const runs = failureRuns(hist, tier);
  assert.equal(runs.filter((r) => r.rounds === 10).length, 4);
  assert.equal(runs.find((r) => r.rounds === 10)!.ms, 600_000, "an outage lasts from its first failure to the next success");
  assert.deepEqual(breakerSuggestion(hist, tier), { failureThreshold: 2, cooldownMs: 600_000 });
});

test("recommend never proposes a change that makes more requests fall back without raising success: the demo's shorter timeout opens tier 1's breaker", { timeout: 60_000 }, async (t) => {
  const dir = await tempDir(t);
  const demo = await runCli(["demo", "--data-dir", "data", "--format", "json"], { cwd: dir });
  assert.equal(demo.code, 0, demo.stderr);
  const policy = (await readFile(path.join(path.dirname(new URL(import.meta.url).pathname), "../../fixtures/demo/tierwatch.yaml"), "utf8")).replace("${TIERWATCH_DEMO_URL}", "http://127.0.0.1:9/v1");
  await writeFile(path.join(dir, "tierwatch.yaml"), policy);
  const r = await runCli(["recommend", "data", "--min-rounds", "5", "--format", "json"], { cwd: dir });
  assert.equal(r.code, 0, r.stderr);
  const chains = (JSON.parse(r.stdout) as { chains: { verdict: string; reason: string; current: { fallback_activation_rate: number; requests: number }; proposed: { fallback_activation_rate: number; success_ci: number[] } | null }[] }).chains;
  for (const c of chains) {
    if (c.verdict !== "change" || !c.proposed) continue;
    const n = c.current.requests;
    const wilsonLow = (p: number) => (p + 1.92 / n - 1.96 * Math.sqrt((p * (1 - p)) / n + 0.96 / n ** 2)) / (1 + 3.84 / n);
    const wilsonHigh = (p: number) => (p + 1.92 / n + 1.96 * Math.sqrt((p * (1 - p)) / n + 0.96 / n ** 2)) / (1 + 3.84 / n);
    assert.ok(c.proposed.fallback_activation_rate <= c.current.fallback_activation_rate + 0.01, c.reason);
    assert.ok(wilsonLow(c.proposed.fallback_activation_rate) <= wilsonHigh(c.current.fallback_activation_rate) + 1e-9, c.reason);
  }
  assert.ok(chains.some((c) => c.verdict === "keep" && /would raise fallback activation/.test(c.reason)), chains.map((c) => c.reason).join("\n"));
});
