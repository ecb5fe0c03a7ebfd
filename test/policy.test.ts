import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { TierwatchError } from "../src/errors.js";
import { lintPolicy } from "../src/policy/lintPolicy.js";
import { loadPolicy } from "../src/policy/loadPolicy.js";
import { validatePolicy } from "../src/policy/validatePolicy.js";
import { worstCaseMs } from "../src/policy/worstCaseMs.js";
import { tempDir } from "./helpers/tempDir.js";

// The policy from the probe issue, verbatim: it must validate and work as written.
const ISSUE_POLICY = `version: 1
endpoints:
  flashback:
    base_url: \${FB_OPENAI_BASE_URL}
    api_key: \${FB_API_KEY_SECRET}
    region: us-east-1
    headers:
      x-team: search
chains:
  default:
    tiers:
      - model: gpt-4.1
        timeout_ms: 20000
      - model: gpt-4.1-mini
        timeout_ms: 12000
      - model: gpt-4o-mini
        timeout_ms: 8000
    retry:
      max_attempts: 2
      base_delay_ms: 250
      max_delay_ms: 4000
    breaker:
      failure_threshold: 5
      cooldown_ms: 60000
    slo:
      success_rate: 0.99
      p95_ms: 5000
probe:
  messages:
    - role: user
      content: healthcheck
  max_tokens: 8
  stream: false
store:
  dir: ./tierwatch-data
`;
const ENV = { FB_OPENAI_BASE_URL: "https://gw.example.com/v1/", FB_API_KEY_SECRET: "sk-test-abcdefgh12345678" };

async function policyFile(t: import("node:test").TestContext, text: string, name = "tierwatch.yaml") {
  const dir = await tempDir(t);
  await writeFile(path.join(dir, name), text);
  return { dir, file: path.join(dir, name) };
}

async function problemsOf(promise: Promise<unknown>): Promise<string[]> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof TierwatchError, `expected a TierwatchError, got ${String(err)}`);
    assert.equal(err.exitCode, 2);
    return err.problems.map((p) => `${p.path}: ${p.message}`).concat(err.problems.length ? [] : [err.message]);
  }
  assert.fail("expected the policy to be refused");
}

test("the issue's policy validates and resolves defaults, the only endpoint and the environment", async (t) => {
  const { dir, file } = await policyFile(t, ISSUE_POLICY);
  const { policy } = await loadPolicy(file, { env: ENV, cwd: "/" });
  const chain = policy.chains.default!;
  assert.deepEqual(
    chain.tiers.map((x) => [x.index, x.model, x.endpoint, x.timeoutMs]),
    [
      [1, "gpt-4.1", "flashback", 20000],
      [2, "gpt-4.1-mini", "flashback", 12000],
      [3, "gpt-4o-mini", "flashback", 8000],
    ],
  );
  const ep = policy.endpoints.flashback!;
  assert.equal(ep.baseUrl, "https://gw.example.com/v1", "trailing slash trimmed");
  assert.equal(ep.apiKey, ENV.FB_API_KEY_SECRET);
  assert.deepEqual(ep.headers, { "x-team": "search" });
  assert.equal(chain.tiers[1]!.retry.maxAttempts, 2);
  assert.equal(chain.tiers[2]!.breaker.failureThreshold, 5);
  assert.equal(chain.slo.p95Ms, 5000);
  assert.equal(policy.store.dir, path.join(dir, "tierwatch-data"), "store.dir is relative to the policy file");
  assert.deepEqual(policy.probe.messages, [{ role: "user", content: "healthcheck" }]);
});

test("the same policy as JSON is read the same way", async (t) => {
  const { parse } = await import("yaml");
  const { file } = await policyFile(t, JSON.stringify(parse(ISSUE_POLICY)), "tierwatch.json");
  const { policy } = await loadPolicy(file, { env: ENV, cwd: "/" });
  assert.equal(policy.chains.default!.tiers.length, 3);
});

test("a missing variable names the variable and never a value", async (t) => {
  const { file } = await policyFile(t, ISSUE_POLICY);
  const problems = await problemsOf(loadPolicy(file, { env: { FB_API_KEY_SECRET: "sk-secret-value-1234" }, cwd: "/" }));
  assert.equal(problems.length, 1);
  assert.match(problems[0]!, /^endpoints\.flashback\.base_url: environment variable FB_OPENAI_BASE_URL is not set/);
  assert.ok(!problems.join("\n").includes("sk-secret-value-1234"));
});

test("every problem is reported at once, each with its path; unknown keys get a suggestion", async () => {
  const { problems } = validatePolicy(
    {
      version: 1,
      endpoints: { a: { base_url: "https://a.example/v1" }, b: { base_url: "ftp://b.example" } },
      chains: {
        default: {
          tiers: [{ model: "gpt-4.1", endpoint: "a", timout_ms: 5 }, { model: "x", endpoint: "a", timeout_ms: -1 }, { model: "y" }],
          retry: { max_attempts: "2" },
        },
      },
      probe: { stream: "yes" },
      extra: true,
    },
    { env: {}, source: "test" },
  );
  const lines = problems.map((p) => `${p.path}: ${p.message}`);
  assert.ok(lines.includes("chains.default.tiers[0].timout_ms: unknown key (did you mean timeout_ms?)"), lines.join("\n"));
  assert.ok(lines.includes("chains.default.tiers[1].timeout_ms: must be > 0 (got -1)"), lines.join("\n"));
  assert.ok(lines.includes('chains.default.retry.max_attempts: must be a whole number (got "2")'), lines.join("\n"));
  assert.ok(lines.includes('probe.stream: must be a boolean (got "yes")'), lines.join("\n"));
  assert.ok(lines.some((l) => l.startsWith("extra: unknown key")), lines.join("\n"));
});

