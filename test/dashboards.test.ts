import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { chooseGrid, MAX_BUCKETS } from "../src/analysis/timeSeries.js";
import { record } from "./helpers/builders.js";
import { runCli, spawnCli } from "./helpers/runCli.js";
import { tempDir } from "./helpers/tempDir.js";

test("the time series grid: at most MAX_BUCKETS buckets on the ladder, aligned, covering the window", () => {
  for (const span of [5_000, 3_600_000, 86_400_000, 30 * 86_400_000, 400 * 86_400_000]) {
    const start = Date.UTC(2026, 0, 1, 7, 13, 5);
    const g = chooseGrid(start, start + span);
    assert.ok(g.count <= MAX_BUCKETS, `${span}: ${g.count} buckets`);
    assert.equal(g.start % g.size, 0);
    assert.ok(g.start <= start && g.start + g.count * g.size >= start + span);
  }
  assert.equal(chooseGrid(0, 3_600_000).size, 30_000, "an hour: 120 buckets of 30 s");
});

test("report --format html: one self-contained page carrying the JSON report's numbers; hostile names stay text; pipes are refused", async (t) => {
  const dir = await tempDir(t);
  const lines: string[] = [];
  for (let i = 0; i < 200; i++) {
    const ts = new Date(Date.UTC(2026, 10, 1, 10) + i * 60_000).toISOString();
    const model = i % 2 ? "gpt-4.1" : "</script><script>alert(1)</script>";
    lines.push(JSON.stringify(record({ ts, model, tier: (i % 2) + 1, round: Math.floor(i / 2), status: i % 9 === 0 ? "timeout" : "ok", latency_ms: 100 + (i % 13) })));
  }
  await writeFile(path.join(dir, "r.jsonl"), `${lines.join("\n")}\n`);
  const r = await runCli(["report", "r.jsonl", "--format", "html", "--output", "page.html"], { cwd: dir });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, "", "--output: nothing on stdout");
  const html = await readFile(path.join(dir, "page.html"), "utf8");
  assert.match(html, /^<!doctype html>/);
  assert.doesNotMatch(html, /<script src=|<link [^>]*href="http|@import|https?:\/\/(?!tierwatch\.dev)[^"'\s]*\.(js|css)/, "nothing is fetched");
  assert.equal(html.match(/<script>alert/g), null, "a model name cannot open a script");
  assert.match(html, /&lt;\/script&gt;&lt;script&gt;alert\(1\)/);
  const embedded = JSON.parse(html.match(/<script type="application\/json" id="tierwatch-data">(.*?)<\/script>/s)![1]!) as { doc: unknown; series: { buckets: string[] } };
  const json = await runCli(["report", "r.jsonl", "--format", "json"], { cwd: dir });
  assert.deepEqual(embedded.doc, JSON.parse(json.stdout));
  assert.equal(embedded.series.buckets.length, 40, "200 minutes: 5-minute buckets, the smallest step that fits in 120");
  const piped = await spawnCli(["report", "-", "--format", "html"], { cwd: dir });
  assert.equal(piped.code, 2);
  assert.match(piped.stderr, /--format html reads its inputs more than once; standard input is not a file/);
});

