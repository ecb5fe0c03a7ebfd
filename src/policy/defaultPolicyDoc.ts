/** The guide's three tiers on one endpoint from FB_OPENAI_BASE_URL / FB_API_KEY_SECRET: used when there is no policy file. */
export function defaultPolicyDoc(): Record<string, unknown> {
  return {
    version: 1,
    chains: {
      default: {
        tiers: [
          { model: "gpt-4.1", timeout_ms: 20_000 },
          { model: "gpt-4.1-mini", timeout_ms: 12_000 },
          { model: "gpt-4o-mini", timeout_ms: 8_000 },
        ],
        retry: { max_attempts: 2, base_delay_ms: 250, max_delay_ms: 4000 },
        breaker: { failure_threshold: 5, cooldown_ms: 60_000 },
      },
    },
  };
}
