import { readFile, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileBreakerStore } from "../fallback/breakerStore.js";
import { formatMetric, type Verdict } from "../gate/evaluateThresholds.js";
import { judgeFiles } from "../gate/judgeFiles.js";
import type { AlertRule, Policy } from "../model/policy.js";
import { dayFile } from "../store/appendRecords.js";
import { expandInputs } from "../store/expandInputs.js";
import { offsetOfTime } from "../store/offsetOfTime.js";
import type { Redactor } from "../util/redact.js";
import { alertTransition, delivered, QUIET, type AlertState } from "./alertTransition.js";
import { deliverWebhook } from "./deliverWebhook.js";
import { sleep } from "../util/sleep.js";

/** How long an exiting tierwatch waits for alert deliveries under way. */
export const FLUSH_GRACE_MS = 5000;

/** What the alerting tells the operator (stderr), never with a webhook URL in it. */
export type AlertLog = (line: string) => void;

/** Where alert output goes: the operator's log, and the notifications of rules without a webhook. */
export interface AlertSink {
  log: AlertLog;
  /** a notification with no webhook: the caller prints it (stdout, a JSON line or its text) */
  print: (body: Record<string, unknown>) => void;
}

/**
 * Evaluates the policy's alert rules over the records of their windows after each round, and delivers
 * firing, reminder and resolved notifications in the background (a slow or dead receiver never delays
 * probing; what was not delivered is sent again after the next round). State lives in `<dir>/alerts.json`.
 */
export function createAlerting(policy: Policy, dataDir: string, sink: AlertSink, redact: Redactor) {
  const stateFile = path.join(dataDir, "alerts.json");
  let inFlight: Promise<void> = Promise.resolve();
  let busy = false;
  // aborted when the process is about to exit: deliveries still under way give up and stay pending
  const closing = new AbortController();
  const loadState = async (): Promise<Record<string, AlertState>> => {
    try {
      return JSON.parse(await readFile(stateFile, "utf8")) as Record<string, AlertState>;
    } catch {
      return {};
    }
  };
  const saveState = async (states: Record<string, AlertState>) => {
    const tmp = `${stateFile}.${process.pid}.tmp`;
    await writeFile(tmp, JSON.stringify(states, null, 1));
    await rename(tmp, stateFile);
  };
  return {
    /** evaluates every rule at `now`; deliveries run in the background */
    async afterRound(now: number): Promise<void> {
      if (policy.alerts.length === 0 || busy) return;
      let verdicts: Verdict[];
      try {
        verdicts = await evaluateAlertRules(policy, dataDir, now);
      } catch (err) {
        // the round's records are written; alerts that cannot be evaluated must not stop the monitor
        sink.log(`alerts not evaluated: ${redact(err instanceof Error ? err.message : String(err))}`);
        return;
      }
      const states = await loadState();
      const sends: { rule: AlertRule; kind: "firing" | "reminder" | "resolved"; verdict: Verdict }[] = [];
      for (const [i, rule] of policy.alerts.entries()) {
        const { next, send } = alertTransition(states[rule.name] ?? QUIET, verdicts[i]!, now, rule.remindEveryMs);
        states[rule.name] = next;
        if (send) sends.push({ rule, kind: send, verdict: verdicts[i]! });
      }
      await saveState(states);
      if (sends.length === 0) return;
      busy = true;
      inFlight = (async () => {
        for (const s of sends) {
          if (closing.signal.aborted) break;
          const body = alertBody(s.rule, s.kind, s.verdict, states[s.rule.name]!, now);
          let ok = true;
          if (!s.rule.webhook) {
            sink.print(body);
          } else {
            const res = await deliverWebhook(s.rule.webhook, body, { headers: s.rule.headers, signal: closing.signal });
            ok = res.ok;
            const where = new URL(s.rule.webhook).origin;
            sink.log(ok ? `alert ${s.rule.name}: ${s.kind} sent to ${where}` : `alert ${s.rule.name}: ${s.kind} not delivered to ${where} (${redact(res.error ?? "")}); will retry after the next round`);
          }
          if (ok) {
            const latest = await loadState();
            latest[s.rule.name] = delivered(latest[s.rule.name] ?? QUIET, s.kind, now);
            await saveState(latest);
          }
        }
      })()
        .catch((err: unknown) => {
          // a delivery must never take the monitor down: the notification stays pending for the next round
          sink.log(`alert delivery failed: ${redact(err instanceof Error ? err.message : String(err))}; will retry after the next round`);
        })
        .finally(() => {
          busy = false;
        });
    },
    /**
     * Waits for deliveries under way before the process exits, at most `graceMs`; what is still undelivered
     * then stays pending in alerts.json and is sent after the next run's first round.
     */
    async flush(graceMs = FLUSH_GRACE_MS): Promise<void> {
      if (!busy) return inFlight;
      const timer = new AbortController();
      await Promise.race([inFlight, sleep(graceMs, timer.signal)]);
      timer.abort();
      if (busy) {
        sink.log(`alert delivery still under way after ${graceMs} ms: given up, kept for the next run`);
        closing.abort();
        await inFlight;
      }
    },
  };
}

