/** A circuit breaker's state for one (endpoint, model). */
export interface BreakerState {
  state: "closed" | "open" | "half_open";
  /** consecutive failures while closed */
  failures: number;
  /** when it last opened, epoch ms */
  openedAt: number | null;
  /** when the half-open trial started, epoch ms (a trial that never reports back expires after a cooldown) */
  trialAt: number | null;
}

export const CLOSED: BreakerState = { state: "closed", failures: 0, openedAt: null, trialAt: null };
