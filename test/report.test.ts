import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { createChainSummary } from "../src/analysis/summarizeChains.js";
import { createGroupSummary } from "../src/analysis/summarizeGroups.js";
import { summarizeFiles } from "../src/analysis/summarizeFiles.js";
import { policyChains, type SummarySpec } from "../src/analysis/summarizeRange.js";
import { loadPolicy } from "../src/policy/loadPolicy.js";
import { createRng } from "../src/sim/rng.js";
import type { AttemptRecord } from "../src/model/record.js";
import { readRecords } from "../src/store/readRecords.js";
import { createLayoutReader } from "../src/store/scanLayout.js";
import { F, newScan, scanRecord, T_NULL, T_NUMBER, T_OTHER, T_STRING, type Scan } from "../src/store/scanRecord.js";
import { record } from "./helpers/builders.js";
import { runCli } from "./helpers/runCli.js";
import { tempDir } from "./helpers/tempDir.js";

const scanned = (line: string) => {
  const buf = Buffer.from(line);
  const s = newScan();
  if (!scanRecord(buf, 0, buf.length, s)) return undefined;
  const out: Record<string, unknown> = {};
  for (const [name, i] of Object.entries(F)) {
    const t = s.type[i];
    if (t === T_STRING) out[name] = JSON.parse(`"${buf.toString("utf8", s.start[i], s.end[i])}"`);
    else if (t === T_NUMBER) out[name] = s.num[i];
    else if (t === T_NULL) out[name] = null;
    else if (t === T_OTHER) out[name] = "(other)";
  }
  return out;
};

test("the byte scanner reads what JSON.parse reads, in any spacing and key order", () => {
  const lines = [
    '{"v":1,"ts":"2026-11-01T00:00:00.000Z","status":"ok","latency_ms":123.45,"model":"gpt-4.1"}',
    '  {  "model" : "m" ,"status":"timeout" , "latency_ms" : -0.5e3, "ts":"2026-11-01T00:00:00Z", "extra": {"a": [1, "}", {"b": "]"}]} }  ',
    '{"status":"ok","model":"caf\\u00e9 \\"quoted\\"","tier":3,"round":0,"cost_usd":1E-7,"ttft_ms":null,"stream":true,"fallback":false}',
    '{"mod\\u0065l":"escaped-key","status":"ok","latency_ms":0.1,"ts":"2026-11-01T00:00:00.000Z"}',
    '{"latency_ms":12345678901234567890,"status":"ok","v":1.0}',
    '{"latency_ms":0.30000000000000004,"ttft_ms":1.7976931348623157e308,"status":"ok"}',
    `{"model":"${"x".repeat(5000)}","status":"ok"}`,
    '{"status":"ok","model":"模型","region":"ap-南"}',
  ];
  for (const line of lines) {
    const parsed = JSON.parse(line) as Record<string, unknown>;
    const got = scanned(line);
    assert.ok(got, `not scanned: ${line.slice(0, 80)}`);
    for (const [k, v] of Object.entries(got)) {
      const want = parsed[k];
      assert.deepEqual(v, typeof want === "object" && want !== null ? "(other)" : typeof want === "boolean" ? "(other)" : want, `${k} in ${line.slice(0, 60)}`);
    }
  }
  for (const bad of ['{"status":"ok"', '{"status":"ok",}', '{"latency_ms":01}', '{"a":tru}', '{"latency_ms":1.}', '{"a":"b"} x', "{'a':1}", '{"model":"a\u0001b"}', '{"model":"a\\qb"}', '{"a":{"b":"\\q"},"status":"ok"}', '{"model":"\\u12"}']) {
    assert.throws(() => JSON.parse(bad));
    assert.equal(scanned(bad), undefined, bad);
  }
  assert.equal(scanned('["ok"]'), undefined, "valid JSON but not an object: the caller reports it");
});

