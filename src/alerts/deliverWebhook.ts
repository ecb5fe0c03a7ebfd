import { request, type Dispatcher } from "undici";

/**
 * POSTs a JSON body to a webhook, retrying a failure (network, 429, 5xx) with backoff; resolves to whether
 * it was delivered. Never throws.
 */
export async function deliverWebhook(
  url: string,
  body: unknown,
  options: { dispatcher?: Dispatcher; headers?: Record<string, string>; attempts?: number; timeoutMs?: number; backoffMs?: number } = {},
): Promise<{ ok: boolean; error?: string }> {
  const attempts = options.attempts ?? 3;
  let error = "";
  for (let i = 0; i < attempts; i++) {
    if (i > 0) await new Promise((r) => setTimeout(r, (options.backoffMs ?? 500) * 2 ** (i - 1)));
    try {
      const res = await request(url, {
        method: "POST",
        dispatcher: options.dispatcher,
        headers: { "content-type": "application/json", "user-agent": "tierwatch/0.1", ...options.headers },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(options.timeoutMs ?? 5000),
      });
      await res.body.dump();
      if (res.statusCode < 300) return { ok: true };
      error = `HTTP ${res.statusCode}`;
      if (res.statusCode < 500 && res.statusCode !== 429) break;
    } catch (err) {
      error = (err as { code?: string }).code ?? (err as Error).message;
    }
  }
  return { ok: false, error };
}
