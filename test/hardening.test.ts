import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmod, mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { test, type TestContext } from "node:test";
import { createFallbackClient, type CompleteResult, type FallbackClient } from "../src/index.js";
import { SILENT_CLOSE_MS } from "../src/fallback/runChain.js";
import { startSimulator } from "../src/sim/startSimulator.js";
import { BIN, spawnCli } from "./helpers/runCli.js";
import { record } from "./helpers/builders.js";
import { tempDir } from "./helpers/tempDir.js";

/** A server that answers each request with the next reply of a list (the last one repeats). */
async function scriptedServer(t: TestContext, replies: ((res: ServerResponse) => void)[]) {
  let n = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => replies[Math.min(n++, replies.length - 1)]!(res));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  t.after(() => server.close());
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, served: () => n };
}

/** Every 8-character run of `secret` found in `text`. */
function leaks(secret: string, text: string): string[] {
  const found: string[] = [];
  for (let i = 0; i + 8 <= secret.length; i++) if (text.includes(secret.slice(i, i + 8))) found.push(secret.slice(i, i + 8));
  return found;
}

async function allFiles(dir: string): Promise<string> {
  let out = "";
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) out += await readFile(path.join(e.parentPath, e.name), "utf8");
  }
  return out;
}

test("a key the server echoes (in a header, the body, the model, an error cut at any offset) reaches no output", async (t) => {
  const dir = await tempDir(t);
  // no sk- prefix: only the policy's knowledge of its key can catch it, not a key-shaped pattern
  const key = `tw${randomBytes(18).toString("hex")}`;
  const pad = (c: string, n: number) => c.repeat(n);
  const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) =>
    res.writeHead(status, { "content-type": "application/json", ...headers }).end(typeof body === "string" ? body : JSON.stringify(body));
  const sse = (res: ServerResponse, events: string[]) => {
    res.writeHead(200, { "content-type": "text/event-stream" });
    for (const e of events) res.write(`data: ${e}\n\n`);
    res.end();
  };
  const ok = (model: string) => ({ id: "x", model, choices: [{ index: 0, message: { role: "assistant", content: "ok" }, finish_reason: "stop" }] });
  const offsets = (cut: number) => Array.from({ length: 48 }, (_, i) => Math.max(0, cut - 40 + i));
  const plain: ((res: ServerResponse) => void)[] = [
    (res) => json(res, 200, ok("m"), { "x-served-by": `Bearer ${key}` }),
    (res) => json(res, 200, ok("m"), { "x-served-by": key }),
    (res) => json(res, 200, ok(`served-by-${key}`)),
    ...offsets(290).map((o) => (res: ServerResponse) => res.writeHead(500).end(pad("a", o) + key)),
    ...offsets(290).map((o) => (res: ServerResponse) => json(res, 503, { error: { message: pad("b", o) + key } })),
    ...offsets(80).map((o) => (res: ServerResponse) => json(res, 200, `{${pad("c", o)}${key}`)),
    ...offsets(200).map((o) => (res: ServerResponse) => json(res, 200, { error: pad("d", o) + key })),
  ];
  const streamed: ((res: ServerResponse) => void)[] = [
    ...offsets(60).map((o) => (res: ServerResponse) => sse(res, [`{${pad("e", o)}${key}`])),
    ...offsets(300).map((o) => (res: ServerResponse) => sse(res, [JSON.stringify({ error: { message: pad("f", o) + key } })])),
  ];
  const hookBodies: string[] = [];
  const hook = createServer((req, res) => {
    let body = "";
    req.on("data", (d) => (body += d));
    req.on("end", () => {
      hookBodies.push(`${JSON.stringify(req.headers)}${body}`);
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => hook.listen(0, "127.0.0.1", r));
  t.after(() => hook.close());
  const hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook`;
  const run = async (replies: typeof plain, stream: boolean) => {
    const server = await scriptedServer(t, replies);
    const policy = path.join(dir, `tierwatch-${stream}.yaml`);
    await writeFile(
      policy,
      `version: 1
endpoints:
  gw: { base_url: "${server.url}", api_key: "\${TEST_KEY}", served_by_header: [x-served-by] }
chains:
  default:
    tiers: [ { model: m, timeout_ms: 2000 } ]
alerts:
  - { name: t1, when: "success_rate{tier=1} < 0.99", window: 1h, min_samples: 1, webhook: "${hookUrl}" }
store: { dir: ./data }
`,
    );
    const env = { TEST_KEY: key };
    const args = ["--policy", policy, "--rounds", String(replies.length), "--no-warmup", ...(stream ? ["--stream"] : [])];
    const outs = [await spawnCli(["probe", ...args, "--format", "json"], { cwd: dir, env })];
    assert.equal(outs[0]!.code, 0, outs[0]!.stderr);
    assert.equal(server.served(), replies.length);
    outs.push(await spawnCli(["probe", ...args], { cwd: dir, env }));
    outs.push(await spawnCli(["report", "--policy", policy, "--by", "status", "--format", "json"], { cwd: dir, env }));
    outs.push(await spawnCli(["report", "--policy", policy, "data"], { cwd: dir, env }));
    const junit = path.join(dir, "gate.xml");
    const summary = path.join(dir, "gate.md");
    outs.push(
      await spawnCli(["gate", "--policy", policy, "--from", "data", "--threshold", "success_rate >= 0.99", "--min-samples", "1", "--junit", junit, "--summary", summary], {
        cwd: dir,
        env,
      }),
    );
    assert.equal(outs.at(-1)!.code, 1, outs.at(-1)!.stderr);
    return outs.map((o) => o.stdout + o.stderr).join("\n");
  };
  const printed = (await run(plain, false)) + (await run(streamed, true));
  const files = await allFiles(dir);
  assert.ok(files.includes("[redacted]"), "the echoed key was stored redacted");
  assert.ok(hookBodies.length > 0, "an alert was delivered");
  assert.deepEqual(leaks(key, printed), [], "stdout and stderr");
  assert.deepEqual(leaks(key, files), [], "records, JUnit, summary, alert state");
  assert.deepEqual(leaks(key, hookBodies.join("\n")), [], "alert payloads");
});

test("webhooks that hang, reset, fail, do not resolve or speak TLS change no round's output, records or exit code", async (t) => {
  const dir = await tempDir(t);
  const sim = await startSimulator({ models: { a: { latency_ms: 1, phases: [{ requests: [0, 1000], faults: { server_error: 1 } }] } } });
  t.after(() => sim.close());
  const sockets = new Set<import("node:net").Socket>();
  const hooks = createServer((req, res) => {
    req.resume();
    if (req.url === "/reset") req.socket.destroy();
    else if (req.url === "/fail") res.writeHead(500).end();
    // /hang: accepted, never answered
  });
  hooks.on("connection", (s) => sockets.add(s));
  await new Promise<void>((r) => hooks.listen(0, "127.0.0.1", r));
  t.after(() => {
    for (const s of sockets) s.destroy();
    hooks.close();
  });
  const base = `127.0.0.1:${(hooks.address() as AddressInfo).port}`;
  const rule = (name: string, webhook: string) => `  - { name: ${name}, when: "success_rate{tier=1} < 0.9", window: 1h, min_samples: 1, webhook: "${webhook}" }\n`;
  await writeFile(
    path.join(dir, "tierwatch.yaml"),
    `version: 1
endpoints:
  sim: { base_url: "${sim.url}" }
chains:
  default:
    tiers: [ { model: a, timeout_ms: 1000 } ]
alerts:
${rule("hang", `http://${base}/hang`)}${rule("reset", `http://${base}/reset`)}${rule("fail", `http://${base}/fail`)}${rule("dns", "http://tierwatch-test.invalid/hook")}${rule("tls", `https://${base}/tls`)}store: { dir: ./data }
`,
  );
  const started = Date.now();
  const once = await spawnCli(["probe", "--rounds", "1", "--format", "json"], { cwd: dir });
  assert.equal(once.code, 0, once.stderr);
  assert.equal(JSON.parse(once.stdout).records.length, 1);
  assert.ok(Date.now() - started < 15_000, "pending deliveries get a bounded time at exit");
  assert.doesNotMatch(once.stderr, /internal error|at .*\.js:\d+/);
  assert.match(once.stderr, /given up, kept for the next run/);
  const state = JSON.parse(await readFile(path.join(dir, "data", "alerts.json"), "utf8")) as Record<string, { pending: string | null }>;
  for (const name of ["hang", "reset", "fail", "dns", "tls"]) assert.equal(state[name]?.pending, "firing", `${name} is kept to be sent again`);

  const monitor = await spawnCli(["probe", "--every", "1s", "--rounds", "3", "--format", "json"], { cwd: dir });
  assert.equal(monitor.code, 0, monitor.stderr);
  assert.equal(monitor.stdout.trim().split("\n").length, 3, "three rounds, each with its line");
  assert.doesNotMatch(monitor.stderr, /internal error|at .*\.js:\d+/);
  const lines = (await readFile(path.join(dir, "data", `${new Date().toISOString().slice(0, 10)}.jsonl`), "utf8")).trim().split("\n");
  assert.ok(lines.length >= 4, `every round's record was written (${lines.length})`);
  await assert.rejects(readFile(path.join(dir, "data", "monitor.lock")), "no lock left behind");
});

test("a terminal with 0 columns gets no spinner: the probe ends, with a few hundred bytes of output", async (t) => {
  const dir = await tempDir(t);
  const sim = await startSimulator({ models: { a: { latency_ms: 1 } } });
  t.after(() => sim.close());
  await writeFile(path.join(dir, "tierwatch.yaml"), `version: 1\nendpoints:\n  sim: { base_url: "${sim.url}" }\nchains:\n  default:\n    tiers: [ { model: a, timeout_ms: 1000 } ]\nstore: { dir: ./data }\n`);
  // script(1) gives the child a pseudo-terminal, as some CI runners do; stty sets its size to 0 x 0
  const cmd = `stty cols 0 rows 0; exec ${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} probe --rounds 3`;
  const started = Date.now();
  const out = await new Promise<{ code: number | null; bytes: number; text: string }>((resolve) => {
    const child = spawn("script", ["-qec", cmd, "/dev/null"], { cwd: dir, stdio: ["ignore", "pipe", "pipe"], env: { PATH: process.env.PATH } });
    const chunks: Buffer[] = [];
    child.stdout.on("data", (d: Buffer) => chunks.push(d));
    child.stderr.on("data", (d: Buffer) => chunks.push(d));
    const killer = setTimeout(() => child.kill("SIGKILL"), 20_000);
    child.on("close", (code) => {
      clearTimeout(killer);
      const all = Buffer.concat(chunks);
      resolve({ code, bytes: all.length, text: all.toString("utf8", 0, 2000) });
    });
  });
  assert.equal(out.code, 0, out.text);
  assert.ok(Date.now() - started < 15_000);
  assert.ok(out.bytes < 4000, `${out.bytes} bytes written`);
  assert.match(out.text, /3 attempt\(s\)/);
});

test("a data directory that cannot be made is exit 3 at once, naming it and the part that failed", async (t) => {
  const dir = await tempDir(t);
  await writeFile(path.join(dir, "tierwatch.yaml"), `version: 1\nendpoints:\n  sim: { base_url: "http://127.0.0.1:9/v1" }\nchains:\n  default:\n    tiers: [ { model: a, timeout_ms: 1000 } ]\n`);
  await writeFile(path.join(dir, "afile"), "x");
  const cases: [string, RegExp][] = [
    ["/proc/tierwatch-test", /cannot make the directory \/proc\/tierwatch-test: its file system does not allow new directories/],
    ["/proc/tierwatch-test/deeper", /\/proc\/tierwatch-test\/deeper \(its parent \/proc\/tierwatch-test could not be made\)/],
    ["afile/data", /cannot make the directory .*afile\/data: .*afile is a file, not a directory/],
  ];
  for (const [dataDir, message] of cases) {
    for (const extra of [[], ["--every", "1m"]]) {
      const started = Date.now();
      const r = await spawnCli(["probe", "--data-dir", dataDir, ...extra], { cwd: dir, timeoutMs: 10_000 });
      assert.equal(r.code, 3, `${dataDir}: ${r.stderr}`);
      assert.match(r.stderr, message);
      assert.ok(Date.now() - started < 10_000, `${dataDir} answered in ${Date.now() - started} ms`);
    }
  }
});

test("an unreadable record file or folder is exit 3 naming it, for report, replay, recommend and gate --from", async (t) => {
  const dir = await tempDir(t);
  await chmod(dir, 0o755);
  const line = `${JSON.stringify(record())}\n`;
  await mkdir(path.join(dir, "data"));
  await mkdir(path.join(dir, "locked"), { mode: 0o700 });
  await writeFile(path.join(dir, "data", "a.jsonl"), line, { mode: 0o644 });
  await writeFile(path.join(dir, "data", "b.jsonl"), line, { mode: 0o600 });
  await writeFile(path.join(dir, "locked", "c.jsonl"), line, { mode: 0o644 });
  await writeFile(path.join(dir, "tierwatch.yaml"), `version: 1\nendpoints:\n  sim: { base_url: "http://127.0.0.1:9/v1" }\nchains:\n  default:\n    tiers: [ { model: m1, timeout_ms: 1000 }, { model: m2, timeout_ms: 1000 } ]\n`, { mode: 0o644 });
  // as root, the commands run as nobody, who may read a.jsonl only
  const asUser = process.getuid?.() === 0 ? { uid: 65534 } : {};
  const commands = [["report"], ["replay", "--candidate", "tierwatch.yaml"], ["recommend"], ["gate", "--threshold", "success_rate >= 0.5", "--from"]];
  const inputs: [string, RegExp][] = [
    ["data", /^tierwatch: data\/b\.jsonl cannot be read: permission denied \(EACCES\)/],
    ["data/b.jsonl", /^tierwatch: data\/b\.jsonl cannot be read: permission denied \(EACCES\)/],
    ["locked", /^tierwatch: locked cannot be listed: permission denied \(EACCES\)/],
    ["locked/c.jsonl", /^tierwatch: locked\/c\.jsonl cannot be reached: permission denied \(EACCES\)/],
  ];
  for (const cmd of commands) {
    for (const [input, message] of inputs) {
      const r = await spawnCli([...cmd, input], { cwd: dir, ...asUser });
      assert.equal(r.code, 3, `${cmd.join(" ")} ${input}: ${r.stderr}`);
      assert.match(r.stderr, message, `${cmd.join(" ")} ${input}`);
    }
  }
});

test("a YAML alias bomb and duplicate keys in a JSON policy are usage errors naming what is wrong", async (t) => {
  const dir = await tempDir(t);
  const lines = ["version: 1", "a: &a [x, x, x, x, x, x, x, x, x]"];
  for (let i = 1; i <= 9; i++) lines.push(`b${i}: &b${i} [${Array(9).fill(`*${i === 1 ? "a" : `b${i - 1}`}`).join(", ")}]`);
  await writeFile(path.join(dir, "bomb.yaml"), `${lines.join("\n")}\n`);
  await writeFile(
    path.join(dir, "dup.json"),
    `{\n  "version": 1,\n  "endpoints": { "sim": { "base_url": "http://127.0.0.1:9/v1" } },\n  "chains": {\n    "default": { "tiers": [{ "model": "a" }] },\n    "default": { "tiers": [{ "model": "b" }] }\n  }\n}\n`,
  );
  const bomb = await spawnCli(["validate", "--policy", "bomb.yaml"], { cwd: dir, timeoutMs: 20_000 });
  assert.equal(bomb.code, 2, bomb.stderr);
  assert.match(bomb.stderr, /^tierwatch: .*bomb\.yaml: not a usable policy: its aliases \(\*name\) expand too far/);
  const dup = await spawnCli(["validate", "--policy", "dup.json"], { cwd: dir });
  assert.equal(dup.code, 2, dup.stderr);
  assert.match(dup.stderr, /^tierwatch: .*dup\.json:6:5: not valid JSON: the key "default" appears twice in the same mapping; keep one$/m);
});

test("a lock whose pid is now another process (reused after a reboot) is stale; a live holder still blocks", async (t) => {
  const dir = await tempDir(t);
  const sim = await startSimulator({ models: { a: { latency_ms: 1 } } });
  t.after(() => sim.close());
  await writeFile(path.join(dir, "tierwatch.yaml"), `version: 1\nendpoints:\n  sim: { base_url: "${sim.url}" }\nchains:\n  default:\n    tiers: [ { model: a, timeout_ms: 1000 } ]\nstore: { dir: ./data }\n`);
  await mkdir(path.join(dir, "data"));
  const lock = path.join(dir, "data", "monitor.lock");
  // a live process that is not tierwatch
  const other = spawn("sleep", ["30"], { stdio: "ignore" });
  t.after(() => other.kill());
  const stat = await readFile(`/proc/${other.pid}/stat`, "utf8");
  const started = stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19]!;
  for (const content of [`${other.pid}\n2026-01-01T00:00:00.000Z\n`, `${other.pid}\n2026-01-01T00:00:00.000Z\n${Number(started) - 100}\n`]) {
    await writeFile(lock, content);
    const r = await spawnCli(["probe", "--lock"], { cwd: dir, timeoutMs: 20_000 });
    assert.equal(r.code, 0, `${JSON.stringify(content)}: ${r.stderr}`);
  }
  // the same pid with its own start time is the lock's writer, alive: the data directory is busy
  await writeFile(lock, `${other.pid}\n2026-01-01T00:00:00.000Z\n${started}\n`);
  const busy = await spawnCli(["probe", "--lock"], { cwd: dir, timeoutMs: 20_000 });
  assert.equal(busy.code, 5, busy.stderr);
  assert.match(busy.stderr, new RegExp(`another tierwatch monitor \\(pid ${other.pid}\\)`));
});

test("a torn last line (a crash, a full disk) stays one bad line: the next probe's records are whole", async (t) => {
  const dir = await tempDir(t);
  const sim = await startSimulator({ models: { a: { latency_ms: 1 } } });
  t.after(() => sim.close());
  await writeFile(path.join(dir, "tierwatch.yaml"), `version: 1\nendpoints:\n  sim: { base_url: "${sim.url}" }\nchains:\n  default:\n    tiers: [ { model: a, timeout_ms: 1000 }, { model: b, timeout_ms: 1000 } ]\nstore: { dir: ./data }\n`);
  await mkdir(path.join(dir, "data"));
  const day = path.join(dir, "data", `${new Date().toISOString().slice(0, 10)}.jsonl`);
  const whole = JSON.stringify(record({ ts: new Date().toISOString(), model: "a" }));
  await writeFile(day, `${whole}\n${whole.slice(0, 40)}`);
  const probe = await spawnCli(["probe", "--rounds", "2"], { cwd: dir });
  assert.equal(probe.code, 0, probe.stderr);
  const report = await spawnCli(["report", "--by", "model", "--format", "json"], { cwd: dir });
  assert.equal(report.code, 0, report.stderr);
  const json = JSON.parse(report.stdout) as { groups: { model: string; sent: number }[] };
  assert.deepEqual(json.groups.map((g) => [g.model, g.sent]).sort(), [["a", 3], ["b", 2]], "1 old record and 4 new ones, none lost");
  assert.match(report.stderr, /1 bad line/);
  assert.match(report.stderr, /:2: not valid JSON/);
});

test("a UTF-8 byte-order mark opening a file is skipped on both paths, not its first record", async (t) => {
  const dir = await tempDir(t);
  const lines = [record({ model: "a" }), record({ model: "a", status: "server_error" })].map((r) => JSON.stringify(r)).join("\n");
  await writeFile(path.join(dir, "bom.jsonl"), Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(`${lines}\n`)]));
  const report = await spawnCli(["report", "bom.jsonl", "--since", "2026-10-01", "--by", "model", "--format", "json"], { cwd: dir });
  assert.equal(report.code, 0, report.stderr);
  assert.equal((JSON.parse(report.stdout) as { groups: { sent: number }[] }).groups[0]!.sent, 2);
  assert.doesNotMatch(report.stderr, /bad line/);
  const gate = await spawnCli(["gate", "--from", "bom.jsonl", "--since", "2026-10-01", "--threshold", "success_rate >= 0.5", "--min-samples", "2", "--format", "json"], { cwd: dir });
  assert.equal(gate.code, 0, gate.stdout + gate.stderr);
  assert.doesNotMatch(gate.stderr, /bad line/);
});