function history(n: number, seed: number): AttemptRecord[] {
  const rand = createRng(seed);
  const models = ["a", "b", "c"];
  const out: AttemptRecord[] = [];
  for (let i = 0; i < n; i++) {
    const round = Math.floor(i / 3);
    const m = i % 3;
    const u = rand();
    const status = u < 0.8 ? "ok" : u < 0.87 ? "timeout" : u < 0.93 ? "rate_limited" : u < 0.97 ? "server_error" : "skipped";
    out.push(
      record({
        ts: new Date(Date.UTC(2026, 10, 1) + round * 60_000 + m).toISOString(),
        run_id: `run-${Math.floor(round / 50)}`,
        round,
        request_id: `r${i}`,
        model: models[m]!,
        tier: m + 1,
        region: round % 2 ? "east" : "west",
        status,
        latency_ms: Math.round(rand() * 20) * 5, // many ties
        ttft_ms: m === 0 ? Math.round(rand() * 100) : null,
        cost_usd: status === "ok" ? 0.001 : null,
      }),
    );
    if (i % 40 === 39) out.push(record({ kind: "chain", chain: "default", ts: out.at(-1)!.ts, served_tier: round % 3 === 0 ? null : 1 + (round % 2), status: round % 3 === 0 ? "timeout" : "ok" }));
  }
  return out;
}

// the fields a scan holds, as values (strings decoded), from `buf`
const fieldsOf = (buf: Buffer, s: Scan) => {
  const out: Record<string, unknown> = {};
  for (const [name, i] of Object.entries(F)) {
    const t = s.type[i];
    if (t === T_STRING) out[name] = [buf.toString("latin1", s.start[i], s.end[i]), s.esc[i]];
    else if (t === T_NUMBER) out[name] = Object.is(s.num[i], -0) ? "-0" : s.num[i];
    else if (t === T_NULL) out[name] = null;
    else if (t === T_OTHER) out[name] = "(other)";
  }
  return out;
};

test("one learned layout per key order: a line whose values have other types reads the same with it", () => {
  const reader = createLayoutReader(4096);
  const put = (text: string) => {
    const n = reader.buf.write(text, 0, "latin1");
    reader.buf[n] = 0;
    return n;
  };
  const a = `${JSON.stringify({ v: 1, ts: "2026-11-01T00:00:00.000Z", status: "ok", latency_ms: 12.5, ttft_ms: null, error: null })}\n`;
  const b = `${JSON.stringify({ v: 1, ts: "2026-11-01T00:00:01.000Z", status: "timeout", latency_ms: null, ttft_ms: 3, error: "slow" })}\n`;
  put(a);
  const layoutA = reader.learn(0, a.length - 1);
  put(b);
  assert.ok(layoutA >= 0);
  assert.equal(reader.learn(0, b.length - 1), layoutA, "one layout for the same keys");
  // a line is read when it ends at least 16 bytes before the limit (here, the line repeated)
  const limit = put(b + b);
  assert.equal(reader.read(layoutA, 0, limit), b.length - 1);
  assert.equal(reader.read(layoutA, 0, b.length + 8), -1, "too near the limit: left to the caller");
  assert.equal(reader.scan.type[F.latency_ms], T_NULL);
  assert.equal(reader.scan.num[F.ttft_ms], 3);
  assert.equal(reader.buf.toString("latin1", reader.scan.start[F.status], reader.scan.end[F.status]), "timeout");
  const other = `${JSON.stringify({ ts: "2026-11-01T00:00:00.000Z", v: 1, status: "ok", latency_ms: 1, ttft_ms: null, error: null })}\n`;
  put(other);
  assert.notEqual(reader.learn(0, other.length - 1), layoutA, "another key order is another layout");
  // a writer's spacing is learned with its keys (Python's json.dumps, CRLF line ends)
  const spaced = put(`{"v": 1, "ts": "2026-11-01T00:00:00.000Z"}\n{"v": 2, "ts": "2026-11-01T00:00:09.000Z"}\n{"v":3, "ts": "x"}\n${" ".repeat(20)}`);
  const first = reader.buf.indexOf(10);
  const layoutSpaced = reader.learn(0, first);
  assert.ok(layoutSpaced >= 0 && layoutSpaced !== layoutA);
  assert.equal(reader.read(layoutSpaced, first + 1, spaced), 2 * first + 1);
  assert.deepEqual([reader.scan.num[F.v], reader.buf.toString("latin1", reader.scan.start[F.ts], reader.scan.end[F.ts])], [2, "2026-11-01T00:00:09.000Z"]);
  assert.equal(reader.read(layoutSpaced, 2 * first + 2, spaced), -1, "other spacing: another layout");
  const crlf = put(`{"v": 1 }\r\n{"v": 7 }\r\n${" ".repeat(20)}`);
  assert.equal(reader.read(reader.learn(0, 10), 11, crlf), 21);
  assert.equal(reader.scan.num[F.v], 7);
  assert.equal(reader.learn(0, put(`{"v":1,"v":2}\n`) - 1), -1, "a repeated key: the general scanner's");
  assert.equal(reader.learn(0, put(`{"v":{"a":1}}\n`) - 1), -1, "a nested value: the general scanner's");
});

