/**
 * The metrics thresholds, alerts and reports speak of: each name once, with its kind (what it is computed
 * from) and its definition. The help texts are made from this list.
 */
export const METRIC_DEFINITIONS = [
  {
    name: "success_rate",
    kind: "rate",
    over: "attempts",
    text: "ok attempts / sent attempts (skipped ones, circuit open, are counted apart), with a 95 % Wilson score interval and the sample size",
  },
  { name: "slo_attainment", kind: "rate", over: "attempts", text: "ok attempts within the chain's slo.p95_ms / sent attempts" },
  {
    name: "p50_ms",
    kind: "trend",
    over: "attempts",
    text: "exact quantiles of latency over ok attempts: the inverted empirical CDF that averages at a jump (numpy's averaged_inverted_cdf)",
  },
  { name: "p95_ms", kind: "trend", over: "attempts", text: "as p50_ms, at 0.95" },
  { name: "p99_ms", kind: "trend", over: "attempts", text: "as p50_ms, at 0.99" },
  { name: "ttft_p50_ms", kind: "trend", over: "attempts", text: "the same quantiles of the time to the first token, over streamed ok attempts" },
  { name: "ttft_p95_ms", kind: "trend", over: "attempts", text: "as ttft_p50_ms, at 0.95" },
  {
    name: "gateway_fallback_rate",
    kind: "rate",
    over: "attempts",
    text: "ok answers not served as the tier asked (the gateway answered from another target: another model, its own fallback signal, or not the tier's expect_served) / ok answers whose server is known, with a 95 % Wilson interval",
  },
  {
    name: "fallback_activation_rate",
    kind: "rate",
    over: "chain requests",
    text: "chain requests that tier 1 did not serve as intended / chain requests: app_fallback_rate + the requests tier 1 answered through the gateway's fallback (from chain runs, or by replaying each probe round down the chain: a tier serves when ok within its timeout)",
  },
  { name: "app_fallback_rate", kind: "rate", over: "chain requests", text: "chain requests that tier 1 did not serve at all (a later tier did, or none) / chain requests" },
  { name: "exhaustion_rate", kind: "rate", over: "chain requests", text: "chain requests that no tier served / chain requests" },
  { name: "breaker_open_ms", kind: "gauge", over: "breakers", text: "how long the matching circuit breaker has been open, now (0 when closed)" },
] as const satisfies readonly { name: string; kind: "rate" | "trend" | "gauge"; over: string; text: string }[];

/** Metrics a threshold or alert can test. */
export const METRICS = METRIC_DEFINITIONS.map((m) => m.name);
export type Metric = (typeof METRIC_DEFINITIONS)[number]["name"];

/** Labels a threshold can select by. */
export const LABELS = ["tier", "model", "chain", "endpoint", "region"] as const;
export type Label = (typeof LABELS)[number];
