import type { Status } from "./status.js";

/** Version of the record format; readers refuse records from a newer one. */
export const RECORD_VERSION = 1;

/** No record line is longer: a longer one (a binary file, a runaway writer) is one bad line, read past without being held. */
export const MAX_LINE_BYTES = 64 * 1024 * 1024;
/** A record's `error` text is at most this long (cut after its secrets are removed). */
export const MAX_ERROR_TEXT = 300;
/** Why such a line is bad. */
export const TOO_LONG = `longer than ${MAX_LINE_BYTES / 1024 / 1024} MB: not a record`;

/** One attempt (kind "probe") or one chain outcome (kind "chain"): one JSON line in the store. */
export interface AttemptRecord {
  v: number;
  /** start time, ISO 8601 UTC */
  ts: string;
  run_id: string;
  /** probe round within the run (probes only) */
  round?: number;
  request_id: string;
  kind: "probe" | "chain";
  /** who made the attempt: a per-model probe, a chain run by tierwatch, or an application using the library */
  origin?: "probe" | "chain" | "app";
  chain: string | null;
  tier: number | null;
  model: string | null;
  endpoint: string | null;
  region: string | null;
  /** attempt number on this tier, from 1 (chain records: the number of attempts in all) */
  attempt: number;
  status: Status;
  http_status: number | null;
  latency_ms: number | null;
  ttft_ms: number | null;
  stream?: boolean;
  served_model: string | null;
  /** the target the gateway says answered (a response header or, for OpenRouter, the body's provider) */
  served_target?: string | null;
  /** upstream attempts the gateway says it made: 1 + its retries + its fallbacks (null: it does not say) */
  gateway_attempts?: number | null;
  /** the answer did not come from the tier's own target: the gateway fell back (null: nothing tells) */
  gateway_fallback?: boolean | null;
  /** the gateway's own failure, apart from the provider's (redacted, cut) */
  gateway_error?: string | null;
  /** the tier's own request headers as a short id (null: none): tells apart tiers routed by their headers */
  headers_id?: string | null;
  /** the pool member the attempt went to, `endpoint/model` (null or absent: a plain tier) */
  member?: string | null;
  served_tier: number | null;
  fallback: boolean | null;
  prompt_tokens: number | null;
  completion_tokens: number | null;
  cost_usd: number | null;
  /** finer cause within a status: context_length, content_filter, refused, reset, dns, tls, ... */
  error_code?: string | null;
  error: string | null;
  retry_after_ms?: number | null;
}
