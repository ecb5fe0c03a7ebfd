import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { test } from "node:test";
import { createFallbackClient } from "../src/index.js";
import { record } from "./helpers/builders.js";
import { BIN, spawnCli } from "./helpers/runCli.js";
import { tempDir } from "./helpers/tempDir.js";

test("one error style: the argument parser's errors read as tierwatch's; a missing --candidate is named as such", async (t) => {
  const dir = await tempDir(t);
  for (const args of [["report", "--nope"], ["gate", "--min-samples"], ["frobnicate"]]) {
    const r = await spawnCli(args, { cwd: dir });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /^tierwatch: /, args.join(" "));
    assert.doesNotMatch(r.stderr, /^error: /m);
  }
  await writeFile(path.join(dir, "tierwatch.yaml"), `version: 1\nendpoints:\n  sim: { base_url: "http://127.0.0.1:9/v1" }\nchains:\n  default:\n    tiers: [ { model: a } ]\n`);
  const replay = await spawnCli(["replay", "--candidate", "missing.yaml"], { cwd: dir });
  assert.equal(replay.code, 2, replay.stderr);
  assert.match(replay.stderr, /missing\.yaml does not exist \(check --candidate,/);
});

test("the library's bad-policy error lists every problem in its message (and on err.problems)", () => {
  assert.throws(
    () => createFallbackClient({ version: 1, endpoints: { e: { base_url: "http://127.0.0.1:9/v1" } }, chains: { c: { tiers: [{ model: "m", timeout_ms: -1 }], max_depth: 0 } } }, { env: {} }),
    (err: Error & { problems?: unknown[] }) => {
      assert.match(err.message, /^policy object: 2 problems; nothing was sent:\n {2}chains\.c\.(tiers\[0\]\.timeout_ms|max_depth): .+\n {2}chains\.c\.(tiers\[0\]\.timeout_ms|max_depth): .+$/);
      assert.equal(err.problems?.length, 2);
      return true;
    },
  );
});

test("report on an empty window: JSON and CSV still print their document (exit 4), so pipelines do not break", async (t) => {
  const dir = await tempDir(t);
  await writeFile(path.join(dir, "r.jsonl"), `${JSON.stringify(record())}\n`);
  const window = ["r.jsonl", "--since", "2020-01-01", "--until", "2020-01-02"];
  const json = await spawnCli(["report", ...window, "--format", "json"], { cwd: dir });
  assert.equal(json.code, 4, json.stderr);
  const doc = JSON.parse(json.stdout) as Record<string, unknown>;
  assert.deepEqual([doc.records, doc.groups, doc.chains, (doc.window as { since: string }).since, doc.inputs], [0, [], [], "2020-01-01T00:00:00.000Z", [path.join(dir, "r.jsonl")]]);
  assert.match(json.stderr, /no records in the window/);
  const csv = await spawnCli(["report", ...window, "--format", "csv"], { cwd: dir });
  assert.equal(csv.code, 4);
  assert.equal(csv.stdout, "chain,tier,model,sent,success_rate,success_ci,p50_ms,p95_ms,p99_ms,statuses\n");
});

test("a new user's first hour: init writes a policy that validate --strict accepts, and it probes cleanly against tierwatch mock", async (t) => {
  const dir = await tempDir(t);
  assert.equal((await spawnCli(["init"], { cwd: dir })).code, 0);
  const env = { FB_OPENAI_BASE_URL: "http://127.0.0.1:9/v1", FB_API_KEY_SECRET: "test-key" };
  const strict = await spawnCli(["validate", "--strict"], { cwd: dir, env });
  assert.equal(strict.code, 0, strict.stdout + strict.stderr);
  // the demo's scenario lists other models than the starter's: the simulator answers them all
  const scenario = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../fixtures/scenarios/demo.yaml");
  const mock = spawn(process.execPath, [BIN, "mock", "--scenario", scenario, "--port", "0"], { stdio: ["ignore", "pipe", "pipe"] });
  t.after(() => mock.kill());
  const url = await new Promise<string>((resolve, reject) => {
    let out = "";
    mock.stdout.on("data", (d) => {
      out += d;
      const m = /base_url: (http:\/\/127\.0\.0\.1:\d+\/v1)/.exec(out);
      if (m) resolve(m[1]!);
    });
    mock.stderr.on("data", (d) => {
      out += d;
      const m = /base_url: (http:\/\/127\.0\.0\.1:\d+\/v1)/.exec(out);
      if (m) resolve(m[1]!);
    });
    mock.on("exit", () => reject(new Error(`mock exited: ${out}`)));
  });
  const probe = await spawnCli(["probe", "--format", "json"], { cwd: dir, env: { ...env, FB_OPENAI_BASE_URL: url } });
  assert.equal(probe.code, 0, probe.stderr);
  const records = (JSON.parse(probe.stdout) as { records: { model: string; status: string; error_code: string | null }[] }).records;
  assert.deepEqual(records.map((r) => r.model).sort(), ["claude-sonnet-4", "gpt-4.1", "gpt-4o-mini"]);
  assert.ok(records.every((r) => r.error_code !== "model_not_found"), JSON.stringify(records));
});