test("semantic problems: several endpoints need tier.endpoint, unknown endpoint names, bad URLs", () => {
  const { problems, policy } = validatePolicy(
    {
      version: 1,
      endpoints: { east: { base_url: "https://e.example/v1" }, west: { base_url: "ftp://w.example" } },
      chains: { c: { tiers: [{ model: "a" }, { model: "b", endpoint: "eest" }] } },
    },
    { env: {}, source: "test" },
  );
  assert.equal(policy, undefined);
  const lines = problems.map((p) => `${p.path}: ${p.message}`);
  assert.ok(lines.includes("endpoints.west.base_url: must start with http:// or https:// (got ftp:)"), lines.join("\n"));
  assert.ok(lines.includes("chains.c.tiers[0].endpoint: is required when there are several endpoints (one of east, west)"), lines.join("\n"));
  assert.ok(lines.includes("chains.c.tiers[1].endpoint: names no endpoint (did you mean east?)"), lines.join("\n"));
});

test("bad YAML names the file, line and column; a missing file says how to fix it", async (t) => {
  const { file } = await policyFile(t, "version: 1\nchains:\n  default:\n    tiers: [ {model: a\n");
  await assert.rejects(loadPolicy(file, { env: {}, cwd: "/" }), (err: TierwatchError) => {
    assert.equal(err.exitCode, 2);
    assert.match(err.message, /tierwatch\.yaml:\d+:\d+: not valid YAML/);
    return true;
  });
  await assert.rejects(loadPolicy("/nonexistent/tw.yaml", { env: {}, cwd: "/" }), /does not exist.*tierwatch init/);
});

test("with no file, FB_OPENAI_BASE_URL alone gives the guide's default and says so; without it, a clear error", async (t) => {
  const dir = await tempDir(t);
  const loaded = await loadPolicy(undefined, { env: { FB_OPENAI_BASE_URL: "http://127.0.0.1:9/v1" }, cwd: dir });
  assert.deepEqual(
    loaded.policy.chains.default!.tiers.map((x) => [x.model, x.timeoutMs]),
    [
      ["gpt-4.1", 20000],
      ["gpt-4.1-mini", 12000],
      ["gpt-4o-mini", 8000],
    ],
  );
  assert.equal(loaded.policy.endpoints.default!.apiKey, undefined);
  assert.match(loaded.notice ?? "", /built-in default/);
  await assert.rejects(loadPolicy(undefined, { env: {}, cwd: dir }), /FB_OPENAI_BASE_URL is not set.*tierwatch init/s);
});

test("lint: the guide's checklist (two providers, deadline vs worst case, context windows)", async (t) => {
  const { file } = await policyFile(t, ISSUE_POLICY);
  const { policy } = await loadPolicy(file, { env: ENV, cwd: "/" });
  // (20 + 12 + 8) s × 2 attempts + one 250 ms backoff per tier = 80.75 s
  assert.equal(worstCaseMs(policy.chains.default!), 80_750);
  const warnings = lintPolicy(policy).map((p) => `${p.path}: ${p.message}`);
  assert.ok(warnings.some((w) => w.startsWith("chains.default.tiers: every tier is served by openai")), warnings.join("\n"));
  assert.ok(warnings.some((w) => w.startsWith("chains.default: no deadline_ms: the worst case") && w.includes("1 min 21 s")), warnings.join("\n"));

  const { policy: p2 } = validatePolicy(
    {
      version: 1,
      endpoints: { e: { base_url: "https://e.example/v1" } },
      chains: {
        c: {
          deadline_ms: 10_000,
          retry: { max_attempts: 1 },
          tiers: [
            { model: "gpt-4.1", timeout_ms: 6000, context_window: 128000 },
            { model: "claude-sonnet-4", timeout_ms: 6000, context_window: 8000 },
          ],
        },
      },
    },
    { env: {}, source: "t" },
  );
  const w2 = lintPolicy(p2!).map((p) => `${p.path}: ${p.message}`);
  assert.ok(!w2.some((w) => w.includes("every tier is served by")), "two providers: no warning");
  assert.ok(w2.some((w) => w.startsWith("chains.c.deadline_ms: the worst case") && w.includes("12.0 s")), w2.join("\n"));
  assert.ok(w2.some((w) => w.startsWith("chains.c.tiers[1].context_window: 8000 is smaller than tier 1's 128000")), w2.join("\n"));
});

test("offline loading (report) does not need the endpoints' variables", async (t) => {
  const { file } = await policyFile(t, ISSUE_POLICY);
  const { policy } = await loadPolicy(file, { env: {}, cwd: "/", offline: true });
  assert.equal(policy.chains.default!.tiers.length, 3);
});
