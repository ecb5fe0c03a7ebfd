/**
 * What a gateway says about who answered, and what "served as intended" means: one home for both.
 *
 * The endpoint tierwatch probes through is often a fallback engine itself (Portkey, LiteLLM's proxy,
 * OpenRouter): when a tier's provider is down, the gateway answers from another target and the answer
 * comes back ok. A gateway profile names the response headers (and body fields) in which a gateway tells
 * what it did; `servedAsIntended` decides, from what was read, whether the tier's own target answered.
 */

export const GATEWAY_PROFILES = ["generic", "portkey", "litellm", "openrouter"] as const;
export type GatewayProfileName = (typeof GATEWAY_PROFILES)[number];

/** Where one gateway puts its word on an answer: response header names (lower case), first present wins. */
export interface GatewayProfile {
  profile: GatewayProfileName;
  /** the target (deployment, option, provider) that answered: recorded as served_target */
  servedTarget: string[];
  /** the model that answered, when a header says so (the body's `model` is read in any case) */
  servedModel: string[];
  /** retries the gateway made on the target that answered */
  retries: string[];
  /** fallbacks the gateway made before the target that answered: more than 0 is a gateway fallback */
  fallbacks: string[];
  /** an option path such as `config.targets[1]`: a last index above 0 is a gateway fallback */
  optionIndex: string[];
  /** present and not "false" or "0": the gateway itself failed, not the provider behind it */
  gatewayError: string[];
  /** the gateway's own price of the request, in USD */
  cost: string[];
  /** the body's `provider` field names the target (OpenRouter) */
  bodyProvider: boolean;
}

const none: Omit<GatewayProfile, "profile"> = {
  servedTarget: [],
  servedModel: [],
  retries: [],
  fallbacks: [],
  optionIndex: [],
  gatewayError: [],
  cost: [],
  bodyProvider: false,
};

/** The built-in profiles. */
export const BUILT_IN_PROFILES: Record<GatewayProfileName, GatewayProfile> = {
  generic: { ...none, profile: "generic", servedTarget: ["x-served-by"] },
  portkey: {
    ...none,
    profile: "portkey",
    servedTarget: ["x-portkey-last-used-option-index", "x-portkey-provider"],
    retries: ["x-portkey-retry-attempt-count"],
    optionIndex: ["x-portkey-last-used-option-index"],
    gatewayError: ["x-portkey-gateway-exception"],
  },
  litellm: {
    ...none,
    profile: "litellm",
    servedTarget: ["x-litellm-model-id", "x-litellm-model-api-base"],
    retries: ["x-litellm-attempted-retries"],
    fallbacks: ["x-litellm-attempted-fallbacks"],
    cost: ["x-litellm-response-cost"],
  },
  openrouter: { ...none, profile: "openrouter", bodyProvider: true },
};

/** The header lists a policy may extend, by their policy key. */
export const PROFILE_KEYS = {
  served_target: "servedTarget",
  served_model: "servedModel",
  retries: "retries",
  fallbacks: "fallbacks",
  option_index: "optionIndex",
  gateway_error: "gatewayError",
  cost: "cost",
} as const satisfies Record<string, keyof Omit<GatewayProfile, "profile" | "bodyProvider">>;

/** A pattern a served value must match: a name (the rule for model names applies) or a regular expression. */
export type ServedPattern = { name: string } | { regex: RegExp };

/** What serving a tier as intended looks like (tiers[].expect_served); by default, the requested model. */
export interface ExpectServed {
  model: ServedPattern | undefined;
  target: ServedPattern | undefined;
}

/** Reads `/.../flags` as a regular expression, anything else as a name; throws on a bad expression. */
export function parseServedPattern(text: string): ServedPattern {
  const m = /^\/(.*)\/([a-z]*)$/s.exec(text);
  return m ? { regex: new RegExp(m[1]!, m[2]) } : { name: text };
}

// the suffixes a provider adds to a model's name for one of its versions: -2025-04-14, -20250514,
// @20250514, -0613 (and the same after an underscore)
const DATED = /^[-_@](\d{4}-\d{2}-\d{2}|\d{8}|\d{4})$/;

/**
 * Whether `served` is the model `requested` names: the same name (case aside, a `provider/` prefix on
 * either aside) or a dated version of it (`gpt-4.1` served as `gpt-4.1-2025-04-14`).
 */
export function sameModel(requested: string, served: string): boolean {
  const a = bare(requested);
  const b = bare(served);
  return a === b || (b.startsWith(a) && DATED.test(b.slice(a.length)));
}

const bare = (name: string) => name.toLowerCase().replace(/^.*\//, "");

function matches(p: ServedPattern, value: string, asModel: boolean): boolean {
  if ("regex" in p) {
    p.regex.lastIndex = 0;
    return p.regex.test(value);
  }
  return asModel ? sameModel(p.name, value) : p.name === value;
}

/** What a response said about who served it. */
export interface ServedBy {
  model: string | null;
  target: string | null;
  /** the profile's own signal: true when the gateway says it fell back, false when it says it did not, null when silent */
  signal: boolean | null;
}

/**
 * Whether the tier's own target answered: false when the served model (or, when the tier names one, the
 * served target) is not the expected one, or the gateway's own signal says it fell back (unless the tier
 * names its target, which then decides); true when something known says so; null when nothing does.
 */
export function servedAsIntended(requestedModel: string, expect: ExpectServed | undefined, served: ServedBy): boolean | null {
  let known = false;
  if (served.model !== null) {
    if (!matches(expect?.model ?? { name: requestedModel }, served.model, true)) return false;
    known = true;
  }
  if (expect?.target !== undefined) {
    if (served.target !== null) {
      if (!matches(expect.target, served.target, false)) return false;
      known = true;
    }
  } else if (served.signal !== null) {
    if (served.signal) return false;
    known = true;
  }
  return known ? true : null;
}

/** An option path's last index (`config.targets[0].targets[2]` → 2), or null when it has none. */
export function lastOptionIndex(path: string): number | null {
  const m = /\[(\d+)\][^[]*$/.exec(path);
  return m ? Number(m[1]) : null;
}
