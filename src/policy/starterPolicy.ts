/** The commented starter policy `tierwatch init` writes: the guide's three tiers, every control explained. */
export const STARTER_POLICY = `# yaml-language-server: $schema=./tierwatch.schema.json
# tierwatch policy: what is probed is exactly what the fallback engine runs.
# Docs: README.md "The policy file". Check it with: tierwatch validate
version: 1

endpoints:
  gateway:
    # One OpenAI-compatible endpoint (Flashback repository, LiteLLM, Portkey, ...).
    base_url: \${FB_OPENAI_BASE_URL}      # e.g. https://openai-us-east-1-aws.flashback.tech/v1
    api_key: \${FB_API_KEY_SECRET}        # always a variable: the key never lives in this file
    region: us-east-1                    # a label for reports
    # headers:
    #   x-team: search

chains:
  default:
    tiers:
      - model: gpt-4.1                   # tier 1: high quality, normal traffic
        timeout_ms: 20000                # hard deadline: connect, headers and whole body
        # ttft_timeout_ms: 5000          # streams: first token must come within this
        # stall_timeout_ms: 3000         # streams: longest silence between chunks
        # price: { input_per_mtok: 2.0, output_per_mtok: 8.0 }
        # context_window: 1047576
      - model: claude-sonnet-4           # tier 2: similar quality, another provider
        timeout_ms: 12000
      - model: gpt-4o-mini               # tier 3: cheap baseline for graceful degradation
        timeout_ms: 8000
    retry:                               # on the same tier, before switching
      max_attempts: 2                    # the first attempt included
      base_delay_ms: 250                 # exponential backoff with full jitter
      max_delay_ms: 4000
      # retry_on: [rate_limited, server_error, network]
      # max_retry_after_ms: 10000        # a longer Retry-After fails over instead of waiting
    breaker:                             # per (endpoint, model)
      failure_threshold: 5               # consecutive failures that open it
      cooldown_ms: 60000                 # then one trial request
    deadline_ms: 90000                   # overall budget across all tiers: at least the worst case
                                         # (timeouts x attempts + backoff), which validate prints
    # max_depth: 3                       # tiers tried at most
    slo:
      success_rate: 0.99
      p95_ms: 5000

probe:
  messages:
    - role: user
      content: healthcheck
  max_tokens: 8
  stream: false
  # expect:
  #   contains: "ok"
  #   finish_reason: [stop, length]

store:
  dir: ./tierwatch-data                  # one JSONL file per UTC day, relative to this file
`;
