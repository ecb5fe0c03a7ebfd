import type { Chain, ChatMessage, Endpoint, Expectation, Tier } from "../model/policy.js";
import { emptyAttemptResult, runAttempt, type AttemptResult } from "../probe/runAttempt.js";
import type { Status } from "../model/status.js";
import type { Transport } from "../probe/transport.js";
import { backoffDelay } from "./backoffDelay.js";
import { breakerAdmit, breakerRecord } from "./breaker.js";
import type { BreakerStore } from "./breakerStore.js";
import type { Redactor } from "../util/redact.js";
import { membersOf, tierAttempts } from "../model/policy.js";
import { poolOrder, type PoolStats } from "./poolOrder.js";

/** One request through a chain, as the application would send it. */
export interface ChainCall {
  chain: Chain;
  endpoints: Record<string, Endpoint>;
  messages: readonly ChatMessage[];
  /** other chat parameters sent as they are (max_tokens, temperature, ...) */
  params?: Record<string, unknown>;
  stream: boolean;
  requestId: string;
  /** metadata headers sent with every attempt (the request id travels as x-request-id) */
  headers?: Record<string, string>;
  expect?: Expectation;
  signal?: AbortSignal;
  /** stream content as it arrives, with the tier it comes from */
  onToken?: (text: string, tier: Tier) => void;
  /** a tier failed after it had sent tokens: the answer restarts on the next tier */
  onRestart?: (failed: Tier, reason: string) => void;
  /** removes the policy's secrets from what the servers send back */
  redact?: Redactor;
}

/** What the engine needs from outside: the transport, the breakers, randomness, sleep, and what it learns of pool members. */
export interface EngineDeps {
  transport: Transport;
  breakers: BreakerStore;
  random: () => number;
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** pool members' recent latency and failures (latency and least_errors strategies): one per client or monitor run */
  pools: PoolStats;
}

/** One attempt made (or skipped) during a chain call. */
export interface ChainAttempt {
  tier: Tier;
  attempt: number;
  result: AttemptResult;
}

/** How a chain call ended. */
export interface ChainResult {
  status: Status;
  servedTier: Tier | null;
  answer: AttemptResult | null;
  attempts: ChainAttempt[];
  startedAt: number;
  latencyMs: number;
  /** tier 1 did not serve */
  fallback: boolean;
  errorCode: string | null;
  error: string | null;
  /** things an operator should know even when the call succeeded (an auth failure on a tier) */
  warnings: string[];
}

type Decision = { kind: "retry"; waitMs: number } | { kind: "next" } | { kind: "stop" };

/**
 * A connection that fails without a response after this long was accepted and left silent (a gateway
 * waiting on a dead upstream, then giving up): like a timeout, it is not retried on the same tier.
 */
export const SILENT_CLOSE_MS = 2000;

/** Decides what follows a failed attempt: retry the same tier (after a wait), fail over, or stop the chain. */
export function decide(tier: Tier, result: AttemptResult, attempt: number, remainingMs: number, random: () => number): Decision {
  const s = result.status;
  if (s === "bad_request" && result.errorCode === "content_filter") return { kind: "stop" };
  // a network failure is retried when it came quickly, before any response: refused, reset at once, DNS
  const silent = s === "network" && (result.gotHeaders || result.latencyMs >= SILENT_CLOSE_MS);
  const retryable = tier.retry.retryOn.includes(s) && !silent;
  if (!retryable || attempt >= tier.retry.maxAttempts) return { kind: "next" };
  let waitMs = backoffDelay(attempt - 1, tier.retry, random);
  if (result.retryAfterMs !== null && tier.retry.respectRetryAfter) {
    // waiting longer than we may, or than the deadline leaves, is worse than failing over now
    if (result.retryAfterMs > tier.retry.maxRetryAfterMs) return { kind: "next" };
    waitMs = result.retryAfterMs;
  }
  if (waitMs >= remainingMs) return { kind: "next" };
  return { kind: "retry", waitMs };
}

const MIN_ATTEMPT_MS = 10;

const breakerKey = (t: Tier) => `${t.endpoint}\u0000${t.model}`;

