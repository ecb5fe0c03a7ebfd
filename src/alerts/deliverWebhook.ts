import { request, type Dispatcher } from "undici";
import { sleep } from "../util/sleep.js";

/**
 * POSTs a JSON body to a webhook, retrying a failure (network, 429, 5xx) with backoff; resolves to whether
 * it was delivered, and why not as text. Never throws; `signal` gives up at once (not delivered).
 */
export async function deliverWebhook(
  url: string,
  body: unknown,
  options: { dispatcher?: Dispatcher; headers?: Record<string, string>; attempts?: number; timeoutMs?: number; backoffMs?: number; signal?: AbortSignal } = {},
): Promise<{ ok: boolean; error?: string }> {
  const attempts = options.attempts ?? 3;
  let error = "";
  for (let i = 0; i < attempts; i++) {
    if (i > 0) await sleep((options.backoffMs ?? 500) * 2 ** (i - 1), options.signal);
    if (options.signal?.aborted) return { ok: false, error: error || "given up at exit" };
    const timeout = AbortSignal.timeout(options.timeoutMs ?? 5000);
    try {
      const res = await request(url, {
        method: "POST",
        dispatcher: options.dispatcher,
        headers: { "content-type": "application/json", "user-agent": "tierwatch/0.1", ...options.headers },
        body: JSON.stringify(body),
        signal: options.signal ? AbortSignal.any([timeout, options.signal]) : timeout,
      });
      await res.body.dump();
      if (res.statusCode < 300) return { ok: true };
      error = `HTTP ${res.statusCode}`;
      if (res.statusCode < 500 && res.statusCode !== 429) break;
    } catch (err) {
      error = timeout.aborted ? `no answer within ${options.timeoutMs ?? 5000} ms` : failureText(err);
    }
  }
  return { ok: false, error };
}

/** A delivery failure as text: a string error code (ECONNRESET, ENOTFOUND) or the message; never a non-string. */
function failureText(err: unknown): string {
  const e = err as { code?: unknown; message?: unknown; cause?: { code?: unknown } } | null;
  if (typeof e?.code === "string") return e.code;
  if (typeof e?.cause?.code === "string") return e.cause.code;
  return typeof e?.message === "string" ? e.message : String(err);
}
