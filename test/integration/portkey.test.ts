// Portkey's open-source gateway, for real, on 127.0.0.1, in front of two tierwatch simulators: tierwatch
// must see the gateway's own fallback. Run by `npm run test:integration` (which installs the gateway
// into test/integration/node_modules first); it fails, never skips, when the gateway is missing.
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { test, type TestContext } from "node:test";
import { startSimulator } from "../../src/sim/startSimulator.js";
import { spawnCli } from "../helpers/runCli.js";
import { freePort } from "../helpers/freePort.js";
import { tempDir } from "../helpers/tempDir.js";

const here = path.dirname(fileURLToPath(import.meta.url));
// dist/test/integration → test/integration, where the package is installed
const GATEWAY = path.resolve(here, "../../../test/integration/node_modules/@portkey-ai/gateway/build/start-server.js");


/** Starts Portkey's gateway on a free port; resolves once it answers. */
async function startPortkey(t: TestContext): Promise<string> {
  assert.ok(
    existsSync(GATEWAY),
    `Portkey's gateway is not installed (${path.relative(process.cwd(), GATEWAY)} is missing): run \`npm run test:integration\`, which installs test/integration's packages first`,
  );
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, [GATEWAY, `--port=${port}`, "--headless"], { stdio: ["ignore", "pipe", "pipe"], env: { PATH: process.env.PATH, NODE_ENV: "production" } });
  let output = "";
  child.stdout!.on("data", (d) => (output += d));
  child.stderr!.on("data", (d) => (output += d));
  t.after(() => {
    child.kill("SIGKILL");
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      await fetch(`${url}/`);
      return `${url}/v1`;
    } catch {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`Portkey's gateway did not start on port ${port}:\n${output}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

/** A Portkey config: a fallback across the targets, each an OpenAI-compatible upstream with its model. */
const config = (...targets: [string, string][]) =>
  JSON.stringify({
    strategy: { mode: "fallback" },
    targets: targets.map(([url, model]) => ({ provider: "openai", custom_host: url, api_key: "sk-upstream-unused", override_params: { model } })),
  });

/** Tier 1 asks for model-a through a fallback config (A, then B); tier 2 for model-b on B alone. */
async function policyFile(dir: string, name: string, gateway: string, upstreamA: string, upstreamB: string): Promise<string> {
  const file = path.join(dir, `${name}.yaml`);
  await writeFile(
    file,
    `version: 1
endpoints:
  portkey:
    base_url: ${gateway}
    gateway: portkey
chains:
  gateway:
    tiers:
      - model: model-a
        timeout_ms: 5000
        headers: { x-portkey-config: '${config([upstreamA, "model-a"], [upstreamB, "model-b"])}' }
      - model: model-b
        timeout_ms: 5000
        headers: { x-portkey-config: '${config([upstreamB, "model-b"])}' }
alerts:
  - { name: tier1-gateway-fallback, when: "gateway_fallback_rate{tier=1} > 0.2", window: 1h, min_samples: 5 }
store: { dir: ./data-${name} }
`,
  );
  return file;
}

test("through Portkey's gateway: tier 1's upstream down shows as gateway fallback in report, gate, alert and recommend; healthy shows none", { timeout: 180_000 }, async (t) => {
  const dir = await tempDir(t);
  const gateway = await startPortkey(t);
  const upDown = await startSimulator({ models: { "model-a": { latency_ms: 5, faults: { server_error: 1 } } } });
  const upHealthy = await startSimulator({ models: { "model-a": { latency_ms: 5 } } });
  const upB = await startSimulator({ models: { "model-b": { latency_ms: 60 } } });
  t.after(() => Promise.all([upDown.close(), upHealthy.close(), upB.close()]));

  const cli = (args: string[]) => spawnCli(args, { cwd: dir, timeoutMs: 120_000 });
  const run = async (name: string, upstreamA: string) => {
    const policy = await policyFile(dir, name, gateway, upstreamA, upB.url);
    const plain = await cli(["probe", "--policy", policy, "--rounds", "10"]);
    assert.equal(plain.code, 0, plain.stderr);
    const streamed = await cli(["probe", "--policy", policy, "--rounds", "3", "--stream"]);
    assert.equal(streamed.code, 0, streamed.stderr);
    const json = await cli(["report", "--policy", policy, "--by", "tier", "--format", "json"]);
    assert.equal(json.code, 0, json.stderr);
    const doc = JSON.parse(json.stdout) as { groups: Record<string, unknown>[]; chains: Record<string, unknown>[] };
    const gate = async (threshold: string) => (await cli(["gate", "--policy", policy, "--from", `data-${name}`, "--threshold", threshold])).code;
    return { policy, plain, streamed, doc, gate, alerts: plain.stdout + streamed.stdout };
  };

  // tier 1's upstream in an outage: Portkey answers every request from model-b, and says so
  const down = await run("down", upDown.url);
  assert.ok(upDown.requests.length >= 13, "Portkey tried tier 1's own upstream first");
  for (const stream of [false, true]) {
    const t1 = down.doc.groups.find((g) => g.tier === 1 && g.stream === stream)!;
    assert.ok(t1, `a tier 1 row for stream=${stream}: ${JSON.stringify(down.doc.groups.map((g) => [g.tier, g.stream]))}`);
    assert.equal(t1.success_rate, 1, "each answer reached the user");
    assert.equal(t1.gateway_fallback_rate, 1, `stream=${stream}`);
    assert.ok((t1.gateway_fallback_ci as number[])[0]! > 0.4);
  }
  const chain = down.doc.chains[0]!;
  assert.equal(chain.fallback_activation_rate, 1);
  assert.equal(chain.gateway_fallback_rate, 1);
  const table = await cli(["report", "--policy", down.policy, "--by", "tier,served_target"]);
  assert.match(table.stdout, /^1\s+config\.targets\[1\]\s+\S+\s+10\s+100%.*\s100%\s/m, table.stdout);
  assert.match(table.stdout, /gw fb: gateway fallback/);
  const byModel = await cli(["report", "--policy", down.policy, "--by", "tier,served_model", "--format", "json"]);
  const models = (JSON.parse(byModel.stdout) as { groups: { tier: number; served_model: string }[] }).groups.map((g) => `${g.tier}:${g.served_model}`);
  assert.deepEqual([...new Set(models)], ["1:model-b", "2:model-b"]);
  assert.equal(await down.gate("fallback_activation_rate{chain=gateway} <= 0.05"), 1);
  assert.equal(await down.gate("gateway_fallback_rate{tier=1} <= 0.05"), 1);
  assert.match(down.alerts, /tierwatch alert tier1-gateway-fallback FIRING: gateway_fallback_rate = 100\.00%/);
  const recommend = await cli(["recommend", "--policy", down.policy, "--min-rounds", "5"]);
  assert.equal(recommend.code, 0, recommend.stderr);
  assert.match(recommend.stdout.replace(/\s+/g, " "), /tier 1 \(model-a\): 100\.0% .* of its ok answers came from another target through the gateway's fallback \(model-b via config\.targets\[1\]/);

  // healthy: tier 1's own upstream answers; nothing falls back
  const healthy = await run("healthy", upHealthy.url);
  for (const stream of [false, true]) {
    const t1 = healthy.doc.groups.find((g) => g.tier === 1 && g.stream === stream)!;
    assert.equal(t1.gateway_fallback_rate, 0, `stream=${stream}`);
  }
  assert.equal(healthy.doc.chains[0]!.fallback_activation_rate, 0);
  assert.equal(await healthy.gate("fallback_activation_rate{chain=gateway} <= 0.05"), 0);
  assert.equal(await healthy.gate("gateway_fallback_rate{tier=1} <= 0.05"), 0);
  assert.doesNotMatch(healthy.alerts, /FIRING/);
});
