import { MAX_ERROR_TEXT } from "../model/record.js";
import type { Status } from "../model/status.js";

/** The status and finer cause of a non-2xx response. */
export interface HttpErrorClass {
  status: Status;
  errorCode: string | null;
  message: string;
  retryAfterMs: number | null;
}

/** Reads `Retry-After` (seconds or an HTTP date) or `retry-after-ms` into milliseconds from `nowMs`. */
export function parseRetryAfter(retryAfter: string | undefined, retryAfterMs: string | undefined, nowMs: number): number | null {
  if (retryAfterMs !== undefined && /^\d+(\.\d+)?$/.test(retryAfterMs.trim())) return Number(retryAfterMs);
  if (retryAfter === undefined) return null;
  const t = retryAfter.trim();
  if (/^\d+(\.\d+)?$/.test(t)) return Number(t) * 1000;
  const date = Date.parse(t);
  return Number.isNaN(date) ? null : Math.max(0, date - nowMs);
}

/** Maps an HTTP error status and body to one status: 429, 5xx, auth, and 400s told apart by their error code. */
export function classifyHttpError(httpStatus: number, bodyText: string): HttpErrorClass {
  let code: string | null = null;
  let message = bodyText.slice(0, MAX_ERROR_TEXT);
  try {
    const parsed = JSON.parse(bodyText) as { error?: { code?: unknown; type?: unknown; message?: unknown } | string };
    const err = parsed.error;
    if (typeof err === "string") message = err;
    else if (err) {
      code = typeof err.code === "string" ? err.code : typeof err.type === "string" ? err.type : null;
      if (typeof err.message === "string") message = err.message;
    }
  } catch {
    // not JSON: keep the raw text
  }
  const text = `${code ?? ""} ${message}`.toLowerCase();
  const base = { message: `HTTP ${httpStatus}: ${message}`.slice(0, MAX_ERROR_TEXT), retryAfterMs: null };
  if (httpStatus === 429) return { ...base, status: "rate_limited", errorCode: code };
  if (httpStatus === 401 || httpStatus === 403) return { ...base, status: "auth", errorCode: code };
  if (httpStatus === 408 || httpStatus === 504) return { ...base, status: "timeout", errorCode: `http_${httpStatus}` };
  if (httpStatus >= 500) return { ...base, status: "server_error", errorCode: code };
  if (/context_length|context length|maximum context|too many tokens|prompt is too long/.test(text)) {
    return { ...base, status: "bad_request", errorCode: "context_length" };
  }
  if (/content_filter|content management|content_policy|safety system|responsibleai/.test(text)) {
    return { ...base, status: "bad_request", errorCode: "content_filter" };
  }
  if (httpStatus === 404) return { ...base, status: "bad_request", errorCode: code ?? "not_found" };
  return { ...base, status: "bad_request", errorCode: code };
}

/** Maps a transport error (refused, reset, DNS, TLS) to a `network` cause. */
export function networkErrorCode(err: unknown): string {
  const e = err as { code?: string; cause?: { code?: string } };
  const code = e?.code ?? e?.cause?.code ?? "";
  if (code === "ECONNREFUSED") return "refused";
  if (code === "ECONNRESET" || code === "UND_ERR_SOCKET" || code === "EPIPE") return "reset";
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") return "dns";
  if (code.startsWith("ERR_TLS") || code.includes("CERT") || code === "EPROTO") return "tls";
  if (code === "EHOSTUNREACH" || code === "ENETUNREACH") return "unreachable";
  return code ? code.toLowerCase() : "network";
}
