import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { METRICS } from "../src/model/metrics.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const read = (f: string) => readFileSync(path.join(ROOT, f), "utf8");

test("the README is a front page whose links lead somewhere; every metric of the model is documented", () => {
  const readme = read("README.md");
  assert.ok(readme.split("\n").length < 200, "README under 200 lines");
  const links = [...readme.matchAll(/\]\((docs\/[^)#]+)\)/g)].map((m) => m[1]!);
  assert.ok(links.length >= 8);
  for (const link of links) assert.ok(existsSync(path.join(ROOT, link)), `${link} exists`);
  const commands = read("docs/commands.md");
  for (const m of METRICS) assert.match(commands, new RegExp(`\`${m}\``), `docs/commands.md names ${m}`);
});