test("each field has one type rule: a record that breaks one is a bad line naming the field, in the same words on every path", async (t) => {
  const dir = await tempDir(t);
  const good = record({ ts: "2026-11-01T12:00:00.000Z" });
  const broken: [Record<string, unknown>, string][] = [
    [{ latency_ms: "12" }, 'latency_ms must be a finite number ≥ 0 or null (got "12")'],
    [{ latency_ms: "abc" }, 'latency_ms must be a finite number ≥ 0 or null (got "abc")'],
    [{ latency_ms: -5 }, "latency_ms must be a finite number ≥ 0 or null (got -5)"],
    [{ tier: "1" }, 'tier must be a whole number ≥ 1 or null (got "1")'],
    [{ tier: 1.5 }, "tier must be a whole number ≥ 1 or null (got 1.5)"],
    [{ cost_usd: true }, "cost_usd must be a finite number ≥ 0 or null (got another type)"],
    [{ model: 7 }, "model must be a string or null (got 7)"],
    [{ round: -1 }, "round must be a whole number ≥ 0 or null (got -1)"],
    [{ status: undefined }, "status is missing"],
    [{ status: 3 }, "status 3 is not one tierwatch knows"],
  ];
  const lines = [JSON.stringify(good), ...broken.map(([o]) => JSON.stringify({ ...good, ...o })), JSON.stringify(good).replace('"latency_ms":100', '"latency_ms":1e309')];
  await writeFile(path.join(dir, "r.jsonl"), `${lines.join("\n")}\n`);
  await writeFile(path.join(dir, "p.yaml"), `version: 1\nendpoints:\n  sim: { base_url: "http://127.0.0.1:9/v1" }\nchains:\n  default:\n    tiers: [ { model: m1, timeout_ms: 1000 }, { model: m2, timeout_ms: 1000 } ]\n`);
  const want = [...broken.map(([, reason], i) => `  r.jsonl:${i + 2}: ${reason}`), `  r.jsonl:${broken.length + 2}: latency_ms must be a finite number ≥ 0 or null (got Infinity)`];
  const window = ["--since", "2026-10-01"];
  const runs = {
    report: await spawnCli(["report", "r.jsonl", ...window], { cwd: dir }),
    gate: await spawnCli(["gate", "--from", "r.jsonl", ...window, "--threshold", "success_rate >= 0.5", "--min-samples", "1"], { cwd: dir }),
    replay: await spawnCli(["replay", "r.jsonl", ...window, "--candidate", "p.yaml", "--policy", "p.yaml"], { cwd: dir }),
  };
  for (const [name, r] of Object.entries(runs)) {
    const named = r.stderr.split("\n").filter((l) => l.startsWith("  r.jsonl:"));
    assert.deepEqual(named, want.slice(0, 5), `${name}: ${r.stderr}`);
    assert.match(r.stderr, new RegExp(`^${lines.length - 1} bad line\\(s\\) skipped; the first 5:$`, "m"), name);
  }
  const json = JSON.parse((await spawnCli(["report", "r.jsonl", ...window, "--format", "json"], { cwd: dir })).stdout) as { records: number; bad_lines: { count: number } };
  assert.equal(json.records, 1);
  assert.equal(json.bad_lines.count, lines.length - 1);
  const table = runs.report.stdout;
  assert.doesNotMatch(table, /Infinity|NaN|-5/);
});

