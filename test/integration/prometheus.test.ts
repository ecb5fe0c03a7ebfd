// tierwatch's metrics scraped by a real Prometheus (Debian's prometheus package, on 127.0.0.1): the
// monitor's /metrics and serve's /probe, the shipped alerting rules (promtool, and firing in Prometheus),
// and PromQL's success rate against tierwatch report's for the same records. Fails, never skips, when
// prometheus or promtool is missing.
import assert from "node:assert/strict";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { readdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { test, type TestContext } from "node:test";
import { startSimulator } from "../../src/sim/startSimulator.js";
import { BIN, spawnCli } from "../helpers/runCli.js";
import { freePort } from "../helpers/freePort.js";
import { tempDir } from "../helpers/tempDir.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const RULES_DIR = path.resolve(here, "../../../docs/prometheus");

function which(cmd: string): string {
  const r = spawnSync("sh", ["-c", `command -v ${cmd}`], { encoding: "utf8" });
  assert.ok(r.status === 0 && r.stdout.trim(), `${cmd} is not installed: apt-get install -y prometheus (Debian's package has prometheus and promtool)`);
  return r.stdout.trim();
}


/** Starts a process that lives until the test ends; its output is kept for failure messages. */
function background(t: TestContext, cmd: string, args: string[], cwd: string): { child: ChildProcess; output: () => string } {
  const child = spawn(cmd, args, { cwd, stdio: ["ignore", "pipe", "pipe"], env: { PATH: process.env.PATH } });
  let out = "";
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", (d) => (out += d));
  t.after(() => {
    if (child.exitCode === null) child.kill("SIGKILL");
  });
  return { child, output: () => out };
}

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs: number, log: () => string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${log()}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

test("promtool: the shipped alerting rules pass their unit tests, and the scrape config is valid", () => {
  const promtool = which("promtool");
  const rules = spawnSync(promtool, ["test", "rules", "rules.test.yml"], { cwd: RULES_DIR, encoding: "utf8" });
  assert.equal(rules.status, 0, rules.stdout + rules.stderr);
  const config = spawnSync(promtool, ["check", "config", "prometheus.yml"], { cwd: RULES_DIR, encoding: "utf8" });
  assert.equal(config.status, 0, config.stdout + config.stderr);
});

test("a real Prometheus scrapes the monitor and serve: counters rise with the rounds, PromQL's success rate is the report's, the breaker reads open in the outage, the tier 1 rule fires", { timeout: 180_000 }, async (t) => {
  const prometheus = which("prometheus");
  const dir = await tempDir(t);
  // tier 1 is down for the first 8 s of the simulator's life, then healthy
  const sim = await startSimulator({ models: { "model-a": { latency_ms: 5, phases: [{ seconds: [0, 8], faults: { server_error: 1 } }] }, "model-b": { latency_ms: 10 } } });
  t.after(() => sim.close());
  const policy = path.join(dir, "tierwatch.yaml");
  await writeFile(
    policy,
    `version: 1
endpoints:
  sim: { base_url: "${sim.url}", region: local }
chains:
  main:
    tiers:
      - { model: model-a, timeout_ms: 2000 }
      - { model: model-b, timeout_ms: 2000 }
    retry: { max_attempts: 1 }
    breaker: { failure_threshold: 2, cooldown_ms: 3000 }
    deadline_ms: 10000
store: { dir: ./data }
`,
  );
  const [metricsPort, servePort, promPort] = [await freePort(), await freePort(), await freePort()];
  const monitor = background(t, process.execPath, [BIN, "probe", "--every", "1s", "--chains", "--metrics-listen", `127.0.0.1:${metricsPort}`], dir);
  const serve = background(t, process.execPath, [BIN, "serve", "--listen", `127.0.0.1:${servePort}`, "--data-dir", "serve-data"], dir);

  // the shipped rules, with windows short enough for a test: [15m] → [20s], for: 5m → for: 0s
  const rules = (await readFile(path.join(RULES_DIR, "rules.yml"), "utf8")).replace(/\[15m\]/g, "[20s]").replace(/for: \d+m/g, "for: 0s");
  await writeFile(path.join(dir, "rules.yml"), rules);
  await writeFile(
    path.join(dir, "prometheus.yml"),
    `global: { scrape_interval: 1s, evaluation_interval: 1s }
rule_files: [rules.yml]
scrape_configs:
  - job_name: tierwatch
    static_configs: [ { targets: ["127.0.0.1:${metricsPort}"] } ]
  - job_name: tierwatch-chains
    metrics_path: /probe
    scrape_timeout: 1s
    static_configs: [ { targets: [main] } ]
    relabel_configs:
      - { source_labels: [__address__], target_label: __param_chain }
      - { source_labels: [__param_chain], target_label: chain }
      - { target_label: __address__, replacement: "127.0.0.1:${servePort}" }
`,
  );
  const prom = background(t, prometheus, ["--config.file=prometheus.yml", "--storage.tsdb.path=tsdb", `--web.listen-address=127.0.0.1:${promPort}`, "--log.level=warn"], dir);
  const log = () => `--- monitor\n${monitor.output()}\n--- serve\n${serve.output()}\n--- prometheus\n${prom.output()}`;
  const api = `http://127.0.0.1:${promPort}/api/v1`;
  const query = async (q: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]> => {
    const res = await fetch(`${api}/query?query=${encodeURIComponent(q)}`);
    const body = (await res.json()) as { status: string; data: { result: { metric: Record<string, string>; value: [number, string] }[] } };
    assert.equal(body.status, "success", q);
    return body.data.result;
  };
  const scalar = async (q: string) => {
    const r = await query(q);
    return r.length === 1 ? Number(r[0]!.value[1]) : undefined;
  };

  // during the outage: the breaker of model-a reads open, and the tier 1 rule fires
  await until("the breaker gauge to read open", async () => ((await scalar('tierwatch_breaker_state{model="model-a"}')) === 2 ? true : undefined), 30_000, log);
  const firing = await until(
    "TierwatchTier1SuccessLow to fire",
    async () => {
      const res = await fetch(`${api}/alerts`);
      const alerts = ((await res.json()) as { data: { alerts: { labels: Record<string, string>; state: string }[] } }).data.alerts;
      return alerts.find((a) => a.labels.alertname === "TierwatchTier1SuccessLow" && a.state === "firing");
    },
    30_000,
    log,
  );
  assert.equal(firing.labels.model, "model-a");

  // counters rise with the rounds; the PromQL success rate per tier is the report's for the same rounds
  await until("12 rounds scraped", async () => ((await scalar("tierwatch_rounds_total")) ?? 0) >= 12 || undefined, 40_000, log);
  const at = (await query("tierwatch_rounds_total"))[0]!.value[0];
  const instant = async (q: string) => {
    const res = await fetch(`${api}/query?query=${encodeURIComponent(q)}&time=${at}`);
    return ((await res.json()) as { data: { result: { metric: Record<string, string>; value: [number, string] }[] } }).data.result;
  };
  const rounds = Number((await instant("tierwatch_rounds_total"))[0]!.value[1]);
  const promRate = new Map(
    (await instant('sum by (tier) (tierwatch_attempts_total{status="ok"}) / sum by (tier) (tierwatch_attempts_total{status!="skipped"})')).map((r) => [r.metric.tier!, Number(r.value[1])]),
  );
  const promSent = Number((await instant('sum(tierwatch_attempts_total{status!="skipped"})'))[0]!.value[1]);
  monitor.child.kill("SIGTERM");
  await new Promise((r) => monitor.child.once("close", r));

  // the records of the rounds Prometheus had seen (its last scrape may be a round behind: ±1 round)
  const files = (await readdir(path.join(dir, "data"))).filter((f) => f.endsWith(".jsonl"));
  const records = (await Promise.all(files.map((f) => readFile(path.join(dir, "data", f), "utf8"))))
    .join("")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as { kind: string; round: number; status: string });
  const probes = records.filter((r) => r.kind === "probe");
  const sentBy = (k: number) => probes.filter((r) => r.round <= k && r.status !== "skipped").length;
  const seen = [rounds - 1, rounds, rounds + 1].find((k) => sentBy(k) === promSent);
  assert.ok(seen !== undefined, `Prometheus counted ${promSent} sent attempts at ${rounds} rounds; the records have ${[rounds - 1, rounds, rounds + 1].map(sentBy).join(" / ")}`);
  await writeFile(path.join(dir, "seen.jsonl"), `${records.filter((r) => r.round <= seen).map((r) => JSON.stringify(r)).join("\n")}\n`);
  const report = await spawnCli(["report", "seen.jsonl", "--by", "tier", "--format", "json"], { cwd: dir });
  assert.equal(report.code, 0, report.stderr);
  const groups = (JSON.parse(report.stdout) as { groups: { tier: number; success_rate: number }[] }).groups;
  for (const g of groups) assert.ok(Math.abs(g.success_rate - promRate.get(String(g.tier))!) < 1e-9, `tier ${g.tier}: report ${g.success_rate}, PromQL ${promRate.get(String(g.tier))}`);
  assert.ok(groups.find((g) => g.tier === 1)!.success_rate < 1 && groups.find((g) => g.tier === 1)!.success_rate > 0, "tier 1 was down, then up");

  // serve: Prometheus drove rounds of chain main through /probe; each is recorded like a probe
  const scrapes = await scalar('count_over_time(probe_success{job="tierwatch-chains",chain="main"}[5m])');
  assert.ok((scrapes ?? 0) >= 3, `probe_success samples: ${scrapes}`);
  const served = (await readFile(path.join(dir, "serve-data", (await readdir(path.join(dir, "serve-data"))).find((f) => f.endsWith(".jsonl"))!), "utf8")).trim().split("\n");
  const chainRecords = served.filter((l) => l.includes('"kind":"chain"')).length;
  assert.ok(chainRecords >= scrapes!, `${chainRecords} chain records for ${scrapes} scrapes`);
});