test("the learned-layout reader reads every line as the general scanner does, or leaves it to it (compact and spaced)", () => {
  const rand = createRng(4242);
  const reader = createLayoutReader(1 << 16);
  const base = { v: 1, ts: "2026-11-01T00:00:00.000Z", run_id: "run-1", round: 3, model: "gpt-4.1", status: "ok", latency_ms: 630.33, ttft_ms: null, stream: true, cost_usd: 0.000027, error: null };
  const compact = JSON.stringify(base);
  const put = (text: string) => {
    const n = reader.buf.write(text, 0);
    reader.buf[n] = 0;
    return n;
  };
  put(`${compact}\n`);
  const layout = reader.learn(0, Buffer.byteLength(compact));
  assert.ok(layout >= 0);
  // values of every kind at the learned keys: strings around 16 bytes (the reader's step), escapes good
  // and bad, control characters, UTF-8, numbers in and out of the fast path's reach, other types
  const values = [
    '"a"', '""', '"0123456789abcde"', '"0123456789abcdef"', '"0123456789abcdefg"', '"é–ü"', '"a\\"b"', '"\\u00e9x"', '"\\u00g9"', '"\\x"',
    '"tab\tin"', '"a\\\\"', "0", "-0", "-0.0", "01", "1.", "12.5", "-3.25", "1e5", "2E-3", "123456789012345", "1234567890123456",
    "0.000027", "99999999999999.9", "null", "nul", "true", "false", "fals", "{}", "[1]", '"x"y',
  ];
  // and in Python's spacing, a second layout
  const pythonic = `{${Object.entries(base).map(([k, v]) => `"${k}": ${JSON.stringify(v)}`).join(", ")}}`;
  put(`${pythonic}\n`);
  const spacedLayout = reader.learn(0, Buffer.byteLength(pythonic));
  assert.ok(spacedLayout >= 0 && spacedLayout !== layout);
  const keys = Object.keys(base);
  let read = 0;
  for (let i = 0; i < 4000; i++) {
    const python = i % 2 === 1;
    const parts = keys.map((k) => `"${k}":${python ? " " : ""}${rand() < 0.3 ? values[Math.floor(rand() * values.length)] : JSON.stringify(base[k as keyof typeof base])}`);
    const line = `{${parts.join(python ? ", " : ",")}}`;
    const limit = put(`${line}\n${"x".repeat(20)}`);
    const nl = reader.read(python ? spacedLayout : layout, 0, limit);
    const bytes = Buffer.byteLength(line);
    const general = newScan();
    const copy = Buffer.from(reader.buf.subarray(0, bytes));
    const ok = scanRecord(copy, 0, bytes, general);
    if (nl < 0) continue;
    read++;
    assert.equal(nl, bytes, line);
    assert.ok(ok, `read by the layout but not by the general scanner: ${line}`);
    assert.deepEqual(fieldsOf(reader.buf, reader.scan), fieldsOf(copy, general), line);
  }
  assert.ok(read > 100, `some lines read (${read})`);
});

test("the threaded byte path gives exactly the numbers of the record path, bad lines numbered across pieces", async (t) => {
  const dir = await tempDir(t);
  const recs = history(3000, 7);
  // another writer's spacing on some lines, a bad line, and a torn last line
  const lines = recs.map((r, i) => (i % 13 === 0 ? JSON.stringify(r, null, 1).replace(/\n/g, " ") : JSON.stringify(r)));
  lines.splice(1500, 0, "garbage");
  await writeFile(path.join(dir, "a.jsonl"), `${lines.join("\n")}\n{"ts":"2026-11-01T00:00:00Z","sta`);
  const by = ["model", "region", "hour"] as const;
  const groups = createGroupSummary(by);
  for (const r of recs) groups.add(r);
  const spec: SummarySpec = { by: [...by], windows: [{}], filters: {}, sloByChain: {}, chains: null };
  const files = [path.join(dir, "a.jsonl")];
  const single = await summarizeFiles(files, spec, { threads: 1 });
  const threaded = await summarizeFiles(files, spec, { threads: 2, ranges: 7 });
  assert.deepEqual(single.windows[0]!.groups, groups.rows());
  assert.deepEqual(threaded.windows[0]!.groups, groups.rows());
  assert.deepEqual(threaded.windows[0]!.chains, single.windows[0]!.chains);
  for (const s of [single, threaded]) {
    assert.equal(s.read.badCount, 1);
    assert.equal(s.read.bad[0]!.line, 1501);
    assert.equal(s.read.torn, 1);
    assert.equal(s.read.records, recs.length);
  }
});

