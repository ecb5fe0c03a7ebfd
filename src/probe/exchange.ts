import type { Dispatcher } from "undici";

/** Callbacks for one response, called straight from undici's parser. */
export interface ExchangeEvents {
  /** the request is being written to a connection (after any wait for one in the pool) */
  onDispatch?(): void;
  onStart(statusCode: number, headers: Record<string, string | string[] | undefined>): void;
  onData(chunk: Buffer): void;
}

/**
 * One HTTP request over an undici dispatcher, with the response delivered by callbacks from the parser:
 * no stream layer between the socket and the timestamps, so latency is measured within a few
 * microseconds of the bytes. Resolves when the body is complete; rejects on a transport error or when
 * `signal` aborts (at once, even if the connection never answers).
 */
export function exchange(
  dispatcher: Dispatcher,
  req: { url: string; method: "GET" | "POST"; headers: Record<string, string>; body?: string },
  events: ExchangeEvents,
  signal: AbortSignal,
): Promise<void> {
  return new Promise((resolve, reject) => {
    let controller: Dispatcher.DispatchController | undefined;
    let settled = false;
    const settle = (err?: unknown) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener("abort", onAbort);
      if (err === undefined) resolve();
      else reject(err);
    };
    const reason = () => (signal.reason instanceof Error ? signal.reason : new Error("aborted"));
    const onAbort = () => {
      if (controller && !controller.aborted) controller.abort(reason());
      settle(reason());
    };
    if (signal.aborted) return onAbort();
    signal.addEventListener("abort", onAbort, { once: true });
    const url = new URL(req.url);
    try {
      dispatcher.dispatch(
        { origin: url.origin, path: `${url.pathname}${url.search}`, method: req.method, headers: req.headers, body: req.body },
        {
          onRequestStart(c) {
            controller = c;
            if (signal.aborted) c.abort(reason());
            else events.onDispatch?.();
          },
          onResponseStart(_c, statusCode, headers) {
            if (statusCode >= 200) events.onStart(statusCode, headers as Record<string, string | string[] | undefined>);
          },
          onResponseData(_c, chunk) {
            events.onData(chunk);
          },
          onResponseEnd() {
            settle();
          },
          onResponseError(_c, err) {
            settle(err);
          },
        },
      );
    } catch (err) {
      settle(err);
    }
  });
}
