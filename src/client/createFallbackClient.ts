import { createPoolStats } from "../fallback/poolOrder.js";
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { formatProblem, TierwatchError, usageError } from "../errors.js";
import { chainRecords } from "../fallback/chainRecords.js";
import { fileBreakerStore, memoryBreakerStore, type BreakerStore } from "../fallback/breakerStore.js";
import { runChain, type ChainResult, type EngineDeps } from "../fallback/runChain.js";
import { resolvePolicy } from "../policy/loadPolicy.js";
import { parsePolicyText } from "../policy/parsePolicyText.js";
import type { Chain, ChatMessage, Policy } from "../model/policy.js";
import type { Status } from "../model/status.js";
import { createTransport, type Transport } from "../probe/transport.js";
import { appendRecords } from "../store/appendRecords.js";
import type { AttemptRecord } from "../model/record.js";
import type { Redactor } from "../util/redact.js";
import { newRunId } from "../util/runId.js";
import { sleep } from "../util/sleep.js";

/** Options of a fallback client. */
export interface FallbackClientOptions {
  /** where variables in the policy come from (default process.env) */
  env?: Readonly<Record<string, string | undefined>>;
  /** records of every attempt and chain outcome: a data directory (JSONL, read by `tierwatch report`) or a callback */
  sink?: { dir: string } | ((record: AttemptRecord) => void);
  /** circuit breakers in this process's memory (default), or in the data directory shared with other processes */
  breakers?: "memory" | "file" | BreakerStore;
  /** headers sent with every attempt (metadata: a user id, a trace id) */
  headers?: Record<string, string>;
  /** told when a record cannot be written; requests never fail for it (default: a process warning) */
  onSinkError?: (err: unknown) => void;
  /** the HTTP transport (default: a keep-alive undici pool) */
  transport?: Transport;
  /** the random source of backoff jitter and of a weighted pool's picks (default Math.random) */
  random?: () => number;
}

/** One chat request through a chain: the chain's name, the messages, and any other chat parameters. */
export interface CompleteRequest {
  chain?: string;
  messages: ChatMessage[];
  requestId?: string;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  [param: string]: unknown;
}

/** One attempt as the caller sees it. */
export interface AttemptSummary {
  tier: number;
  model: string;
  /** the pool member it went to, endpoint/model (null: a plain tier) */
  member: string | null;
  attempt: number;
  status: Status;
  http_status: number | null;
  latency_ms: number;
  error: string | null;
}

/** A served answer. */
export interface CompleteResult {
  /** the policy's model for the tier that served (for a pool: the member's) */
  model: string;
  /** the pool member that served, endpoint/model (null: a plain tier) */
  member: string | null;
  /** the model the response says served it */
  served_model: string | null;
  tier: number;
  content: string;
  finish_reason: string | null;
  usage: { prompt_tokens: number | null; completion_tokens: number | null };
  fallback: boolean;
  latency_ms: number;
  request_id: string;
  attempts: AttemptSummary[];
  warnings: string[];
}

/** What a stream yields: tokens as they come, a restart when a tier failed mid-answer, and the result last. */
export type StreamEvent =
  | { type: "token"; text: string; tier: number; model: string }
  | { type: "restart"; tier: number; model: string; reason: string }
  | { type: "done"; result: CompleteResult };

/** Every tier failed: carries each attempt; the message ends with the last error, as the guide's does. */
export class AllTiersFailedError extends TierwatchError {
  readonly status: Status;
  readonly attempts: AttemptSummary[];
  readonly requestId: string;
  constructor(result: ChainResult, requestId: string, attempts: AttemptSummary[], redact: Redactor) {
    super(redact(result.error ?? "All model tiers failed"), { exitCode: 1 });
    this.name = "AllTiersFailedError";
    this.status = result.status;
    this.attempts = attempts;
    this.requestId = requestId;
  }
}

/** The fallback engine as a library: the same policy file, the same engine, the same records as `tierwatch probe --chain`. */
export interface FallbackClient {
  readonly policy: Policy;
  complete(req: CompleteRequest): Promise<CompleteResult>;
  stream(req: CompleteRequest): AsyncIterable<StreamEvent>;
  /** waits for pending records and closes the connection pool */
  close(): Promise<void>;
}