test("a line longer than any record (64 MB) is one bad line, read past without being held, on both paths; the lines after it count", async (t) => {
  const dir = await tempDir(t);
  const recs = history(400, 5);
  const lines = recs.map((r) => JSON.stringify(r));
  const file = path.join(dir, "long.jsonl");
  const { createWriteStream } = await import("node:fs");
  const out = createWriteStream(file);
  out.write(`${lines.slice(0, 200).join("\n")}\n`);
  // 64 MB and a bit of one line, without a newline until its end
  const block = Buffer.alloc(1024 * 1024, 120);
  for (let i = 0; i < 65; i++) out.write(block);
  out.write(`\n${lines.slice(200).join("\n")}\n`);
  await new Promise((resolve) => out.end(resolve));
  const spec: SummarySpec = { by: ["model"], windows: [{}], filters: {}, sloByChain: {}, chains: null };
  const groups = createGroupSummary(["model"]);
  for (const r of recs) groups.add(r);
  // one thread, and three ranges whose cuts fall inside the long line
  for (const options of [{ threads: 1 }, { threads: 2, ranges: 3 }]) {
    const s = await summarizeFiles([file], spec, options);
    assert.equal(s.read.records, recs.length);
    assert.deepEqual(s.read.bad.map((b) => [b.line, b.reason]), [[201, "longer than 64 MB: not a record"]]);
    assert.deepEqual(s.windows[0]!.groups, groups.rows());
  }
  // the record path (replay, recommend, gate) alike
  let n = 0;
  const read = await readRecords([file], () => n++);
  assert.deepEqual([n, read.lines, read.bad.map((b) => [b.line, b.reason])], [recs.length, recs.length + 1, [[201, "longer than 64 MB: not a record"]]]);
});

test("chain numbers: the byte path matches the record path, replaying rounds split across pieces", async (t) => {
  const dir = await tempDir(t);
  const recs = history(6000, 11).filter((r) => r.kind !== "chain");
  await writeFile(path.join(dir, "b.jsonl"), `${recs.map((r) => JSON.stringify(r)).join("\n")}\n`);
  const chains = createChainSummary(undefined);
  for (const r of recs) chains.add(r);
  const spec: SummarySpec = { by: ["model"], windows: [{}], filters: {}, sloByChain: {}, chains: null };
  const threaded = await summarizeFiles([path.join(dir, "b.jsonl")], spec, { threads: 2, ranges: 9 });
  const want = chains.rows();
  assert.equal(want[0]!.requests, 2000);
  assert.deepEqual(threaded.windows[0]!.chains, want);
});

test("report through the CLI: metrics computed by hand on a small fixture", async (t) => {
  const dir = await tempDir(t);
  const ts = "2026-11-01T10:00:00.000Z";
  const rows = [
    // model a: ok 100, 200, 200, 300 (a tie), one timeout, one skipped
    ...[300, 200, 100, 200].map((ms) => record({ ts, model: "a", latency_ms: ms })),
    record({ ts, model: "a", status: "timeout", latency_ms: 1000 }),
    record({ ts, model: "a", status: "skipped", latency_ms: null }),
    // b: a single sample; c: only failures
    record({ ts, model: "b", latency_ms: 42, ttft_ms: 7 }),
    record({ ts, model: "c", status: "rate_limited", latency_ms: 5 }),
    record({ ts, model: "c", status: "server_error", latency_ms: 9 }),
  ];
  await writeFile(path.join(dir, "f.jsonl"), rows.map((r) => JSON.stringify(r)).join("\n") + "\n");
  const r = await runCli(["report", "f.jsonl", "--by", "model", "--format", "json"], { cwd: dir });
  assert.equal(r.code, 0, r.stderr);
  const [a, b, c] = JSON.parse(r.stdout).groups;
  assert.deepEqual([a.attempts, a.sent, a.skipped, a.ok, a.success_rate, a.p50_ms, a.p95_ms, a.p99_ms], [6, 5, 1, 4, 0.8, 200, 300, 300]);
  // Wilson 95 % for 4/5, by the formula: centre (0.8 + 1.9208/5) / 1.76829, half-width 1.96·√(0.032 + 0.03841) / 1.76829
  assert.deepEqual(a.success_ci.map((x: number) => Number(x.toFixed(4))), [0.3755, 0.9638]);
  assert.deepEqual([b.p50_ms, b.p99_ms, b.ttft_p50_ms, b.success_rate], [42, 42, 7, 1]);
  assert.deepEqual([c.ok, c.success_rate, c.p50_ms, c.statuses], [0, 0, null, { rate_limited: 1, server_error: 1 }]);
});

