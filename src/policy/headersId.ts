import { createHash } from "node:crypto";
import type { Redactor } from "../util/redact.js";

/**
 * A tier's own request headers as a short stable id (null when it sends none): what tells apart two tiers
 * that ask the same model of the same endpoint and are routed by their headers (records carry it as
 * headers_id). Secret values count by their redacted form, so the id neither depends on nor reveals them.
 */
export function headersId(headers: Record<string, string>, redact: Redactor): string | null {
  const entries = Object.entries(headers)
    .map(([k, v]) => [k.toLowerCase(), redact(v)] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return entries.length === 0 ? null : `h${createHash("sha256").update(JSON.stringify(entries)).digest("hex").slice(0, 10)}`;
}
