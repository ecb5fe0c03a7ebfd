import { closeSync, existsSync, mkdirSync, openSync, readFileSync, writeFileSync, writeSync } from "node:fs";
import path from "node:path";
import { createRng } from "../../src/sim/rng.js";

const REGIONS = ["us-east-1", "eu-west-1", "ap-south-1"];
const MODELS = ["gpt-4.1", "gpt-4.1-mini", "gpt-4o-mini", "claude-sonnet-4", "claude-haiku-4", "gemini-2.5-pro", "gemini-2.5-flash", "llama-3.1-70b", "mistral-large", "deepseek-v3"];
const FAIL = ["rate_limited", "server_error", "timeout", "truncated", "bad_response", "network"];

/**
 * Writes `n` probe records (30 series: 3 regions × 10 models, one record per series per minute) into
 * day files under `dir`, deterministically; about 1 % of lines use other spacing and key order, as
 * another tool's writer would. Reuses the directory when it already holds the same `n`.
 */
export function generateHistory(dir: string, n: number): { dir: string; bytes: number } {
  const marker = path.join(dir, ".generated");
  if (existsSync(marker) && readFileSync(marker, "utf8").startsWith(`${n} `)) return { dir, bytes: Number(readFileSync(marker, "utf8").split(" ")[1]) };
  mkdirSync(dir, { recursive: true });
  const rand = createRng(20261122);
  const start = Date.UTC(2026, 0, 1);
  let bytes = 0;
  let fd = -1;
  let day = "";
  let batch: string[] = [];
  const flush = () => {
    if (batch.length && fd >= 0) {
      const text = batch.join("");
      writeSync(fd, text);
      bytes += Buffer.byteLength(text);
    }
    batch = [];
  };
  const series = REGIONS.length * MODELS.length;
  for (let i = 0; i < n; i++) {
    const round = Math.floor(i / series);
    const s = i % series;
    const region = REGIONS[Math.floor(s / MODELS.length)]!;
    const model = MODELS[s % MODELS.length]!;
    const tier = (s % 3) + 1;
    const ts = new Date(start + round * 60_000 + s * 37).toISOString();
    if (ts.slice(0, 10) !== day) {
      flush();
      if (fd >= 0) closeSync(fd);
      day = ts.slice(0, 10);
      fd = openSync(path.join(dir, `${day}.jsonl`), "w");
    }
    const u = rand();
    const status = u < 0.95 ? "ok" : FAIL[Math.floor((u - 0.95) * 20 * FAIL.length)] ?? "server_error";
    // log-normal latency around a per-model median, rounded to 0.01 ms like the probe's records
    const median = 300 + (s % MODELS.length) * 90;
    const z = Math.sqrt(-2 * Math.log(Math.max(rand(), 1e-12))) * Math.cos(2 * Math.PI * rand());
    const latency = Math.round(median * Math.exp(0.35 * z) * 100) / 100;
    const stream = s % 2 === 0;
    const ttft = stream && status === "ok" ? Math.round(latency * 0.3 * 100) / 100 : null;
    const ok = status === "ok";
    const rec = {
      v: 1,
      ts,
      run_id: `20260101T000000Z-${region}`,
      round,
      request_id: `r${i}`,
      kind: "probe",
      origin: "probe",
      chain: `chain-${region}`,
      tier,
      model,
      endpoint: "gateway",
      region,
      attempt: 1,
      status,
      http_status: ok ? 200 : status === "rate_limited" ? 429 : status === "server_error" ? 503 : null,
      latency_ms: latency,
      ttft_ms: ttft,
      stream,
      served_model: ok ? `${model}-2026-01-01` : null,
      served_target: null,
      served_tier: null,
      fallback: null,
      prompt_tokens: ok ? 9 : null,
      completion_tokens: ok ? 3 : null,
      cost_usd: ok ? 0.000027 : null,
      error_code: null,
      error: ok ? null : `${status} from the gateway`,
      retry_after_ms: null,
    };
    if (i % 97 === 0) {
      // another writer: spaces, a different key order
      const { status: st, model: m, ...rest } = rec;
      batch.push(`{ "status" : ${JSON.stringify(st)},  "model": ${JSON.stringify(m)}, ${JSON.stringify(rest).slice(1, -1).replace(/,"/g, ', "')} }\n`);
    } else batch.push(`${JSON.stringify(rec)}\n`);
    if (batch.length >= 20_000) flush();
  }
  flush();
  if (fd >= 0) closeSync(fd);
  writeFileSync(marker, `${n} ${bytes}\n`);
  return { dir, bytes };
}