test("tables fit the terminal: optional columns hide in order (noted), failures shorten to +N; files and pipes get every column", async (t) => {
  const dir = await tempDir(t);
  const statuses = ["timeout", "rate_limited", "server_error", "network", "truncated", "bad_response"] as const;
  const rows = [];
  for (const model of ["gemini-2.5-flash", "gpt-4.1"]) {
    for (let h = 0; h < 3; h++) {
      const ts = `2026-11-01T0${h}:00:00.000Z`;
      for (let i = 0; i < 40; i++) rows.push(record({ ts, model, latency_ms: 100 + i, ttft_ms: 30, cost_usd: 0.001 }));
      statuses.forEach((status, k) => {
        for (let i = 0; i <= k; i++) rows.push(record({ ts, model, status, latency_ms: 50 }));
      });
    }
  }
  await writeFile(path.join(dir, "f.jsonl"), rows.map((r) => JSON.stringify(r)).join("\n") + "\n");
  const width = (text: string) => Math.max(...text.split("\n").map((l) => l.length));
  const full = await runCli(["report", "f.jsonl", "--by", "model,hour"], { cwd: dir });
  assert.ok(width(full.stdout) > 100, "the fixture is wider than 100 columns unfitted");
  assert.match(full.stdout, /malformed×6 trunc×5 net×4 5xx×3 429×2 timeout×1\n/);
  const fitted = await runCli(["report", "f.jsonl", "--by", "model,hour"], { cwd: dir, env: { COLUMNS: "100" } });
  assert.equal(fitted.code, 0, fitted.stderr);
  assert.ok(width(fitted.stdout) <= 100, fitted.stdout);
  assert.match(fitted.stdout, /hidden to fit 100 columns: cost \(--format json has every number\)/);
  // the largest failures first, the rest counted
  assert.match(fitted.stdout, /gpt-4\.1 +02 .* 30  malformed×6 \+5\n/);
  const narrow = await runCli(["report", "f.jsonl", "--by", "model,hour"], { cwd: dir, env: { COLUMNS: "80" } });
  assert.ok(width(narrow.stdout.split("\n").filter((l) => !l.startsWith("latency in ms")).join("\n")) <= 80, narrow.stdout);
  assert.match(narrow.stdout, /hidden to fit 80 columns: cost, ttft50, 95% CI/);
  // the other formats are not fitted
  const csv = await runCli(["report", "f.jsonl", "--by", "model,hour", "--format", "csv"], { cwd: dir, env: { COLUMNS: "80" } });
  assert.match(csv.stdout.split("\n")[0]!, /cost_usd/);
});

test("the two-proportion test's p-values match erfc (Python's math.erfc)", async () => {
  const { twoProportionPValue } = await import("../src/analysis/compareProportions.js");
  // 99/100 vs 80/100: pooled 0.895, z = 0.19 / √(0.895 · 0.105 · 0.02) = 4.3826; Python: erfc(z/√2) = 1.17268e-05
  const p = twoProportionPValue(80, 100, 99, 100)!;
  assert.ok(Math.abs(p - 1.17268e-5) / 1.17268e-5 < 0.001, String(p));
  assert.equal(twoProportionPValue(50, 100, 50, 100), 1);
  assert.equal(twoProportionPValue(0, 0, 5, 10), null);
  assert.equal(twoProportionPValue(10, 10, 20, 20), null);
});

