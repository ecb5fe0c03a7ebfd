import { STATUSES } from "../model/status.js";
import { GATEWAY_PROFILES, PROFILE_KEYS } from "../model/gateway.js";

// The policy file's JSON Schema (draft-07). It is the single source for validation
// (`tierwatch validate`) and for editors (`tierwatch schema`).

const ms = (description: string) => ({ type: "number", exclusiveMinimum: 0, description });
const positiveInt = (description: string) => ({ type: "integer", minimum: 1, description });
const headers = {
  type: "object",
  additionalProperties: { type: "string" },
  description: "extra HTTP headers sent with every request",
};

const retry = {
  type: "object",
  additionalProperties: false,
  description: "retries on the same tier before switching to the next",
  properties: {
    max_attempts: positiveInt("attempts on one tier, the first included (default 2)"),
    base_delay_ms: { type: "number", minimum: 0, description: "first backoff delay (default 250)" },
    max_delay_ms: { type: "number", minimum: 0, description: "largest backoff delay (default 4000)" },
    jitter: { enum: ["full", "none"], description: "full: wait a uniform random share of the backoff (default)" },
    retry_on: {
      type: "array",
      items: { enum: [...STATUSES] },
      uniqueItems: true,
      description: "statuses retried on the same tier (default rate_limited, server_error, network)",
    },
    respect_retry_after: { type: "boolean", description: "wait what Retry-After asks (default true)" },
    max_retry_after_ms: {
      type: "number",
      minimum: 0,
      description: "a longer Retry-After fails over instead of waiting (default 10000)",
    },
  },
};

const breaker = {
  type: "object",
  additionalProperties: false,
  description: "circuit breaker per (endpoint, model)",
  properties: {
    enabled: { type: "boolean", description: "default true" },
    failure_threshold: positiveInt("consecutive failures that open it (default 5)"),
    cooldown_ms: ms("how long it stays open before one trial request (default 60000)"),
  },
};

const expectServed = {
  type: "object",
  additionalProperties: false,
  minProperties: 1,
  description: "what serving this tier as intended looks like (default: the requested model or a dated version of it)",
  properties: {
    model: { type: "string", minLength: 1, description: "the served model: a name (dated versions match) or /regex/" },
    target: { type: "string", minLength: 1, description: "the served target the gateway names: a value or /regex/" },
  },
};

const member = {
  type: "object",
  additionalProperties: false,
  required: ["model"],
  properties: {
    model: { type: "string", minLength: 1, description: "model name sent to the member's endpoint" },
    endpoint: { type: "string", description: "endpoint name; may be left out when there is only one" },
    provider: { type: "string", description: "who serves it (inferred when left out)" },
    weight: { type: "number", exclusiveMinimum: 0, description: "share of the pool's traffic under strategy weighted (default 1)" },
    timeout_ms: ms("this member's deadline (default: the pool's)"),
    connect_timeout_ms: ms("deadline for the connection and response headers (default: the pool's)"),
    price: {
      type: "object",
      additionalProperties: false,
      required: ["input_per_mtok", "output_per_mtok"],
      properties: { input_per_mtok: { type: "number", minimum: 0 }, output_per_mtok: { type: "number", minimum: 0 } },
    },
    context_window: positiveInt("context window in tokens"),
    headers,
    expect_served: expectServed,
  },
};

const tier = {
  type: "object",
  additionalProperties: false,
  anyOf: [
    { required: ["model"], properties: { model: { type: "string" } } },
    { required: ["members"], properties: { members: { type: "array" } } },
  ],
  properties: {
    model: { type: "string", minLength: 1, description: "model name sent to the endpoint" },
    members: { type: "array", minItems: 1, items: member, description: "a pool: the tier's traffic shared among these (instead of model)" },
    strategy: { enum: ["weighted", "latency", "least_errors"], description: "how a pool picks its member (default weighted)" },
    endpoint: { type: "string", description: "endpoint name; may be left out when there is only one" },
    provider: { type: "string", description: "who serves the model (inferred from its name when left out)" },
    timeout_ms: ms("hard deadline for the whole attempt: connect, headers and body (default 20000)"),
    connect_timeout_ms: ms("deadline for the connection and response headers (default: timeout_ms)"),
    ttft_timeout_ms: {
      type: ["number", "null"],
      exclusiveMinimum: 0,
      description: "deadline for the first content token of a stream (default: half of timeout_ms; null: none)",
    },
    stall_timeout_ms: ms("longest silence allowed between stream chunks"),
    price: {
      type: "object",
      additionalProperties: false,
      required: ["input_per_mtok", "output_per_mtok"],
      description: "USD per million tokens",
      properties: {
        input_per_mtok: { type: "number", minimum: 0 },
        output_per_mtok: { type: "number", minimum: 0 },
      },
    },
    context_window: positiveInt("context window in tokens"),
    quality: { type: "number", description: "higher is better; recommend never puts a lower one above a higher one" },
    pin: { type: "boolean", description: "recommend never moves this tier" },
    retry,
    breaker,
    headers,
    expect_served: expectServed,
  },
};

