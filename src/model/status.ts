/** Every attempt ends in exactly one of these (PRODUCT.md's vocabulary). */
export const STATUSES = [
  "ok",
  "rate_limited",
  "server_error",
  "timeout",
  "ttft_timeout",
  "stream_stalled",
  "truncated",
  "bad_response",
  "expectation_failed",
  "auth",
  "bad_request",
  "network",
  "skipped",
] as const;
export type Status = (typeof STATUSES)[number];

/** Statuses retried on the same tier by default: transient, and a retry can help. */
export const DEFAULT_RETRY_ON: Status[] = ["rate_limited", "server_error", "network"];

/** True when `s` is a known status name. */
export function isStatus(s: unknown): s is Status {
  return typeof s === "string" && (STATUSES as readonly string[]).includes(s);
}
