import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { alertTransition, QUIET } from "../src/alerts/alertTransition.js";
import { validatePolicy } from "../src/policy/validatePolicy.js";
import { startSimulator } from "../src/sim/startSimulator.js";
import { runCli, spawnCli } from "./helpers/runCli.js";
import { tempDir } from "./helpers/tempDir.js";

const KEY = "sk-live-ALERTSECRET-0123456789";

async function receiver(t: import("node:test").TestContext) {
  const bodies: Record<string, unknown>[] = [];
  let status = 200;
  const server = createServer((req, res) => {
    let text = "";
    req.on("data", (d) => (text += d));
    req.on("end", () => {
      if (status === 200) bodies.push(JSON.parse(text));
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  t.after(() => server.close());
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/T000/B000/SECRETTOKEN`, bodies, setStatus: (s: number) => (status = s) };
}

async function setup(t: import("node:test").TestContext, failFirst: number) {
  const dir = await tempDir(t);
  const sim = await startSimulator({ models: { a: { latency_ms: 2, phases: [{ requests: [0, failFirst], faults: { server_error: 1 } }] } } });
  t.after(() => sim.close());
  const hook = await receiver(t);
  await writeFile(
    path.join(dir, "tierwatch.yaml"),
    `version: 1
endpoints:
  sim: { base_url: "${sim.url}", api_key: "\${TEST_KEY}" }
chains:
  default:
    tiers: [ { model: a, timeout_ms: 1000 } ]
alerts:
  - name: tier1-down
    when: "success_rate{tier=1} < 0.9"
    window: 700ms
    min_samples: 3
    remind_every: 400ms
    webhook: \${HOOK_URL}
store: { dir: ./data }
`,
  );
  const env = { TEST_KEY: KEY, HOOK_URL: hook.url };
  const round = async (...extra: string[]) => {
    const r = await runCli(["probe", "--lock", ...extra], { cwd: dir, env });
    assert.equal(r.code, 0, r.stderr);
    return r;
  };
  return { dir, hook, round };
}

test("an alert fires once, reminds at its interval, resolves when healthy; nothing secret is sent", async (t) => {
  const { hook, round } = await setup(t, 5);
  // one failure of one is below min_samples, but its whole 95 % interval (0–79 %) is under 90 %: a
  // clearly firing condition fires
  await round();
  assert.equal(hook.bodies.length, 1);
  await round(); // still failing, before remind_every
  await round();
  await round();
  assert.equal(hook.bodies.length, 1);
  await new Promise((r) => setTimeout(r, 450));
  await round(); // still failing, after remind_every
  assert.equal(hook.bodies.length, 2);
  await new Promise((r) => setTimeout(r, 750)); // the failures leave the window
  await round(); // request 5: healthy again, but one sample is too few
  await round();
  await round(); // three healthy samples in the window: resolved
  assert.equal(hook.bodies.length, 3);
  const [fired, reminded, resolved] = hook.bodies as Record<string, unknown>[];
  assert.deepEqual([fired!.status, fired!.reminder, fired!.alert, fired!.value, fired!.samples, fired!.window], ["firing", false, "tier1-down", 0, 1, "700ms"]);
  assert.deepEqual([reminded!.status, reminded!.reminder], ["firing", true]);
  assert.deepEqual([resolved!.status, resolved!.value], ["resolved", 1]);
  assert.match(String(fired!.text), /tier1-down FIRING: success_rate = 0\.00% over the last 700ms \(n=1\); condition: success_rate\{tier=1\} < 0\.9/);
  const all = JSON.stringify(hook.bodies);
  assert.ok(!all.includes(KEY) && !all.includes("SECRETTOKEN"));
});

test("a receiver that is down: the notification is retried after the next round, and never blocks probing", async (t) => {
  const { hook, round } = await setup(t, 100);
  hook.setStatus(503);
  await round();
  await round();
  const started = performance.now();
  const down = await round(); // fires, but every delivery attempt gets 503
  assert.match(down.stderr, /alert tier1-down: firing not delivered to http:\/\/127\.0\.0\.1:\d+ \(HTTP 503\); will retry/);
  assert.ok(!down.stderr.includes("SECRETTOKEN"), "the webhook URL leaked");
  assert.ok(performance.now() - started < 5000);
  assert.equal(hook.bodies.length, 0);
  hook.setStatus(200);
  await round();
  assert.equal(hook.bodies.length, 1);
  assert.equal((hook.bodies[0] as Record<string, unknown>).status, "firing");
});

test("--dry-run sends nothing and writes nothing: it prints what the rounds would probe and what each alert would evaluate", async (t) => {
  const { dir, hook, round } = await setup(t, 100);
  await round(); // one real failure in the window
  const before = await readFile(path.join(dir, "data", `${new Date().toISOString().slice(0, 10)}.jsonl`), "utf8");
  const sent = hook.bodies.length;
  const r = await runCli(["probe", "--dry-run", "--format", "json"], { cwd: dir, env: { TEST_KEY: KEY, HOOK_URL: "http://127.0.0.1:9/hooks/T000/B000/SECRETTOKEN" } });
  assert.equal(r.code, 0, r.stderr);
  const plan = JSON.parse(r.stdout) as { dry_run: boolean; targets: { model: string; timeout_ms: number }[]; alerts: { alert: string; now: string; to: string }[] };
  assert.equal(plan.dry_run, true);
  assert.deepEqual(plan.targets.map((x) => [x.model, x.timeout_ms]), [["a", 1000]]);
  assert.deepEqual(plan.alerts.map((a) => [a.alert, a.now, a.to]), [["tier1-down", "would fire", "http://127.0.0.1:9"]]);
  assert.equal(await readFile(path.join(dir, "data", `${new Date().toISOString().slice(0, 10)}.jsonl`), "utf8"), before, "no record written");
  assert.equal(hook.bodies.length, sent, "no notification sent");
  assert.ok(!r.stdout.includes("SECRETTOKEN") && !r.stdout.includes(KEY));
  const text = await runCli(["probe", "--dry-run"], { cwd: dir, env: { TEST_KEY: KEY, HOOK_URL: "http://127.0.0.1:9/x" } });
  assert.match(text.stdout, /^dry run: nothing is sent, nothing is written; 1 round\(s\)/);
  assert.match(text.stdout, /^ {2}a on sim \(http:\/\/127\.0\.0\.1:\d+\/v1\), chain default tier 1: timeout 1\.00 s$/m);
  assert.match(text.stdout, /^ {2}tier1-down: success_rate\{tier=1\} < 0\.9 over .*; now: would fire/m);
});

test("alert rules are validated with paths; the transition table", () => {
  const { problems } = validatePolicy(
    {
      version: 1,
      endpoints: { e: { base_url: "http://x/v1" } },
      chains: { c: { tiers: [{ model: "m" }] } },
      alerts: [
        { name: "x", when: "succes_rate < 1", window: "soon", webhook: "ftp://x" },
        { name: "x", when: "p95_ms > 100" },
      ],
    },
    { env: {}, source: "t" },
  );
  const lines = problems.map((p) => `${p.path}: ${p.message}`);
  assert.ok(lines.some((l) => l.startsWith('alerts[0].when: unknown metric "succes_rate"')), lines.join("\n"));
  assert.ok(lines.some((l) => l.startsWith('alerts[0].window: "soon" is not a duration')), lines.join("\n"));
  assert.ok(lines.includes("alerts[0].webhook: must be an http:// or https:// URL"), lines.join("\n"));
  assert.ok(lines.includes("alerts[1].name: x is used by an earlier alert; names must be unique"), lines.join("\n"));
  const v = (verdict: "pass" | "fail" | "insufficient") => ({ threshold: "t", verdict, measured: 0, ci: null, n: 5, message: "" });
  const fired = alertTransition(QUIET, v("pass"), 1000, 500);
  assert.deepEqual([fired.next.state, fired.send], ["firing", "firing"]);
  assert.equal(alertTransition(QUIET, v("insufficient"), 1000, 500).send, null);
  assert.equal(alertTransition(QUIET, v("fail"), 1000, 500).send, null);
});

test("the issue's alert rule works as written", async () => {
  const { parse } = await import("yaml");
  const doc = parse(`version: 1
endpoints:
  e: { base_url: "http://127.0.0.1:9/v1" }
chains:
  default:
    tiers: [ { model: gpt-4.1 }, { model: claude-sonnet-4 } ]
alerts:
  - name: tier1-down
    when: "success_rate{tier=1} < 0.95"
    window: 15m
    min_samples: 10
    webhook: https://hooks.example.com/T000/B000
`);
  const { policy, problems } = validatePolicy(doc, { env: {}, source: "issue" });
  assert.deepEqual(problems.filter((p) => p.severity === "error"), []);
  const [rule] = policy!.alerts;
  assert.deepEqual(
    [rule!.name, rule!.when.metric, rule!.when.labels, rule!.when.op, rule!.when.value, rule!.windowMs, rule!.minSamples, rule!.format, rule!.remindEveryMs],
    ["tier1-down", "success_rate", { tier: "1" }, "<", 0.95, 900_000, 10, "json", 3_600_000],
  );
});

test("a plain probe --rounds N evaluates the alert rules after every round; a rule without a webhook prints to stdout, a JSON line with --format json", async (t) => {
  const dir = await tempDir(t);
  const run = async (name: string, ...extra: string[]) => {
    // the first request fails, the others answer
    const sim = await startSimulator({ models: { a: { latency_ms: 1, phases: [{ requests: [0, 1], faults: { server_error: 1 } }] } } });
    t.after(() => sim.close());
    await writeFile(
      path.join(dir, `${name}.yaml`),
      `version: 1\nendpoints:\n  sim: { base_url: "${sim.url}" }\nchains:\n  default:\n    tiers: [ { model: a, timeout_ms: 1000 } ]\nalerts:\n  - { name: t1, when: "success_rate{tier=1} < 0.9", window: 500ms, min_samples: 3 }\nstore: { dir: ./${name} }\n`,
    );
    const r = await spawnCli(["probe", "--policy", `${name}.yaml`, "--rounds", "5", "--interval", "200ms", "--no-warmup", ...extra], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    return r;
  };
  // round 1 fails (the whole interval under 90 %: fires at once); by round 4 the failure has left the window
  const text = await run("text");
  assert.match(text.stdout, /^🔴 tierwatch alert t1 FIRING: success_rate = 0\.00% over the last 500ms \(n=1\)/m);
  assert.match(text.stdout, /^✅ tierwatch alert t1 RESOLVED/m);
  assert.doesNotMatch(text.stderr, /tierwatch alert/);
  const json = await run("json", "--format", "json");
  const lines = json.stdout.trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.deepEqual(lines.filter((l) => l.alert === "t1").map((l) => l.status), ["firing", "resolved"]);
  assert.ok(Array.isArray(lines.at(-1)!.records), "the probe's own document comes last");
});