/**
 * Runs one request down the chain: per tier, retries for retryable outcomes with backoff and jitter
 * (Retry-After honoured, capped), never a retry after a timeout, circuit breakers per (endpoint, model),
 * an overall deadline, a depth cap, optional hedging. Never throws: the result says how it ended.
 */
export async function runChain(call: ChainCall, deps: EngineDeps): Promise<ChainResult> {
  const { chain } = call;
  const startedAt = deps.transport.now();
  const t0 = performance.now();
  const deadlineAt = chain.deadlineMs === undefined ? Infinity : t0 + chain.deadlineMs;
  const remaining = () => deadlineAt - performance.now();
  const tiers = chain.tiers.slice(0, chain.maxDepth);
  const attempts: ChainAttempt[] = [];
  const warnings: string[] = [];
  const done = (status: Status, served: ChainAttempt | null, errorCode: string | null, error: string | null): ChainResult => ({
    status,
    servedTier: served?.tier ?? null,
    answer: served?.result ?? null,
    attempts,
    startedAt,
    latencyMs: Math.round((performance.now() - t0) * 100) / 100,
    fallback: served?.tier.index !== 1,
    errorCode,
    error,
    warnings,
  });

  // when every breaker is open, trying anyway beats failing without a request
  const now0 = deps.transport.now();
  const targets = tiers.flatMap(membersOf);
  const states = await Promise.all(targets.map((t) => deps.breakers.get(breakerKey(t))));
  const ignoreBreakers = targets.every((t, i) => !breakerAdmit(states[i]!, t.breaker, now0).allow);

  let last: ChainAttempt | undefined;
  let contextTooSmall: number | undefined;
  for (let i = 0; i < tiers.length; i++) {
    const tier = tiers[i]!;
    // a request that cannot finish in what is left only costs the provider
    if (remaining() < MIN_ATTEMPT_MS) return done("timeout", null, "deadline", `the chain's ${chain.deadlineMs} ms deadline passed before tier ${tier.index}`);
    if (call.signal?.aborted) return done("timeout", null, "cancelled", "cancelled by the caller");
    if (contextTooSmall !== undefined && tier.contextWindow !== undefined && tier.contextWindow <= contextTooSmall) {
      attempts.push({ tier, attempt: 1, result: skippedResult(deps, "context_window", `context window ${tier.contextWindow} is not larger than the one that overflowed`) });
      continue;
    }
    if (!(await admit(tier, deps, ignoreBreakers))) {
      attempts.push({ tier, attempt: 1, result: skippedResult(deps, "circuit_open", `circuit open for ${tier.model} on ${tier.endpoint}`) });
      continue;
    }
    if (tier.members.length > 1) {
      const pooled = await runPool(call, deps, tier, remaining, ignoreBreakers, attempts, warnings);
      if (pooled.served) return done("ok", pooled.served, null, null);
      last = pooled.last ?? last;
      if (pooled.stop) return done(pooled.stop.result.status, null, pooled.stop.result.errorCode, pooled.stop.result.error);
      if (pooled.contextTooSmall) contextTooSmall = tier.contextWindow ?? -1;
      continue;
    }
    // hedging races two plain tiers
    const hedgeTier = chain.hedgeAfterMs !== undefined && !call.stream && (tiers[i + 1]?.members.length ?? 0) <= 1 ? tiers[i + 1] : undefined;
    if (hedgeTier) {
      const hedged = await hedge(call, deps, tier, hedgeTier, chain.hedgeAfterMs!, remaining, ignoreBreakers, attempts);
      if (hedged.served) return done("ok", hedged.served, null, null);
      last = hedged.last ?? last;
      if (hedged.stop) return done(hedged.stop.result.status, null, hedged.stop.result.errorCode, hedged.stop.result.error);
      if (hedged.usedNext) i++;
      continue;
    }
    for (let attempt = 1; ; attempt++) {
      // the breaker is asked before every attempt: other requests may have opened it during our backoff
      if (attempt > 1 && !(await admit(tier, deps, ignoreBreakers))) {
        attempts.push({ tier, attempt, result: skippedResult(deps, "circuit_open", `circuit open for ${tier.model} on ${tier.endpoint}`) });
        break;
      }
      const a = await attemptOn(call, deps, tier, attempt, remaining());
      attempts.push(a);
      last = a;
      await record(tier, a.result.status, deps);
      if (a.result.status === "ok") return done("ok", a, null, null);
      if (a.result.status === "auth") warnings.push(`tier ${tier.index} (${tier.model}) refused the credentials: ${a.result.error ?? "auth"}`);
      if (a.result.errorCode === "context_length") contextTooSmall = tier.contextWindow ?? -1;
      if (a.result.ttftMs !== null) call.onRestart?.(tier, `${a.result.status}: ${a.result.error ?? ""}`);
      const d = decide(tier, a.result, attempt, remaining(), deps.random);
      if (d.kind === "stop") return done(a.result.status, null, a.result.errorCode, a.result.error);
      if (d.kind === "next") break;
      await deps.sleep(d.waitMs, call.signal);
    }
  }
  const reason = last ? `${last.result.status}${last.result.error ? `: ${last.result.error}` : ""}` : "every tier was skipped";
  return done(last?.result.status ?? "skipped", null, last?.result.errorCode ?? "exhausted", `All model tiers failed: ${reason}`);
}

