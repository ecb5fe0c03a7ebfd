import type { Endpoint, Price, Tier } from "../model/policy.js";
import { MAX_ERROR_TEXT, RECORD_VERSION, type AttemptRecord } from "../model/record.js";
import type { Redactor } from "../util/redact.js";
import { answerCost } from "./costOf.js";
import type { AttemptResult } from "./runAttempt.js";

/** Where an attempt belongs: run, round, chain, tier. */
export interface AttemptContext {
  runId: string;
  round?: number;
  requestId: string;
  origin: "probe" | "chain" | "app";
  chain: string | null;
  tier: Tier;
  endpoint: Endpoint;
  attempt: number;
  stream: boolean;
  /** the policy's prices by model, for an answer a gateway served from another model */
  prices?: ReadonlyMap<string, Price>;
}

/** Builds the stored record of one attempt; the error text passes through the redactor. */
export function attemptRecord(result: AttemptResult, ctx: AttemptContext, redact: Redactor): AttemptRecord {
  const rec: AttemptRecord = {
    v: RECORD_VERSION,
    ts: new Date(result.startedAt).toISOString(),
    run_id: ctx.runId,
    request_id: ctx.requestId,
    kind: "probe",
    origin: ctx.origin,
    chain: ctx.chain,
    tier: ctx.tier.index,
    model: ctx.tier.model,
    endpoint: ctx.endpoint.name,
    region: ctx.endpoint.region ?? null,
    attempt: ctx.attempt,
    status: result.status,
    http_status: result.httpStatus,
    latency_ms: result.latencyMs,
    ttft_ms: result.ttftMs,
    stream: ctx.stream,
    served_model: result.servedModel,
    served_target: result.servedTarget,
    gateway_attempts: result.gatewayAttempts,
    gateway_fallback: result.gatewayFallback,
    gateway_error: result.gatewayError,
    headers_id: ctx.tier.headersId,
    ...(ctx.tier.member === null ? {} : { member: ctx.tier.member }),
    served_tier: null,
    fallback: null,
    prompt_tokens: result.promptTokens,
    completion_tokens: result.completionTokens,
    cost_usd: answerCost(ctx.tier.price, result.servedModel, result.gatewayFallback, ctx.prices, result.gatewayCostUsd, result.promptTokens, result.completionTokens),
    error_code: result.errorCode,
    error: result.error === null ? null : redact(result.error).slice(0, MAX_ERROR_TEXT),
    retry_after_ms: result.retryAfterMs,
  };
  if (ctx.round !== undefined) rec.round = ctx.round;
  return rec;
}
