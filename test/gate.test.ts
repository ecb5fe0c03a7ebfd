import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { parseThreshold } from "../src/model/threshold.js";
import { startSimulator } from "../src/sim/startSimulator.js";
import { record, writePolicy } from "./helpers/builders.js";
import { runCli } from "./helpers/runCli.js";
import { tempDir } from "./helpers/tempDir.js";

test("thresholds parse like k6's; a malformed one says where it is wrong", () => {
  assert.deepEqual(parseThreshold("success_rate{tier=1} >= 0.99"), { text: "success_rate{tier=1} >= 0.99", metric: "success_rate", labels: { tier: "1" }, op: ">=", value: 0.99 });
  assert.deepEqual(parseThreshold(' p95_ms{model="gpt-4.1", region=us-east-1}<2s').labels, { model: "gpt-4.1", region: "us-east-1" });
  assert.equal(parseThreshold("p95_ms < 2s").value, 2000);
  assert.equal(parseThreshold("fallback_activation_rate{chain=default} <= 5%").value, 0.05);
  const bad: [string, RegExp][] = [
    ["succes_rate >= 0.9", /unknown metric "succes_rate".* at column 1/],
    ["success_rate{teir=1} >= 0.9", /unknown label "teir".* at column 14/],
    ["success_rate{tier=1 >= 0.9", /expected "," or "}" at column 21/],
    ["success_rate{tier=1} => 0.9", /expected a comparison .* at column 22/],
    ["success_rate{tier=1} >= high", /expected a number at column 25/],
    ["success_rate >= 0.9 and more", /unexpected text at column 21/],
    ["success_rate{tier=one} > 0", /tier must be a whole number/],
  ];
  for (const [text, re] of bad) assert.throws(() => parseThreshold(text), re, text);
});

async function gateSetup(t: import("node:test").TestContext) {
  const dir = await tempDir(t);
  const sim = await startSimulator({ models: { good: { latency_ms: 5 }, flaky: { latency_ms: 5, faults: { server_error: 0.5 } } } });
  t.after(() => sim.close());
  await writePolicy(dir, sim.url, [["good", 1000], ["flaky", 1000]], "    slo:\n      success_rate: 0.9\n      p95_ms: 500\n");
  return { dir, sim };
}

test("gate: exit 0 when every threshold passes, 1 when one fails, 4 with too few samples; JUnit and summary", async (t) => {
  const { dir } = await gateSetup(t);
  const summaryFile = path.join(dir, "step-summary.md");
  await writeFile(summaryFile, "# earlier step\n");
  const pass = await runCli(["gate", "--rounds", "10", "--junit", "pass.xml", "--summary", "gate.md"], { cwd: dir, env: { GITHUB_STEP_SUMMARY: summaryFile } });
  assert.equal(pass.code, 0, pass.stdout + pass.stderr);
  assert.match(pass.stdout, /success_rate\{chain=default,tier=1\} >= 0\.9/);
  assert.match(await readFile(path.join(dir, "gate.md"), "utf8"), /## tierwatch gate: ✅ pass/);
  assert.match(await readFile(summaryFile, "utf8"), /^# earlier step\n## tierwatch gate: ✅ pass/);

  const fail = await runCli(
    ["gate", "--rounds", "12", "--threshold", "success_rate{model=flaky} >= 0.99", "--threshold", "p95_ms{tier=1} < 1000", "--junit", "fail.xml", "--format", "json"],
    { cwd: dir },
  );
  assert.equal(fail.code, 1, fail.stderr);
  const doc = JSON.parse(fail.stdout);
  assert.equal(doc.verdict, "fail");
  const [flaky, p95] = doc.thresholds;
  assert.equal(flaky.verdict, "fail");
  assert.ok(flaky.n >= 12 && flaky.measured < 0.99 && flaky.ci[0] < flaky.measured && flaky.ci[1] > flaky.measured);
  assert.equal(p95.verdict, "pass");

  // JUnit: well-formed XML, one testcase per threshold, the failure carries the measured value
  const xml = await readFile(path.join(dir, "fail.xml"), "utf8");
  assert.equal(XMLValidator.validate(xml), true);
  const parsed = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "" }).parse(xml);
  const suite = parsed.testsuites.testsuite;
  assert.deepEqual([suite.tests, suite.failures, suite.skipped], ["2", "1", "0"]);
  assert.equal(suite.testcase[0].name, "success_rate{model=flaky} >= 0.99");
  assert.match(suite.testcase[0].failure.message, /^measured \d+\.\d+% \(95% CI .*\), n=\d+; fails >= 99\.00%$/);
  assert.equal(suite.testcase[1].failure, undefined);

  const few = await runCli(["gate", "--rounds", "2", "--threshold", "success_rate{tier=1} >= 0.5", "--min-samples", "50"], { cwd: dir });
  assert.equal(few.code, 4, few.stderr);
  assert.match(few.stdout, /too few samples to judge/);
});

