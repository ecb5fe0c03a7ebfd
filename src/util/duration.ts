import { usageError } from "../errors.js";

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** Parses `250ms`, `30s`, `1m`, `2h`, `7d`, `1w` (or a bare number of milliseconds) into milliseconds. */
export function parseDuration(text: string, what: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)?\s*$/.exec(text);
  if (!m) {
    throw usageError(`${what}: "${text}" is not a duration; write it like 500ms, 30s, 1m, 2h or 7d`);
  }
  const value = Number(m[1]) * (UNITS[m[2] ?? "ms"] ?? 1);
  if (!(value > 0)) throw usageError(`${what}: must be greater than zero (got "${text}")`);
  return value;
}

/** Formats milliseconds for people: `850 ms`, `1.25 s`, `2 min 5 s`. */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return "-";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  const min = Math.floor(ms / 60_000);
  return `${min} min ${Math.round((ms % 60_000) / 1000)} s`;
}
