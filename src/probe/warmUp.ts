import { request } from "undici";
import type { Endpoint } from "../model/policy.js";
import type { Transport } from "./transport.js";

/**
 * Opens `connections` keep-alive connections to each endpoint with a cheap GET /models, so that no probe
 * pays for a TCP or TLS handshake and latency measures the model, not the connection. Failures are ignored.
 */
export async function warmUp(endpoints: readonly Endpoint[], connections: number, transport: Transport, timeoutMs = 2000): Promise<void> {
  await Promise.all(
    endpoints.flatMap((e) =>
      Array.from({ length: connections }, async () => {
        try {
          const res = await request(`${e.baseUrl}/models`, {
            dispatcher: transport.dispatcher,
            method: "GET",
            headers: { ...e.headers, ...(e.apiKey ? { authorization: `Bearer ${e.apiKey}` } : {}) },
            signal: AbortSignal.timeout(timeoutMs),
          });
          await res.body.dump();
        } catch {
          // an endpoint that cannot be reached shows up in the probe itself
        }
      }),
    ),
  );
}
