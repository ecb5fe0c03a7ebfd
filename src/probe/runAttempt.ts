import type { ChatMessage, Endpoint, Expectation } from "../model/policy.js";
import { checkAnswer } from "./checkAnswer.js";
import { classifyHttpError, networkErrorCode, parseRetryAfter } from "./classifyHttpError.js";
import { exchange } from "./exchange.js";
import { createSseParser } from "./sseParser.js";
import type { Status } from "../model/status.js";
import { MAX_ERROR_TEXT } from "../model/record.js";
import type { Transport } from "./transport.js";
import { redactedExcerpt, withSecret, type Redactor } from "../util/redact.js";
import { servedAsIntended, type ExpectServed } from "../model/gateway.js";
import { readGatewayHeaders, type GatewayWord } from "./readGatewayHeaders.js";

/** One request to one model, with every deadline that applies to it. */
export interface AttemptSpec {
  endpoint: Endpoint;
  model: string;
  messages: readonly ChatMessage[];
  /** other chat parameters sent as they are (max_tokens, temperature, response_format, ...) */
  params?: Record<string, unknown>;
  stream: boolean;
  /** hard deadline for the whole attempt: connect, headers and the complete body */
  timeoutMs: number;
  /** deadline for response headers (connection included) */
  connectTimeoutMs?: number;
  /** deadline for the first content token, from the start */
  ttftTimeoutMs?: number;
  /** longest silence between stream chunks */
  stallTimeoutMs?: number;
  headers?: Record<string, string>;
  requestId: string;
  expect?: Expectation;
  malformedChunk?: "fail" | "skip";
  /** aborts the attempt from outside (hedging, a chain deadline) */
  signal?: AbortSignal;
  /** receives stream content as it arrives */
  onToken?: (text: string) => void;
  /** removes the policy's secrets from whatever the server sends back (the endpoint's key is always removed) */
  redact?: Redactor;
  /** what serving this request as intended looks like (default: the requested model or a dated version of it) */
  expectServed?: ExpectServed;
}

/** What one attempt measured and how it ended. */
export interface AttemptResult {
  status: Status;
  httpStatus: number | null;
  /** wall-clock start, epoch ms */
  startedAt: number;
  latencyMs: number;
  /** time to the first content token, streams only */
  ttftMs: number | null;
  /** whether response headers arrived (a failure before them is safe to retry) */
  gotHeaders: boolean;
  servedModel: string | null;
  servedTarget: string | null;
  /** upstream attempts the gateway made, as far as its headers tell (null: they do not) */
  gatewayAttempts: number | null;
  /** the answer did not come from the tier's own target (null: nothing tells) */
  gatewayFallback: boolean | null;
  /** the gateway's own failure, apart from the provider's */
  gatewayError: string | null;
  /** what the gateway says the request cost, USD */
  gatewayCostUsd: number | null;
  content: string | null;
  finishReason: string | null;
  promptTokens: number | null;
  completionTokens: number | null;
  errorCode: string | null;
  error: string | null;
  retryAfterMs: number | null;
}

/** An attempt result with nothing known yet: the start point of every attempt, and of a skipped one. */
export function emptyAttemptResult(startedAt: number, status: Status = "ok"): AttemptResult {
  return {
    status,
    httpStatus: null,
    startedAt,
    latencyMs: 0,
    ttftMs: null,
    gotHeaders: false,
    servedModel: null,
    servedTarget: null,
    gatewayAttempts: null,
    gatewayFallback: null,
    gatewayError: null,
    gatewayCostUsd: null,
    content: null,
    finishReason: null,
    promptTokens: null,
    completionTokens: null,
    errorCode: null,
    error: null,
    retryAfterMs: null,
  };
}

const MAX_BODY = 8 * 1024 * 1024;
/** longest served model or target kept, after redaction */
const MAX_SERVED = 200;
const MAX_ERROR_BODY = 64 * 1024;
const USER_AGENT = "tierwatch/0.1";

interface Stop {
  status: Status;
  code: string;
  message: string;
}