// records are appended in time order, give or take the rounds and requests under way when a line was
// written (a record is written when its round ends): a window is read from this long before its start
const WRITE_SKEW_MS = 5 * 60_000;

// Each distinct window is read once, from its start: the day files it covers, each from the offset of the
// window's start (found by a few reads), so an evaluation costs the window's records, not the day's.
/** Each alert rule's verdict at `now` over the records in its window (nothing sent, no state kept). */
export async function evaluateAlertRules(policy: Policy, dataDir: string, now: number): Promise<Verdict[]> {
  const breakers = policy.alerts.some((a) => a.when.metric === "breaker_open_ms") ? await fileBreakerStore(dataDir).snapshot() : undefined;
  const all = (await expandInputs([dataDir], dataDir).catch(() => [])).filter((f) => f.endsWith(".jsonl"));
  const verdicts: Verdict[] = new Array(policy.alerts.length);
  for (const windowMs of new Set(policy.alerts.map((a) => a.windowMs))) {
    const rules = policy.alerts.map((a, i) => ({ a, i })).filter(({ a }) => a.windowMs === windowMs);
    const since = now - windowMs;
    const days = new Set<string>();
    for (let t = since - WRITE_SKEW_MS; t < now + 86_400_000; t += 86_400_000) days.add(dayFile(dataDir, new Date(Math.min(t, now)).toISOString()));
    const files = all.filter((f) => days.has(f));
    const startAt = new Map(files.map((f) => [f, offsetOfTime(f, since - WRITE_SKEW_MS)]));
    const judged = await judgeFiles(files, rules.map(({ a }) => a.when), policy, { since, until: now + 1 }, { minSamples: rules.map(({ a }) => a.minSamples), now, breakers, startAt, decisive: "pass" });
    rules.forEach(({ i }, k) => (verdicts[i] = judged.verdicts[k]!));
  }
  return verdicts;
}

/** The notification: rule, status, measured value, window and sample count; never a key or a webhook URL. */
export function alertBody(rule: AlertRule, kind: "firing" | "reminder" | "resolved", v: Verdict, s: AlertState, now: number): Record<string, unknown> {
  const window = fmtWindow(rule.windowMs);
  const value = formatMetric(rule.when.metric, v.measured);
  const word = kind === "resolved" ? "RESOLVED" : kind === "reminder" ? "STILL FIRING" : "FIRING";
  const text = `${kind === "resolved" ? "✅" : "🔴"} tierwatch alert ${rule.name} ${word}: ${rule.when.metric} = ${value} over the last ${window} (n=${v.n}); condition: ${rule.when.text}`;
  if (rule.format === "slack") return { text };
  return {
    alert: rule.name,
    status: kind === "resolved" ? "resolved" : "firing",
    reminder: kind === "reminder",
    condition: rule.when.text,
    metric: rule.when.metric,
    value: v.measured,
    window,
    samples: v.n,
    firing_since: s.since,
    at: new Date(now).toISOString(),
    text,
  };
}

function fmtWindow(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}
