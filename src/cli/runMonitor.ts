import { appendFile } from "node:fs/promises";
import path from "node:path";
import { createAlerting } from "../alerts/createAlerting.js";
import { fileBreakerStore } from "../fallback/breakerStore.js";
import { startMetricsServer } from "../metrics/metricsServer.js";
import { createPromMetrics } from "../metrics/promMetrics.js";
import { acquireLock } from "../store/acquireLock.js";
import { ensureWritableDir } from "../store/ensureWritableDir.js";
import { sleep } from "../util/sleep.js";
import { createRoundRunner, type RoundSpec } from "./createRoundRunner.js";
import type { CliIo } from "./io.js";
import { onStopSignal } from "./onStopSignal.js";
import { printAlert } from "./printAlert.js";

/** A long-running monitor, or one cron round (everyMs undefined) under the same lock. */
export interface MonitorPlan extends RoundSpec {
  /** round every this many ms, on ticks aligned to multiples of it; undefined: one round */
  everyMs: number | undefined;
  /** stop after this many rounds (default: until SIGINT/SIGTERM with everyMs, else 1) */
  maxRounds?: number;
  format: "table" | "json";
  /** serve Prometheus metrics on host:port while the monitor runs */
  metricsListen?: string;
}

/** The first aligned tick after `t`: the next multiple of `every` since the epoch. */
export function nextTick(t: number, every: number): number {
  return (Math.floor(t / every) + 1) * every;
}

/**
 * Rounds on aligned ticks (a round that overruns skips the ticks it covered, logged in monitor.log; rounds
 * never overlap), the data directory locked against a second monitor, alerts after each round, and on
 * SIGINT/SIGTERM (or when the reader of standard output goes) the round under way finishes its writes
 * before the process exits 0. Nothing is kept
 * between rounds, so memory stays flat.
 */
export async function runMonitor(plan: MonitorPlan, io: CliIo, clock: () => number = Date.now): Promise<void> {
  await ensureWritableDir(plan.dataDir);
  const lock = await acquireLock(plan.dataDir);
  const runner = createRoundRunner(plan);
  const metrics = plan.metricsListen === undefined ? undefined : createPromMetrics(plan.policy);
  const breakers = fileBreakerStore(plan.dataDir);
  let server: Awaited<ReturnType<typeof startMetricsServer>> | undefined;
  try {
    if (metrics) {
      server = await startMetricsServer(plan.metricsListen!, "--metrics-listen", {
        "/metrics": async () => ({ status: 200, contentType: metrics.registry.contentType, body: await metrics.registry.metrics() }),
      });
      io.stderr.write(`tierwatch: Prometheus metrics on ${server.url}/metrics\n`);
    }
  } catch (err) {
    await runner.close();
    await lock.release();
    throw err;
  }
  let why = "";
  const stop = onStopSignal(() => io.stderr.write(`tierwatch: ${why}stopping after this round\n`));
  // a reader of our output that has gone (`| head`) ends the monitor as a signal would
  const outputClosed = () => {
    why = "standard output closed; ";
    stop.request();
  };
  if (io.outputClosed?.aborted) outputClosed();
  else io.outputClosed?.addEventListener("abort", outputClosed, { once: true });
  const alerting = createAlerting(
    plan.policy,
    plan.dataDir,
    { log: (l) => io.stderr.write(`${l}\n`), print: printAlert(io, plan.format) },
    plan.redact,
  );
  const logFile = path.join(plan.dataDir, "monitor.log");
  const event = (e: Record<string, unknown>) => appendFile(logFile, `${JSON.stringify({ ts: new Date(clock()).toISOString(), run_id: runner.runId, ...e })}\n`).catch(() => undefined);
  try {
    const every = plan.everyMs;
    let tick = every === undefined ? clock() : nextTick(clock(), every);
    if (every !== undefined) io.stderr.write(`tierwatch: probing every ${every} ms into ${plan.dataDir}; first round at ${new Date(tick).toISOString()}; Ctrl-C stops\n`);
    const maxRounds = plan.maxRounds ?? (every === undefined ? 1 : undefined);
    for (let round = 1; !stop.requested && (maxRounds === undefined || round <= maxRounds); round++) {
      // a timer may fire a millisecond before the wall clock reaches the tick: sleep out the rest
      while (!stop.requested && clock() < tick) await sleep(tick - clock(), stop.signal);
      if (stop.requested) break;
      const started = clock();
      const records = await runner.run(round);
      metrics?.observeRound(records, clock(), await breakers.snapshot());
      const ok = records.filter((r) => r.status === "ok").length;
      const summary = { round, tick: new Date(tick).toISOString(), started: new Date(started).toISOString(), ms: clock() - started, records: records.length, ok };
      if (plan.format === "json") io.stdout.write(`${JSON.stringify(summary)}\n`);
      else io.stderr.write(`${summary.started} round ${round}: ${ok}/${records.length} ok (${summary.ms} ms)\n`);
      await alerting.afterRound(clock());
      if (every === undefined) {
        // under --lock without --every: the rounds back to back
        tick = clock();
        continue;
      }
      const next = nextTick(clock(), every);
      const skipped = Math.round((next - tick) / every) - 1;
      if (skipped > 0) {
        io.stderr.write(`tierwatch: round ${round} took ${summary.ms} ms, past ${skipped} tick(s); they were skipped\n`);
        await event({ event: "ticks_skipped", round, count: skipped, round_ms: summary.ms });
      }
      tick = next;
    }
  } finally {
    io.outputClosed?.removeEventListener("abort", outputClosed);
    stop.dispose();
    await alerting.flush();
    await server?.close();
    await runner.close();
    await lock.release();
  }
}