test("--compare: the previous window beside this one, deltas, and a named significance test", async (t) => {
  const dir = await tempDir(t);
  const now = Date.now();
  const at = (hoursAgo: number, i: number) => new Date(now - hoursAgo * 3_600_000 + i).toISOString();
  const recs: AttemptRecord[] = [];
  // previous window (24-48 h ago): 99 of 100 ok; this window (last 24 h): 80 of 100 ok
  for (let i = 0; i < 100; i++) recs.push(record({ ts: at(30, i), model: "a", status: i < 99 ? "ok" : "timeout", latency_ms: 100 }));
  for (let i = 0; i < 100; i++) recs.push(record({ ts: at(5, i), model: "a", status: i < 80 ? "ok" : "timeout", latency_ms: 150 }));
  await writeFile(path.join(dir, "h.jsonl"), recs.map((r) => JSON.stringify(r)).join("\n") + "\n");
  const json = await runCli(["report", "h.jsonl", "--since", "24h", "--compare", "--by", "model", "--format", "json"], { cwd: dir });
  assert.equal(json.code, 0, json.stderr);
  const g = JSON.parse(json.stdout).groups[0];
  assert.deepEqual([g.sent, g.success_rate, g.compare.previous.sent, g.compare.previous.success_rate], [100, 0.8, 100, 0.99]);
  assert.equal(Number(g.compare.delta_success_rate.toFixed(10)), -0.19);
  assert.equal(g.compare.delta_p95_ms, 50);
  assert.equal(g.compare.significant, true);
  assert.ok(g.compare.p_value < 0.001);
  const table = await runCli(["report", "h.jsonl", "--since", "24h", "--compare", "--by", "model"], { cwd: dir });
  assert.match(table.stdout, /two-proportion z-test/);
  assert.match(table.stdout, /−19\.0pp/);
  assert.equal((await runCli(["report", "h.jsonl", "--compare"], { cwd: dir })).code, 2, "--compare needs --since");
});

test("--bucket gives a time series; --by hour a time-of-day view; filters apply", async (t) => {
  const dir = await tempDir(t);
  const recs = [0, 1, 2, 25, 26].map((h, i) => record({ ts: new Date(Date.UTC(2026, 10, 1, h, 30)).toISOString(), model: i % 2 ? "a" : "b", latency_ms: 10 * (i + 1) }));
  await writeFile(path.join(dir, "s.jsonl"), recs.map((r) => JSON.stringify(r)).join("\n") + "\n");
  const bucket = JSON.parse((await runCli(["report", "s.jsonl", "--bucket", "1d", "--by", "model", "--format", "json"], { cwd: dir })).stdout);
  assert.deepEqual(
    bucket.groups.map((g: { bucket: string; model: string; sent: number }) => [g.bucket, g.model, g.sent]),
    [
      ["2026-11-01T00:00:00.000Z", "a", 1],
      ["2026-11-01T00:00:00.000Z", "b", 2],
      ["2026-11-02T00:00:00.000Z", "a", 1],
      ["2026-11-02T00:00:00.000Z", "b", 1],
    ],
  );
  const hours = JSON.parse((await runCli(["report", "s.jsonl", "--by", "hour", "--format", "json"], { cwd: dir })).stdout);
  assert.deepEqual(hours.groups.map((g: { hour: string; sent: number }) => [g.hour, g.sent]), [["00", 1], ["01", 2], ["02", 2]]);
  const filtered = JSON.parse((await runCli(["report", "s.jsonl", "--model", "a", "--by", "model", "--format", "json"], { cwd: dir })).stdout);
  assert.deepEqual(filtered.groups.map((g: { model: string }) => g.model), ["a"]);
});

test("records from a newer tierwatch are named, counted and skipped; --strict fails", async (t) => {
  const dir = await tempDir(t);
  await writeFile(path.join(dir, "n.jsonl"), `${JSON.stringify(record())}\n${JSON.stringify({ ...record(), v: 2 })}\n`);
  const r = await runCli(["report", "n.jsonl"], { cwd: dir });
  assert.equal(r.code, 0);
  assert.match(r.stderr, /n\.jsonl:2: schema version 2 is newer than this tierwatch reads \(1\); upgrade tierwatch/);
  assert.equal((await runCli(["report", "n.jsonl", "--strict"], { cwd: dir })).code, 1);
});

