import { Ajv } from "ajv";
import { usageError } from "../errors.js";
import { formatProblem } from "../errors.js";
import { schemaProblems } from "../util/schemaProblems.js";

/** Faults the simulator can inject, each by probability per request. */
export const FAULTS = [
  "rate_limited",
  "server_error",
  "hang",
  "drip",
  "reset",
  "stream_cut",
  "stream_stall",
  "malformed_json",
  "malformed_chunk",
  "wrong_shape",
  "length",
  "context_length",
  "content_filter",
  "auth",
] as const;
export type Fault = (typeof FAULTS)[number];

/** A latency distribution: a fixed value, uniform between bounds, or log-normal through p50 and p95. */
export type LatencySpec = number | { fixed: number } | { min: number; max: number } | { p50: number; p95: number };

/** One model's behaviour; phases override it for a range of requests or seconds. */
export interface ModelBehaviour {
  latency_ms?: LatencySpec;
  ttft_ms?: LatencySpec;
  content?: string;
  tokens?: number;
  served_model?: string;
  faults?: Partial<Record<Fault, number>>;
  retry_after_s?: number;
  server_error_status?: number;
  rate_limit_rpm?: number;
  context_window?: number;
}

/** A behaviour that applies only to requests [from, to) by count, or to seconds [from, to) since start. */
export interface Phase extends ModelBehaviour {
  requests?: [number, number];
  seconds?: [number, number];
}

/**
 * The simulator playing a gateway with fallbacks of its own: when a model's own answer fails with an HTTP
 * error or a reset, the request is answered by its fallback models in turn, and the response says so the
 * way a real gateway does (`portkey` or `litellm` headers), or only by the body's `model` (`plain`).
 */
export interface GatewayPlay {
  style: "portkey" | "litellm" | "plain";
  fallbacks: Record<string, string[]>;
}

/** Faults a playing gateway falls back on: failures before any answer. */
export const GATEWAY_FALLS_BACK_ON: readonly Fault[] = ["rate_limited", "server_error", "auth", "reset"];

/** A simulator scenario: defaults, per-model behaviour and phases. */
export interface Scenario {
  seed?: number;
  gateway?: GatewayPlay;
  /** what an unlisted model gets: the defaults ("serve", the default), or a 404 as a real gateway sends ("reject") */
  unknown_models?: "reject" | "serve";
  defaults?: ModelBehaviour;
  models?: Record<string, ModelBehaviour & { phases?: Phase[] }>;
}

const latency = {
  anyOf: [
    { type: "number", minimum: 0 },
    { type: "object", additionalProperties: false, required: ["fixed"], properties: { fixed: { type: "number", minimum: 0 } } },
    {
      type: "object",
      additionalProperties: false,
      required: ["min", "max"],
      properties: { min: { type: "number", minimum: 0 }, max: { type: "number", minimum: 0 } },
    },
    {
      type: "object",
      additionalProperties: false,
      required: ["p50", "p95"],
      properties: { p50: { type: "number", exclusiveMinimum: 0 }, p95: { type: "number", exclusiveMinimum: 0 } },
    },
  ],
};
const behaviourProps = {
  latency_ms: latency,
  ttft_ms: latency,
  content: { type: "string" },
  tokens: { type: "integer", minimum: 1 },
  served_model: { type: "string" },
  faults: {
    type: "object",
    additionalProperties: false,
    properties: Object.fromEntries(FAULTS.map((f) => [f, { type: "number", minimum: 0, maximum: 1 }])),
  },
  retry_after_s: { type: "number", minimum: 0 },
  server_error_status: { type: "integer", minimum: 500, maximum: 599 },
  rate_limit_rpm: { type: "number", exclusiveMinimum: 0 },
  context_window: { type: "integer", minimum: 1 },
};
const range = { type: "array", items: { type: "number", minimum: 0 }, minItems: 2, maxItems: 2 };

/** JSON Schema of a scenario file. */
export const scenarioSchema = {
  type: "object",
  additionalProperties: false,
  properties: {
    seed: { type: "integer" },
    unknown_models: { enum: ["reject", "serve"] },
    gateway: {
      type: "object",
      additionalProperties: false,
      required: ["style", "fallbacks"],
      properties: {
        style: { enum: ["portkey", "litellm", "plain"] },
        fallbacks: { type: "object", additionalProperties: { type: "array", items: { type: "string", minLength: 1 }, minItems: 1 } },
      },
    },
    defaults: { type: "object", additionalProperties: false, properties: behaviourProps },
    models: {
      type: "object",
      additionalProperties: {
        type: "object",
        additionalProperties: false,
        properties: {
          ...behaviourProps,
          phases: {
            type: "array",
            items: { type: "object", additionalProperties: false, properties: { ...behaviourProps, requests: range, seconds: range } },
          },
        },
      },
    },
  },
} as const;

let validator: ReturnType<Ajv["compile"]> | undefined;

/** Checks a parsed scenario document; throws a usage error listing every problem with its path. */
export function validateScenario(doc: unknown, source: string): Scenario {
  validator ??= new Ajv({ allErrors: true, strict: false, verbose: true }).compile(scenarioSchema);
  if (!validator(doc)) {
    const problems = schemaProblems(validator.errors);
    // the problems are in the message, each once (the CLI prints a message's attached problems again)
    throw usageError(`${source}: not a valid scenario\n${problems.map((p) => `  ${formatProblem(p)}`).join("\n")}`);
  }
  const scenario = doc as Scenario;
  for (const [name, m] of Object.entries(scenario.models ?? {})) {
    for (const [i, b] of [m, ...(m.phases ?? [])].entries()) {
      const sum = Object.values(b.faults ?? {}).reduce((a, x) => a + (x ?? 0), 0);
      if (sum > 1 + 1e-9) {
        const where = i === 0 ? `models.${name}.faults` : `models.${name}.phases[${i - 1}].faults`;
        throw usageError(`${source}: ${where}: probabilities add up to ${sum.toFixed(3)}, more than 1`);
      }
    }
  }
  return scenario;
}
