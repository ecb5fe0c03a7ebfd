import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const SRC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../src");

// What each folder of src/ may import besides itself (errors.ts sits at the bottom with model/). Data
// flows one way: commands → analysis, gate, replay → store, probe, policy → model.
const ALLOWED: Record<string, readonly string[]> = {
  model: [],
  util: ["model"],
  store: ["model", "util"],
  probe: ["model", "util"],
  policy: ["model", "util"],
  analysis: ["model", "util", "store"],
  gate: ["model", "util", "analysis"],
  fallback: ["model", "util", "probe"],
  replay: ["model", "util", "policy", "analysis", "fallback"],
  sim: ["model", "util", "policy"],
  alerts: ["model", "util", "store", "gate", "fallback"],
  render: ["model", "util", "analysis", "gate", "replay"],
  client: ["model", "util", "store", "probe", "policy", "fallback"],
  metrics: ["model", "util", "analysis"],
  build: [],
};

test("no import runs against the layers: model at the bottom, store never above analysis, probe/policy/gate/store not into each other", () => {
  const wrong: string[] = [];
  for (const entry of readdirSync(SRC, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith(".ts")) continue;
    const file = path.join(entry.parentPath, entry.name);
    const folder = path.relative(SRC, file).split(path.sep)[0]!;
    const allowed = ALLOWED[folder];
    if (allowed === undefined) continue; // cli/, index.ts and errors.ts sit on top and may import anything
    for (const m of readFileSync(file, "utf8").matchAll(/(?:from |import\()"(\.[^"]+)"/g)) {
      const target = path.relative(SRC, path.resolve(path.dirname(file), m[1]!));
      const into = target.includes(path.sep) ? target.split(path.sep)[0]! : target;
      if (into === folder || into === "errors.js" || allowed.includes(into)) continue;
      wrong.push(`${path.relative(SRC, file)} imports ${target}`);
    }
  }
  assert.deepEqual(wrong, []);
});
