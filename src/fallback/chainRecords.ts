import { attemptRecord } from "../probe/attemptRecord.js";
import { pricesOf } from "../probe/costOf.js";
import { MAX_ERROR_TEXT, RECORD_VERSION, type AttemptRecord } from "../model/record.js";
import type { Redactor } from "../util/redact.js";
import type { ChainCall, ChainResult } from "./runChain.js";

/** The records of one chain call: one per attempt (skipped ones included) and one `kind: "chain"` outcome. */
export function chainRecords(
  call: Pick<ChainCall, "chain" | "endpoints" | "requestId" | "stream">,
  result: ChainResult,
  ctx: { runId: string; round?: number; origin: "chain" | "app" },
  redact: Redactor,
): AttemptRecord[] {
  const prices = pricesOf([call.chain]);
  const out = result.attempts.map((a) =>
    attemptRecord(
      a.result,
      {
        runId: ctx.runId,
        round: ctx.round,
        requestId: call.requestId,
        origin: ctx.origin,
        chain: call.chain.name,
        tier: a.tier,
        endpoint: call.endpoints[a.tier.endpoint]!,
        attempt: a.attempt,
        stream: call.stream,
        prices,
      },
      redact,
    ),
  );
  const served = result.servedTier;
  const endpoint = served ? call.endpoints[served.endpoint] : undefined;
  const costs = out.map((r) => r.cost_usd).filter((c): c is number => typeof c === "number");
  const outcome: AttemptRecord = {
    v: RECORD_VERSION,
    ts: new Date(result.startedAt).toISOString(),
    run_id: ctx.runId,
    request_id: call.requestId,
    kind: "chain",
    origin: ctx.origin,
    chain: call.chain.name,
    tier: served?.index ?? null,
    model: served?.model ?? null,
    endpoint: endpoint?.name ?? null,
    region: endpoint?.region ?? null,
    attempt: result.attempts.filter((a) => a.result.status !== "skipped").length,
    status: result.status,
    http_status: result.answer?.httpStatus ?? null,
    latency_ms: result.latencyMs,
    ttft_ms: result.answer?.ttftMs ?? null,
    stream: call.stream,
    served_model: result.answer?.servedModel ?? null,
    served_target: result.answer?.servedTarget ?? null,
    gateway_attempts: result.answer?.gatewayAttempts ?? null,
    gateway_fallback: result.answer?.gatewayFallback ?? null,
    gateway_error: result.answer?.gatewayError ?? null,
    served_tier: served?.index ?? null,
    ...(served?.member ? { member: served.member } : {}),
    fallback: result.fallback,
    prompt_tokens: result.answer?.promptTokens ?? null,
    completion_tokens: result.answer?.completionTokens ?? null,
    cost_usd: costs.length ? costs.reduce((a, b) => a + b, 0) : null,
    error_code: result.errorCode,
    error: result.error === null ? null : redact(result.error).slice(0, MAX_ERROR_TEXT),
  };
  if (ctx.round !== undefined) outcome.round = ctx.round;
  return [...out, outcome];
}
