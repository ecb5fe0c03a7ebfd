import assert from "node:assert/strict";
import { readFile, readdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { test, type TestContext } from "node:test";
import { BUILT_IN_PROFILES, sameModel, servedAsIntended, parseServedPattern } from "../src/model/gateway.js";
import { readGatewayHeaders } from "../src/probe/readGatewayHeaders.js";
import { startSimulator } from "../src/sim/startSimulator.js";
import type { Scenario } from "../src/sim/scenario.js";
import { runCli } from "./helpers/runCli.js";
import { tempDir } from "./helpers/tempDir.js";

test("served as intended: the requested model or a dated version of it; a profile's signal; a tier's expect_served", () => {
  assert.ok(sameModel("gpt-4.1", "gpt-4.1-2025-04-14"));
  assert.ok(sameModel("claude-sonnet-4", "claude-sonnet-4-20250514"));
  assert.ok(sameModel("claude-sonnet-4", "claude-sonnet-4@20250514"));
  assert.ok(sameModel("gpt-4", "gpt-4-0613"));
  assert.ok(sameModel("openai/gpt-4.1", "gpt-4.1"));
  assert.ok(!sameModel("gpt-4.1", "claude-sonnet-4"));
  assert.ok(!sameModel("gpt-4.1", "gpt-4.1-mini"));
  assert.ok(!sameModel("gpt-4", "gpt-4o"));
  const at = (model: string | null, target: string | null = null, signal: boolean | null = null) => ({ model, target, signal });
  assert.equal(servedAsIntended("gpt-4.1", undefined, at("gpt-4.1-2025-04-14")), true);
  assert.equal(servedAsIntended("gpt-4.1", undefined, at("claude-sonnet-4")), false);
  assert.equal(servedAsIntended("gpt-4.1", undefined, at(null)), null);
  assert.equal(servedAsIntended("gpt-4.1", undefined, at("gpt-4.1", "config.targets[1]", true)), false);
  assert.equal(servedAsIntended("gpt-4.1", undefined, at(null, "config.targets[0]", false)), true);
  // a tier that names its target: the target decides, not the signal (a load-balanced tier's index > 0 is fine)
  const lb = { model: undefined, target: parseServedPattern("/^config\\.targets\\[[01]\\]$/") };
  assert.equal(servedAsIntended("gpt-4.1", lb, at("gpt-4.1", "config.targets[1]", true)), true);
  assert.equal(servedAsIntended("gpt-4.1", lb, at("gpt-4.1", "config.targets[2]", true)), false);
  // a deployment name the gateway maps: expect_served.model says what serving it looks like
  assert.equal(servedAsIntended("prod-chat", { model: parseServedPattern("gpt-4.1"), target: undefined }, at("gpt-4.1-2025-04-14")), true);
  assert.equal(servedAsIntended("prod-chat", undefined, at("gpt-4.1-2025-04-14")), false);
});

test("gateway profiles read each gateway's headers: Portkey, LiteLLM, generic; a gateway's own failure apart", () => {
  const portkey = readGatewayHeaders(BUILT_IN_PROFILES.portkey, {
    "x-portkey-last-used-option-index": "config.targets[1]",
    "x-portkey-provider": "openai",
    "x-portkey-retry-attempt-count": "2",
  });
  assert.deepEqual(portkey, { servedTarget: "config.targets[1]", servedModel: null, attempts: 4, signal: true, gatewayError: false, costUsd: null });
  assert.equal(readGatewayHeaders(BUILT_IN_PROFILES.portkey, { "x-portkey-last-used-option-index": "config.targets[0]" }).signal, false);
  assert.equal(readGatewayHeaders(BUILT_IN_PROFILES.portkey, { "x-portkey-gateway-exception": "true" }).gatewayError, true);
  const litellm = readGatewayHeaders(BUILT_IN_PROFILES.litellm, {
    "x-litellm-model-id": "dep-7",
    "x-litellm-attempted-fallbacks": "1",
    "x-litellm-attempted-retries": "0",
    "x-litellm-response-cost": "0.00042",
  });
  assert.deepEqual(litellm, { servedTarget: "dep-7", servedModel: null, attempts: 2, signal: true, gatewayError: false, costUsd: 0.00042 });
  const generic = readGatewayHeaders(BUILT_IN_PROFILES.generic, { "x-served-by": "azure-east" , "x-litellm-attempted-fallbacks": "3" });
  assert.deepEqual(generic, { servedTarget: "azure-east", servedModel: null, attempts: null, signal: null, gatewayError: false, costUsd: null });
});

/** A policy whose one endpoint is a simulator playing `style`, with tier 1 → tier 2; `extra` appended. */
async function gatewayPolicy(dir: string, url: string, profile: string, extra = ""): Promise<string> {
  const file = path.join(dir, `${profile}.yaml`);
  await writeFile(
    file,
    `version: 1
endpoints:
  gw:
    base_url: ${url}
    gateway: ${profile}
chains:
  gateway:
    tiers:
      - { model: model-a, timeout_ms: 2000, price: { input_per_mtok: 1, output_per_mtok: 1 } }
      - { model: model-b, timeout_ms: 2000, price: { input_per_mtok: 100, output_per_mtok: 100 } }
${extra}store: { dir: ./data-${profile} }
`,
  );
  return file;
}

/** Probes `rounds` rounds through a simulator playing a gateway whose model-a is down (or healthy), then reports. */
async function probeThroughGateway(t: TestContext, style: "portkey" | "litellm" | "plain", profile: string, down: boolean) {
  const dir = await tempDir(t);
  const scenario: Scenario = {
    gateway: { style, fallbacks: { "model-a": ["model-b"] } },
    models: { "model-a": { latency_ms: 5, ...(down ? { faults: { server_error: 1 } } : {}) }, "model-b": { latency_ms: 40 } },
  };
  const sim = await startSimulator(scenario);
  t.after(() => sim.close());
  const alert = `alerts:\n  - { name: tier1-gateway, when: "gateway_fallback_rate{tier=1} > 0.2", window: 1h, min_samples: 5 }\n`;
  const policy = await gatewayPolicy(dir, sim.url, profile, alert);
  const probe = await runCli(["probe", "--policy", policy, "--rounds", "12", "--no-warmup"], { cwd: dir, env: {} });
  assert.equal(probe.code, 0, probe.stderr);
  const streamed = await runCli(["probe", "--policy", policy, "--rounds", "3", "--stream", "--no-warmup"], { cwd: dir, env: {} });
  assert.equal(streamed.code, 0, streamed.stderr);
  const report = async (...args: string[]) => {
    const r = await runCli(["report", "--policy", policy, ...args, "--format", "json"], { cwd: dir, env: {} });
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout) as { groups: Record<string, unknown>[]; chains: Record<string, unknown>[] };
  };
  const gate = async (threshold: string) => (await runCli(["gate", "--policy", policy, "--from", `data-${profile}`, "--threshold", threshold], { cwd: dir, env: {} })).code;
  return { dir, policy, probe, sim, report, gate };
}

