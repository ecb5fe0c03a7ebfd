import { BUILT_IN_PROFILES } from "../../src/model/gateway.js";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import type { Endpoint } from "../../src/model/policy.js";
import { RECORD_VERSION, type AttemptRecord } from "../../src/model/record.js";

/** An endpoint pointing at a simulator URL. */
export function endpointAt(url: string, overrides: Partial<Endpoint> = {}): Endpoint {
  return { name: "sim", baseUrl: url, apiKey: undefined, headers: {}, region: "local", provider: undefined, gateway: BUILT_IN_PROFILES.generic, ...overrides };
}

/** An attempt record with sensible defaults. */
export function record(overrides: Partial<AttemptRecord> = {}): AttemptRecord {
  return {
    v: RECORD_VERSION,
    ts: "2026-11-01T12:00:00.000Z",
    run_id: "run-1",
    request_id: "req-1",
    kind: "probe",
    origin: "probe",
    chain: "default",
    tier: 1,
    model: "m1",
    endpoint: "sim",
    region: "local",
    attempt: 1,
    status: "ok",
    http_status: 200,
    latency_ms: 100,
    ttft_ms: null,
    served_model: "m1",
    served_tier: null,
    fallback: null,
    prompt_tokens: null,
    completion_tokens: null,
    cost_usd: null,
    error: null,
    ...overrides,
  };
}

/** Writes a policy YAML for a simulator URL with the given tiers (model:timeout_ms) into dir; returns its path. */
export async function writePolicy(dir: string, url: string, tiers: [string, number][], extra = ""): Promise<string> {
  const file = path.join(dir, "tierwatch.yaml");
  const tierLines = tiers.map(([m, t]) => `      - model: ${m}\n        timeout_ms: ${t}`).join("\n");
  await writeFile(
    file,
    `version: 1\nendpoints:\n  sim:\n    base_url: ${url}\n    api_key: \${TEST_KEY:-}\n    region: local\nchains:\n  default:\n    tiers:\n${tierLines}\n    deadline_ms: 60000\n${extra}store:\n  dir: ./data\n`,
  );
  return file;
}