test("probe records without round are round 0 of their run; ones without run_id are counted and named", async (t) => {
  const dir = await tempDir(t);
  await writeFile(path.join(dir, "p.yaml"), `version: 1\nendpoints:\n  sim: { base_url: "http://127.0.0.1:9/v1" }\nchains:\n  default:\n    tiers: [ { model: m1, timeout_ms: 1000 }, { model: m2, timeout_ms: 1000 } ]\n`);
  const lines: string[] = [];
  for (let run = 0; run < 40; run++) {
    for (const model of ["m1", "m2"]) {
      const r: Record<string, unknown> = { ...record({ ts: new Date(Date.UTC(2026, 10, 1, 12, run)).toISOString(), run_id: `other-tool-${run}`, model, status: model === "m1" && run % 4 === 0 ? "server_error" : "ok" }) };
      delete r.round;
      delete r.origin;
      lines.push(JSON.stringify(r));
    }
  }
  for (let i = 0; i < 10; i++) {
    const r: Record<string, unknown> = { ...record({ ts: new Date(Date.UTC(2026, 10, 1, 13, i)).toISOString(), model: "m1" }) };
    delete r.run_id;
    delete r.round;
    lines.push(JSON.stringify(r));
  }
  await writeFile(path.join(dir, "r.jsonl"), `${lines.join("\n")}\n`);
  const window = ["--since", "2026-10-01", "--policy", "p.yaml"];
  const report = await spawnCli(["report", "r.jsonl", ...window, "--format", "json"], { cwd: dir });
  assert.equal(report.code, 0, report.stderr);
  const json = JSON.parse(report.stdout) as { chains: { chain: string; requests: number; fallback_activation_rate: number }[]; unplaced_records: number };
  assert.deepEqual(json.chains.map((c) => [c.chain, c.requests, c.fallback_activation_rate]), [["default", 40, 0.25]]);
  assert.equal(json.unplaced_records, 10);
  assert.match(report.stderr, /^10 probe record\(s\) without a run_id left out of the chain replay/m);
  const replay = await spawnCli(["replay", "r.jsonl", ...window, "--candidate", "p.yaml", "--format", "json"], { cwd: dir });
  assert.equal(replay.code, 0, replay.stderr);
  assert.match(replay.stderr, /^10 probe record\(s\) without a run_id left out of the chain replay/m);
  assert.match(replay.stdout, /"rounds": ?40/);
});

