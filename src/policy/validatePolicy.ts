import { Ajv } from "ajv";
import type { Problem } from "../errors.js";
import { DEFAULT_RETRY_ON, type Status } from "../model/status.js";
import { describeValue, schemaProblems } from "../util/schemaProblems.js";
import { didYouMean, formatPath } from "../util/paths.js";
import { inferProvider } from "./inferProvider.js";
import { headersId } from "./headersId.js";
import { targetKey } from "../model/targetKey.js";
import { createRedactor, type Redactor } from "../util/redact.js";
import { policySchema } from "./schema.js";
import { substituteEnv } from "./substituteEnv.js";
import { parseThreshold } from "../model/threshold.js";
import { parseDuration } from "../util/duration.js";
import { BUILT_IN_PROFILES, parseServedPattern, PROFILE_KEYS, type ExpectServed, type GatewayProfile, type GatewayProfileName } from "../model/gateway.js";
import type { AlertRule, BreakerSpec, Chain, Endpoint, Policy, ProbeSpec, RetrySpec, Strategy, Tier } from "../model/policy.js";

/** What validation found: the policy when there is no error, every problem either way, and the secrets to redact. */
export interface Validated {
  policy: Policy | undefined;
  problems: Problem[];
  secrets: string[];
}

export const DEFAULT_BASE_URL_ENV = "FB_OPENAI_BASE_URL";
export const DEFAULT_API_KEY_ENV = "FB_API_KEY_SECRET";

const DEFAULTS = {
  timeoutMs: 20_000,
  retry: {
    maxAttempts: 2,
    baseDelayMs: 250,
    maxDelayMs: 4000,
    jitter: "full",
    retryOn: DEFAULT_RETRY_ON,
    respectRetryAfter: true,
    maxRetryAfterMs: 10_000,
  } satisfies RetrySpec,
  breaker: { enabled: true, failureThreshold: 5, cooldownMs: 60_000 } satisfies BreakerSpec,
  probe: { maxTokens: 8, concurrency: 8 },
  storeDir: "./tierwatch-data",
};

let compiled: ReturnType<Ajv["compile"]> | undefined;
function schemaValidator(): ReturnType<Ajv["compile"]> {
  compiled ??= new Ajv({ allErrors: true, strict: true, verbose: true }).compile(policySchema);
  return compiled;
}

/** Validates a parsed policy document (pure: the environment is passed in) and resolves every default. */
export function validatePolicy(
  doc: unknown,
  options: {
    env: Readonly<Record<string, string | undefined>>;
    source: string;
    /** nothing will be sent (report, replay): unset variables in endpoints are not an error */
    offline?: boolean;
  },
): Validated {
  const { env, source } = options;
  if (doc === null || typeof doc !== "object" || Array.isArray(doc)) {
    return {
      policy: undefined,
      problems: [{ path: "(top level)", message: "must be a mapping with version, endpoints and chains", severity: "error" }],
      secrets: [],
    };
  }
  const withDefaults = applyEndpointDefaults(doc as Record<string, unknown>);
  const sub = substituteEnv(withDefaults, env, options.offline === true);
  const problems: Problem[] = [...sub.problems];
  const validate = schemaValidator();
  if (!validate(sub.value)) problems.push(...schemaProblems(validate.errors));
  const raw = sub.value as RawPolicy;
  const secrets = [...sub.secrets];
  for (const e of Object.values(raw.endpoints ?? {})) if (typeof e?.api_key === "string" && e.api_key) secrets.push(e.api_key);
  for (const a of raw.alerts ?? []) if (typeof a?.webhook === "string" && a.webhook) secrets.push(a.webhook);
  problems.push(...literalKeyProblems(doc as Record<string, unknown>));
  if (problems.some((p) => p.severity === "error")) return { policy: undefined, problems, secrets };

  const endpoints = buildEndpoints(raw, problems, options.offline === true);
  const chains: Record<string, Chain> = {};
  const redact = createRedactor(secrets);
  for (const [name, c] of Object.entries(raw.chains)) chains[name] = buildChain(name, c, endpoints, problems, redact);
  const probe = buildProbe(raw.probe ?? {}, problems);
  const alerts = buildAlerts(raw.alerts ?? [], problems);
  if (problems.some((p) => p.severity === "error")) return { policy: undefined, problems, secrets };
  return {
    policy: { version: 1, source, endpoints, chains, probe, store: { dir: raw.store?.dir ?? DEFAULTS.storeDir }, alerts },
    problems,
    secrets,
  };
}

