import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { createRng, hashString } from "./rng.js";
import { sampleLatency } from "./sampleLatency.js";
import { FAULTS, GATEWAY_FALLS_BACK_ON, type Fault, type GatewayPlay, type ModelBehaviour, type Scenario } from "./scenario.js";

/** One request the simulator answered, for tests and the demo to inspect. */
export interface SimRequest {
  model: string;
  /** 0-based count of requests for this model */
  index: number;
  /** ms since the simulator started */
  at: number;
  fault: Fault | "none";
  /** the model that answered when the simulator played a gateway's fallback (else the requested one) */
  servedBy: string;
  stream: boolean;
  latencyMs: number;
  headers: Record<string, string | string[] | undefined>;
}

/** A running simulator. */
export interface Simulator {
  url: string;
  port: number;
  requests: SimRequest[];
  close(): Promise<void>;
}

const DEFAULT_LATENCY = { p50: 150, p95: 400 };
const ERROR_DELAY_MS = 5;
const MAX_LOG = 100_000;

interface ModelState {
  rand: () => number;
  count: number;
  recent: number[];
}

/** Starts the fault-injecting OpenAI-compatible simulator on host:port (port 0 picks a free one). */
export async function startSimulator(
  scenario: Scenario,
  options: { port?: number; host?: string; seed?: number } = {},
): Promise<Simulator> {
  const seed = options.seed ?? scenario.seed ?? 1;
  const started = performance.now();
  const states = new Map<string, ModelState>();
  const requests: SimRequest[] = [];
  const sockets = new Set<Socket>();

  const stateOf = (model: string): ModelState => {
    let s = states.get(model);
    if (!s) {
      s = { rand: createRng(seed ^ hashString(model)), count: 0, recent: [] };
      states.set(model, s);
    }
    return s;
  };

  const server = createServer((req, res) => {
    const url = (req.url ?? "/").split("?")[0] ?? "/";
    if (req.method === "GET" && (url === "/v1/models" || url === "/models")) {
      const data = Object.keys(scenario.models ?? {}).map((id) => ({ id, object: "model", owned_by: "tierwatch-sim" }));
      return sendJson(res, 200, { object: "list", data });
    }
    if (req.method === "POST" && (url === "/v1/chat/completions" || url === "/chat/completions")) {
      return void readBody(req).then((body) => handleChat(req, res, body));
    }
    sendJson(res, 404, { error: { message: `no route ${req.method} ${url}`, type: "invalid_request_error" } });
  });
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });

  const handleChat = (req: IncomingMessage, res: ServerResponse, bodyText: string) => {
    let body: { model?: unknown; stream?: unknown; messages?: unknown; stream_options?: { include_usage?: boolean } };
    try {
      body = JSON.parse(bodyText);
    } catch {
      return sendJson(res, 400, { error: { message: "request body is not JSON", type: "invalid_request_error" } });
    }
    const model = typeof body.model === "string" ? body.model : "";
    const known = scenario.models?.[model];
    // a model the scenario does not list gets the defaults, unless the scenario asks for a real gateway's 404
    if (!known && scenario.unknown_models === "reject") {
      return sendJson(res, 404, {
        error: { message: `The model \`${model}\` does not exist`, type: "invalid_request_error", code: "model_not_found" },
      });
    }
    const stream = body.stream === true;
    const promptTokens = estimateTokens(body.messages);
    // the model itself, then (playing a gateway) its fallbacks while each fails before answering
    const chain = [model, ...(scenario.gateway?.fallbacks[model] ?? [])];
    let spentMs = 0;
    let option = 0;
    let draw = drawOutcome(model, req, promptTokens);
    while (option + 1 < chain.length && GATEWAY_FALLS_BACK_ON.includes(draw.fault as Fault)) {
      spentMs += ERROR_DELAY_MS;
      option++;
      draw = drawOutcome(chain[option]!, req, promptTokens);
    }
    const { fault, b, index, ttftDraw } = draw;
    const served = chain[option]!;
    const latencyMs = spentMs + draw.latencyMs;
    if (requests.length < MAX_LOG) requests.push({ model, index, at: performance.now() - started, fault, servedBy: served, stream, latencyMs, headers: req.headers });
    if (scenario.gateway) for (const [k, v] of Object.entries(gatewayHeaders(scenario.gateway, served, option))) res.setHeader(k, v);
    const ttftMs = Math.min(latencyMs, spentMs + (ttftDraw ?? draw.latencyMs * 0.3));
    const answer = {
      id: `chatcmpl-sim-${served}-${index}`,
      model: b.served_model ?? served,
      pieces: splitContent(b.content, b.tokens),
      promptTokens,
      includeUsage: body.stream_options?.include_usage === true,
    };
    respond(res, fault, b, { stream, latencyMs, ttftMs, answer });
  };

  // one model's answer to one request: its behaviour now, and the fault and latency drawn for it
  const drawOutcome = (model: string, req: IncomingMessage, promptTokens: number) => {
    const state = stateOf(model);
    const index = state.count++;
    const elapsedS = (performance.now() - started) / 1000;
    const b = resolveBehaviour(scenario, model, index, elapsedS);
    // Always draw the same count of numbers per request, so one request's fault never shifts the next one's draws.
    const roll = state.rand();
    const latency = sampleLatency(b.latency_ms ?? DEFAULT_LATENCY, state.rand);
    const ttftDraw = b.ttft_ms === undefined ? undefined : sampleLatency(b.ttft_ms, state.rand);
    let fault = pickFault(b.faults ?? {}, roll);
    const forced = header(req, "x-tierwatch-fault");
    if (forced && (FAULTS as readonly string[]).includes(forced)) fault = forced as Fault;
    const forcedLatency = Number(header(req, "x-tierwatch-latency-ms"));
    const latencyMs = Number.isFinite(forcedLatency) && header(req, "x-tierwatch-latency-ms") ? forcedLatency : latency;
    if (fault === "none" && b.rate_limit_rpm !== undefined) {
      const now = performance.now();
      state.recent = state.recent.filter((t) => now - t < 60_000);
      if (state.recent.length >= b.rate_limit_rpm) fault = "rate_limited";
      else state.recent.push(now);
    }
    if (fault === "none" && b.context_window !== undefined && promptTokens > b.context_window) fault = "context_length";
    return { fault, b, index, latencyMs, ttftDraw };
  };

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const host = options.host ?? "127.0.0.1";
  return {
    url: `http://${host.includes(":") ? `[${host}]` : host}:${port}/v1`,
    port,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

interface Answer {
  id: string;
  model: string;
  pieces: string[];
  promptTokens: number;
  includeUsage: boolean;
}

function respond(
  res: ServerResponse,
  fault: Fault | "none",
  b: ModelBehaviour,
  r: { stream: boolean; latencyMs: number; ttftMs: number; answer: Answer },
): void {
  const timers: NodeJS.Timeout[] = [];
  const at = (ms: number, fn: () => void): void => {
    timers.push(setTimeout(fn, Math.max(0, ms)));
  };
  res.on("close", () => timers.forEach(clearTimeout));
  const { answer } = r;
  switch (fault) {
    case "rate_limited":
      return at(ERROR_DELAY_MS, () =>
        sendJson(
          res,
          429,
          { error: { message: "Rate limit reached for requests", type: "requests", code: "rate_limit_exceeded" } },
          b.retry_after_s === undefined ? {} : { "retry-after": String(b.retry_after_s) },
        ),
      );
    case "server_error":
      return at(ERROR_DELAY_MS, () =>
        sendJson(res, b.server_error_status ?? 503, { error: { message: "The server is overloaded or not ready yet.", type: "server_error" } }),
      );
    case "auth":
      return at(ERROR_DELAY_MS, () =>
        sendJson(res, 401, { error: { message: "Incorrect API key provided.", type: "invalid_request_error", code: "invalid_api_key" } }),
      );
    case "context_length":
      return at(ERROR_DELAY_MS, () =>
        sendJson(res, 400, {
          error: {
            message: `This model's maximum context length is ${b.context_window ?? 8192} tokens. However, your messages resulted in ${answer.promptTokens} tokens.`,
            type: "invalid_request_error",
            code: "context_length_exceeded",
          },
        }),
      );
    case "content_filter":
      return at(ERROR_DELAY_MS, () =>
        sendJson(res, 400, {
          error: {
            message: "The response was filtered due to the prompt triggering content management policy.",
            type: "invalid_request_error",
            code: "content_filter",
          },
        }),
      );
    case "reset":
      return at(ERROR_DELAY_MS, () => res.socket?.destroy());
    case "hang":
      return;
    case "drip": {
      res.writeHead(200, { "content-type": r.stream ? "text/event-stream" : "application/json" });
      const text = r.stream ? "data: {\"choices\":[{\"delta\":{\"content\":\"." : "{\"id\":\"drip\",\"choices\":[";
      let i = 0;
      const tick = () => {
        res.write(text[i % text.length] ?? " ");
        i++;
        at(200, tick);
      };
      return at(ERROR_DELAY_MS, tick);
    }
    case "malformed_json":
      return at(r.latencyMs, () => {
        res.writeHead(200, { "content-type": "application/json" });
        res.end('{"id": "x", "choices": [ {"message": ');
      });
    case "wrong_shape":
      return at(r.latencyMs, () => sendJson(res, 200, { id: answer.id, object: "chat.completion", result: "ok" }));
    default:
      break;
  }
  const finish = fault === "length" ? "length" : "stop";
  const completionTokens = answer.pieces.length;
  const usage = { prompt_tokens: answer.promptTokens, completion_tokens: completionTokens, total_tokens: answer.promptTokens + completionTokens };
  const created = Math.floor(Date.now() / 1000);
  if (!r.stream) {
    if (fault === "malformed_chunk") return respond(res, "malformed_json", b, r);
    if (fault === "stream_cut" || fault === "stream_stall") {
      // headers and half a body, then the connection drops (cut) or goes quiet (stall)
      return at(r.latencyMs, () => {
        res.writeHead(200, { "content-type": "application/json", "content-length": "400" });
        res.write(`{"id":"${answer.id}","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"`);
        if (fault === "stream_cut") at(20, () => res.socket?.destroy());
      });
    }
    return at(r.latencyMs, () =>
      sendJson(res, 200, {
        id: answer.id,
        object: "chat.completion",
        created,
        model: answer.model,
        choices: [{ index: 0, message: { role: "assistant", content: answer.pieces.join("") }, finish_reason: finish }],
        usage,
      }),
    );
  }
  // Streaming: headers at once, the first token at ttft, the rest spread evenly until the total latency.
  res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive" });
  const chunk = (delta: Record<string, unknown>, finishReason: string | null) =>
    `data: ${JSON.stringify({ id: answer.id, object: "chat.completion.chunk", created, model: answer.model, choices: [{ index: 0, delta, finish_reason: finishReason }] })}\n\n`;
  res.write(chunk({ role: "assistant", content: "" }, null));
  const n = answer.pieces.length;
  const step = n > 1 ? (r.latencyMs - r.ttftMs) / (n - 1) : 0;
  const cutAfter = Math.max(1, Math.floor((n * 2) / 3));
  answer.pieces.forEach((piece, i) => {
    at(r.ttftMs + i * step, () => {
      if ((fault === "stream_cut" || fault === "stream_stall") && i >= cutAfter) {
        if (fault === "stream_cut" && i === cutAfter) res.socket?.destroy();
        return;
      }
      if (fault === "malformed_chunk" && i === Math.floor(n / 2)) res.write("data: {\"choices\": [ {\"delta\": \n\n");
      res.write(chunk({ content: piece }, null));
      if (i === n - 1) {
        res.write(chunk({}, finish));
        if (answer.includeUsage) {
          res.write(`data: ${JSON.stringify({ id: answer.id, object: "chat.completion.chunk", created, model: answer.model, choices: [], usage })}\n\n`);
        }
        res.end("data: [DONE]\n\n");
      }
    });
  });
}

/** What a gateway of `play`'s style says about the answer: option 0 is the requested model, 1 its first fallback, ... */
function gatewayHeaders(play: GatewayPlay, served: string, option: number): Record<string, string> {
  if (play.style === "portkey") {
    return {
      "x-portkey-last-used-option-index": `config.targets[${option}]`,
      "x-portkey-provider": "openai",
      "x-portkey-retry-attempt-count": "0",
    };
  }
  if (play.style === "litellm") {
    return {
      "x-litellm-model-id": `sim-${served}`,
      "x-litellm-model-api-base": `http://upstream.invalid/${served}`,
      "x-litellm-attempted-fallbacks": String(option),
      "x-litellm-attempted-retries": "0",
    };
  }
  return {};
}

function resolveBehaviour(scenario: Scenario, model: string, index: number, elapsedS: number): ModelBehaviour {
  const m = scenario.models?.[model];
  let b: ModelBehaviour = { ...scenario.defaults, ...m };
  for (const p of m?.phases ?? []) {
    const inRequests = p.requests && index >= p.requests[0] && index < p.requests[1];
    const inSeconds = p.seconds && elapsedS >= p.seconds[0] && elapsedS < p.seconds[1];
    if (inRequests || inSeconds) {
      const { requests: _r, seconds: _s, ...rest } = p;
      b = { ...b, ...rest };
    }
  }
  return b;
}

function pickFault(faults: Partial<Record<Fault, number>>, roll: number): Fault | "none" {
  let acc = 0;
  for (const f of FAULTS) {
    acc += faults[f] ?? 0;
    if (roll < acc) return f;
  }
  return "none";
}

function splitContent(content: string | undefined, tokens: number | undefined): string[] {
  if (content !== undefined) {
    const words = content.match(/\S+\s*/g) ?? [content];
    return words.length > 0 ? words : [""];
  }
  const n = tokens ?? 2;
  return Array.from({ length: n }, (_, i) => (i === 0 ? "OK" : i === n - 1 ? "." : " ok"));
}

function estimateTokens(messages: unknown): number {
  if (!Array.isArray(messages)) return 0;
  let chars = 0;
  for (const m of messages) chars += typeof m?.content === "string" ? m.content.length : 0;
  return Math.ceil(chars / 4) + 4 * messages.length;
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", () => resolve(""));
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text), ...headers });
  res.end(text);
}