async function engineClient(t: TestContext, baseUrl: string, tiers: Record<string, unknown>[], chain: Record<string, unknown> = {}) {
  const client = createFallbackClient({ version: 1, endpoints: { sim: { base_url: baseUrl } }, chains: { main: { tiers, ...chain } } }, { env: {} });
  t.after(() => client.close());
  return client;
}
const hi = [{ role: "user", content: "hi" }];

test("engine: a streamed attempt has a default first-token limit (half the tier's timeout); null turns it off", async (t) => {
  const sim = await startSimulator({ models: { slow: { ttft_ms: 2000, latency_ms: 2100 }, fast: { latency_ms: 5 } } });
  t.after(() => sim.close());
  const collect = async (client: FallbackClient) => {
    let done: CompleteResult | undefined;
    for await (const e of client.stream({ messages: hi, max_tokens: 8 })) if (e.type === "done") done = e.result;
    return done!;
  };
  const byDefault = await engineClient(t, sim.url, [{ model: "slow", timeout_ms: 3000 }, { model: "fast", timeout_ms: 3000 }]);
  assert.equal(byDefault.policy.chains.main!.tiers[0]!.ttftTimeoutMs, 1500);
  const started = performance.now();
  const r = await collect(byDefault);
  assert.equal(r.tier, 2);
  assert.deepEqual(r.attempts.map((a) => [a.tier, a.status]), [[1, "ttft_timeout"], [2, "ok"]]);
  assert.ok(performance.now() - started < 1900, `failed over after ${(performance.now() - started).toFixed(0)} ms`);
  const off = await engineClient(t, sim.url, [{ model: "slow", timeout_ms: 3000, ttft_timeout_ms: null }, { model: "fast", timeout_ms: 3000 }]);
  assert.equal((await collect(off)).tier, 1, "with ttft_timeout_ms: null the slow first token is waited for");
});