test("numbers are printed without float noise: latencies to a microsecond, rates to 1e-9, in JSON and CSV", async (t) => {
  const dir = await tempDir(t);
  const recs = [record({ latency_ms: 49.22 }), record({ latency_ms: 49.23 }), record({ status: "timeout", latency_ms: 1000 })];
  await writeFile(path.join(dir, "r.jsonl"), `${recs.map((r) => JSON.stringify(r)).join("\n")}\n`);
  const json = await spawnCli(["report", "r.jsonl", "--since", "2026-10-01", "--format", "json"], { cwd: dir });
  assert.equal(json.code, 0, json.stderr);
  const g = (JSON.parse(json.stdout) as { groups: Record<string, unknown>[] }).groups[0]!;
  assert.equal(g.p50_ms, 49.225, "the mean of 49.22 and 49.23, not 49.224999999999994");
  assert.equal(g.success_rate, 0.666666667);
  assert.doesNotMatch(json.stdout, /\d\.\d{10,}/);
  const csv = await spawnCli(["report", "r.jsonl", "--since", "2026-10-01", "--format", "csv"], { cwd: dir });
  assert.match(csv.stdout, /,0\.666666667,/);
  assert.match(csv.stdout, /,49\.225,/);
  const gate = await spawnCli(["gate", "--from", "r.jsonl", "--since", "2026-10-01", "--min-samples", "1", "--threshold", "p50_ms < 100", "--format", "json"], { cwd: dir });
  assert.equal((JSON.parse(gate.stdout) as { thresholds: { measured: number }[] }).thresholds[0]!.measured, 49.225);
});

test("mock with a bad scenario names each problem once, in words, with its path", async (t) => {
  const dir = await tempDir(t);
  await writeFile(path.join(dir, "bad.yaml"), "models:\n  a:\n    latency_ms: fast\n    faults: { boom: 1 }\n");
  const r = await spawnCli(["mock", "--scenario", "bad.yaml", "--port", "0"], { cwd: dir, timeoutMs: 20_000 });
  assert.equal(r.code, 2, r.stderr);
  const lines = r.stderr.trim().split("\n");
  assert.match(lines[0]!, /^tierwatch: .*bad\.yaml: not a valid scenario$/);
  assert.deepEqual(lines.slice(1).map((l) => l.trim().replace(/ \(known: .*\)$/, "")), ['models.a.latency_ms: must be a number or a mapping (got "fast")', "models.a.faults.boom: unknown key"]);
  assert.doesNotMatch(r.stderr, /anyOf/);
});

test("recommend never promotes a tier above one listed before it without a declared quality; it says what the promotion would gain", async (t) => {
  const dir = await tempDir(t);
  const policy = (quality: string) =>
    `version: 1\nendpoints:\n  e: { base_url: "http://127.0.0.1:9/v1" }\nchains:\n  c:\n    tiers:\n      - { model: big, timeout_ms: 5000${quality} }\n      - { model: small, timeout_ms: 5000${quality} }\n    retry: { max_attempts: 1 }\n`;
  await writeFile(path.join(dir, "plain.yaml"), policy(""));
  await writeFile(path.join(dir, "equal.yaml"), policy(", quality: 2"));
  // the last tier, a small model, is far faster and as reliable: tempting on latency alone
  const lines: string[] = [];
  for (let i = 0; i < 300; i++) {
    const ts = new Date(Date.UTC(2026, 10, 1) + i * 60_000).toISOString();
    lines.push(JSON.stringify(record({ ts, run_id: "r", round: i, endpoint: "e", model: "big", status: i % 50 === 0 ? "server_error" : "ok", latency_ms: 900 + (i % 7) * 10 })));
    lines.push(JSON.stringify(record({ ts, run_id: "r", round: i, endpoint: "e", model: "small", status: "ok", latency_ms: 80 + (i % 5) })));
  }
  await writeFile(path.join(dir, "h.jsonl"), `${lines.join("\n")}\n`);
  const run = (...args: string[]) => spawnCli(["recommend", "h.jsonl", "--since", "2026-10-01", "--format", "json", ...args], { cwd: dir });
  const plain = JSON.parse((await run("--policy", "plain.yaml")).stdout) as { chains: { verdict: string; proposal: { model: string }[] | null; flags: string[] }[] };
  assert.ok(plain.chains[0]!.proposal === null || plain.chains[0]!.proposal[0]!.model === "big", JSON.stringify(plain.chains[0]));
  assert.ok(plain.chains[0]!.flags.some((f) => /the order small → big would replay to .*p95 .*declare `quality:` on those tiers .*--assume-equal-quality/.test(f)), plain.chains[0]!.flags.join("\n"));
  for (const args of [["--policy", "equal.yaml"], ["--policy", "plain.yaml", "--assume-equal-quality"]]) {
    const r = JSON.parse((await run(...args)).stdout) as { chains: { verdict: string; proposal: { model: string }[] | null }[] };
    assert.equal(r.chains[0]!.verdict, "change", args.join(" "));
    assert.deepEqual(r.chains[0]!.proposal!.map((p) => p.model), ["small", "big"]);
  }
});

