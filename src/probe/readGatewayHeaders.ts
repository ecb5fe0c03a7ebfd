import { lastOptionIndex, type GatewayProfile } from "../model/gateway.js";

/** What a gateway's response headers said, read through its profile (values unredacted: the caller redacts what it keeps). */
export interface GatewayWord {
  servedTarget: string | null;
  servedModel: string | null;
  /** upstream attempts: 1 + retries + fallbacks (or the option index), when any of those headers came */
  attempts: number | null;
  /** the gateway's own signal: true when it says it fell back, false when it says it did not, null when silent */
  signal: boolean | null;
  gatewayError: boolean;
  costUsd: number | null;
}

type Headers = Record<string, string | string[] | undefined>;

const first = (headers: Headers, names: readonly string[]): string | null => {
  for (const n of names) {
    const v = headers[n];
    const text = Array.isArray(v) ? v[0] : v;
    if (text !== undefined && text !== "") return text;
  }
  return null;
};

/** A count a header gives: a whole number ≥ 0, or null (absent or not a count). */
const count = (text: string | null): number | null => (text !== null && /^\s*\d{1,9}\s*$/.test(text) ? Number(text) : null);

/** Reads the headers a profile names. */
export function readGatewayHeaders(profile: GatewayProfile, headers: Headers): GatewayWord {
  const retries = count(first(headers, profile.retries));
  const fallbacks = count(first(headers, profile.fallbacks));
  const option = first(headers, profile.optionIndex);
  const index = option === null ? null : lastOptionIndex(option);
  const upstream = [retries, fallbacks, index].filter((x): x is number => x !== null);
  const signals = [fallbacks, index].filter((x): x is number => x !== null);
  const error = first(headers, profile.gatewayError);
  const costText = first(headers, profile.cost);
  const cost = costText === null ? NaN : Number(costText);
  return {
    servedTarget: first(headers, profile.servedTarget),
    servedModel: first(headers, profile.servedModel),
    attempts: upstream.length === 0 ? null : 1 + upstream.reduce((a, x) => a + x, 0),
    signal: signals.length === 0 ? null : signals.some((x) => x > 0),
    gatewayError: error !== null && !/^\s*(false|0)\s*$/i.test(error),
    costUsd: costText !== null && costText.trim() !== "" && Number.isFinite(cost) && cost >= 0 ? cost : null,
  };
}