/** Sends one chat completion and classifies the outcome; it never throws and never outlives `timeoutMs`. */
export async function runAttempt(spec: AttemptSpec, transport: Transport): Promise<AttemptResult> {
  const startedAt = transport.now();
  // every string that comes from the server is redacted whole before it is cut or kept
  const redact = withSecret(spec.redact, spec.endpoint, spec.endpoint.apiKey);
  const excerpt = (text: string, max: number) => redactedExcerpt(redact, text, max);
  const controller = new AbortController();
  let stop: Stop | undefined;
  const abort = (s: Stop) => {
    if (stop) return;
    stop = s;
    controller.abort(new Error(s.message));
  };
  const timers: NodeJS.Timeout[] = [];
  const after = (ms: number, s: Stop) => {
    const t = setTimeout(() => abort(s), Math.max(0, ms));
    timers.push(t);
    return t;
  };

  const result = emptyAttemptResult(startedAt);
  let t0 = performance.now();
  // latency ends when the last byte arrived, so our own parsing and checks are not counted
  let lastByteAt: number | undefined;
  // what the gateway's headers said, read when they arrive
  let word: GatewayWord | undefined;
  const finish = (status: Status, errorCode: string | null = null, error: string | null = null): AttemptResult => {
    result.latencyMs = round((stop === undefined && lastByteAt !== undefined ? lastByteAt : performance.now()) - t0);
    result.status = status;
    result.errorCode = errorCode;
    result.error = error === null ? null : excerpt(error, MAX_ERROR_TEXT);
    if (word) {
      if (word.servedModel !== null) result.servedModel = excerpt(word.servedModel, MAX_SERVED);
      result.gatewayAttempts = word.attempts;
      result.gatewayCostUsd = word.costUsd;
      if (word.gatewayError && status !== "ok") {
        result.errorCode = "gateway";
        result.gatewayError = result.error ?? "the gateway reported a failure of its own";
      }
    }
    result.gatewayFallback = negate(
      servedAsIntended(spec.model, spec.expectServed, { model: result.servedModel, target: result.servedTarget, signal: word?.signal ?? null }),
    );
    return result;
  };

  after(spec.timeoutMs, { status: "timeout", code: "deadline", message: `no complete answer within ${spec.timeoutMs} ms` });
  const headersTimer =
    spec.connectTimeoutMs !== undefined && spec.connectTimeoutMs < spec.timeoutMs
      ? after(spec.connectTimeoutMs, { status: "timeout", code: "headers", message: `no response headers within ${spec.connectTimeoutMs} ms` })
      : undefined;
  const ttftTimer =
    spec.stream && spec.ttftTimeoutMs !== undefined
      ? after(spec.ttftTimeoutMs, { status: "ttft_timeout", code: "ttft", message: `no first token within ${spec.ttftTimeoutMs} ms` })
      : undefined;
  let stallTimer: NodeJS.Timeout | undefined;
  const resetStall = () => {
    if (spec.stallTimeoutMs === undefined) return;
    if (stallTimer) clearTimeout(stallTimer);
    stallTimer = after(spec.stallTimeoutMs, { status: "stream_stalled", code: "stall", message: `the stream went silent for ${spec.stallTimeoutMs} ms` });
  };
  const onOuterAbort = () => abort({ status: "timeout", code: "cancelled", message: "cancelled by the caller" });
  if (spec.signal?.aborted) onOuterAbort();
  spec.signal?.addEventListener("abort", onOuterAbort, { once: true });

  // what the response turned out to be, and its body so far
  let mode = "json" as "error" | "json" | "sse";
  const chunks: Buffer[] = [];
  let size = 0;
  const sse = createStreamState(spec, result, excerpt, () => t0, () => {
    if (ttftTimer) clearTimeout(ttftTimer);
  });

  try {
    const body: Record<string, unknown> = { model: spec.model, messages: spec.messages, ...spec.params, stream: spec.stream };
    if (spec.stream) body.stream_options = { include_usage: true };
    const headers: Record<string, string> = {
      "content-type": "application/json",
      accept: spec.stream ? "text/event-stream" : "application/json",
      "user-agent": USER_AGENT,
      "x-request-id": spec.requestId,
      ...spec.endpoint.headers,
      ...spec.headers,
    };
    if (spec.endpoint.apiKey) headers.authorization = `Bearer ${spec.endpoint.apiKey}`;
    const payload = JSON.stringify(body);
    t0 = performance.now();
    await exchange(
      transport.dispatcher,
      { url: `${spec.endpoint.baseUrl}/chat/completions`, method: "POST", headers, body: payload },
      {
        // latency counts from the moment the request goes onto a connection, not our own wait for one
        onDispatch() {
          t0 = performance.now();
        },
        onStart(statusCode, resHeaders) {
          lastByteAt = performance.now();
          if (headersTimer) clearTimeout(headersTimer);
          result.gotHeaders = true;
          result.httpStatus = statusCode;
          word = readGatewayHeaders(spec.endpoint.gateway, resHeaders);
          if (word.servedTarget !== null) result.servedTarget = excerpt(word.servedTarget, MAX_SERVED);
          resetStall();
          if (statusCode < 200 || statusCode >= 300) {
            mode = "error";
            result.retryAfterMs = parseRetryAfter(headerValue(resHeaders["retry-after"]), headerValue(resHeaders["retry-after-ms"]), transport.now());
          } else if (spec.stream && !(headerValue(resHeaders["content-type"]) ?? "").includes("json")) {
            mode = "sse";
          }
        },
        onData(chunk) {
          lastByteAt = performance.now();
          if (mode === "sse") {
            // only complete events count as progress: a trickle of bytes or keep-alive comments is still a stall
            const failure = sse.feed(chunk, resetStall);
            if (failure) abort(failure);
            return;
          }
          resetStall();
          size += chunk.length;
          if (size > (mode === "error" ? MAX_ERROR_BODY : MAX_BODY)) {
            if (mode === "json") abort({ status: "bad_response", code: "too_large", message: `the response is larger than ${MAX_BODY} bytes` });
            return;
          }
          chunks.push(chunk);
        },
      },
      controller.signal,
    );
  } catch (err) {
    if (stop) return finish(stop.status, stop.code, stop.message);
    if (result.gotHeaders) {
      return finish("truncated", "cut", `the connection closed before the answer was complete (${describe(err)})`);
    }
    return finish("network", networkErrorCode(err), describe(err));
  } finally {
    for (const t of timers) clearTimeout(t);
    if (stallTimer) clearTimeout(stallTimer);
    spec.signal?.removeEventListener("abort", onOuterAbort);
  }
  if (mode === "error") {
    const cls = classifyHttpError(result.httpStatus ?? 0, redact(Buffer.concat(chunks).toString("utf8")));
    return finish(cls.status, cls.errorCode, cls.message);
  }
  if (mode === "sse") {
    const failure = sse.end();
    if (failure) return finish(failure.status, failure.code, failure.message);
    const verdict = checkAnswer(result.content, result.finishReason, spec.expect);
    return finish(verdict.status, verdict.errorCode, verdict.error);
  }
  return judgeJson(Buffer.concat(chunks).toString("utf8"), spec, result, finish, excerpt);
}