test("the failures column names the cause where a status folds several: model_not_found, dns, too_large are not lost in 4xx, net, malformed", async (t) => {
  const dir = await tempDir(t);
  const failures: [string, string | null, number][] = [
    ["bad_request", "model_not_found", 3],
    ["network", "dns", 2],
    ["network", "refused", 1],
    ["bad_response", "too_large", 1],
    ["timeout", "deadline", 1],
    ["server_error", null, 2],
  ];
  const lines: string[] = [];
  let i = 0;
  for (const [status, code, n] of failures) for (let k = 0; k < n; k++) lines.push(JSON.stringify(record({ ts: new Date(Date.UTC(2026, 10, 1) + i++ * 1000).toISOString(), status: status as never, error_code: code, latency_ms: 5 })));
  for (let k = 0; k < 20; k++) lines.push(JSON.stringify(record({ ts: new Date(Date.UTC(2026, 10, 1) + i++ * 1000).toISOString(), latency_ms: 5 })));
  await writeFile(path.join(dir, "r.jsonl"), `${lines.join("\n")}\n`);
  const table = await spawnCli(["report", "r.jsonl", "--by", "model"], { cwd: dir });
  assert.equal(table.code, 0, table.stderr);
  assert.match(table.stdout, /4xx:model_not_found×3 net:dns×2 5xx×2 malformed:too_large×1 net:refused×1 timeout×1/);
  const json = await spawnCli(["report", "r.jsonl", "--by", "model", "--format", "json"], { cwd: dir });
  const g = (JSON.parse(json.stdout) as { groups: { error_codes: Record<string, number>; statuses: Record<string, number> }[] }).groups[0]!;
  assert.deepEqual(g.error_codes, { "bad_request:model_not_found": 3, "network:dns": 2, "bad_response:too_large": 1, "network:refused": 1 });
  assert.equal(g.statuses.network, 3);
});

test("every output fits the terminal: at COLUMNS=80 and 100, every command on the demo's data and on a history with every failure kind", { timeout: 120_000 }, async (t) => {
  const { runCli } = await import("./helpers/runCli.js");
  const { cp, readFile: read } = await import("node:fs/promises");
  const { STATUSES } = await import("../src/model/status.js");
  const dir = await tempDir(t);
  const demo = await runCli(["demo", "--rounds", "8", "--data-dir", "demo-data"], { cwd: dir });
  assert.equal(demo.code, 0, demo.stderr);
  const policy = (await read(path.join(path.dirname(fileURLToPath(import.meta.url)), "../../fixtures/demo/tierwatch.yaml"), "utf8"))
    .replace("${TIERWATCH_DEMO_URL}", "http://127.0.0.1:9/v1")
    .replace("./tierwatch-demo-data", "./demo-data");
  await writeFile(path.join(dir, "tierwatch.yaml"), policy);
  await cp(path.join(dir, "tierwatch.yaml"), path.join(dir, "candidate.yaml"));
  // every status, with long error codes, in rounds of the demo's chain
  const models = ["gpt-4.1", "claude-sonnet-4", "llama-3.1-8b"];
  const lines: string[] = [];
  STATUSES.forEach((status, i) =>
    models.forEach((model, k) =>
      lines.push(JSON.stringify(record({ ts: new Date(Date.now() - 600_000 + i * 1000).toISOString(), endpoint: "sim", model, tier: k + 1, round: i, status, error_code: status === "ok" ? null : `${status}_because_of_a_rather_long_reason`, latency_ms: 100 + i }))),
    ),
  );
  await writeFile(path.join(dir, "failures.jsonl"), `${lines.join("\n")}\n`);
  const commands = [
    ["report"],
    ["report", "--bucket", "1h", "--by", "model"],
    ["report", "--by", "tier,served_model,served_target"],
    ["report", "--since", "1h", "--compare"],
    ["replay", "--candidate", "candidate.yaml"],
    ["gate", "--from", "demo-data", "--threshold", "p95_ms{model=gpt-4.1} < 100", "--threshold", "gateway_fallback_rate{tier=1} <= 0.05", "--threshold", "fallback_activation_rate{chain=default} <= 0.01"],
    ["recommend", "--min-rounds", "2"],
    ["validate"],
    ["probe", "--dry-run"],
  ];
  const runs: string[][] = [];
  for (const data of ["demo-data", "failures.jsonl"]) {
    for (const c of commands) runs.push(c[0] === "validate" || c[0] === "probe" || c[0] === "gate" ? c : [...c, data]);
  }
  for (const c of [[], ["report"], ["probe"], ["gate"], ["recommend"], ["replay"], ["serve"], ["mock"], ["validate"]]) runs.push([...c, "--help"]);
  for (const width of [80, 100]) {
    for (const args of runs) {
      const r = await runCli(args, { cwd: dir, env: { COLUMNS: String(width) } });
      const wide = `${r.stdout}\n${r.stderr}`.split("\n").filter((l) => [...l].length > width);
      assert.deepEqual(wide, [], `COLUMNS=${width} tierwatch ${args.join(" ")}`);
    }
  }
});