test("every line shape gives the record path's numbers: learned layouts, other writers, escapes, exponents, repeated keys, a file of many read chunks", async (t) => {
  const dir = await tempDir(t);
  const rand = createRng(20261122);
  const recs: AttemptRecord[] = [];
  const lines: string[] = [];
  // 200 models and 7 regions: many ids, made while the read buffer is refilled under them
  for (let i = 0; i < 9000; i++) {
    const ok = rand() < 0.9;
    const r = record({
      ts: new Date(Date.UTC(2026, 10, 1) + i * 1000).toISOString(),
      run_id: `run-${i % 3}`,
      round: Math.floor(i / 30),
      request_id: `req-${i}-${"x".repeat(Math.floor(rand() * 300))}`,
      model: `model-${i % 200}`,
      region: `region-${i % 7}`,
      chain: `chain-${i % 3}`,
      tier: (i % 3) + 1,
      status: ok ? "ok" : "timeout",
      latency_ms: Math.round(rand() * 100_000) / 100,
      ttft_ms: i % 2 ? Math.round(rand() * 5000) / 100 : null,
      cost_usd: ok ? 0.000027 : null,
    });
    recs.push(r);
    const compact = JSON.stringify(r);
    const shape = i % 11;
    if (shape === 1) {
      // another writer's key order, compact: a second learned layout
      const { status, model, ...rest } = r;
      lines.push(JSON.stringify({ model, status, ...rest }));
    } else if (shape === 2) lines.push(JSON.stringify(r, null, 1).replace(/\n/g, " "));
    else if (shape === 3) lines.push(compact.replace(`"model":"${r.model}"`, `"model":"${r.model!.replace("-", "\\u002d")}"`));
    else if (shape === 4 && r.latency_ms !== null) lines.push(compact.replace(`"latency_ms":${r.latency_ms}`, `"latency_ms":${r.latency_ms * 100}e-2`));
    else if (shape === 5) lines.push(compact.replace(`"model":"${r.model}"`, `"model":"decoy","model":"${r.model}"`));
    else if (shape === 6) lines.push(compact.replace(`"region":`, `"meta":{"a":[1,"}",{"b":null}]},"region":`));
    else if (shape === 7) lines.push(compact.replace(`"origin":"probe"`, `"origin":"\\u0070robe"`));
    else lines.push(compact);
  }
  // the values JSON.parse reads back (an exponent may round differently from the written number)
  const parsed = lines.map((l) => JSON.parse(l) as AttemptRecord);
  await writeFile(path.join(dir, "mixed.jsonl"), `${lines.join("\n")}\n`);
  assert.ok(lines.join("\n").length > 3 * 1024 * 1024, "the file spans several read chunks");
  const by = ["model", "region"] as const;
  const groups = createGroupSummary(by);
  const chains = createChainSummary(undefined);
  for (const r of parsed) {
    groups.add(r);
    chains.add(r);
  }
  const spec: SummarySpec = { by: [...by], windows: [{}], filters: {}, sloByChain: {}, chains: null };
  const files = [path.join(dir, "mixed.jsonl")];
  for (const options of [{ threads: 1 }, { threads: 2, ranges: 5 }]) {
    const got = await summarizeFiles(files, spec, options);
    assert.equal(got.read.badCount, 0);
    assert.equal(got.windows[0]!.groups.length, 1400);
    assert.deepEqual(got.windows[0]!.groups, groups.rows());
    assert.deepEqual(got.windows[0]!.chains, chains.rows());
  }
});

test("rounds of one run open at once whose numbers share their low bits (4096 apart) stay apart, as in the record path", async (t) => {
  const dir = await tempDir(t);
  const rand = createRng(4096);
  const recs: AttemptRecord[] = [];
  // rounds k, k + 4096, ..., k + 11 × 4096 of the same run, their records interleaved (more than the
  // few recent rounds a reader tries first)
  for (let k = 0; k < 100; k++) {
    for (let tier = 1; tier <= 3; tier++) {
      for (let j = 0; j < 12; j++) {
        const round = k + j * 4096;
        recs.push(record({ run_id: "run-a", round, chain: "c", tier, model: `m${tier}`, status: rand() < 0.6 ? "ok" : "timeout" }));
      }
    }
  }
  await writeFile(path.join(dir, "r.jsonl"), `${recs.map((r) => JSON.stringify(r)).join("\n")}\n`);
  const chains = createChainSummary(undefined);
  for (const r of recs) chains.add(r);
  const want = chains.rows();
  assert.equal(want[0]!.requests, 1200);
  const spec: SummarySpec = { by: ["model", "served_model", "stream"], windows: [{}], filters: {}, sloByChain: {}, chains: null };
  for (const options of [{ threads: 1 }, { threads: 2, ranges: 3 }]) {
    assert.deepEqual((await summarizeFiles([path.join(dir, "r.jsonl")], spec, options)).windows[0]!.chains, want);
  }
});

