import type { CliIo } from "./io.js";

/** How a notification with no webhook (or under --dry-run) is printed: on stdout, a JSON line with --format json, else its text. */
export function printAlert(io: CliIo, format: "table" | "json"): (body: Record<string, unknown>) => void {
  return (body) => io.stdout.write(format === "json" ? `${JSON.stringify(body)}\n` : `${String(body.text)}\n`);
}