/** Creates a client from a policy file path or a policy object (the YAML's structure); a bad policy throws at once. */
export function createFallbackClient(policySource: string | Record<string, unknown>, options: FallbackClientOptions = {}): FallbackClient {
  const env = options.env ?? process.env;
  let doc: unknown;
  let source: string;
  let baseDir = process.cwd();
  if (typeof policySource === "string") {
    source = path.resolve(policySource);
    let text: string;
    try {
      text = readFileSync(source, "utf8");
    } catch (err) {
      throw usageError(`cannot read policy file ${source}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, undefined, err);
    }
    doc = parsePolicyText(text, source);
    baseDir = path.dirname(source);
  } else {
    doc = policySource;
    source = "policy object";
  }
  const { policy, redact } = withProblemsInMessage(() => resolvePolicy(doc, { env, source, baseDir }));
  const transport = options.transport ?? createTransport();
  const ownsTransport = options.transport === undefined;
  const sinkDir = options.sink && typeof options.sink === "object" ? path.resolve(options.sink.dir) : undefined;
  const breakers =
    typeof options.breakers === "object"
      ? options.breakers
      : options.breakers === "file"
        ? fileBreakerStore(sinkDir ?? policy.store.dir)
        : memoryBreakerStore();
  const deps: EngineDeps = { transport, breakers, random: options.random ?? Math.random, sleep, pools: createPoolStats() };
  const runId = newRunId(transport.now());
  const onSinkError = options.onSinkError ?? ((err: unknown) => process.emitWarning(`tierwatch: cannot write records: ${(err as Error).message}`));
  let pending: Promise<void> = Promise.resolve();
  let closing: Promise<void> | undefined;
  const emit = (records: AttemptRecord[]) => {
    if (typeof options.sink === "function") {
      for (const r of records) {
        try {
          options.sink(r);
        } catch (err) {
          onSinkError(err);
        }
      }
    } else if (sinkDir) {
      pending = pending.then(() => appendRecords(sinkDir, records)).catch(onSinkError);
    }
  };

  const chainOf = (name: string | undefined): Chain => {
    const chain = name === undefined ? Object.values(policy.chains)[0] : policy.chains[name];
    if (!chain) throw usageError(`no chain named ${name}; the policy has ${Object.keys(policy.chains).join(", ")}`);
    return chain;
  };

  const call = async (req: CompleteRequest, stream: boolean, onEvent?: (e: StreamEvent) => void): Promise<CompleteResult> => {
    const { chain: chainName, messages, requestId: rid, headers, signal, ...params } = req;
    const chain = chainOf(chainName);
    const requestId = rid ?? randomUUID();
    const engineCall = {
      chain,
      endpoints: policy.endpoints,
      messages,
      params,
      stream,
      requestId,
      headers: { ...options.headers, ...headers },
      signal,
      onToken: onEvent ? (text: string, tier: Chain["tiers"][number]) => onEvent({ type: "token", text, tier: tier.index, model: tier.model }) : undefined,
      onRestart: onEvent ? (tier: Chain["tiers"][number], reason: string) => onEvent({ type: "restart", tier: tier.index, model: tier.model, reason: redact(reason) }) : undefined,
      redact,
    };
    const result = await runChain(engineCall, deps);
    if (options.sink) emit(chainRecords(engineCall, result, { runId, origin: "app" }, redact));
    const attempts = result.attempts.map(
      (a): AttemptSummary => ({
        tier: a.tier.index,
        model: a.tier.model,
        member: a.tier.member,
        attempt: a.attempt,
        status: a.result.status,
        http_status: a.result.httpStatus,
        latency_ms: a.result.latencyMs,
        error: a.result.error === null ? null : redact(a.result.error),
      }),
    );
    if (result.status !== "ok" || !result.servedTier || !result.answer) throw new AllTiersFailedError(result, requestId, attempts, redact);
    return {
      model: result.servedTier.model,
      member: result.servedTier.member,
      served_model: result.answer.servedModel,
      tier: result.servedTier.index,
      content: result.answer.content ?? "",
      finish_reason: result.answer.finishReason,
      usage: { prompt_tokens: result.answer.promptTokens, completion_tokens: result.answer.completionTokens },
      fallback: result.fallback,
      latency_ms: result.latencyMs,
      request_id: requestId,
      attempts,
      warnings: result.warnings.map(redact),
    };
  };

  return {
    policy,
    complete: (req) => call(req, false),
    stream(req) {
      return streamEvents((onEvent) => call(req, true, onEvent));
    },
    close() {
      closing ??= pending.then(() => (ownsTransport ? (transport as Transport & { close(): Promise<void> }).close() : undefined));
      return closing;
    },
  };
}

// Turns a callback-driven call into an async iterable: events are queued until the consumer takes them.
async function* streamEvents(run: (onEvent: (e: StreamEvent) => void) => Promise<CompleteResult>): AsyncGenerator<StreamEvent> {
  const queue: StreamEvent[] = [];
  let wake: (() => void) | undefined;
  let finished = false;
  let failure: unknown;
  const push = (e: StreamEvent) => {
    queue.push(e);
    wake?.();
  };
  void run(push).then(
    (result) => {
      push({ type: "done", result });
      finished = true;
      wake?.();
    },
    (err) => {
      failure = err;
      finished = true;
      wake?.();
    },
  );
  for (;;) {
    while (queue.length > 0) yield queue.shift()!;
    if (finished) {
      if (failure !== undefined) throw failure;
      return;
    }
    await new Promise<void>((r) => (wake = r));
    wake = undefined;
  }
}

// An application sees the error's message, not the CLI's list under it: the message names every
// problem with its path (they stay on `err.problems` too).
function withProblemsInMessage<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (!(err instanceof TierwatchError) || err.problems.length === 0) throw err;
    const list = err.problems.filter((p) => p.severity === "error").map((p) => `  ${formatProblem(p)}`);
    throw new TierwatchError(`${err.message}:\n${list.join("\n")}`, { exitCode: err.exitCode, problems: err.problems, cause: err });
  }
}