type Finish = (status: Status, errorCode?: string | null, error?: string | null) => AttemptResult;
type Excerpt = (text: string, max: number) => string;

function judgeJson(text: string, spec: AttemptSpec, result: AttemptResult, finish: Finish, excerpt: Excerpt): AttemptResult {
  let json: ChatCompletion;
  try {
    json = JSON.parse(text) as ChatCompletion;
  } catch {
    return finish("bad_response", "invalid_json", `the response is not valid JSON: ${excerpt(text, 80)}`);
  }
  const choice = Array.isArray(json?.choices) ? json.choices[0] : undefined;
  if (!choice || typeof choice.message !== "object" || choice.message === null) {
    if (json && typeof json === "object" && "error" in json) {
      return finish("server_error", "error_body", `HTTP 200 with an error: ${excerpt(JSON.stringify(json.error), 200)}`);
    }
    return finish("bad_response", "shape", "the response is not a chat completion (no choices[0].message)");
  }
  result.servedModel = typeof json.model === "string" ? excerpt(json.model, MAX_SERVED) : null;
  readBodyProvider(spec, json.provider, result, excerpt);
  result.content = typeof choice.message.content === "string" ? choice.message.content : null;
  result.finishReason = typeof choice.finish_reason === "string" ? choice.finish_reason : null;
  readUsage(json.usage, result);
  if (result.content === null && !Array.isArray(choice.message.tool_calls)) {
    return finish("bad_response", "shape", "the answer has neither content nor tool_calls");
  }
  const verdict = checkAnswer(result.content, result.finishReason, spec.expect);
  return finish(verdict.status, verdict.errorCode, verdict.error);
}