const headerList = (description: string) => ({ type: "array", items: { type: "string", minLength: 1 }, description });
const gateway = {
  anyOf: [
    { enum: [...GATEWAY_PROFILES] },
    {
      type: "object",
      additionalProperties: false,
      required: ["profile"],
      properties: {
        profile: { enum: [...GATEWAY_PROFILES] },
        ...Object.fromEntries(Object.keys(PROFILE_KEYS).map((k) => [k, headerList(`more response headers for ${k}, read before the profile's`)])),
      },
    },
  ],
  description: "the gateway behind this endpoint, whose response headers say who answered (default generic)",
};

const chain = {
  type: "object",
  additionalProperties: false,
  required: ["tiers"],
  properties: {
    tiers: { type: "array", minItems: 1, items: tier, description: "ordered: tier 1 first" },
    retry,
    breaker,
    deadline_ms: ms("overall deadline across all tiers"),
    max_depth: positiveInt("how many tiers may be tried at most (default: all)"),
    hedge_after_ms: ms("start the next tier when the current one has not answered after this long"),
    malformed_chunk: { enum: ["fail", "skip"], description: "a stream chunk that is not JSON (default fail)" },
    slo: {
      type: "object",
      additionalProperties: false,
      properties: {
        success_rate: { type: "number", minimum: 0, maximum: 1 },
        p95_ms: ms("p95 latency ceiling"),
      },
    },
  },
};

/** The policy file's JSON Schema. */
export const policySchema = {
  $schema: "http://json-schema.org/draft-07/schema#",
  $id: "https://tierwatch.dev/schema/policy-v1.json",
  title: "tierwatch policy",
  type: "object",
  additionalProperties: false,
  required: ["version", "chains"],
  properties: {
    $schema: { type: "string" },
    version: { const: 1, description: "policy format version" },
    endpoints: {
      type: "object",
      minProperties: 1,
      description: "OpenAI-compatible endpoints by name (default: one from FB_OPENAI_BASE_URL / FB_API_KEY_SECRET)",
      additionalProperties: {
        type: "object",
        additionalProperties: false,
        properties: {
          base_url: { type: "string", description: "e.g. https://gateway.example.com/v1 (default ${FB_OPENAI_BASE_URL})" },
          api_key: { type: "string", description: "write ${ENV_VAR}, never the key itself (default ${FB_API_KEY_SECRET})" },
          region: { type: "string" },
          provider: { type: "string" },
          headers,
          gateway,
          served_by_header: {
            type: "array",
            items: { type: "string" },
            description: "response headers naming the target a gateway served from (read before the gateway profile's)",
          },
        },
      },
    },
    chains: { type: "object", minProperties: 1, additionalProperties: chain },
    probe: {
      type: "object",
      additionalProperties: false,
      properties: {
        messages: {
          type: "array",
          minItems: 1,
          items: {
            type: "object",
            additionalProperties: false,
            required: ["role", "content"],
            properties: { role: { enum: ["system", "user", "assistant", "developer"] }, content: { type: "string" } },
          },
        },
        max_tokens: positiveInt("default 8"),
        stream: { type: "boolean", description: "default false" },
        temperature: { type: "number", minimum: 0, maximum: 2 },
        concurrency: positiveInt("requests in flight at once during a round (default 8)"),
        expect: {
          type: "object",
          additionalProperties: false,
          properties: {
            contains: { type: "string" },
            regex: { type: "string" },
            json: { type: "boolean", description: "the answer must be valid JSON" },
            json_schema: { type: "object", description: "the answer must be JSON valid against this schema" },
            finish_reason: {
              anyOf: [{ type: "string" }, { type: "array", items: { type: "string" }, minItems: 1 }],
              description: "accepted finish reasons (default stop and length: a short probe is often cut by max_tokens)",
            },
          },
        },
      },
    },
    store: {
      type: "object",
      additionalProperties: false,
      properties: { dir: { type: "string", description: "data directory (default ./tierwatch-data)" } },
    },
    alerts: {
      type: "array",
      description: "rules evaluated after each probe round",
      items: {
        type: "object",
        additionalProperties: false,
        required: ["name", "when"],
        properties: {
          name: { type: "string", minLength: 1 },
          when: { type: "string", description: "the firing condition, e.g. success_rate{tier=1} < 0.95" },
          window: { type: "string", description: "records considered, back from now (default 15m)" },
          min_samples: { type: "integer", minimum: 1, description: "fewer samples leave the alert as it is (default 10)" },
          webhook: { type: "string", description: "where to POST; write ${ENV_VAR} (a webhook URL is a secret)" },
          format: { enum: ["json", "slack"], description: "body format (default: slack for hooks.slack.com, else json)" },
          remind_every: { type: "string", description: "repeat a firing alert this often (default 1h)" },
          headers: { type: "object", additionalProperties: { type: "string" } },
        },
      },
    },
  },
} as const;