test("engine: a route silent for seconds and then closed is not retried on its tier; a quick reset still is", async (t) => {
  const sockets = new Set<import("node:net").Socket>();
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (d) => (body += d));
    req.on("end", () => {
      const model = (JSON.parse(body) as { model: string }).model;
      if (model === "silent") setTimeout(() => req.socket.destroy(), SILENT_CLOSE_MS + 300);
      else if (model === "reset") req.socket.destroy();
      else res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ model, choices: [{ message: { role: "assistant", content: "ok" }, finish_reason: "stop" }] }));
    });
  });
  server.on("connection", (s) => sockets.add(s));
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  t.after(() => {
    for (const s of sockets) s.destroy();
    server.close();
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  const retry = { max_attempts: 3, base_delay_ms: 10, max_delay_ms: 20 };
  const silent = await engineClient(t, url, [{ model: "silent", timeout_ms: 10_000 }, { model: "ok" }], { retry });
  const started = performance.now();
  const r = await silent.complete({ messages: hi, max_tokens: 8 });
  assert.deepEqual(r.attempts.map((a) => [a.tier, a.status]), [[1, "network"], [2, "ok"]]);
  assert.ok(performance.now() - started < 2 * SILENT_CLOSE_MS, "one silent wait, not three");
  const reset = await engineClient(t, url, [{ model: "reset" }, { model: "ok" }], { retry });
  const quick = await reset.complete({ messages: hi, max_tokens: 8 });
  assert.deepEqual(quick.attempts.map((a) => [a.tier, a.status]), [[1, "network"], [1, "network"], [1, "network"], [2, "ok"]]);
});

test("engine: the breaker is asked before every attempt; a retry after it opened is not sent", async (t) => {
  const sim = await startSimulator({ models: { a: { latency_ms: 5, faults: { server_error: 1 } }, b: { latency_ms: 5 } } });
  t.after(() => sim.close());
  const client = await engineClient(t, sim.url, [{ model: "a" }, { model: "b" }], {
    retry: { max_attempts: 2, base_delay_ms: 300, max_delay_ms: 300, jitter: "none" },
    breaker: { failure_threshold: 3, cooldown_ms: 60_000 },
  });
  // three requests at once: their first failures open a's breaker while each waits to retry
  const results = await Promise.all([1, 2, 3].map(() => client.complete({ messages: hi, max_tokens: 8 })));
  assert.equal(sim.requests.filter((r) => r.model === "a").length, 3, "no retry went to a after its breaker opened");
  for (const r of results) {
    assert.equal(r.tier, 2);
    assert.deepEqual(r.attempts.map((a) => [a.tier, a.attempt, a.status]), [[1, 1, "server_error"], [1, 2, "skipped"], [2, 1, "ok"]]);
  }
});
