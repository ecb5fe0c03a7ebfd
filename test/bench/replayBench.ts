import { validatePolicy } from "../../src/policy/validatePolicy.js";
import { STATUSES } from "../../src/model/status.js";
import { MISSING, type History } from "../../src/replay/history.js";
import { recommend } from "../../src/replay/recommend.js";
import { replayChain } from "../../src/replay/replayChain.js";
import { createRng } from "../../src/sim/rng.js";

function syntheticHistory(rounds: number, models: string[], seed: number): History {
  const rand = createRng(seed);
  const ok = STATUSES.indexOf("ok");
  const fail = STATUSES.indexOf("server_error");
  const targets = models.map((m) => `e\u0000${m}`);
  const h: History = {
    targets,
    ts: new Float64Array(rounds),
    status: targets.map(() => new Uint8Array(rounds).fill(MISSING)),
    latency: targets.map(() => new Float64Array(rounds)),
    promptTokens: targets.map(() => new Float64Array(rounds).fill(9)),
    completionTokens: targets.map(() => new Float64Array(rounds).fill(3)),
    gateway: targets.map(() => new Uint8Array(rounds)),
    servedElsewhere: targets.map(() => new Map()),
  };
  for (let i = 0; i < rounds; i++) {
    h.ts[i] = Date.UTC(2026, 0, 1) + i * 60_000;
    targets.forEach((_, k) => {
      const failRate = [0.12, 0.03, 0.06, 0.01][k] ?? 0.05;
      h.status[k]![i] = rand() < failRate ? fail : ok;
      h.latency[k]![i] = (200 + k * 150) * Math.exp(0.4 * (rand() + rand() + rand() - 1.5));
    });
  }
  return h;
}

function policyFor(models: string[]) {
  const tiers = models.map((model) => ({ model, timeout_ms: 2000, price: { input_per_mtok: 1, output_per_mtok: 4 } }));
  const { policy } = validatePolicy({ version: 1, endpoints: { e: { base_url: "http://x/v1" } }, chains: { c: { tiers, retry: { max_attempts: 2 } } } }, { env: {}, source: "bench" });
  return policy!;
}

/** Replay of 1,000,000 rounds × 3 tiers (goal: under 2 s), and the recommend search on 100,000 rounds × 4 tiers (goal: under 10 s). */
export async function replayBench(): Promise<string> {
  const three = ["a", "b", "c"];
  const h1 = syntheticHistory(1_000_000, three, 1);
  const p3 = policyFor(three);
  let t = performance.now();
  const r = replayChain(h1, p3.chains.c!);
  const replayS = (performance.now() - t) / 1000;

  // tier 1 a weighted pool of a and b (70/30), then c: every round is the expectation over both picks
  const { policy: pooled } = validatePolicy(
    { version: 1, endpoints: { e: { base_url: "http://127.0.0.1:9/v1" } }, chains: { c: { tiers: [{ members: [{ model: "a", weight: 70 }, { model: "b", weight: 30 }], timeout_ms: 2000 }, { model: "c", timeout_ms: 2000 }] } } },
    { env: {}, source: "bench" },
  );
  t = performance.now();
  const rp = replayChain(h1, pooled!.chains.c!);
  const poolS = (performance.now() - t) / 1000;

  const four = ["a", "b", "c", "d"];
  const h2 = syntheticHistory(100_000, four, 2);
  const p4 = policyFor(four);
  t = performance.now();
  // tiers of equal quality by assumption, so that every order is searched
  const [rec] = recommend(h2, p4, { assumeEqualQuality: true });
  const searchS = (performance.now() - t) / 1000;
  const choices = rec!.tiers.map((e) => e.timeouts.length);
  return [
    `replay of 1,000,000 rounds × 3 tiers (2 attempts a tier): ${replayS.toFixed(2)} s (success ${(r.success_rate! * 100).toFixed(2)}%, fallback ${(r.fallback_activation_rate! * 100).toFixed(2)}%)`,
    `replay of 1,000,000 rounds, tier 1 a weighted pool of 2 (goal: under 2 s): ${poolS.toFixed(2)} s (success ${(rp.success_rate! * 100).toFixed(2)}%, p95 ${rp.p95_ms?.toFixed(0)} ms)`,
    `recommend on 100,000 rounds × 4 tiers: every order (24), each tier's timeout chosen among ${choices.join("/")} choices in turn, then 3 retry counts and the fitted breakers (${24 * (1 + choices.reduce((a, b) => a + b, 0)) + 4} replays): ${searchS.toFixed(2)} s, verdict ${rec!.verdict}`,
  ].join("\n");
}
