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