/**
 * One pool tier of one request: attempts go to the members in the strategy's order, one each, then
 * around again, up to tierAttempts. A failure moves to the next member untried at once (a content
 * filter stops the chain); going back to a member already tried is a retry, made only by the retry
 * rules (retryable, within the deadline, after the backoff). A member whose breaker is open is skipped.
 */
async function runPool(
  call: ChainCall,
  deps: EngineDeps,
  tier: Tier,
  remaining: () => number,
  ignoreBreakers: boolean,
  attempts: ChainAttempt[],
  warnings: string[],
): Promise<{ served?: ChainAttempt; last?: ChainAttempt; stop?: ChainAttempt; contextTooSmall?: boolean }> {
  const stats = deps.pools;
  const order = poolOrder(tier, stats, deps.random);
  const n = order.length;
  const budget = tierAttempts(tier);
  const tried = new Set<Tier>();
  let last: ChainAttempt | undefined;
  let contextTooSmall = false;
  let attempt = 0;
  for (let pos = 0, skipped = 0; attempt < budget && skipped < n; pos++) {
    const member = order[pos % n]!;
    if (remaining() < MIN_ATTEMPT_MS || call.signal?.aborted) break;
    if (!(await admit(member, deps, ignoreBreakers))) {
      attempts.push({ tier: member, attempt: attempt + 1, result: skippedResult(deps, "circuit_open", `circuit open for ${member.model} on ${member.endpoint}`) });
      skipped++;
      continue;
    }
    skipped = 0;
    attempt++;
    const a = await attemptOn(call, deps, member, attempt, remaining());
    attempts.push(a);
    last = a;
    tried.add(member);
    stats.observe(member, a.result);
    await record(member, a.result.status, deps);
    if (a.result.status === "ok") return { served: a };
    if (a.result.status === "auth") warnings.push(`tier ${tier.index} (${member.model} on ${member.endpoint}) refused the credentials: ${a.result.error ?? "auth"}`);
    if (a.result.errorCode === "context_length") contextTooSmall = true;
    if (a.result.ttftMs !== null) call.onRestart?.(member, `${a.result.status}: ${a.result.error ?? ""}`);
    if (a.result.status === "bad_request" && a.result.errorCode === "content_filter") return { stop: a, last };
    if (!tried.has(order[(pos + 1) % n]!)) continue;
    // back to a member already tried: a retry, by the retry rules (counted from the first return)
    const d = decide({ ...member, retry: { ...member.retry, maxAttempts: budget - n + 1 } }, a.result, attempt - n + 1, remaining(), deps.random);
    if (d.kind === "stop") return { stop: a, last };
    if (d.kind === "next") break;
    await deps.sleep(d.waitMs, call.signal);
  }
  return { last, contextTooSmall };
}

async function admit(tier: Tier, deps: EngineDeps, ignore: boolean): Promise<boolean> {
  const now = deps.transport.now();
  return deps.breakers.update(breakerKey(tier), (s) => {
    const { allow, next } = breakerAdmit(s, tier.breaker, now);
    return { next, value: allow || ignore };
  });
}

function record(tier: Tier, status: Status, deps: EngineDeps): Promise<void> {
  const now = deps.transport.now();
  return deps.breakers.update(breakerKey(tier), (s) => ({ next: breakerRecord(s, tier.breaker, status, now), value: undefined }));
}

