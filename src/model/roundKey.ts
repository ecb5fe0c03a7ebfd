import type { AttemptRecord } from "./record.js";

/** A per-model probe record that no round can take: it has no run_id. */
export const UNPLACED = Symbol("unplaced");

/**
 * The probe round a record belongs to, as `run_id#round`: null for a record that is not a per-model probe
 * (a chain outcome, an application's attempt), UNPLACED for a probe record without a run_id. A probe record
 * without `round` (written by another tool, or before rounds were recorded) is round 0 of its run: one
 * round per run. The byte path of report applies the same rule in summarizeRange's record().
 */
export function roundKey(r: AttemptRecord): string | null | typeof UNPLACED {
  if (r.kind === "chain" || (r.origin ?? "probe") !== "probe") return null;
  if (typeof r.run_id !== "string") return UNPLACED;
  return `${r.run_id}#${r.round ?? 0}`;
}
