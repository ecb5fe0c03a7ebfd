import type { Verdict } from "../gate/evaluateThresholds.js";

/** An alert's remembered state (persisted, so separate cron invocations agree). */
export interface AlertState {
  state: "ok" | "firing";
  /** when it started firing */
  since: string | null;
  /** when the last firing or reminder notification was delivered */
  notifiedAt: string | null;
  /** a notification that has not been delivered yet (the receiver was down) */
  pending: "firing" | "resolved" | null;
}

export const QUIET: AlertState = { state: "ok", since: null, notifiedAt: null, pending: null };

/**
 * The next state and what to send: firing once when the condition starts to hold, a reminder every
 * `remindEveryMs` while it holds, resolved when it stops; too few samples change nothing. An undelivered
 * notification stays pending and is sent again.
 */
export function alertTransition(s: AlertState, v: Verdict, now: number, remindEveryMs: number): { next: AlertState; send: "firing" | "reminder" | "resolved" | null } {
  const iso = new Date(now).toISOString();
  if (v.verdict === "insufficient") return { next: s, send: s.pending === "resolved" ? "resolved" : s.pending === "firing" ? "firing" : null };
  // the rule's condition holds: the alert fires
  const holds = v.verdict === "pass";
  if (holds) {
    if (s.state === "ok") return { next: { state: "firing", since: iso, notifiedAt: null, pending: "firing" }, send: "firing" };
    if (s.pending === "firing") return { next: s, send: "firing" };
    if (s.notifiedAt !== null && now - Date.parse(s.notifiedAt) >= remindEveryMs) return { next: s, send: "reminder" };
    return { next: s, send: null };
  }
  if (s.state === "firing") return { next: { state: "ok", since: null, notifiedAt: s.notifiedAt, pending: "resolved" }, send: "resolved" };
  if (s.pending === "resolved") return { next: s, send: "resolved" };
  return { next: s, send: null };
}

/** The state once a notification was delivered. */
export function delivered(s: AlertState, kind: "firing" | "reminder" | "resolved", now: number): AlertState {
  const iso = new Date(now).toISOString();
  if (kind === "resolved") return { ...QUIET };
  return { ...s, notifiedAt: iso, pending: null };
}