test("chain numbers with a policy: each tier's timeout, a model in two chains, rounds across threads, as the record path", async (t) => {
  const dir = await tempDir(t);
  const file = path.join(dir, "p.yaml");
  await writeFile(
    file,
    [
      "version: 1",
      "endpoints:",
      "  sim:",
      "    base_url: http://127.0.0.1:9",
      "    region: local",
      "chains:",
      "  default:",
      "    tiers:",
      "      - { model: a, timeout_ms: 150 }",
      "      - { model: b, timeout_ms: 5000 }",
      "      - { model: c, timeout_ms: 5000 }",
      "  cheap:",
      "    tiers:",
      "      - { model: b, timeout_ms: 80 }",
      "      - { model: c, timeout_ms: 5000 }",
      "store:",
      "  dir: ./data",
      "",
    ].join("\n"),
  );
  const { policy } = await loadPolicy(file, { env: {}, cwd: dir, offline: true });
  const rand = createRng(77);
  const recs: AttemptRecord[] = [];
  for (let round = 0; round < 3000; round++) {
    for (const model of ["a", "b", "c"]) {
      recs.push(
        record({
          ts: new Date(Date.UTC(2026, 10, 1) + round * 1000).toISOString(),
          run_id: `run-${round % 4}`,
          round,
          model,
          endpoint: "sim",
          status: rand() < 0.85 ? "ok" : "server_error",
          latency_ms: Math.round(rand() * 300),
        }),
      );
    }
  }
  await writeFile(path.join(dir, "r.jsonl"), `${recs.map((r) => JSON.stringify(r)).join("\n")}\n`);
  const chains = createChainSummary(policy);
  for (const r of recs) chains.add(r);
  const want = chains.rows();
  assert.deepEqual(want.map((c) => [c.chain, c.requests]), [["cheap", 3000], ["default", 3000]]);
  const spec: SummarySpec = { by: ["model"], windows: [{}], filters: {}, sloByChain: {}, chains: policyChains(policy) };
  for (const options of [{ threads: 1 }, { threads: 2, ranges: 6 }]) {
    const got = await summarizeFiles([path.join(dir, "r.jsonl")], spec, options);
    assert.deepEqual(got.windows[0]!.chains, want);
  }
});

test("mutated lines: the byte path judges every line as JSON.parse and the record reader do, and counts the same", async (t) => {
  const dir = await tempDir(t);
  const rand = createRng(5150);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!;
  const alphabet = ['"', "{", "}", "[", "]", ",", ":", "\\", " ", "0", "9", ".", "-", "e", "a", "n", "u", "l", "T", "Z", "\u0001", "é"];
  const lines: string[] = [];
  for (let i = 0; i < 6000; i++) {
    const r = record({
      ts: new Date(Date.UTC(2026, 10, 1) + i * 997).toISOString(),
      model: `m${i % 5}`,
      status: i % 7 === 0 ? "timeout" : "ok",
      latency_ms: Math.round(rand() * 10_000) / 100,
      round: i,
      stream: i % 2 === 0,
      served_model: `s${i % 3}`,
      gateway_fallback: i % 4 === 0 ? true : i % 4 === 1 ? false : null,
    });
    let line = JSON.stringify(r);
    // a third of the lines get one to three random edits: a byte replaced, inserted or deleted
    if (i % 3 === 0) {
      for (let e = 1 + Math.floor(rand() * 3); e > 0; e--) {
        const at = Math.floor(rand() * line.length);
        const op = rand();
        line = op < 0.4 ? line.slice(0, at) + pick(alphabet) + line.slice(at + 1) : op < 0.7 ? line.slice(0, at) + pick(alphabet) + line.slice(at) : line.slice(0, at) + line.slice(at + 1);
      }
    }
    lines.push(line);
  }
  const file = path.join(dir, "fuzz.jsonl");
  await writeFile(file, `${lines.join("\n")}\n`);
  const groups = createGroupSummary(["model", "served_model", "stream"]);
  const want = await readRecords([file], (r) => groups.add(r));
  assert.ok(want.badCount > 500 && want.records > 4000, `a mix of good and bad lines (${want.records} records, ${want.badCount} bad)`);
  const spec: SummarySpec = { by: ["model", "served_model", "stream"], windows: [{}], filters: {}, sloByChain: {}, chains: null };
  for (const options of [{ threads: 1 }, { threads: 2, ranges: 3 }]) {
    const got = await summarizeFiles([file], spec, options);
    assert.equal(got.read.records, want.records);
    assert.equal(got.read.badCount, want.badCount);
    // the first bad lines, with the same reason in the same words
    assert.deepEqual(got.read.bad.map((b) => [b.line, b.reason]), want.bad.map((b) => [b.line, b.reason]));
    assert.equal(got.read.lines, want.lines);
    assert.deepEqual(got.windows[0]!.groups, groups.rows());
  }
});
