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

/** How a pool tier chooses among its members (tiers[].strategy). */
export const STRATEGIES = ["weighted", "latency", "least_errors"] as const;
export type Strategy = (typeof STRATEGIES)[number];

/**
 * One tier of a chain, with every control resolved (chain defaults applied). A pool tier lists its
 * members, each a Tier of its own (the pool's controls with the member's overrides, `members` empty);
 * its own model and endpoint are its first member's. A plain tier is a pool of one: `members` is empty.
 */
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
  /** a pool's members (empty for a plain tier, and for a member) */
  members: Tier[];
  /** how a pool chooses its member (plain tiers: weighted, of one) */
  strategy: Strategy;
  /** a member's weight in its pool (1 for a plain tier) */
  weight: number;
  /** a member's name, `endpoint/model` (records carry it as `member`); null for a plain tier */
  member: string | null;
}

/** The members a tier sends to: its pool's, or itself. */
export function membersOf(tier: Tier): Tier[] {
  return tier.members.length > 0 ? tier.members : [tier];
}

/** A tier as people name it: its model, or a pool's members with their weights (`gpt-4.1 70 / gpt-4.1-azure 30`). */
export function tierName(tier: Tier): string {
  if (tier.members.length < 2) return tier.model;
  const names = tier.members.map((m) => (m.endpoint === tier.endpoint ? m.model : m.member!));
  return tier.strategy === "weighted" ? tier.members.map((m, i) => `${names[i]} ${m.weight}`).join(" / ") : `${names.join(" / ")} (${tier.strategy})`;
}

/**
 * How many attempts a tier makes at most: retry.max_attempts, and never fewer than its members, so that
 * every member of a pool is tried before the chain moves on. Attempts go to the members in the
 * strategy's order, one each, then around again; only a return to a member already tried is a retry
 * (a retryable failure, after the backoff).
 */
export function tierAttempts(tier: Tier): number {
  return Math.max(tier.retry.maxAttempts, membersOf(tier).length);
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
