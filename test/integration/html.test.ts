// The HTML report in a real browser: Debian's Chromium, driven by puppeteer-core (installed by
// `npm run test:integration` into test/integration/node_modules; it downloads no browser). Fails, never
// skips, when Chromium or puppeteer-core is missing.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { copyFile, readFile, stat } from "node:fs/promises";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { test } from "node:test";
import { generateHistory } from "../bench/generateHistory.js";
import { spawnCli } from "../helpers/runCli.js";
import { tempDir } from "../helpers/tempDir.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const packageDir = path.resolve(here, "../../../test/integration");
const CHROMIUM = process.env.TIERWATCH_CHROMIUM ?? "/usr/bin/chromium";

interface Page {
  on(event: string, fn: (x: never) => void): void;
  goto(url: string, options: { waitUntil: string }): Promise<unknown>;
  waitForFunction(fn: string, options: { timeout: number }): Promise<unknown>;
  evaluate<T>(fn: string): Promise<T>;
  screenshot(options: { path: string; fullPage: boolean }): Promise<unknown>;
  setViewport(v: { width: number; height: number }): Promise<void>;
}
interface Browser {
  newPage(): Promise<Page>;
  close(): Promise<void>;
}

async function launch(): Promise<Browser> {
  assert.ok(existsSync(CHROMIUM), `Chromium is not installed (${CHROMIUM} is missing): apt-get install -y chromium (or set TIERWATCH_CHROMIUM)`);
  let entry: string;
  try {
    entry = createRequire(path.join(packageDir, "package.json")).resolve("puppeteer-core");
  } catch {
    throw new Error("puppeteer-core is not installed in test/integration: run `npm run test:integration`, which installs it first");
  }
  const puppeteer = ((await import(pathToFileURL(entry).href)) as { default: { launch(o: Record<string, unknown>): Promise<Browser> } }).default;
  return puppeteer.launch({ executablePath: CHROMIUM, headless: true, args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"] });
}

interface Drawn {
  charts: { id: string; title: string; series: number; points: number; labels: string[] }[];
  buckets: number;
}
type Doc = { groups: Record<string, unknown>[]; chains: Record<string, unknown>[] };

/** Opens a page; returns what it drew, its tables' raw values, the console errors and every request it made. */
async function open(browser: Browser, file: string, screenshot?: string) {
  const page = await browser.newPage();
  await page.setViewport({ width: 1200, height: 900 });
  const errors: string[] = [];
  const requests: string[] = [];
  page.on("console", ((m: { type(): string; text(): string }) => {
    if (m.type() === "error") errors.push(m.text());
  }) as never);
  page.on("pageerror", ((e: Error) => errors.push(e.message)) as never);
  page.on("request", ((r: { url(): string }) => requests.push(r.url())) as never);
  const url = pathToFileURL(file).href;
  await page.goto(url, { waitUntil: "load" });
  await page.waitForFunction("window.__tierwatch && window.__tierwatch.ready", { timeout: 20_000 });
  const drawn = await page.evaluate<Drawn>("window.__tierwatch");
  const table = (id: string) =>
    page.evaluate<Record<string, unknown>[]>(
      `[...document.querySelectorAll("#${id} tbody tr")].map((tr) => Object.fromEntries([...tr.querySelectorAll("td[data-value]")].map((td) => [td.dataset.key, JSON.parse(td.dataset.value)])))`,
    );
  const groups = await table("groups-table");
  const heat = await page.evaluate<{ model: string; values: (number | null)[] }[]>(
    `[...document.querySelectorAll("#heatmap-table tbody tr")].map((tr) => ({ model: tr.querySelector("th").textContent, values: [...tr.querySelectorAll("td")].map((td) => JSON.parse(td.dataset.value)) }))`,
  );
  const chains = await table("chains-table");
  const series = await page.evaluate<{ bucket_ms: number; buckets: string[]; groups: { tier: number; model: string; success_rate: (number | null)[]; p95_ms: (number | null)[] }[] }>(
    `JSON.parse(document.getElementById("tierwatch-data").textContent).series`,
  );
  if (screenshot) await page.screenshot({ path: screenshot, fullPage: true });
  return { drawn, groups, chains, heat, series, errors, requests: requests.filter((r) => r !== url) };
}

const GROUP_KEYS = ["sent", "success_rate", "success_ci", "gateway_fallback_rate", "p50_ms", "p95_ms", "p99_ms", "cost_usd"];
const CHAIN_KEYS = ["requests", "fallback_activation_rate", "fallback_ci", "exhaustion_rate", "served_by_tier"];

/** Renders the report of `inputs` as HTML and JSON, opens the page, and checks it against the JSON. */
async function check(browser: Browser, dir: string, inputs: string[], name: string, screenshot?: string) {
  const html = path.join(dir, `${name}.html`);
  const r = await spawnCli(["report", ...inputs, "--format", "html", "--output", html], { cwd: dir, timeoutMs: 300_000 });
  assert.equal(r.code, 0, r.stderr);
  const json = await spawnCli(["report", ...inputs, "--format", "json"], { cwd: dir, timeoutMs: 300_000 });
  const doc = JSON.parse(json.stdout) as Doc;
  const page = await open(browser, html, screenshot);
  assert.deepEqual(page.errors, [], "no console errors");
  assert.deepEqual(page.requests, [], "no network requests: everything is inline");
  // every chart drawn, with the series and points it should have
  const { charts, buckets } = page.drawn;
  assert.equal(buckets, page.series.buckets.length);
  assert.equal(charts.length, 2 * page.series.groups.length + 2 * doc.chains.length, charts.map((c) => c.id).join(" "));
  for (const c of charts) assert.equal(c.points, buckets, c.id);
  for (const c of charts.filter((x) => x.id.startsWith("success-"))) assert.deepEqual(c.labels.slice(0, 3), ["success", "95% high", "95% low"]);
  for (const c of charts.filter((x) => x.id.startsWith("latency-"))) assert.deepEqual(c.labels.slice(0, 3), ["p50", "p95", "p99"]);
  // the tables' numbers are the JSON report's
  assert.equal(page.groups.length, doc.groups.length);
  page.groups.forEach((row, i) => {
    // the page's tables show every column (no terminal to fit); gateway fallback only when there is any
    for (const k of GROUP_KEYS) if (k !== "gateway_fallback_rate" || k in row) assert.deepEqual(row[k], doc.groups[i]![k], `group ${i} ${k}`);
  });
  assert.equal(page.chains.length, doc.chains.length);
  page.chains.forEach((row, i) => {
    for (const k of CHAIN_KEYS) assert.deepEqual(row[k], doc.chains[i]![k], `chain ${i} ${k}`);
  });
  // the series' numbers are the bucketed report's
  const bucketed = await spawnCli(["report", ...inputs, "--by", "tier,model", "--bucket", `${page.series.bucket_ms / 1000}s`, "--format", "json"], { cwd: dir, timeoutMs: 300_000 });
  const rows = (JSON.parse(bucketed.stdout) as { groups: { bucket: string; tier: number; model: string; success_rate: number; p95_ms: number | null }[] }).groups;
  assert.ok(rows.length > 0);
  for (const row of rows) {
    const s = page.series.groups.find((g) => g.tier === row.tier && g.model === row.model)!;
    const at = page.series.buckets.indexOf(row.bucket);
    assert.ok(at >= 0, `bucket ${row.bucket} on the page`);
    assert.equal(s.success_rate[at], row.success_rate, `${row.model} ${row.bucket} success`);
    assert.equal(s.p95_ms[at], row.p95_ms, `${row.model} ${row.bucket} p95`);
  }
  // the heat map's cells are the p95 of `report --by model,hour`
  const byHour = await spawnCli(["report", ...inputs, "--by", "model,hour", "--format", "json"], { cwd: dir, timeoutMs: 300_000 });
  const hours = (JSON.parse(byHour.stdout) as { groups: { model: string; hour: string; p95_ms: number | null }[] }).groups;
  for (const h of hours) assert.equal(page.heat.find((r) => r.model === h.model)!.values[Number(h.hour)], h.p95_ms, `${h.model} ${h.hour}h`);
  assert.equal(page.heat.flatMap((r) => r.values).filter((v) => v !== null).length, hours.filter((h) => h.p95_ms !== null).length);
  return { size: (await stat(html)).size, page };
}

test("report --format html in headless Chromium: the demo's data and a 1M-record history; no console error, no request, every chart drawn, the numbers the JSON's", { timeout: 900_000 }, async (t) => {
  const dir = await tempDir(t);
  const browser = await launch();
  t.after(() => browser.close());

  const demo = await spawnCli(["demo", "--data-dir", "demo-data"], { cwd: dir, timeoutMs: 120_000 });
  assert.equal(demo.code, 0, demo.stderr);
  const shot = path.join(dir, "report.png");
  // the demo's policy, so the chains are replayed as configured (its endpoint's URL is not needed to read)
  const demoPolicy = path.resolve(here, "../../../fixtures/demo/tierwatch.yaml");
  const onDemo = await check(browser, dir, ["demo-data", "--policy", demoPolicy], "demo", shot);
  assert.ok(onDemo.page.drawn.charts.some((c) => c.labels.includes("gateway")), "the demo's gateway fallback is drawn");
  // the README's screenshot is this one (kept beside the build for whoever updates docs/report.png)
  await copyFile(shot, path.resolve(here, "report.png"));

  // the page carries buckets, never records: 1M records make a page the size of 10k records'
  const small = generateHistory(path.join(os.tmpdir(), "tierwatch-bench-history-10000"), 10_000);
  const large = generateHistory(path.join(os.tmpdir(), "tierwatch-bench-history-1000000"), 1_000_000);
  const s = await check(browser, dir, [small.dir], "small");
  const l = await check(browser, dir, [large.dir], "large");
  t.diagnostic(`page size: 10k records ${s.size} bytes, 1M records ${l.size} bytes`);
  // the same 30 series; the larger history spans more time, so its grid has more buckets (up to 120)
  const perPoint = (x: typeof s) => x.size / (x.page.series.groups.length * x.page.drawn.buckets);
  assert.ok(l.size < 500_000 && s.size < 500_000, `1M records: ${l.size} bytes, 10k: ${s.size}`);
  assert.ok(perPoint(l) < perPoint(s) * 1.2, `bytes per series point: ${perPoint(l).toFixed(0)} (1M) against ${perPoint(s).toFixed(0)} (10k)`);
  const html = await readFile(path.join(dir, "large.html"), "utf8");
  assert.doesNotMatch(html, /"run_id"/, "no record is in the page");
});