/** Server-sent events of a chat completion, read as they arrive; a failure stops the attempt. */
function createStreamState(spec: AttemptSpec, result: AttemptResult, excerpt: Excerpt, t0: () => number, onFirstToken: () => void) {
  const parser = createSseParser();
  const decoder = new TextDecoder();
  const parts: string[] = [];
  let done = false;
  let tokens = 0;
  let failure: Stop | undefined;
  const handle = (payload: string): void => {
    if (failure || done) return;
    if (payload.trim() === "[DONE]") {
      done = true;
      return;
    }
    let chunk: ChatChunk;
    try {
      chunk = JSON.parse(payload) as ChatChunk;
    } catch {
      if (spec.malformedChunk !== "skip") {
        failure = { status: "bad_response", code: "malformed_chunk", message: `a stream chunk is not valid JSON: ${excerpt(payload, 60)}` };
      }
      return;
    }
    if (chunk && typeof chunk === "object" && chunk.error) {
      const e = chunk.error;
      failure = { status: "server_error", code: "stream_error", message: excerpt(`error inside the stream: ${(typeof e === "object" ? e.message : String(e)) ?? ""}`, MAX_ERROR_TEXT) };
      return;
    }
    if (typeof chunk?.model === "string" && result.servedModel === null) result.servedModel = excerpt(chunk.model, MAX_SERVED);
    readBodyProvider(spec, chunk?.provider, result, excerpt);
    readUsage(chunk?.usage, result);
    const choice = Array.isArray(chunk?.choices) ? chunk.choices[0] : undefined;
    if (!choice) return;
    const text = choice.delta?.content;
    if ((typeof text === "string" && text.length > 0) || Array.isArray(choice.delta?.tool_calls)) {
      if (result.ttftMs === null) {
        result.ttftMs = round(performance.now() - t0());
        onFirstToken();
      }
      tokens++;
      if (typeof text === "string") {
        parts.push(text);
        spec.onToken?.(text);
      }
    }
    if (typeof choice.finish_reason === "string") result.finishReason = choice.finish_reason;
  };
  return {
    /** feeds bytes; returns a failure that must stop the attempt */
    feed(chunk: Buffer, onEvent: () => void): Stop | undefined {
      for (const payload of parser.feed(decoder.decode(chunk, { stream: true }))) {
        onEvent();
        handle(payload);
      }
      return failure;
    },
    /** the body is complete: a stream without its final chunk is truncated */
    end(): Stop | undefined {
      if (!done && !failure) for (const payload of parser.flush()) handle(payload);
      result.content = parts.join("");
      if (result.completionTokens === null && tokens > 0) result.completionTokens = tokens;
      if (failure) return failure;
      if (result.finishReason === null) {
        return { status: "truncated", code: "no_final_chunk", message: `the stream ended after ${tokens} token(s) without a final chunk` };
      }
      return undefined;
    },
  };
}

interface ChatCompletion {
  model?: unknown;
  provider?: unknown;
  choices?: { message?: { content?: unknown; tool_calls?: unknown } | null; finish_reason?: unknown }[];
  usage?: unknown;
  error?: unknown;
}
interface ChatChunk {
  model?: unknown;
  provider?: unknown;
  choices?: { delta?: { content?: unknown; tool_calls?: unknown }; finish_reason?: unknown }[];
  usage?: unknown;
  error?: { message?: string } | string;
}

function readUsage(usage: unknown, result: AttemptResult): void {
  if (!usage || typeof usage !== "object") return;
  const u = usage as { prompt_tokens?: unknown; completion_tokens?: unknown };
  if (typeof u.prompt_tokens === "number") result.promptTokens = u.prompt_tokens;
  if (typeof u.completion_tokens === "number") result.completionTokens = u.completion_tokens;
}

function headerValue(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

/** A gateway that names the serving provider in the body (OpenRouter): the served target, unless a header named one. */
function readBodyProvider(spec: AttemptSpec, provider: unknown, result: AttemptResult, excerpt: Excerpt): void {
  if (spec.endpoint.gateway.bodyProvider && typeof provider === "string" && result.servedTarget === null) result.servedTarget = excerpt(provider, MAX_SERVED);
}

const negate = (x: boolean | null) => (x === null ? null : !x);

function describe(err: unknown): string {
  const e = err as { message?: string; code?: string; cause?: { message?: string; code?: string } };
  const msg = e?.cause?.message ?? e?.message ?? String(err);
  const code = e?.cause?.code ?? e?.code;
  return code && !msg.includes(code) ? `${code}: ${msg}` : msg;
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