// The guide's defaults: an endpoint without base_url or api_key takes FB_OPENAI_BASE_URL / FB_API_KEY_SECRET.
function applyEndpointDefaults(doc: Record<string, unknown>): Record<string, unknown> {
  const endpoints = doc.endpoints;
  if (endpoints === undefined) {
    return { ...doc, endpoints: { default: { base_url: `\${${DEFAULT_BASE_URL_ENV}}`, api_key: `\${${DEFAULT_API_KEY_ENV}:-}` } } };
  }
  if (endpoints === null || typeof endpoints !== "object" || Array.isArray(endpoints)) return doc;
  const out: Record<string, unknown> = {};
  for (const [name, e] of Object.entries(endpoints)) {
    if (e === null || typeof e !== "object" || Array.isArray(e)) {
      out[name] = e;
      continue;
    }
    const ep = { ...(e as Record<string, unknown>) };
    ep.base_url ??= `\${${DEFAULT_BASE_URL_ENV}}`;
    ep.api_key ??= `\${${DEFAULT_API_KEY_ENV}:-}`;
    out[name] = ep;
  }
  return { ...doc, endpoints: out };
}

function literalKeyProblems(doc: Record<string, unknown>): Problem[] {
  const endpoints = doc.endpoints;
  if (endpoints === null || typeof endpoints !== "object") return [];
  const out: Problem[] = [];
  for (const [name, e] of Object.entries(endpoints as Record<string, unknown>)) {
    const key = (e as Record<string, unknown> | null)?.api_key;
    if (typeof key === "string" && key !== "" && !key.includes("${")) {
      out.push({
        path: formatPath(["endpoints", name, "api_key"]),
        message: "the key is written in the file; write ${YOUR_ENV_VAR} and export the key instead",
        severity: "warning",
      });
    }
  }
  return out;
}

interface RawRetry {
  max_attempts?: number;
  base_delay_ms?: number;
  max_delay_ms?: number;
  jitter?: "full" | "none";
  retry_on?: Status[];
  respect_retry_after?: boolean;
  max_retry_after_ms?: number;
}
interface RawBreaker {
  enabled?: boolean;
  failure_threshold?: number;
  cooldown_ms?: number;
}
interface RawMember {
  model: string;
  endpoint?: string;
  provider?: string;
  weight?: number;
  timeout_ms?: number;
  connect_timeout_ms?: number;
  price?: { input_per_mtok: number; output_per_mtok: number };
  context_window?: number;
  headers?: Record<string, string>;
  expect_served?: { model?: string; target?: string };
}
interface RawTier {
  model: string;
  members?: RawMember[];
  strategy?: Strategy;
  endpoint?: string;
  provider?: string;
  timeout_ms?: number;
  connect_timeout_ms?: number;
  ttft_timeout_ms?: number | null;
  stall_timeout_ms?: number;
  price?: { input_per_mtok: number; output_per_mtok: number };
  context_window?: number;
  quality?: number;
  pin?: boolean;
  retry?: RawRetry;
  breaker?: RawBreaker;
  headers?: Record<string, string>;
  expect_served?: { model?: string; target?: string };
}
interface RawChain {
  tiers: RawTier[];
  retry?: RawRetry;
  breaker?: RawBreaker;
  deadline_ms?: number;
  max_depth?: number;
  hedge_after_ms?: number;
  malformed_chunk?: "fail" | "skip";
  slo?: { success_rate?: number; p95_ms?: number };
}
interface RawPolicy {
  endpoints?: Record<
    string,
    {
      base_url?: string;
      api_key?: string;
      region?: string;
      provider?: string;
      headers?: Record<string, string>;
      served_by_header?: string[];
      gateway?: GatewayProfileName | ({ profile: GatewayProfileName } & Partial<Record<keyof typeof PROFILE_KEYS, string[]>>);
    }
  >;
  chains: Record<string, RawChain>;
  probe?: {
    messages?: { role: string; content: string }[];
    max_tokens?: number;
    stream?: boolean;
    temperature?: number;
    concurrency?: number;
    expect?: { contains?: string; regex?: string; json?: boolean; json_schema?: Record<string, unknown>; finish_reason?: string | string[] };
  };
  store?: { dir?: string };
  alerts?: RawAlert[];
}
interface RawAlert {
  name: string;
  when: string;
  window?: string;
  min_samples?: number;
  webhook?: string;
  format?: "json" | "slack";
  remind_every?: string;
  headers?: Record<string, string>;
}

