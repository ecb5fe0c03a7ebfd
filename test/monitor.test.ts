import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { access, readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { nextTick } from "../src/cli/runMonitor.js";
import { startSimulator } from "../src/sim/startSimulator.js";
import { writePolicy } from "./helpers/builders.js";
import { BIN, spawnCli } from "./helpers/runCli.js";
import { tempDir } from "./helpers/tempDir.js";

async function setup(t: import("node:test").TestContext, latencyMs: number) {
  const dir = await tempDir(t);
  const sim = await startSimulator({ models: { a: { latency_ms: latencyMs }, b: { latency_ms: latencyMs } } });
  t.after(() => sim.close());
  await writePolicy(dir, sim.url, [["a", 5000], ["b", 5000]]);
  return dir;
}

const summaries = (stdout: string) => stdout.trim().split("\n").filter(Boolean).map((l) => JSON.parse(l) as { round: number; tick: string; started: string; ms: number; records: number });

test("ticks are aligned to multiples of the interval", async (t) => {
  assert.equal(nextTick(1_000, 300), 1_200);
  assert.equal(nextTick(1_200, 300), 1_500);
  const dir = await setup(t, 5);
  const r = await spawnCli(["probe", "--every", "300ms", "--rounds", "4", "--format", "json", "--no-warmup"], { cwd: dir });
  assert.equal(r.code, 0, r.stderr);
  const rounds = summaries(r.stdout);
  assert.equal(rounds.length, 4);
  for (const s of rounds) {
    const tick = Date.parse(s.tick);
    assert.equal(tick % 300, 0);
    const late = Date.parse(s.started) - tick;
    assert.ok(late >= 0 && late < 150, `round ${s.round} started ${late} ms after its tick`);
  }
  rounds.slice(1).forEach((s, i) => assert.equal(Date.parse(s.tick) - Date.parse(rounds[i]!.tick), 300));
});

test("a slow round never overlaps the next: the ticks it covered are skipped and logged", async (t) => {
  const dir = await setup(t, 450);
  const r = await spawnCli(["probe", "--every", "200ms", "--rounds", "3", "--format", "json", "--no-warmup"], { cwd: dir });
  assert.equal(r.code, 0, r.stderr);
  const rounds = summaries(r.stdout);
  rounds.slice(1).forEach((s, i) => {
    const prev = rounds[i]!;
    assert.ok(Date.parse(s.started) >= Date.parse(prev.started) + prev.ms, "rounds overlap");
    assert.ok(Date.parse(s.tick) - Date.parse(prev.tick) >= 600, "a tick inside the slow round was not skipped");
  });
  const log = (await readFile(path.join(dir, "data", "monitor.log"), "utf8")).trim().split("\n").map((l) => JSON.parse(l));
  assert.ok(log.length >= 2 && log.every((e) => e.event === "ticks_skipped" && e.count >= 2));
  assert.match(r.stderr, /past \d+ tick\(s\); they were skipped/);
});

test("SIGTERM mid-round: the round finishes its writes, the lock is released, exit 0", async (t) => {
  const dir = await setup(t, 300);
  const child = spawn(process.execPath, [BIN, "probe", "--every", "100ms", "--format", "json", "--no-warmup"], { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout.on("data", (d) => (out += d));
  // wait for the first round to end, then stop during the second
  await new Promise<void>((resolve) => child.stdout.on("data", () => out.includes("\n") && resolve()));
  await new Promise((r) => setTimeout(r, 150));
  child.kill("SIGTERM");
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  assert.equal(code, 0);
  const files = (await readdir(path.join(dir, "data"))).filter((f) => f.endsWith(".jsonl"));
  const lines = (await Promise.all(files.map((f) => readFile(path.join(dir, "data", f), "utf8")))).join("").trim().split("\n");
  assert.equal(lines.length % 2, 0, "a round was cut short");
  assert.ok(lines.length >= 4, "the round under way was not finished");
  await assert.rejects(access(path.join(dir, "data", "monitor.lock")), "the lock was left behind");
});

test("a reader of the output that goes (| head) stops the monitor after its round: exit 0, the lock released", async (t) => {
  const dir = await setup(t, 5);
  const child = spawn(process.execPath, [BIN, "probe", "--every", "100ms", "--format", "json", "--no-warmup"], { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += d));
  // read the first round's line, then close the pipe, as head -1 does
  await new Promise<void>((resolve) => child.stdout.once("data", () => resolve()));
  child.stdout.destroy();
  const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  clearTimeout(timer);
  assert.equal(code, 0, stderr);
  assert.match(stderr, /tierwatch: standard output closed; stopping after this round/);
  const files = (await readdir(path.join(dir, "data"))).filter((f) => f.endsWith(".jsonl"));
  const lines = (await Promise.all(files.map((f) => readFile(path.join(dir, "data", f), "utf8")))).join("").trim().split("\n");
  assert.equal(lines.length % 2, 0, "a round was cut short");
  await assert.rejects(access(path.join(dir, "data", "monitor.lock")), "the lock was left behind");
});

test("the lock: a second monitor on the same data directory exits 5; a killed holder's lock is recovered", async (t) => {
  const dir = await setup(t, 5);
  const first = spawn(process.execPath, [BIN, "probe", "--every", "1s", "--format", "json", "--no-warmup"], { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
  t.after(() => first.kill("SIGKILL"));
  let err = "";
  first.stderr.on("data", (d) => (err += d));
  await new Promise<void>((resolve) => first.stderr.on("data", () => /probing every/.test(err) && resolve()));
  const second = await spawnCli(["probe", "--lock"], { cwd: dir });
  assert.equal(second.code, 5);
  assert.match(second.stderr, new RegExp(`another tierwatch monitor \\(pid ${first.pid}\\) is probing into`));
  first.kill("SIGKILL");
  await new Promise((r) => first.on("close", r));
  const third = await spawnCli(["probe", "--lock", "--format", "json"], { cwd: dir });
  assert.equal(third.code, 0, third.stderr);
});
