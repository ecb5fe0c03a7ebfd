import { randomBytes } from "node:crypto";

/** A run id that sorts by time and is unique across machines: `20261122T024613Z-3f9a1c`. */
export function newRunId(nowMs: number): string {
  const stamp = new Date(nowMs).toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z");
  return `${stamp}-${randomBytes(3).toString("hex")}`;
}
