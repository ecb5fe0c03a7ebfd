import assert from "node:assert/strict";
import { appendFile, mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { appendRecords } from "../src/store/appendRecords.js";
import { expandInputs } from "../src/store/expandInputs.js";
import type { AttemptRecord } from "../src/model/record.js";
import { readRecords } from "../src/store/readRecords.js";
import { record } from "./helpers/builders.js";
import { tempDir } from "./helpers/tempDir.js";

async function readAll(files: string[]) {
  const out: AttemptRecord[] = [];
  const summary = await readRecords(files, (r) => out.push(r));
  return { out, summary };
}

test("records go to one file per UTC day and read back unchanged", async (t) => {
  const dir = await tempDir(t);
  const a = record({ ts: "2026-11-01T23:59:59.900Z", request_id: "a" });
  const b = record({ ts: "2026-11-02T00:00:00.100Z", request_id: "b" });
  await appendRecords(path.join(dir, "data"), [a, b]);
  const files = await expandInputs(["data"], dir);
  assert.deepEqual(files.map((f) => path.basename(f)), ["2026-11-01.jsonl", "2026-11-02.jsonl"]);
  const { out } = await readAll(files);
  assert.deepEqual(out, [a, b]);
});

test("bad lines are counted with file:line, a torn last line is skipped, other writers' spacing is fine", async (t) => {
  const dir = await tempDir(t);
  const file = path.join(dir, "x.jsonl");
  const good = record();
  const reordered = `{ "status" : "ok", "ts": "${good.ts}",  "model": "m2", "v": 1, "latency_ms": 5 }`;
  await writeFile(
    file,
    [JSON.stringify(good), "{not json", reordered, '{"v": 9, "ts": "2026-11-01T00:00:00Z", "status": "ok"}', '{"ts": "x", "status": "ok"}', '{"ts":"2026-11-01T00:00:00Z","status":"exploded"}', '{"v":1,"ts":"2026-11-01T00:0'].join("\n"),
  );
  const { out, summary } = await readAll([file]);
  assert.equal(out.length, 2);
  assert.equal(out[1]!.model, "m2");
  assert.equal(summary.badCount, 4);
  assert.deepEqual(
    summary.bad.map((b) => `${path.basename(b.file)}:${b.line}`),
    ["x.jsonl:2", "x.jsonl:4", "x.jsonl:5", "x.jsonl:6"],
  );
  assert.match(summary.bad[1]!.reason, /schema version 9 is newer/);
  assert.equal(summary.newerVersion, 1);
  assert.equal(summary.torn, 1, "the unfinished last line is not corruption");
  // the same broken line followed by a newline is corruption
  await appendFile(file, "\n");
  assert.equal((await readAll([file])).summary.badCount, 5);
});

test("inputs: files, directories and globs, several at once; a missing path is a clear error", async (t) => {
  const dir = await tempDir(t);
  await mkdir(path.join(dir, "east"));
  await mkdir(path.join(dir, "west", "deep"), { recursive: true });
  for (const f of ["east/2026-11-01.jsonl", "east/2026-11-02.jsonl", "west/2026-11-01.jsonl", "west/deep/2026-11-03.jsonl", "east/notes.txt"]) {
    await writeFile(path.join(dir, f), "");
  }
  const rel = async (inputs: string[]) => (await expandInputs(inputs, dir)).map((f) => path.relative(dir, f));
  assert.deepEqual(await rel(["east"]), ["east/2026-11-01.jsonl", "east/2026-11-02.jsonl"]);
  assert.deepEqual(await rel(["*/2026-11-01.jsonl"]), ["east/2026-11-01.jsonl", "west/2026-11-01.jsonl"]);
  assert.deepEqual(await rel(["west/**/*.jsonl", "east/2026-11-02.jsonl"]), ["east/2026-11-02.jsonl", "west/2026-11-01.jsonl", "west/deep/2026-11-03.jsonl"]);
  await assert.rejects(expandInputs(["nowhere"], dir), /nowhere does not exist/);
  await assert.rejects(expandInputs(["east/*.csv"], dir), /no file matches/);
});

test("an unwritable data directory is a clear error", async (t) => {
  const dir = await tempDir(t);
  const blocker = path.join(dir, "file");
  await writeFile(blocker, "");
  await assert.rejects(appendRecords(path.join(blocker, "data"), [record()]), /cannot make the directory .*\/file\/data: .*\/file is a file, not a directory: choose .*--data-dir/);
  assert.equal(await readFile(blocker, "utf8"), "");
});

test("offsetOfTime: reading from the offset loses no record of the window, even with lines out of order or without a time", async (t) => {
  const { offsetOfTime } = await import("../src/store/offsetOfTime.js");
  const dir = await tempDir(t);
  const file = path.join(dir, "day.jsonl");
  const start = Date.UTC(2026, 10, 1);
  const lines: string[] = [];
  for (let i = 0; i < 40_000; i++) {
    // written in time order, but each a few seconds late at random (a long attempt written after short ones)
    const ts = new Date(start + i * 2000 - (i % 7) * 1500).toISOString();
    lines.push(i % 997 === 0 ? "not a record" : JSON.stringify(record({ ts, request_id: `r${i}` })));
  }
  await writeFile(file, `${lines.join("\n")}\n`);
  const text = await readFile(file, "utf8");
  for (const since of [start - 1000, start + 3_600_000, start + 40_000 * 2000 - 60_000, start + 90_000_000]) {
    const at = offsetOfTime(file, since - 15_000);
    assert.ok(at === 0 || text[at - 1] === "\n", "a line start");
    const want = lines.filter((l) => l.startsWith("{") && Date.parse(JSON.parse(l).ts) >= since);
    const got = text.slice(at).split("\n").filter((l) => l.startsWith("{") && Date.parse(JSON.parse(l).ts) >= since);
    assert.deepEqual(got, want, `since ${new Date(since).toISOString()}`);
    if (since > start + 3_000_000) assert.ok(at > text.length / 30, `skipped most of the file (at ${at} of ${text.length})`);
  }
});