for (const [style, profile] of [["portkey", "portkey"], ["litellm", "litellm"]] as const) {
  test(`${style}-style gateway, tier 1's upstream down: every view shows the gateway's fallback; healthy: none`, async (t) => {
    const down = await probeThroughGateway(t, style, profile, true);
    // the alert fired during the rounds (no webhook: printed)
    assert.match(down.probe.stdout, /tierwatch alert tier1-gateway FIRING: gateway_fallback_rate = 100\.00%/);
    const byTier = await down.report("--by", "tier");
    const t1 = byTier.groups.find((g) => g.tier === 1 && g.stream === false)!;
    assert.equal(t1.success_rate, 1, "each answer reached the user: ok");
    assert.equal(t1.gateway_fallback_rate, 1);
    assert.equal(t1.gateway_fallbacks, 12);
    assert.ok((t1.gateway_fallback_ci as number[])[0]! > 0.7, JSON.stringify(t1.gateway_fallback_ci));
    // plain and streamed probes are kept apart when both are present
    assert.deepEqual(byTier.groups.map((g) => [g.tier, g.stream]), [[1, false], [1, true], [2, false], [2, true]]);
    const t1Cost = t1.cost_usd as number;
    const t2 = byTier.groups.find((g) => g.tier === 2 && g.stream === false)!;
    assert.equal(t1Cost, t2.cost_usd, "tier 1's answers are priced as model-b's, the model that served them");
    const chain = byTier.chains[0]!;
    assert.equal(chain.fallback_activation_rate, 1);
    assert.equal(chain.gateway_fallback_rate, 1);
    assert.equal(chain.app_fallback_rate, 0);
    const byModel = await down.report("--by", "tier,served_model");
    assert.deepEqual(
      byModel.groups.filter((g) => g.stream === false).map((g) => [g.tier, g.served_model, g.gateway_fallback_rate]),
      [[1, "model-b", 1], [2, "model-b", 0]],
    );
    const byTarget = await down.report("--by", "tier,served_target", "--model", "model-a");
    const targets = byTarget.groups.map((g) => g.served_target);
    assert.deepEqual([...new Set(targets)], [style === "portkey" ? "config.targets[1]" : "sim-model-b"]);
    assert.equal(await down.gate("fallback_activation_rate{chain=gateway} <= 0.05"), 1);
    assert.equal(await down.gate("gateway_fallback_rate{tier=1} <= 0.05"), 1);
    const table = await runCli(["report", "--policy", down.policy, "--by", "tier"], { cwd: down.dir, env: {} });
    assert.match(table.stdout, /gw fb: gateway fallback, ok answers not served as the tier asked\. 15 of \d+ came from another target:\ntier=1 stream=false; tier=1 stream=true/);
    const recommend = await runCli(["recommend", "--policy", down.policy, "--min-rounds", "5"], { cwd: down.dir, env: {} });
    assert.match(recommend.stdout.replace(/\s+/g, " "), /tier 1 \(model-a\): 100\.0% \[\d+\.\d%–100\.0%\] of its ok answers came from another target through the gateway's fallback \(model-b/);

    const healthy = await probeThroughGateway(t, style, profile, false);
    assert.doesNotMatch(healthy.probe.stdout, /FIRING/);
    const ok = await healthy.report("--by", "tier");
    const h1 = ok.groups.find((g) => g.tier === 1 && g.stream === false)!;
    assert.equal(h1.gateway_fallback_rate, 0);
    assert.equal(h1.gateway_known, 12);
    assert.equal(ok.chains[0]!.fallback_activation_rate, 0);
    assert.equal(await healthy.gate("fallback_activation_rate{chain=gateway} <= 0.05"), 0);
    assert.equal(await healthy.gate("gateway_fallback_rate{tier=1} <= 0.05"), 0);
  });
}

test("a gateway that answers for another model without a header (body model only) is caught by the default rule", async (t) => {
  const run = await probeThroughGateway(t, "plain", "generic", true);
  const doc = await run.report("--by", "tier,served_model");
  const t1 = doc.groups.find((g) => g.tier === 1 && g.stream === false)!;
  assert.equal(t1.served_model, "model-b");
  assert.equal(t1.gateway_fallback_rate, 1);
  const files = await readdir(path.join(run.dir, "data-generic"));
  const lines = (await readFile(path.join(run.dir, "data-generic", files.find((f) => f.endsWith(".jsonl"))!), "utf8")).trim().split("\n");
  const rec = JSON.parse(lines.find((l) => l.includes('"model":"model-a"'))!) as Record<string, unknown>;
  assert.equal(rec.status, "ok");
  assert.equal(rec.gateway_fallback, true);
  assert.equal(rec.gateway_attempts, null, "a gateway that says nothing about its attempts: unknown");
});

test("two tiers with one model and different headers are two targets: each probed every round, replayed apart", async (t) => {
  const dir = await tempDir(t);
  const sim = await startSimulator({ models: { "gpt-4.1": { latency_ms: 5 } } });
  t.after(() => sim.close());
  const file = path.join(dir, "tierwatch.yaml");
  await writeFile(
    file,
    `version: 1
endpoints:
  gw: { base_url: "${sim.url}" }
chains:
  routed:
    tiers:
      - { model: gpt-4.1, timeout_ms: 1000, headers: { x-route: a } }
      - { model: gpt-4.1, timeout_ms: 1000, headers: { x-route: b, x-tierwatch-fault: server_error } }
store: { dir: ./data }
`,
  );
  const validate = await runCli(["validate", "--policy", file, "--strict"], { cwd: dir, env: {} });
  assert.doesNotMatch(validate.stdout + validate.stderr, /repeats gpt-4\.1/);
  const probe = await runCli(["probe", "--policy", file, "--rounds", "3", "--no-warmup"], { cwd: dir, env: {} });
  assert.equal(probe.code, 0, probe.stderr);
  const routes = sim.requests.map((r) => r.headers["x-route"]);
  assert.deepEqual([routes.filter((x) => x === "a").length, routes.filter((x) => x === "b").length], [3, 3]);
  const r = await runCli(["report", "--policy", file, "--by", "tier", "--format", "json"], { cwd: dir, env: {} });
  const doc = JSON.parse(r.stdout) as { groups: { tier: number; success_rate: number }[]; chains: { served_by_tier: Record<string, number> }[] };
  assert.deepEqual(doc.groups.map((g) => [g.tier, g.success_rate]), [[1, 1], [2, 0]]);
  assert.deepEqual(doc.chains[0]!.served_by_tier, { 1: 3 });
});

test("gateway header values are redacted before they are stored", async (t) => {
  const dir = await tempDir(t);
  const key = "sk-gw-7f3a9c2e41d85b60";
  // the fallback's name carries the key: it comes back in LiteLLM's headers and in the body's model
  const fallback = `b-${key}`;
  const sim = await startSimulator({ gateway: { style: "litellm", fallbacks: { a: [fallback] } }, models: { a: { faults: { server_error: 1 }, latency_ms: 1 }, [fallback]: { latency_ms: 1 } } });
  t.after(() => sim.close());
  const file = path.join(dir, "tierwatch.yaml");
  await writeFile(
    file,
    `version: 1\nendpoints:\n  gw: { base_url: "${sim.url}", api_key: "\${GW_KEY}", gateway: { profile: litellm, served_model: [x-echo-model] } }\nchains:\n  c:\n    tiers: [ { model: a, timeout_ms: 1000 } ]\nstore: { dir: ./data }\n`,
  );
  const probe = await runCli(["probe", "--policy", file, "--rounds", "2", "--no-warmup"], { cwd: dir, env: { GW_KEY: key } });
  assert.equal(probe.code, 0, probe.stderr);
  const files = await readdir(path.join(dir, "data"));
  const text = await readFile(path.join(dir, "data", files.find((f) => f.endsWith(".jsonl"))!), "utf8");
  assert.ok(!text.includes(key.slice(6)), text);
  assert.match(text, /"served_model":"b-\[redacted\]","served_target":"sim-b-\[redacted\]"/);
});

test("validate: an endpoint sent Portkey or LiteLLM headers but read as generic is a warning that names the profile", async (t) => {
  const dir = await tempDir(t);
  const write = async (gateway: string, header: string) => {
    const file = path.join(dir, `${gateway}-${header}.yaml`);
    await writeFile(file, `version: 1\nendpoints:\n  gw: { base_url: "http://127.0.0.1:9/v1", gateway: ${gateway} }\nchains:\n  c:\n    tiers: [ { model: a, headers: { ${header}: "x" } }, { model: b } ]\n`);
    const r = await runCli(["validate", "--policy", file, "--format", "json"], { cwd: dir, env: {} });
    return (JSON.parse(r.stdout) as { warnings: { path: string; message: string }[] }).warnings.filter((w) => w.path === "endpoints.gw.gateway").map((w) => w.message);
  };
  assert.match((await write("generic", "x-portkey-config"))[0] ?? "", /sends Portkey headers .* set gateway: portkey/);
  assert.match((await write("generic", "x-litellm-tags"))[0] ?? "", /set gateway: litellm/);
  assert.deepEqual(await write("portkey", "x-portkey-config"), []);
  assert.deepEqual(await write("generic", "x-route"), []);
});

test("plain and streamed probes are grouped apart when a window holds both; a record that does not say counts as plain", async (t) => {
  const { record } = await import("./helpers/builders.js");
  const dir = await tempDir(t);
  const at = (i: number) => new Date(Date.UTC(2026, 10, 1) + i * 1000).toISOString();
  const old = [0, 1, 2].map((i) => {
    const r = record({ ts: at(i), latency_ms: 10 }) as unknown as Record<string, unknown>;
    delete r.stream;
    return JSON.stringify(r);
  });
  const plain = [3, 4].map((i) => JSON.stringify(record({ ts: at(i), latency_ms: 20, stream: false })));
  const streamed = [5, 6].map((i) => JSON.stringify(record({ ts: at(i), latency_ms: 30, stream: true })));
  await writeFile(path.join(dir, "a.jsonl"), `${[...old, ...plain].join("\n")}\n`);
  await writeFile(path.join(dir, "b.jsonl"), `${[...old, ...plain, ...streamed].join("\n")}\n`);
  const groups = async (file: string) => (JSON.parse((await runCli(["report", file, "--by", "model", "--format", "json"], { cwd: dir })).stdout) as { groups: Record<string, unknown>[] }).groups;
  const a = await groups("a.jsonl");
  assert.deepEqual(a.map((g) => [g.stream, g.sent]), [[undefined, 5]], "old and plain records: one group, no stream key");
  const b = await groups("b.jsonl");
  assert.deepEqual(b.map((g) => [g.stream, g.sent]), [[false, 5], [true, 2]]);
});

test("recommend does not reorder tiers on numbers a gateway's fallback produced, and says why", async () => {
  const { validatePolicy } = await import("../src/policy/validatePolicy.js");
  const { createHistoryBuilder } = await import("../src/replay/history.js");
  const { recommend } = await import("../src/replay/recommend.js");
  const { record } = await import("./helpers/builders.js");
  const { policy } = validatePolicy(
    { version: 1, endpoints: { e: { base_url: "http://127.0.0.1:9/v1" } }, chains: { c: { tiers: [{ model: "a", timeout_ms: 2000 }, { model: "b", timeout_ms: 2000 }] } } },
    { env: {}, source: "test" },
  );
  // tier 1's every answer came from b through the gateway, slowly; b asked directly is fast
  const h = createHistoryBuilder();
  for (let i = 0; i < 150; i++) {
    const ts = new Date(Date.UTC(2026, 10, 1) + i * 60_000).toISOString();
    h.add(record({ ts, run_id: "r", round: i, endpoint: "e", model: "a", latency_ms: 300, served_model: "b", gateway_fallback: true }));
    h.add(record({ ts, run_id: "r", round: i, endpoint: "e", model: "b", latency_ms: 40, served_model: "b", gateway_fallback: false }));
  }
  const [rec] = recommend(h.build().history, policy!, { assumeEqualQuality: true });
  assert.ok(rec!.proposal === null || rec!.proposal[0]!.model === "a", JSON.stringify(rec!.proposal));
  assert.ok(rec!.flags.some((f) => /^tier 1 \(a\): 100\.0% .* came from another target through the gateway's fallback \(b \(150\)\)/.test(f)), rec!.flags.join("\n"));
});