async function attemptOn(call: ChainCall, deps: EngineDeps, tier: Tier, attempt: number, remainingMs: number, signal?: AbortSignal): Promise<ChainAttempt> {
  const endpoint = call.endpoints[tier.endpoint]!;
  const timeoutMs = Math.max(1, Math.min(tier.timeoutMs, remainingMs));
  const result = await runAttempt(
    {
      endpoint,
      model: tier.model,
      messages: call.messages,
      params: call.params,
      stream: call.stream,
      timeoutMs,
      connectTimeoutMs: tier.connectTimeoutMs < timeoutMs ? tier.connectTimeoutMs : undefined,
      ttftTimeoutMs: tier.ttftTimeoutMs,
      stallTimeoutMs: tier.stallTimeoutMs,
      headers: { ...call.headers, ...tier.headers },
      requestId: call.requestId,
      expect: call.expect,
      malformedChunk: call.chain.malformedChunk,
      signal: signal ?? call.signal,
      onToken: call.onToken ? (text) => call.onToken!(text, tier) : undefined,
      redact: call.redact,
      expectServed: tier.expectServed,
    },
    deps.transport,
  );
  if (result.status === "timeout" && result.errorCode === "deadline" && timeoutMs < tier.timeoutMs) result.errorCode = "chain_deadline";
  return { tier, attempt, result };
}

/** Races tier a against tier b started `afterMs` later; the first ok answer wins and the other is cancelled. */
async function hedge(
  call: ChainCall,
  deps: EngineDeps,
  a: Tier,
  b: Tier,
  afterMs: number,
  remaining: () => number,
  ignoreBreakers: boolean,
  attempts: ChainAttempt[],
): Promise<{ served?: ChainAttempt; last?: ChainAttempt; stop?: ChainAttempt; usedNext: boolean }> {
  const ctlA = new AbortController();
  const ctlB = new AbortController();
  const linked = () => {
    ctlA.abort();
    ctlB.abort();
  };
  call.signal?.addEventListener("abort", linked, { once: true });
  try {
    const pA = attemptOn(call, deps, a, 1, remaining(), ctlA.signal);
    const timer = new AbortController();
    const first = await Promise.race([pA, deps.sleep(afterMs, timer.signal).then(() => undefined)]);
    timer.abort();
    if (first || !(await admit(b, deps, ignoreBreakers))) {
      const resA = first ?? (await pA);
      attempts.push(resA);
      await record(a, resA.result.status, deps);
      if (resA.result.status === "ok") return { served: resA, usedNext: false };
      return { last: resA, stop: resA.result.errorCode === "content_filter" ? resA : undefined, usedNext: false };
    }
    const pB = attemptOn(call, deps, b, 1, remaining(), ctlB.signal);
    const winner = await firstOk([pA, pB]);
    if (winner) (winner.tier === a ? ctlB : ctlA).abort();
    const [resA, resB] = await Promise.all([pA, pB]);
    for (const r of [resA, resB]) {
      if (winner && r !== winner && r.result.errorCode === "cancelled") {
        // sent but never judged: it lost the race, which says nothing about its health
        r.result.status = "skipped";
        r.result.errorCode = "hedge_cancelled";
        r.result.error = `cancelled: tier ${winner.tier.index} answered first`;
      } else {
        await record(r.tier, r.result.status, deps);
      }
      attempts.push(r);
    }
    if (winner) return { served: winner, usedNext: true };
    const stop = [resA, resB].find((r) => r.result.errorCode === "content_filter");
    return { last: resB, stop, usedNext: true };
  } finally {
    call.signal?.removeEventListener("abort", linked);
  }
}

function firstOk(ps: Promise<ChainAttempt>[]): Promise<ChainAttempt | undefined> {
  return new Promise((resolve) => {
    let pending = ps.length;
    for (const p of ps) {
      void p.then((r) => {
        if (r.result.status === "ok") resolve(r);
        else if (--pending === 0) resolve(undefined);
      });
    }
  });
}

function skippedResult(deps: EngineDeps, errorCode: string, error: string): AttemptResult {
  return { ...emptyAttemptResult(deps.transport.now(), "skipped"), errorCode, error };
}