test("Prometheus metrics of a round: counters by status, histograms of ok answers, health from the last rounds, breaker states, the round clock", async () => {
  const { createPromMetrics } = await import("../src/metrics/promMetrics.js");
  const { validatePolicy } = await import("../src/policy/validatePolicy.js");
  const { policy } = validatePolicy(
    { version: 1, endpoints: { e: { base_url: "http://127.0.0.1:9/v1", region: "r1" } }, chains: { c: { tiers: [{ model: "a" }, { model: "b" }], breaker: { cooldown_ms: 60_000 } } } },
    { env: {}, source: "test" },
  );
  const m = createPromMetrics(policy!);
  const round = (n: number, aOk: boolean) => [
    record({ chain: "c", tier: 1, model: "a", endpoint: "e", region: "r1", round: n, status: aOk ? "ok" : "server_error", latency_ms: aOk ? 420 : 5 }),
    record({ chain: "c", tier: 2, model: "b", endpoint: "e", region: "r1", round: n, status: "ok", latency_ms: 1300, gateway_fallback: true }),
  ];
  const t0 = Date.UTC(2026, 11, 1);
  m.observeRound(round(1, true), t0, {});
  for (let n = 2; n <= 4; n++) m.observeRound(round(n, false), t0 + n * 1000, { "e\u0000a": { state: "open", failures: 0, openedAt: t0 + 2000, trialAt: null } });
  const text = await m.registry.metrics();
  const line = (prefix: string) => text.split("\n").find((l) => l.startsWith(prefix));
  assert.equal(line('tierwatch_attempts_total{chain="c",tier="1",model="a",endpoint="e",region="r1",status="ok"}'), 'tierwatch_attempts_total{chain="c",tier="1",model="a",endpoint="e",region="r1",status="ok"} 1');
  assert.match(line('tierwatch_attempts_total{chain="c",tier="1",model="a",endpoint="e",region="r1",status="server_error"}')!, / 3$/);
  assert.match(line('tierwatch_attempt_duration_seconds_bucket{le="0.5",chain="c",tier="1"')!, / 1$/);
  assert.match(line('tierwatch_attempt_duration_seconds_bucket{le="1",chain="c",tier="2"')!, / 0$/);
  assert.match(line('tierwatch_gateway_fallbacks_total{chain="c",tier="2"')!, / 4$/);
  assert.match(line('tierwatch_model_health{chain="c",tier="1",model="a"}')!, / 2$/, "three failed rounds in a row: down");
  assert.match(line('tierwatch_model_health{chain="c",tier="2",model="b"}')!, / 1$/, "answered from elsewhere: degraded");
  assert.match(line('tierwatch_breaker_state{endpoint="e",model="a"}')!, / 2$/);
  assert.match(line('tierwatch_chain_requests_total{chain="c",served_tier="2"}')!, / 3$/);
  assert.match(line('tierwatch_fallback_activations_total{chain="c"}')!, / 3$/);
  assert.match(line("tierwatch_rounds_total")!, / 4$/);
  assert.equal(line("tierwatch_last_round_timestamp_seconds"), `tierwatch_last_round_timestamp_seconds ${(t0 + 4000) / 1000}`);
  assert.match(text, /# EOF\n$/, "OpenMetrics");
});

test("--metrics-listen and serve --listen: bad addresses and taken ports are usage errors; serve answers a scrape that names nothing with 400", async (t) => {
  const dir = await tempDir(t);
  await writeFile(path.join(dir, "tierwatch.yaml"), `version: 1\nendpoints:\n  e: { base_url: "http://127.0.0.1:9/v1" }\nchains:\n  c:\n    tiers: [ { model: a } ]\n`);
  const noEvery = await spawnCli(["probe", "--metrics-listen", "127.0.0.1:9464"], { cwd: dir });
  assert.equal(noEvery.code, 2);
  assert.match(noEvery.stderr, /--metrics-listen needs --every/);
  const bad = await spawnCli(["probe", "--every", "1m", "--metrics-listen", "9464"], { cwd: dir, timeoutMs: 10_000 });
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--metrics-listen 9464: write host:port, e\.g\. 127\.0\.0\.1:9464/);
  const { createServer } = await import("node:net");
  const taken = createServer();
  await new Promise<void>((r) => taken.listen(0, "127.0.0.1", () => r()));
  t.after(() => taken.close());
  const port = (taken.address() as { port: number }).port;
  const busy = await spawnCli(["serve", "--listen", `127.0.0.1:${port}`], { cwd: dir, timeoutMs: 10_000 });
  assert.equal(busy.code, 2);
  assert.match(busy.stderr, new RegExp(`--listen 127\\.0\\.0\\.1:${port}: the port is taken`));
  // a scrape that names no chain or model, or one the policy lacks: 400 with what to ask
  const { spawn } = await import("node:child_process");
  const { BIN } = await import("./helpers/runCli.js");
  const free = createServer();
  await new Promise<void>((r) => free.listen(0, "127.0.0.1", () => r()));
  const freePort = (free.address() as { port: number }).port;
  await new Promise<void>((r) => free.close(() => r()));
  const serve = spawn(process.execPath, [BIN, "serve", "--listen", `127.0.0.1:${freePort}`], { cwd: dir, stdio: "ignore" });
  t.after(() => serve.kill("SIGKILL"));
  const get = async (q: string) => {
    for (let i = 0; i < 100; i++) {
      try {
        const res = await fetch(`http://127.0.0.1:${freePort}${q}`);
        return { status: res.status, text: await res.text() };
      } catch {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    throw new Error("serve did not start");
  };
  assert.deepEqual(await get("/probe"), { status: 400, text: "ask for /probe?chain=NAME or /probe?model=NAME\n" });
  assert.deepEqual(await get("/probe?chain=nope"), { status: 400, text: "no chain nope in the policy (it has c)\n" });
  assert.equal((await get("/nowhere")).status, 404);
});
