import { Counter, Gauge, Histogram, Registry } from "prom-client";
import { createChainSummary } from "../analysis/summarizeChains.js";
import type { BreakerState } from "../model/breakerState.js";
import type { Policy } from "../model/policy.js";
import type { AttemptRecord } from "../model/record.js";

/** Latency buckets (seconds) for LLM answers: a short probe answers in 0.1-2 s, a slow tier in up to a minute. */
export const DURATION_BUCKETS = [0.1, 0.25, 0.5, 0.75, 1, 1.5, 2, 3, 5, 8, 13, 20, 30, 60];
/** First-token buckets (seconds). */
export const TTFT_BUCKETS = [0.05, 0.1, 0.2, 0.35, 0.5, 0.75, 1, 1.5, 2, 3, 5, 10];
/** How many recent rounds of a target decide its health. */
export const HEALTH_ROUNDS = 5;
/** That many failed rounds in a row, the latest included, make a target down. */
export const DOWN_ROUNDS = 3;

const ATTEMPT_LABELS = ["chain", "tier", "model", "endpoint", "region"] as const;
const label = (v: unknown) => (v === null || v === undefined ? "" : String(v));

/** The Prometheus view of a monitor: every record and round it sees, as counters, histograms and gauges (labels bounded: no ids, no error texts). */
export function createPromMetrics(policy: Policy) {
  const registry = new Registry<typeof Registry.OPENMETRICS_CONTENT_TYPE>();
  registry.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
  const reg = { registers: [registry] };
  const attempts = new Counter({ name: "tierwatch_attempts_total", help: "attempts by outcome (per-model probes and chain attempts)", labelNames: [...ATTEMPT_LABELS, "status"], ...reg });
  const duration = new Histogram({ name: "tierwatch_attempt_duration_seconds", help: "latency of ok attempts", labelNames: ATTEMPT_LABELS, buckets: DURATION_BUCKETS, ...reg });
  const ttft = new Histogram({ name: "tierwatch_ttft_seconds", help: "time to the first token of streamed ok attempts", labelNames: ATTEMPT_LABELS, buckets: TTFT_BUCKETS, ...reg });
  const gatewayFallbacks = new Counter({ name: "tierwatch_gateway_fallbacks_total", help: "ok answers the gateway served from another target than the tier asked", labelNames: ATTEMPT_LABELS, ...reg });
  const chainRequests = new Counter({ name: "tierwatch_chain_requests_total", help: "chain requests by the tier that served (none: exhausted); chain runs, or each round replayed down the chain", labelNames: ["chain", "served_tier"], ...reg });
  const fallbacks = new Counter({ name: "tierwatch_fallback_activations_total", help: "chain requests tier 1 did not serve as intended (app or gateway fallback)", labelNames: ["chain"], ...reg });
  const breaker = new Gauge({ name: "tierwatch_breaker_state", help: "circuit breaker: 0 closed, 1 half-open (or its cooldown is over), 2 open", labelNames: ["endpoint", "model"], ...reg });
  const health = new Gauge({ name: "tierwatch_model_health", help: `0 healthy, 1 degraded, 2 down, from the last ${HEALTH_ROUNDS} rounds of the target`, labelNames: ["chain", "tier", "model"], ...reg });
  const lastRound = new Gauge({ name: "tierwatch_last_round_timestamp_seconds", help: "when the last round ended", ...reg });
  const rounds = new Counter({ name: "tierwatch_rounds_total", help: "rounds run", ...reg });

  // every tier's target starts at 0 so a rate has a start point (a series born at its first failure hides it)
  for (const c of Object.values(policy.chains)) {
    for (const t of c.tiers) {
      const l = { chain: c.name, tier: String(t.index), model: t.model, endpoint: t.endpoint, region: label(policy.endpoints[t.endpoint]?.region) };
      attempts.inc({ ...l, status: "ok" }, 0);
      gatewayFallbacks.inc(l, 0);
    }
    fallbacks.inc({ chain: c.name }, 0);
  }
  const recent = new Map<string, { ok: boolean; elsewhere: boolean }[]>();

  return {
    registry,
    /** One round's records (probes and chain runs): counted, and the health and breaker gauges updated. */
    observeRound(records: readonly AttemptRecord[], now: number, breakers: Record<string, BreakerState>): void {
      for (const r of records) {
        if (r.kind === "chain") continue;
        const l = { chain: label(r.chain), tier: label(r.tier), model: label(r.model), endpoint: label(r.endpoint), region: label(r.region) };
        attempts.inc({ ...l, status: r.status });
        if (r.status !== "ok") continue;
        if (typeof r.latency_ms === "number") duration.observe(l, r.latency_ms / 1000);
        if (r.stream && typeof r.ttft_ms === "number") ttft.observe(l, r.ttft_ms / 1000);
        if (r.gateway_fallback === true) gatewayFallbacks.inc(l);
      }
      // chain outcomes: from chain runs where the round has them, else the round replayed down each chain
      const summary = createChainSummary(policy);
      for (const r of records) summary.add(r);
      for (const row of summary.rows()) {
        const served = Object.values(row.served_by_tier).reduce((a, n) => a + n, 0);
        for (const [tier, n] of Object.entries(row.served_by_tier)) chainRequests.inc({ chain: row.chain, served_tier: tier }, n);
        if (row.requests > served) chainRequests.inc({ chain: row.chain, served_tier: "none" }, row.requests - served);
        fallbacks.inc({ chain: row.chain }, Math.round((row.fallback_activation_rate ?? 0) * row.requests));
      }
      // health: per tier of each chain, from the per-model probe of its target
      for (const c of Object.values(policy.chains)) {
        for (const t of c.tiers) {
          const mine = records.find((r) => r.kind !== "chain" && r.origin !== "chain" && r.endpoint === t.endpoint && r.model === t.model && (r.headers_id ?? null) === t.headersId);
          if (!mine) continue;
          const key = `${c.name}\u0000${t.index}`;
          const list = [...(recent.get(key) ?? []), { ok: mine.status === "ok", elsewhere: mine.gateway_fallback === true }].slice(-HEALTH_ROUNDS);
          recent.set(key, list);
          const down = list.length >= Math.min(DOWN_ROUNDS, HEALTH_ROUNDS) && list.slice(-DOWN_ROUNDS).every((x) => !x.ok);
          const degraded = list.some((x) => !x.ok || x.elsewhere);
          health.set({ chain: c.name, tier: String(t.index), model: t.model }, down ? 2 : degraded ? 1 : 0);
        }
      }
      for (const c of Object.values(policy.chains)) {
        for (const t of c.tiers) {
          const s = breakers[`${t.endpoint}\u0000${t.model}`];
          const value = !s || s.state === "closed" ? 0 : s.state === "half_open" || (s.openedAt !== null && now - s.openedAt >= t.breaker.cooldownMs) ? 1 : 2;
          breaker.set({ endpoint: t.endpoint, model: t.model }, value);
        }
      }
      rounds.inc();
      lastRound.set(now / 1000);
    },
  };
}

export type PromMetrics = ReturnType<typeof createPromMetrics>;