test("gate: a malformed threshold is a usage error before any request is sent", async (t) => {
  const { dir, sim } = await gateSetup(t);
  const r = await runCli(["gate", "--threshold", "success_rate{tier=1} >= lots"], { cwd: dir });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /expected a number at column 25/);
  assert.equal(sim.requests.length, 0);
});

test("gate --from judges recorded history, chain metrics included", async (t) => {
  const dir = await tempDir(t);
  const ts = new Date().toISOString();
  const recs = [
    ...Array.from({ length: 20 }, (_, i) => record({ ts, kind: "chain", chain: "default", served_tier: i < 17 ? 1 : 2, status: "ok" })),
    ...Array.from({ length: 20 }, (_, i) => record({ ts, tier: 1, status: i < 19 ? "ok" : "timeout", latency_ms: 100 + i })),
  ];
  await writeFile(path.join(dir, "h.jsonl"), recs.map((r) => JSON.stringify(r)).join("\n") + "\n");
  await writePolicy(dir, "http://127.0.0.1:9/v1", [["m1", 1000]]);
  const r = await runCli(
    ["gate", "--from", "h.jsonl", "--since", "1h", "--threshold", "fallback_activation_rate{chain=default} <= 0.1", "--threshold", "success_rate{tier=1} >= 0.95", "--format", "json"],
    { cwd: dir },
  );
  assert.equal(r.code, 1, r.stderr);
  const [fb, sr] = JSON.parse(r.stdout).thresholds;
  assert.deepEqual([fb.verdict, fb.measured, fb.n], ["fail", 0.15, 20]);
  assert.deepEqual([sr.verdict, sr.measured, sr.n], ["pass", 0.95, 20]);
});

test("gate --from reads history as report does: its verdicts equal the record path's, on one thread and across thread cuts", async (t) => {
  const dir = await tempDir(t);
  const { createRng } = await import("../src/sim/rng.js");
  const { loadPolicy } = await import("../src/policy/loadPolicy.js");
  const { createThresholdEvaluator } = await import("../src/gate/evaluateThresholds.js");
  const { judgeFiles } = await import("../src/gate/judgeFiles.js");
  const { readRecords } = await import("../src/store/readRecords.js");
  const file = await writePolicy(dir, "http://127.0.0.1:9/v1", [["a", 150], ["b", 5000]], "    slo:\n      p95_ms: 120\n");
  const { policy } = await loadPolicy(file, { env: {}, cwd: dir, offline: true });
  const rand = createRng(31);
  const lines: string[] = [];
  for (let round = 0; round < 4000; round++) {
    for (const [tier, model] of [[1, "a"], [2, "b"]] as const) {
      const status = rand() < 0.1 ? "server_error" : rand() < 0.03 ? "skipped" : "ok";
      lines.push(
        JSON.stringify(
          record({ ts: new Date(Date.UTC(2026, 10, 1) + round * 900).toISOString(), run_id: `r${round % 3}`, round, tier, model, endpoint: "sim", region: round % 2 ? "eu" : "us", status, latency_ms: Math.round(rand() * 20000) / 100 }),
        ),
      );
    }
    if (round % 500 === 0) lines.push('{"ts": "2026-11-01T00:00:00Z", "status": "ok", "latency_ms": "12"}', "not json");
  }
  const history = path.join(dir, "h.jsonl");
  await writeFile(history, `${lines.join("\n")}\n`);
  const thresholds = [
    "success_rate >= 0.9",
    "success_rate{tier=1} >= 0.9",
    "p95_ms{model=a,region=eu} < 150",
    "p99_ms{chain=default} < 200",
    "slo_attainment{tier=1} >= 0.5",
    "ttft_p50_ms{tier=2} < 10",
    "fallback_activation_rate{chain=default} <= 0.05",
    "exhaustion_rate <= 0.01",
    "success_rate{model=nothing} >= 0.9",
  ].map(parseThreshold);
  const window = { since: Date.UTC(2026, 10, 1, 0, 10), until: Date.UTC(2026, 10, 1, 0, 50) };
  const options = { minSamples: 10, now: Date.UTC(2026, 10, 2) };
  const evaluator = createThresholdEvaluator(thresholds, policy);
  const want = await readRecords([history], (r) => {
    const ts = Date.parse(r.ts);
    if (ts >= window.since && ts < window.until) evaluator.add(r);
  });
  const expected = evaluator.verdicts(options);
  assert.ok(expected.some((v) => v.verdict === "pass") && expected.some((v) => v.verdict === "fail") && expected.some((v) => v.verdict === "insufficient"));
  for (const threads of [1, 2]) {
    const got = await judgeFiles([history], thresholds, policy, window, { ...options, threads });
    assert.deepEqual(got.verdicts, expected, `${threads} thread(s)`);
    assert.equal(got.read.badCount, want.badCount);
    assert.deepEqual(got.read.bad.map((b) => [b.line, b.reason]), want.bad.map((b) => [b.line, b.reason]));
  }
});

