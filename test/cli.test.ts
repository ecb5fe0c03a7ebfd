import assert from "node:assert/strict";
import { chmod, mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { loadPolicy } from "../src/policy/loadPolicy.js";
import { probeRound } from "../src/probe/probeRound.js";
import { probeTargets } from "../src/probe/probeTargets.js";
import { createTransport } from "../src/probe/transport.js";
import { startSimulator } from "../src/sim/startSimulator.js";
import { createRedactor } from "../src/util/redact.js";
import { writePolicy } from "./helpers/builders.js";
import { runCli, spawnCli } from "./helpers/runCli.js";
import { tempDir } from "./helpers/tempDir.js";

const KEY = "sk-live-SECRETSECRET-0123456789abcdef";

async function simFor(t: import("node:test").TestContext, scenario: Parameters<typeof startSimulator>[0]) {
  const sim = await startSimulator(scenario);
  t.after(() => sim.close());
  return sim;
}

async function dataLines(dir: string): Promise<string[]> {
  const files = (await readdir(dir)).filter((f) => f.endsWith(".jsonl"));
  const texts = await Promise.all(files.map((f) => readFile(path.join(dir, f), "utf8")));
  return texts.join("").split("\n").filter(Boolean);
}

test("probe writes one record per model per round, with the issue's field names", async (t) => {
  const dir = await tempDir(t);
  const sim = await simFor(t, { models: { a: { latency_ms: 10 }, b: { latency_ms: 10, faults: { server_error: 1 } } } });
  await writePolicy(dir, sim.url, [["a", 1000], ["b", 1000]]);
  const run = await runCli(["probe", "--rounds", "2", "--format", "json"], { cwd: dir });
  assert.equal(run.code, 0, run.stderr);
  const out = JSON.parse(run.stdout);
  assert.equal(out.rounds, 2);
  const lines = await dataLines(path.join(dir, "data"));
  assert.equal(lines.length, 4);
  const recs = lines.map((l) => JSON.parse(l));
  const fields = ["v", "ts", "run_id", "request_id", "kind", "chain", "tier", "model", "endpoint", "region", "attempt", "status", "http_status", "latency_ms", "ttft_ms", "served_model", "served_tier", "fallback", "prompt_tokens", "completion_tokens", "cost_usd", "error"];
  for (const r of recs) for (const f of fields) assert.ok(f in r, `record lacks ${f}`);
  assert.deepEqual(recs.map((r) => [r.round, r.model, r.status]).sort(), [[1, "a", "ok"], [1, "b", "server_error"], [2, "a", "ok"], [2, "b", "server_error"]]);
  assert.equal(new Set(recs.map((r) => r.run_id)).size, 1);
  assert.equal(recs[0].region, "local");
});

test("the API key appears nowhere: stdout, stderr, records, error messages", async (t) => {
  const dir = await tempDir(t);
  // the simulator echoes nothing of the request, so make a server that does: the worst case
  const { createServer } = await import("node:http");
  const echo = createServer((req, res) => {
    res.writeHead(401, { "content-type": "application/json" });
    res.end(JSON.stringify({ error: { message: `Incorrect API key provided: ${req.headers.authorization}` } }));
  });
  await new Promise<void>((r) => echo.listen(0, "127.0.0.1", r));
  t.after(() => echo.close());
  const port = (echo.address() as import("node:net").AddressInfo).port;
  await writeFile(
    path.join(dir, "tierwatch.yaml"),
    `version: 1\nendpoints:\n  echo:\n    base_url: http://127.0.0.1:${port}/v1\n    api_key: \${TEST_KEY}\n  down:\n    base_url: http://127.0.0.1:1/v1\n    api_key: \${TEST_KEY}\nchains:\n  c:\n    tiers:\n      - { model: a, endpoint: echo, timeout_ms: 1000 }\n      - { model: b, endpoint: down, timeout_ms: 1000 }\nstore: { dir: ./data }\n`,
  );
  const env = { TEST_KEY: KEY };
  const runs = [
    await runCli(["probe", "--format", "json"], { cwd: dir, env }),
    await runCli(["probe"], { cwd: dir, env }),
    await runCli(["validate"], { cwd: dir, env }),
    await runCli(["report", "--format", "json"], { cwd: dir, env }),
  ];
  const records = (await dataLines(path.join(dir, "data"))).join("\n");
  assert.match(records, /"status":"auth"/);
  assert.match(records, /"status":"network"/);
  assert.match(records, /Incorrect API key provided: Bearer \[redacted\]/);
  for (const text of [records, ...runs.flatMap((r) => [r.stdout, r.stderr])]) {
    assert.ok(!text.includes(KEY), "the key leaked");
    assert.ok(!text.includes("SECRETSECRET"), "part of the key leaked");
  }
  assert.equal(createRedactor([KEY])(`x ${KEY} y`), "x [redacted] y");
});

test("bad input gets a clear message and its exit code, never a stack trace", async (t) => {
  const dir = await tempDir(t);
  const write = (text: string) => writeFile(path.join(dir, "p.yaml"), text);
  const expectFail = async (args: string[], code: number, pattern: RegExp, env: Record<string, string> = {}) => {
    const r = await runCli(args, { cwd: dir, env });
    assert.equal(r.code, code, `${args.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr, pattern);
    assert.ok(!/\n\s+at .+:\d+:\d+/.test(r.stderr), `stack trace in: ${r.stderr}`);
    return r;
  };
  await expectFail(["probe", "--policy", "missing.yaml"], 2, /missing\.yaml does not exist/);
  await write("version: 1\nchains: [\n");
  await expectFail(["probe", "--policy", "p.yaml"], 2, /p\.yaml:\d+:\d+: not valid YAML/);
  await write("version: 1\nendpoints:\n  e: { base_url: 'http://127.0.0.1:9/v1' }\nchains:\n  c:\n    tierz: []\n");
  const unknown = await expectFail(["validate", "--policy", "p.yaml"], 2, /chains\.c\.tierz: unknown key \(did you mean tiers\?\)/);
  assert.match(unknown.stderr, /chains\.c\.tiers: is required/);
  await write("version: 1\nendpoints:\n  e: { base_url: 'http://127.0.0.1:9/v1' }\nchains:\n  c:\n    tiers:\n      - { model: a, timeout_ms: '20s' }\n");
  await expectFail(["probe", "--policy", "p.yaml"], 2, /chains\.c\.tiers\[0\]\.timeout_ms: must be a number \(got "20s"\)/);
  await write("version: 1\nendpoints:\n  e: { base_url: '${GATEWAY_URL}' }\nchains:\n  c:\n    tiers: [ { model: a } ]\n");
  await expectFail(["probe", "--policy", "p.yaml"], 2, /environment variable GATEWAY_URL is not set/);
  await expectFail(["probe", "--rounds", "zero"], 2, /expected a whole number/);
  await expectFail(["report", "--by", "colour", "--data-dir", "."], 2, /unknown dimension "colour"/);
  await expectFail(["nonsense"], 2, /unknown command/);
  // unwritable data directory: refused before any request
  await write("version: 1\nendpoints:\n  e: { base_url: 'http://127.0.0.1:1/v1' }\nchains:\n  c:\n    tiers: [ { model: a } ]\n");
  await writeFile(path.join(dir, "blocker"), "");
  await expectFail(["probe", "--policy", "p.yaml", "--data-dir", "blocker/data"], 3, /cannot make the directory .*blocker\/data: .*blocker is a file, not a directory: pick another with --data-dir/);
  // an unreachable endpoint is data, not a tool error
  const r = await runCli(["probe", "--policy", "p.yaml", "--data-dir", "d", "--format", "json"], { cwd: dir });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).records[0].status, "network");
  assert.equal(JSON.parse(r.stdout).records[0].error_code, "refused");
});

test("init writes a starter that validates; validate reports lint warnings, --strict fails on them", async (t) => {
  const dir = await tempDir(t);
  assert.equal((await runCli(["init"], { cwd: dir })).code, 0);
  const again = await runCli(["init"], { cwd: dir });
  assert.equal(again.code, 2);
  assert.match(again.stderr, /already exists; pass --force/);
  const schema = JSON.parse(await readFile(path.join(dir, "tierwatch.schema.json"), "utf8"));
  assert.equal(schema.title, "tierwatch policy");
  const env = { FB_OPENAI_BASE_URL: "https://gw.example.com/v1", FB_API_KEY_SECRET: KEY };
  const ok = await runCli(["validate", "--format", "json"], { cwd: dir, env });
  assert.equal(ok.code, 0, ok.stderr);
  const doc = JSON.parse(ok.stdout);
  assert.equal(doc.valid, true);
  assert.deepEqual(doc.warnings, [], "the starter passes the production checklist");
  assert.equal((await runCli(["validate", "--strict"], { cwd: dir, env })).code, 0);
  // one provider is a lint warning, and --strict fails on it
  await writeFile(path.join(dir, "one.yaml"), "version: 1\nendpoints:\n  gw: { base_url: https://gw.example.com/v1 }\nchains:\n  c:\n    tiers: [ { model: gpt-4.1 }, { model: gpt-4o-mini } ]\n");
  const one = await runCli(["validate", "--policy", "one.yaml", "--format", "json"], { cwd: dir, env });
  assert.ok(JSON.parse(one.stdout).warnings.some((w: { message: string }) => /every tier is served by openai/.test(w.message)), one.stdout);
  assert.equal((await runCli(["validate", "--policy", "one.yaml", "--strict"], { cwd: dir, env })).code, 1);
  const missing = await runCli(["validate"], { cwd: dir, env: {} });
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /FB_OPENAI_BASE_URL is not set/);
});

test("a round against a server that never answers ends within the tier timeout plus a small margin", async (t) => {
  const sim = await simFor(t, { unknown_models: "serve", defaults: { faults: { hang: 1 } } });
  const dir = await tempDir(t);
  const file = await writePolicy(dir, sim.url, [["m1", 300], ["m2", 300], ["m3", 300], ["m4", 300]]);
  const { policy } = await loadPolicy(file, { env: {}, cwd: dir });
  const transport = createTransport();
  t.after(() => transport.close());
  const started = performance.now();
  const records = await probeRound({ policy, targets: probeTargets(policy), transport, redact: (s) => s, runId: "r", round: 1, warm: false });
  const took = performance.now() - started;
  assert.deepEqual(records.map((r) => r.status), ["timeout", "timeout", "timeout", "timeout"]);
  assert.ok(took < 450, `round took ${took.toFixed(0)} ms`);
});

test("two probe processes appending to the same day file: every line parses, none is lost", async (t) => {
  const dir = await tempDir(t);
  const models = Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`m${i}`, { latency_ms: 1 }]));
  const sim = await simFor(t, { models });
  await writePolicy(dir, sim.url, Object.keys(models).map((m) => [m, 2000] as [string, number]));
  const rounds = 15;
  const [a, b] = await Promise.all([
    spawnCli(["probe", "--rounds", String(rounds), "--format", "json", "--no-warmup"], { cwd: dir }),
    spawnCli(["probe", "--rounds", String(rounds), "--format", "json", "--no-warmup"], { cwd: dir }),
  ]);
  assert.equal(a.code, 0, a.stderr);
  assert.equal(b.code, 0, b.stderr);
  const lines = await dataLines(path.join(dir, "data"));
  assert.equal(lines.length, 2 * rounds * 16);
  const ids = new Set(lines.map((l) => JSON.parse(l).request_id));
  assert.equal(ids.size, lines.length);
});

test("report: every format from one row model, windows, filters, several inputs, bad lines", async (t) => {
  const dir = await tempDir(t);
  const sim = await simFor(t, { models: { a: { latency_ms: 5 }, b: { latency_ms: 5, faults: { rate_limited: 1 } } } });
  await writePolicy(dir, sim.url, [["a", 1000], ["b", 1000]]);
  assert.equal((await runCli(["probe", "--rounds", "3"], { cwd: dir })).code, 0);
  const json = await runCli(["report", "--format", "json", "--by", "model"], { cwd: dir });
  assert.equal(json.code, 0, json.stderr);
  const doc = JSON.parse(json.stdout);
  assert.deepEqual(Object.keys(doc), ["window", "inputs", "records", "groups", "chains", "bad_lines", "cut_short", "unplaced_records"]);
  assert.deepEqual(doc.cut_short, []);
  const [a, b] = doc.groups;
  assert.deepEqual([a.model, a.sent, a.ok, a.success_rate], ["a", 3, 3, 1]);
  assert.deepEqual([b.model, b.ok, b.statuses], ["b", 0, { rate_limited: 3 }]);
  for (const k of ["attempts", "sent", "ok", "success_rate", "success_ci", "p50_ms", "p95_ms", "p99_ms", "ttft_p50_ms", "ttft_p95_ms", "statuses"]) assert.ok(k in a, k);
  assert.deepEqual(
    [doc.chains[0].chain, doc.chains[0].requests, doc.chains[0].fallback_activation_rate, doc.chains[0].exhaustion_rate],
    ["default", 3, 0, 0],
  );
  const csv = await runCli(["report", "--format", "csv", "--by", "model"], { cwd: dir });
  assert.match(csv.stdout.split("\n")[0]!, /^model,sent,success_rate,success_ci,/);
  assert.match(csv.stdout, /\nb,3,0,/);
  const md = await runCli(["report", "--format", "markdown", "--by", "model"], { cwd: dir });
  assert.match(md.stdout, /\| model \| sent \| success \|/);
  assert.match(md.stdout, /\| b \| 3 \| 0% \|/);
  const table = await runCli(["report", "--by", "model,hour"], { cwd: dir });
  assert.ok(table.stdout.split("\n").every((l) => l.length <= 100), table.stdout);
  // several inputs merge; a bad line is reported as file:line and --strict makes it exit 1
  await writeFile(path.join(dir, "other.jsonl"), `${JSON.stringify({ v: 1, ts: new Date().toISOString(), status: "ok", model: "a", latency_ms: 7 })}\nnot json\n{}\n`);
  const merged = await runCli(["report", "data", "other.jsonl", "--format", "json", "--by", "model"], { cwd: dir });
  assert.equal(JSON.parse(merged.stdout).groups[0].sent, 4);
  assert.match(merged.stderr, /other\.jsonl:2: not valid JSON/);
  assert.equal((await runCli(["report", "data", "other.jsonl", "--strict"], { cwd: dir })).code, 1);
  // an empty window and a missing directory have their own codes
  const empty = await runCli(["report", "--until", "2000-01-01"], { cwd: dir });
  assert.equal(empty.code, 4);
  assert.match(empty.stderr, /no records in the window/);
  assert.equal((await runCli(["report", "nowhere"], { cwd: dir })).code, 3);
  assert.equal((await runCli(["report", "--since", "last tuesday"], { cwd: dir })).code, 2);
});

test("demo runs offline through the real bin and names its data directory", async (t) => {
  const dir = await tempDir(t);
  const r = await spawnCli(["demo", "--rounds", "4", "--data-dir", "demo-data"], { cwd: dir });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /gpt-4\.1/);
  assert.match(r.stdout, /claude-sonnet-4/);
  assert.match(r.stdout, /Records: .*demo-data/);
  // 4 targets: three tiers and the pool's second member
  assert.equal((await dataLines(path.join(dir, "demo-data"))).length, 16);
});

test("a reader that closes the pipe early (| head) ends the CLI quietly, with the command's own exit code", async (t) => {
  const dir = await tempDir(t);
  const rows = Array.from({ length: 2000 }, (_, i) => JSON.stringify({ v: 1, ts: "2026-11-01T10:00:00.000Z", run_id: "r", round: i, model: `m${i}`, status: "ok", latency_ms: i }));
  await writeFile(path.join(dir, "f.jsonl"), rows.join("\n") + "\n");
  const { spawn } = await import("node:child_process");
  const { BIN } = await import("./helpers/runCli.js");
  for (const args of [["report", "--help"], ["report", "f.jsonl", "--by", "model", "--format", "csv"]]) {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
    // the read end closes before the CLI writes: its first write fails with EPIPE
    child.stdout.destroy();
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    assert.equal(code, 0, stderr);
    assert.equal(stderr, "", args.join(" "));
  }
});

test("records piped in (- or /dev/stdin) give the file's report, torn last line and all; - on a terminal is a clear error", async (t) => {
  if (process.platform === "win32") return t.skip("no /dev/stdin");
  const dir = await tempDir(t);
  // more than a pipe holds at once and more than one read chunk: the reader must wait for data and read on
  const rows = Array.from({ length: 9000 }, (_, i) =>
    JSON.stringify({ v: 1, ts: `2026-11-01T10:${String(i % 60).padStart(2, "0")}:00.000Z`, run_id: "r", round: Math.floor(i / 3), chain: "c", tier: (i % 3) + 1, model: `m${i % 3}`, endpoint: "gw", status: i % 7 ? "ok" : "timeout", latency_ms: (i * 37) % 900, request_id: "x".repeat(100) }),
  );
  const text = rows.join("\n") + "\n" + rows.slice(0, 5).join("\n") + '\n{"v":1,"ts":"2026-11';
  await writeFile(path.join(dir, "f.jsonl"), text);
  const { spawn } = await import("node:child_process");
  const { BIN } = await import("./helpers/runCli.js");
  const run = (args: string[], stdin?: string | Buffer) =>
    new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [BIN, ...args], { cwd: dir, stdio: [stdin === undefined ? "ignore" : "pipe", "pipe", "pipe"] });
      let stdout = "";
      let stderr = "";
      child.stdout!.on("data", (d) => (stdout += d));
      child.stderr!.on("data", (d) => (stderr += d));
      child.on("close", (code) => resolve({ code, stdout, stderr }));
      // a child that ends early closes its input: its exit code and stderr tell why
      child.stdin?.on("error", () => {});
      // half, a pause, then the rest: the reader meets an empty (non-blocking) input and must wait
      if (stdin !== undefined) {
        const half = Math.floor(stdin.length / 2);
        child.stdin!.write(stdin.slice(0, half));
        setTimeout(() => child.stdin!.end(stdin.slice(half)), 300);
      }
    });
  const args = ["--by", "model", "--format", "json"];
  const file = await run(["report", "f.jsonl", ...args]);
  assert.equal(file.code, 0, file.stderr);
  const body = (out: string) => ({ ...JSON.parse(out), inputs: undefined });
  assert.equal(body(file.stdout).groups[0].attempts, 3002);
  assert.match(file.stderr, /1 unfinished last line/);
  for (const input of ["-", "/dev/stdin"]) {
    const piped = await run(["report", input, ...args], text);
    assert.equal(piped.code, 0, piped.stderr);
    assert.deepEqual(body(piped.stdout), body(file.stdout), input);
    assert.equal(piped.stderr, file.stderr, input);
  }
  // a file and standard input together: both read
  const both = await run(["report", "f.jsonl", "-", ...args], text);
  assert.equal(JSON.parse(both.stdout).groups[0].attempts, 6004);
  // the record path (gate, replay, recommend) reads standard input too, its torn last line as a file's
  const gate = ["--threshold", "success_rate{model=m0} >= 0.5", "--format", "json"];
  const gateFile = await run(["gate", "--from", "f.jsonl", ...gate]);
  const gatePiped = await run(["gate", "--from", "-", ...gate], text);
  assert.equal(gateFile.code, 0, gateFile.stderr);
  assert.equal(JSON.parse(gateFile.stdout).thresholds[0].n, 3002);
  assert.deepEqual([gatePiped.code, gatePiped.stdout, gatePiped.stderr], [gateFile.code, gateFile.stdout, gateFile.stderr]);
  const recommendFile = await run(["recommend", "f.jsonl"]);
  const recommendPiped = await run(["recommend", "-"], text);
  assert.equal(recommendFile.code, 0, recommendFile.stderr);
  assert.doesNotMatch(recommendFile.stderr, /bad line/);
  assert.deepEqual([recommendPiped.code, recommendPiped.stdout, recommendPiped.stderr], [recommendFile.code, recommendFile.stdout, recommendFile.stderr]);
  // a bad line there is named <stdin>, not by the device's path
  const withBad = await run(["report", "-", ...args], `garbage\n${text}`);
  assert.deepEqual(JSON.parse(withBad.stdout).bad_lines.first, [{ file: "<stdin>", line: 1, reason: "not valid JSON" }]);
  assert.match(withBad.stderr, /^ {2}<stdin>:1: not valid JSON$/m);
  // gzip data through a pipe is said to be that, on both paths, not read as hundreds of bad lines
  const { gzipSync } = await import("node:zlib");
  for (const cmd of [["report", "-"], ["gate", "--from", "-", ...gate]]) {
    const r = await run(cmd, gzipSync(text));
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, /^tierwatch: standard input is gzip-compressed data; pass the \.gz file itself \(gzip files are read as they are\), or decompress it on the way \(zcat app\.jsonl\.gz \| tierwatch \.\.\. -\)$/m);
  }
  const { expandInputs } = await import("../src/store/expandInputs.js");
  await assert.rejects(expandInputs(["-"], dir, true), /standard input, which is a terminal here; pipe them in/);
});

test("gzip files (rotated logs) are read as they are, alone, several in order, or beside plain ones; a cut-short one up to its end, a corrupt one is a clear error", async (t) => {
  const dir = await tempDir(t);
  const { gzipSync } = await import("node:zlib");
  const { mkdir } = await import("node:fs/promises");
  // rounds that run on from one file into the next, a bad line, and a torn last line
  const rows = Array.from({ length: 6000 }, (_, i) =>
    JSON.stringify({ v: 1, ts: `2026-11-0${1 + Math.floor(i / 2000)}T10:00:00.000Z`, run_id: "r", round: Math.floor(i / 3), chain: "c", tier: (i % 3) + 1, model: `m${i % 3}`, endpoint: "gw", status: i % 7 ? "ok" : "timeout", latency_ms: (i * 37) % 900 }),
  );
  const day = (k: number) => rows.slice(k * 2000 + (k === 0 ? 0 : 1), (k + 1) * 2000 + 1).join("\n") + "\n";
  await mkdir(path.join(dir, "plain"));
  await mkdir(path.join(dir, "gz"));
  await mkdir(path.join(dir, "mixed"));
  const texts = [day(0), `${day(1)}garbage\n`, `${day(2)}{"v":1,"ts":"2026-11`];
  for (const [k, text] of texts.entries()) {
    await writeFile(path.join(dir, "plain", `d${k}.jsonl`), text);
    await writeFile(path.join(dir, "gz", `d${k}.jsonl.gz`), gzipSync(text));
    await writeFile(path.join(dir, "mixed", k === 1 ? `d${k}.jsonl` : `d${k}.jsonl.gz`), k === 1 ? text : gzipSync(text));
  }
  const args = ["--by", "model", "--format", "json"];
  const body = (out: string) => ({ ...JSON.parse(out), inputs: undefined, bad_lines: { ...JSON.parse(out).bad_lines, first: JSON.parse(out).bad_lines.first.map((b: { file: string; line: number }) => [path.basename(b.file).replace(/\.gz$/, ""), b.line]) } });
  const plain = await runCli(["report", "plain", ...args], { cwd: dir });
  assert.equal(plain.code, 0, plain.stderr);
  assert.equal(JSON.parse(plain.stdout).chains[0].requests, 2000);
  assert.deepEqual(JSON.parse(plain.stdout).bad_lines.count, 1);
  for (const input of ["gz", "mixed", "gz/d0.jsonl.gz"]) {
    const r = await runCli(["report", input, ...args], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    if (input.endsWith(".gz")) assert.equal(JSON.parse(r.stdout).groups[0].attempts, 667);
    else {
      assert.deepEqual(body(r.stdout), body(plain.stdout), input);
      const named = (text: string) => text.replace(/(plain|gz|mixed)\//g, "").replace(/\.gz:/g, ":");
      assert.equal(named(r.stderr), named(plain.stderr), input);
    }
  }
  // the record path alike
  const gate = ["--threshold", "success_rate >= 0.5", "--format", "json"];
  const gatePlain = await runCli(["gate", "--from", "plain", ...gate], { cwd: dir });
  const gateGz = await runCli(["gate", "--from", "gz", ...gate], { cwd: dir });
  assert.equal(JSON.parse(gatePlain.stdout).thresholds[0].n, 6000);
  assert.deepEqual([gateGz.code, gateGz.stdout], [gatePlain.code, gatePlain.stdout]);
  // standard input redirected from a gzip file (`- < d0.jsonl.gz`): decompressed on both paths, as the file
  const { spawnSync } = await import("node:child_process");
  const { openSync, closeSync } = await import("node:fs");
  const { BIN } = await import("./helpers/runCli.js");
  for (const cmd of [["report", "-", ...args], ["gate", "--from", "-", ...gate]]) {
    const fd = openSync(path.join(dir, "gz", "d0.jsonl.gz"), "r");
    const redirected = spawnSync(process.execPath, [BIN, ...cmd], { cwd: dir, stdio: [fd, "pipe", "pipe"], encoding: "utf8" });
    closeSync(fd);
    const named = await runCli(cmd.map((a) => (a === "-" ? "gz/d0.jsonl.gz" : a)), { cwd: dir });
    assert.equal(redirected.status, 0, redirected.stderr);
    assert.deepEqual({ ...JSON.parse(redirected.stdout), inputs: undefined, source: undefined }, { ...JSON.parse(named.stdout), inputs: undefined, source: undefined }, cmd[0]);
  }
  // what the gate skipped is said, not judged silently
  assert.match(gatePlain.stderr, /^1 bad line\(s\) skipped:\n  .*:\d+: /m);
  assert.equal(gateGz.stderr.replaceAll("gz/d1.jsonl.gz", "plain/d1.jsonl"), gatePlain.stderr);
  // cut short (a compressor still writing, as logrotate's is for a while): read up to where it ends, the
  // torn last line skipped, and said, on both paths
  const cut = gzipSync(texts[0]!).subarray(0, 1500);
  await writeFile(path.join(dir, "cut.jsonl.gz"), cut);
  const { gunzipSync, constants } = await import("node:zlib");
  const readable = gunzipSync(cut, { finishFlush: constants.Z_SYNC_FLUSH }).toString();
  const whole = readable.split("\n").length - 1;
  assert.ok(whole > 10 && whole < 2000, String(whole));
  const cutReport = await runCli(["report", "cut.jsonl.gz", "--format", "json"], { cwd: dir });
  assert.equal(cutReport.code, 0, cutReport.stderr);
  assert.equal(JSON.parse(cutReport.stdout).records, whole);
  assert.deepEqual(JSON.parse(cutReport.stdout).cut_short, ["cut.jsonl.gz"]);
  assert.match(cutReport.stderr, /^1 unfinished last line\(s\) skipped/m);
  assert.match(cutReport.stderr, /^cut\.jsonl\.gz: cut short \(a compressor still writing, or a copy cut off\); read up to where it ends$/m);
  const cutGate = await runCli(["gate", "--from", "cut.jsonl.gz", "--threshold", "success_rate >= 0.5", "--format", "json"], { cwd: dir });
  assert.equal(cutGate.code, 0, cutGate.stderr);
  assert.equal(JSON.parse(cutGate.stdout).thresholds[0].n, whole);
  assert.match(cutGate.stderr, /^cut\.jsonl\.gz: cut short/m);
  // corrupt (its check fails): exit 3, named, on both paths
  const corrupt = Buffer.from(gzipSync(texts[0]!));
  for (let i = 2000; i < 2100; i++) corrupt[i]! ^= 0x55;
  await writeFile(path.join(dir, "corrupt.jsonl.gz"), corrupt);
  for (const cmd of [["report", "corrupt.jsonl.gz"], ["gate", "--from", "corrupt.jsonl.gz", "--threshold", "success_rate >= 0.5"]]) {
    const r = await runCli(cmd, { cwd: dir });
    assert.equal(r.code, 3, cmd.join(" "));
    // named as the other messages name it, relative to where tierwatch runs
    assert.match(r.stderr, /^tierwatch: corrupt\.jsonl\.gz: cannot be decompressed \([a-z ]+\); is it a whole gzip file\?$/m);
  }
});

test("mock on a port already taken says so and how to pick another, not 'internal error'", async (t) => {
  const dir = await tempDir(t);
  const { createServer } = await import("node:net");
  const taken = createServer();
  await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
  t.after(() => taken.close());
  const port = (taken.address() as import("node:net").AddressInfo).port;
  const scenario = path.resolve(path.dirname(new URL(import.meta.url).pathname), "../../fixtures/scenarios/demo.yaml");
  const r = await runCli(["mock", "--scenario", scenario, "--port", String(port)], { cwd: dir });
  assert.equal(r.code, 2, r.stderr);
  assert.equal(r.stderr, `tierwatch: 127.0.0.1:${port} is already in use; pick another --port (0 takes a free one)\n`);
});

test("the data directory must be writable by the process (permissions)", async (t) => {
  const dir = await tempDir(t);
  await chmod(dir, 0o755);
  await mkdir(path.join(dir, "ro"), { mode: 0o555 });
  // as root, the child runs as nobody, for whom the directory is read-only
  const asUser = process.getuid?.() === 0 ? { uid: 65534 } : {};
  const r = await spawnCli(["probe", "--data-dir", path.join(dir, "ro", "d")], { cwd: dir, env: { FB_OPENAI_BASE_URL: "http://127.0.0.1:1/v1" }, ...asUser });
  assert.equal(r.code, 3, r.stderr);
  assert.match(r.stderr, /cannot make the directory .*ro\/d: permission denied \(EACCES\)/);
});
