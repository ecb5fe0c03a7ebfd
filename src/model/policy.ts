import type { Threshold } from "./threshold.js";
import type { Status } from "./status.js";
import type { ExpectServed, GatewayProfile } from "./gateway.js";

/** A chat message as OpenAI-compatible endpoints take it. */
export interface ChatMessage {
  role: string;
  content: string;
}

/** An OpenAI-compatible endpoint (a gateway, a region). The key is held only to send it. */
export interface Endpoint {
  name: string;
  baseUrl: string;
  apiKey: string | undefined;
  headers: Record<string, string>;
  region: string | undefined;
  provider: string | undefined;
  /** where the gateway behind this endpoint says who answered (endpoints.NAME.gateway) */
  gateway: GatewayProfile;
}

/** Retries on one tier before switching to the next. */
export interface RetrySpec {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  jitter: "full" | "none";
  retryOn: Status[];
  respectRetryAfter: boolean;
  maxRetryAfterMs: number;
}

/** Circuit breaker per (endpoint, model). */
export interface BreakerSpec {
  enabled: boolean;
  failureThreshold: number;
  cooldownMs: number;
}

/** Price per million tokens, in USD. */
export interface Price {
  inputPerMTok: number;
  outputPerMTok: number;
}

/** One tier of a chain, with every control resolved (chain defaults applied). */
export interface Tier {
  /** 1-based position in the chain */
  index: number;
  model: string;
  endpoint: string;
  provider: string | undefined;
  timeoutMs: number;
  connectTimeoutMs: number;
  ttftTimeoutMs: number | undefined;
  stallTimeoutMs: number | undefined;
  price: Price | undefined;
  contextWindow: number | undefined;
  quality: number | undefined;
  pin: boolean;
  retry: RetrySpec;
  breaker: BreakerSpec;
  headers: Record<string, string>;
  /** `headers` as a short id (null: none), carried by records as headers_id */
  headersId: string | null;
  /** what serving this tier as intended looks like (default: the requested model or a dated version of it) */
  expectServed: ExpectServed | undefined;
}

/** Service level objectives of a chain. */
export interface Slo {
  successRate: number | undefined;
  p95Ms: number | undefined;
}

/** An ordered fallback chain. */
export interface Chain {
  name: string;
  tiers: Tier[];
  deadlineMs: number | undefined;
  maxDepth: number;
  hedgeAfterMs: number | undefined;
  malformedChunk: "fail" | "skip";
  slo: Slo;
}

/** Optional checks on a probe's answer; any that fails makes the attempt `expectation_failed`. */
export interface Expectation {
  contains: string | undefined;
  regex: string | undefined;
  json: boolean;
  jsonSchema: Record<string, unknown> | undefined;
  finishReason: string[];
}

/** What a probe sends and expects. */
export interface ProbeSpec {
  messages: ChatMessage[];
  maxTokens: number;
  stream: boolean;
  temperature: number | undefined;
  concurrency: number;
  expect: Expectation;
}

/** A validated policy: the one input that drives probing, the engine, replay and recommendations. */
export interface Policy {
  version: 1;
  /** where it came from: a file path, or a description of the built-in default */
  source: string;
  endpoints: Record<string, Endpoint>;
  chains: Record<string, Chain>;
  probe: ProbeSpec;
  store: { dir: string };
  alerts: AlertRule[];
}

/** An alert: a condition over a window of records, delivered to a webhook when it starts, repeats and ends. */
export interface AlertRule {
  name: string;
  when: Threshold;
  windowMs: number;
  minSamples: number;
  webhook: string | undefined;
  format: "json" | "slack";
  remindEveryMs: number;
  headers: Record<string, string>;
}
