import { Agent, type Dispatcher } from "undici";

/** What attempts need from the outside world: a dispatcher (keep-alive pool) and the wall clock. */
export interface Transport {
  dispatcher: Dispatcher;
  /** wall-clock time in epoch ms, for record timestamps; latency is measured with performance.now() */
  now(): number;
}

/** A keep-alive undici pool for probing; close it when done. */
export function createTransport(options: { connections?: number } = {}): Transport & { close(): Promise<void> } {
  const agent = new Agent({
    keepAliveTimeout: 30_000,
    keepAliveMaxTimeout: 120_000,
    connections: options.connections ?? 64,
    // tierwatch enforces its own deadlines; undici's 300 s defaults must never be the ones that fire
    headersTimeout: 0,
    bodyTimeout: 0,
  });
  return { dispatcher: agent, now: () => Date.now(), close: () => agent.close() };
}