function buildAlerts(raw: RawAlert[], problems: Problem[]): AlertRule[] {
  const names = new Set<string>();
  return raw.map((a, i) => {
    const path = (k: string) => formatPath(["alerts", i, k]);
    const attempt = <T>(key: string, fn: () => T, fallback: T): T => {
      try {
        return fn();
      } catch (err) {
        problems.push({ path: path(key), message: ((err as Error).message.split("\n")[0] ?? "").replace(/^[^:]*: /, ""), severity: "error" });
        return fallback;
      }
    };
    if (names.has(a.name)) problems.push({ path: path("name"), message: `${a.name} is used by an earlier alert; names must be unique`, severity: "error" });
    names.add(a.name);
    if (a.webhook !== undefined && !/^https?:\/\/[^/]/.test(a.webhook)) {
      problems.push({ path: path("webhook"), message: "must be an http:// or https:// URL", severity: "error" });
    }
    return {
      name: a.name,
      when: attempt("when", () => parseThreshold(a.when), parseThreshold("success_rate < 0")),
      windowMs: attempt("window", () => parseDuration(a.window ?? "15m", "window"), 900_000),
      minSamples: a.min_samples ?? 10,
      webhook: a.webhook,
      format: a.format ?? (a.webhook && /^https:\/\/hooks\.slack\.com\//.test(a.webhook) ? "slack" : "json"),
      remindEveryMs: attempt("remind_every", () => parseDuration(a.remind_every ?? "1h", "remind_every"), 3_600_000),
      headers: a.headers ?? {},
    };
  });
}

function buildEndpoints(raw: RawPolicy, problems: Problem[], offline: boolean): Record<string, Endpoint> {
  const out: Record<string, Endpoint> = {};
  for (const [name, e] of Object.entries(raw.endpoints ?? {})) {
    const path = ["endpoints", name, "base_url"];
    const baseUrl = (e.base_url ?? "").replace(/\/+$/, "");
    let url: URL | undefined;
    // offline (report, replay): an endpoint whose variables are unset is never contacted, so it need not parse
    if (!(offline && baseUrl.includes("${"))) {
      try {
        url = new URL(baseUrl);
      } catch {
        problems.push({ path: formatPath(path), message: `is not a URL (got ${describeValue(baseUrl)}); write it like https://gateway.example.com/v1`, severity: "error" });
      }
    }
    if (url && url.protocol !== "http:" && url.protocol !== "https:") {
      problems.push({ path: formatPath(path), message: `must start with http:// or https:// (got ${url.protocol})`, severity: "error" });
    }
    if (url && (url.username || url.password)) {
      problems.push({ path: formatPath(path), message: "must not carry credentials; put the key in api_key: ${ENV_VAR}", severity: "error" });
    }
    out[name] = {
      name,
      baseUrl,
      apiKey: e.api_key ? e.api_key : undefined,
      headers: e.headers ?? {},
      region: e.region,
      provider: e.provider,
      gateway: buildGateway(e.gateway, e.served_by_header),
    };
  }
  return out;
}

/** An endpoint's gateway profile: the built-in one, with the policy's own headers read first. */
function buildGateway(raw: NonNullable<RawPolicy["endpoints"]>[string]["gateway"], servedBy: string[] | undefined): GatewayProfile {
  const spec = typeof raw === "string" || raw === undefined ? { profile: raw ?? "generic" } : raw;
  const base = BUILT_IN_PROFILES[spec.profile];
  const out: GatewayProfile = { ...base };
  for (const [key, field] of Object.entries(PROFILE_KEYS)) {
    const extra = (spec as Partial<Record<string, string[]>>)[key] ?? [];
    const own = field === "servedTarget" ? [...(servedBy ?? []), ...extra] : extra;
    out[field] = [...new Set([...own.map((h) => h.toLowerCase()), ...base[field]])];
  }
  return out;
}

/** A tier's expect_served, its patterns read (a bad regular expression is a problem at its path). */
function buildExpectServed(raw: RawTier["expect_served"], path: (string | number)[], problems: Problem[]): ExpectServed | undefined {
  if (!raw) return undefined;
  const read = (key: "model" | "target") => {
    const text = raw[key];
    if (text === undefined) return undefined;
    try {
      return parseServedPattern(text);
    } catch (err) {
      problems.push({ path: formatPath([...path, "expect_served", key]), message: `is not a valid regular expression: ${(err as Error).message}`, severity: "error" });
      return undefined;
    }
  };
  return { model: read("model"), target: read("target") };
}

function buildRetry(base: RetrySpec, r: RawRetry | undefined, path: (string | number)[], problems: Problem[]): RetrySpec {
  const spec: RetrySpec = {
    maxAttempts: r?.max_attempts ?? base.maxAttempts,
    baseDelayMs: r?.base_delay_ms ?? base.baseDelayMs,
    maxDelayMs: r?.max_delay_ms ?? base.maxDelayMs,
    jitter: r?.jitter ?? base.jitter,
    retryOn: r?.retry_on ?? base.retryOn,
    respectRetryAfter: r?.respect_retry_after ?? base.respectRetryAfter,
    maxRetryAfterMs: r?.max_retry_after_ms ?? base.maxRetryAfterMs,
  };
  if (r && spec.baseDelayMs > spec.maxDelayMs) {
    problems.push({
      path: formatPath([...path, "base_delay_ms"]),
      message: `must not exceed max_delay_ms (${spec.baseDelayMs} > ${spec.maxDelayMs})`,
      severity: "error",
    });
  }
  if (r?.retry_on?.includes("ok")) {
    problems.push({ path: formatPath([...path, "retry_on"]), message: "ok is a success and cannot be retried", severity: "error" });
  }
  return spec;
}

function buildBreaker(base: BreakerSpec, b: RawBreaker | undefined): BreakerSpec {
  return {
    enabled: b?.enabled ?? base.enabled,
    failureThreshold: b?.failure_threshold ?? base.failureThreshold,
    cooldownMs: b?.cooldown_ms ?? base.cooldownMs,
  };
}

function buildChain(name: string, c: RawChain, endpoints: Record<string, Endpoint>, problems: Problem[], redact: Redactor): Chain {
  const chainPath = ["chains", name];
  const retry = buildRetry(DEFAULTS.retry, c.retry, [...chainPath, "retry"], problems);
  const breaker = buildBreaker(DEFAULTS.breaker, c.breaker);
  const endpointNames = Object.keys(endpoints);
  const endpointOf = (given: string | undefined, path: (string | number)[]): string => {
    if (given === undefined) {
      if (endpointNames.length === 1) return endpointNames[0]!;
      problems.push({
        path: formatPath([...path, "endpoint"]),
        message: `is required when there are several endpoints (one of ${endpointNames.join(", ")})`,
        severity: "error",
      });
      return "";
    }
    if (!endpoints[given]) {
      const hint = didYouMean(given, endpointNames);
      problems.push({
        path: formatPath([...path, "endpoint"]),
        message: `names no endpoint${hint ? ` (did you mean ${hint}?)` : ` (endpoints: ${endpointNames.join(", ")})`}`,
        severity: "error",
      });
    }
    return given;
  };
  const tiers: Tier[] = c.tiers.map((t, i) => {
    const path = [...chainPath, "tiers", i];
    if (t.members && t.model !== undefined) {
      problems.push({ path: formatPath([...path, "members"]), message: "a tier is either one model or a pool of members: remove model (or members)", severity: "error" });
    }
    const first = t.members?.[0];
    const endpoint = endpointOf(first ? first.endpoint : t.endpoint, first ? [...path, "members", 0] : path);
    const model = first?.model ?? t.model;
    const timeoutMs = t.timeout_ms ?? DEFAULTS.timeoutMs;
    for (const key of ["connect_timeout_ms", "ttft_timeout_ms", "stall_timeout_ms"] as const) {
      const v = t[key];
      if (typeof v === "number" && v > timeoutMs) {
        problems.push({ path: formatPath([...path, key]), message: `${v} exceeds the tier's timeout_ms (${timeoutMs}); it would never fire`, severity: "warning" });
      }
    }
    const headers = t.headers ?? {};
    const tier: Tier = {
      index: i + 1,
      model,
      endpoint,
      provider: t.provider ?? endpoints[endpoint]?.provider ?? inferProvider(model),
      timeoutMs,
      connectTimeoutMs: t.connect_timeout_ms ?? timeoutMs,
      ttftTimeoutMs: t.ttft_timeout_ms === null ? undefined : (t.ttft_timeout_ms ?? defaultTtftTimeoutMs(timeoutMs)),
      stallTimeoutMs: t.stall_timeout_ms,
      price: t.price ? { inputPerMTok: t.price.input_per_mtok, outputPerMTok: t.price.output_per_mtok } : undefined,
      contextWindow: t.context_window,
      quality: t.quality,
      pin: t.pin ?? false,
      retry: buildRetry(retry, t.retry, [...path, "retry"], problems),
      breaker: buildBreaker(breaker, t.breaker),
      headers,
      headersId: headersId(headers, redact),
      expectServed: buildExpectServed(t.expect_served, path, problems),
      members: [],
      strategy: t.strategy ?? "weighted",
      weight: 1,
      member: null,
    };
    if (!t.members) return tier;
    // a pool: each member is the pool's controls with its own overrides
    const members = t.members.map((m, k): Tier => {
      const mPath = [...path, "members", k];
      const mEndpoint = k === 0 ? endpoint : endpointOf(m.endpoint, mPath);
      const mTimeout = m.timeout_ms ?? timeoutMs;
      const mHeaders = { ...headers, ...m.headers };
      return {
        ...tier,
        model: m.model,
        endpoint: mEndpoint,
        provider: m.provider ?? endpoints[mEndpoint]?.provider ?? inferProvider(m.model),
        timeoutMs: mTimeout,
        connectTimeoutMs: m.connect_timeout_ms ?? (t.connect_timeout_ms === undefined ? mTimeout : Math.min(t.connect_timeout_ms, mTimeout)),
        ttftTimeoutMs: t.ttft_timeout_ms === null ? undefined : (t.ttft_timeout_ms ?? defaultTtftTimeoutMs(mTimeout)),
        price: m.price ? { inputPerMTok: m.price.input_per_mtok, outputPerMTok: m.price.output_per_mtok } : tier.price,
        contextWindow: m.context_window ?? tier.contextWindow,
        headers: mHeaders,
        headersId: headersId(mHeaders, redact),
        expectServed: m.expect_served ? buildExpectServed(m.expect_served, mPath, problems) : tier.expectServed,
        weight: m.weight ?? 1,
        member: `${mEndpoint}/${m.model}`,
      };
    });
    const seen = new Map<string, number>();
    members.forEach((m, k) => {
      const key = targetKey(m.endpoint, m.model, m.headersId);
      const before = seen.get(key);
      if (before !== undefined) {
        problems.push({ path: formatPath([...path, "members", k]), message: `is members[${before}] again (the same model on the same endpoint with the same headers): members must differ`, severity: "error" });
      }
      seen.set(key, k);
    });
    const lead = members[0]!;
    return { ...tier, provider: lead.provider, timeoutMs: lead.timeoutMs, connectTimeoutMs: lead.connectTimeoutMs, price: lead.price, headers: lead.headers, headersId: lead.headersId, members };
  });
  if (c.max_depth !== undefined && c.max_depth > tiers.length) {
    problems.push({
      path: formatPath([...chainPath, "max_depth"]),
      message: `is ${c.max_depth} but the chain has ${tiers.length} tier(s)`,
      severity: "warning",
    });
  }
  return {
    name,
    tiers,
    deadlineMs: c.deadline_ms,
    maxDepth: Math.min(c.max_depth ?? tiers.length, tiers.length),
    hedgeAfterMs: c.hedge_after_ms,
    malformedChunk: c.malformed_chunk ?? "fail",
    slo: { successRate: c.slo?.success_rate, p95Ms: c.slo?.p95_ms },
  };
}

function buildProbe(p: NonNullable<RawPolicy["probe"]>, problems: Problem[]): ProbeSpec {
  const expect = p.expect ?? {};
  if (expect.regex !== undefined) {
    try {
      new RegExp(expect.regex);
    } catch (err) {
      problems.push({ path: "probe.expect.regex", message: `is not a valid regular expression: ${(err as Error).message}`, severity: "error" });
    }
  }
  if (expect.json_schema !== undefined) {
    try {
      new Ajv({ strict: false }).compile(expect.json_schema);
    } catch (err) {
      problems.push({ path: "probe.expect.json_schema", message: `is not a valid JSON Schema: ${(err as Error).message}`, severity: "error" });
    }
  }
  const fr = expect.finish_reason;
  return {
    messages: p.messages ?? [{ role: "user", content: "healthcheck" }],
    maxTokens: p.max_tokens ?? DEFAULTS.probe.maxTokens,
    stream: p.stream ?? false,
    temperature: p.temperature,
    concurrency: p.concurrency ?? DEFAULTS.probe.concurrency,
    expect: {
      contains: expect.contains,
      regex: expect.regex,
      json: expect.json ?? false,
      jsonSchema: expect.json_schema,
      finishReason: fr === undefined ? ["stop", "length"] : Array.isArray(fr) ? fr : [fr],
    },
  };
}

/**
 * A streamed attempt's first-token deadline when the tier sets none: half its timeout. A stream whose first
 * token has not come by then is failed over while the next tier still has time to answer.
 */
export function defaultTtftTimeoutMs(timeoutMs: number): number {
  return Math.round(timeoutMs / 2);
}
