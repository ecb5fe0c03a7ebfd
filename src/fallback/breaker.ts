import type { BreakerSpec } from "../model/policy.js";
import { CLOSED, type BreakerState } from "../model/breakerState.js";
import type { Status } from "../model/status.js";


/** Outcomes that say something about the provider's health; a bad request or a missed expectation does not. */
export function countsAgainstBreaker(status: Status): boolean {
  return !["ok", "bad_request", "expectation_failed", "skipped"].includes(status);
}

/**
 * May a request go through now? Closed: yes. Open: no, until the cooldown has passed, then one trial
 * (half-open). Half-open: no while the trial is out. Returns the state to store when the answer is yes.
 */
export function breakerAdmit(s: BreakerState, spec: BreakerSpec, now: number): { allow: boolean; next: BreakerState } {
  if (!spec.enabled || s.state === "closed") return { allow: true, next: s };
  const cooled = s.openedAt !== null && now - s.openedAt >= spec.cooldownMs;
  const trialExpired = s.trialAt !== null && now - s.trialAt >= spec.cooldownMs;
  if ((s.state === "open" && cooled) || (s.state === "half_open" && (s.trialAt === null || trialExpired))) {
    return { allow: true, next: { ...s, state: "half_open", trialAt: now } };
  }
  return { allow: false, next: s };
}

/** The state after an outcome: success closes; failures open it at the threshold, and a failed trial re-opens it. */
export function breakerRecord(s: BreakerState, spec: BreakerSpec, status: Status, now: number): BreakerState {
  if (!spec.enabled) return s;
  if (status === "ok") return CLOSED;
  // an inconclusive trial (a bad request) releases the trial slot; the next request tries again
  if (!countsAgainstBreaker(status)) return s.state === "half_open" ? { ...s, trialAt: null } : s;
  if (s.state === "half_open") return { state: "open", failures: s.failures + 1, openedAt: now, trialAt: null };
  const failures = s.failures + 1;
  if (s.state === "closed" && failures >= spec.failureThreshold) return { state: "open", failures, openedAt: now, trialAt: null };
  return { ...s, failures };
}
