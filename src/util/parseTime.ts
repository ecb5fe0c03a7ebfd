import { usageError } from "../errors.js";
import { parseDuration } from "./duration.js";

/** Parses `--since`-style times: a duration back from `nowMs` (`7d`, `15m`) or an ISO 8601 date-time; epoch ms. */
export function parseTime(text: string, nowMs: number, what: string): number {
  if (/^\d+(\.\d+)?\s*(ms|s|m|h|d|w)$/.test(text.trim())) return nowMs - parseDuration(text, what);
  const t = Date.parse(text);
  if (Number.isNaN(t)) {
    throw usageError(`${what}: "${text}" is neither a duration (7d, 12h, 30m) nor an ISO date (2026-11-01 or 2026-11-01T12:00:00Z)`);
  }
  return t;
}