test("gate decides on the evidence: a dead tier fails a latency ceiling, a decisive failure fails below min-samples, a label typo is exit 2", async (t) => {
  const dir = await tempDir(t);
  await writePolicy(dir, "http://127.0.0.1:9/v1", [["gpt-4.1", 1000], ["b", 1000]]);
  const ts = (i: number) => new Date(Date.UTC(2026, 10, 1, 12, i)).toISOString();
  const lines = [
    ...Array.from({ length: 10 }, (_, i) => record({ ts: ts(i), tier: 1, model: "gpt-4.1", status: "server_error", latency_ms: 30 })),
    ...Array.from({ length: 4 }, (_, i) => record({ ts: ts(i), tier: 2, model: "b", status: "timeout", latency_ms: 1000 })),
    ...Array.from({ length: 3 }, (_, i) => record({ ts: ts(i), tier: 3, model: "c", status: i === 0 ? "ok" : "server_error", latency_ms: 100 })),
  ];
  await writeFile(path.join(dir, "h.jsonl"), `${lines.map((r) => JSON.stringify(r)).join("\n")}\n`);
  const gate = (...threshold: string[]) => runCli(["gate", "--from", "h.jsonl", "--since", "2026-10-01", "--format", "json", ...threshold.flatMap((x) => ["--threshold", x])], { cwd: dir });
  // 10 sent, none ok: no p95 to meet the ceiling with
  const dead = await gate("p95_ms{tier=1} < 2000");
  assert.equal(dead.code, 1, dead.stdout);
  assert.match(JSON.parse(dead.stdout).thresholds[0].message, /^no successful answer to take a p95 from \(0 ok of 10 sent\)$/);
  // 1 ok of 3: a p95 from one answer is too few, counted in ok answers
  const one = await gate("p95_ms{tier=3} < 2000");
  assert.equal(one.code, 4, one.stdout);
  assert.equal(JSON.parse(one.stdout).thresholds[0].n, 1);
  // 0 of 4 against 90 %: the interval tops out under 50 %, so it fails though 4 < 10
  const decisive = await gate("success_rate{tier=2} >= 0.9");
  assert.equal(decisive.code, 1, decisive.stdout);
  assert.match(JSON.parse(decisive.stdout).thresholds[0].message, /the whole 95% interval is on that side/);
  // a pass still needs the samples: 0 of 4 under a 95 % ceiling is not judged
  assert.equal((await gate("success_rate{tier=2} <= 0.95")).code, 4);
  // a model that exists nowhere is a typo
  const typo = await gate("success_rate{model=gpt-4.l} >= 0.9");
  assert.equal(typo.code, 2, typo.stdout);
  assert.match(typo.stderr, /no model is named "gpt-4\.l" in the policy or the data \(there are: b, c, gpt-4\.1\)/);
  const fresh = await runCli(["gate", "--rounds", "1", "--threshold", "success_rate{chain=defualt} >= 0.9"], { cwd: dir });
  assert.equal(fresh.code, 2, fresh.stderr);
  assert.match(fresh.stderr, /no chain is named "defualt" in the policy or the data \(there are: default\)/);
});
