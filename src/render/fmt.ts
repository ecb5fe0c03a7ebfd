const SHORT: Record<string, string> = {
  rate_limited: "429",
  server_error: "5xx",
  ttft_timeout: "ttft",
  stream_stalled: "stall",
  truncated: "trunc",
  bad_response: "malformed",
  expectation_failed: "expect",
  bad_request: "4xx",
  network: "net",
  skipped: "skip",
};

/** Number formatting shared by every human-readable view. */
export const fmt = {
  pct(v: unknown): string {
    return typeof v === "number" ? `${(v * 100).toFixed(v === 1 || v === 0 ? 0 : 1)}%` : "-";
  },
  ci(v: unknown): string {
    if (!Array.isArray(v)) return "-";
    return `${(Number(v[0]) * 100).toFixed(1)}–${(Number(v[1]) * 100).toFixed(1)}`;
  },
  ms(v: unknown): string {
    if (typeof v !== "number") return "-";
    return v >= 10_000 ? `${(v / 1000).toFixed(1)}s` : `${Math.round(v)}`;
  },
  /** a bucket's start as people read it: the minute, UTC (seconds only when the bucket has them) */
  bucket(v: unknown): string {
    if (typeof v !== "string") return "-";
    return v.slice(17, 19) === "00" ? v.slice(0, 16).replace("T", " ") : v.slice(0, 19).replace("T", " ");
  },
  /** a stream dimension's value: streamed or plain probes */
  stream(v: unknown): string {
    return v === true ? "streamed" : v === false ? "plain" : "-";
  },
  int(v: unknown): string {
    return typeof v === "number" ? String(v) : "-";
  },
  usd(v: unknown): string {
    return typeof v === "number" ? `$${v < 0.01 ? v.toFixed(5) : v.toFixed(2)}` : "-";
  },
  /** `429×3 timeout×1`: the non-ok statuses, largest first, in short names */
  statuses(v: unknown): string {
    return fmt.statusesIn(v, Infinity);
  },
  /**
   * A group's failures in at most `width` characters: each status in its short name, and where a status
   * folds several causes, each cause apart (`4xx:model_not_found×3 net:dns×2`); largest first.
   */
  failures(row: Record<string, unknown>, width = Infinity): string {
    const statuses = (row.statuses ?? {}) as Record<string, number>;
    const codes = (row.error_codes ?? {}) as Record<string, number>;
    const out: Record<string, number> = {};
    const rest = { ...statuses };
    for (const [key, n] of Object.entries(codes)) {
      const [status, code] = [key.slice(0, key.indexOf(":")), key.slice(key.indexOf(":") + 1)];
      out[`${SHORT[status] ?? status}:${code}`] = n;
      rest[status] = (rest[status] ?? 0) - n;
    }
    for (const [status, n] of Object.entries(rest)) if (n > 0) out[status] = n;
    return fmt.statusesIn(out, width);
  },
  /** The statuses in at most `width` characters: the largest that fit, then `+N` for the rest (the largest always shows). */
  statusesIn(v: unknown, width: number): string {
    if (!v || typeof v !== "object") return "-";
    const entries = Object.entries(v as Record<string, number>).filter(([k]) => k !== "ok").sort((a, b) => b[1] - a[1]);
    if (entries.length === 0) return "-";
    const parts = entries.map(([k, n]) => `${SHORT[k] ?? k}×${n}`);
    let shown = parts.length;
    const text = (k: number) => (k === 0 ? `+${parts.length}` : parts.slice(0, k).join(" ") + (k < parts.length ? ` +${parts.length - k}` : ""));
    // the largest alone when it fits, else only how many there are
    while (shown > 0 && text(shown).length > width) shown--;
    return text(shown);
  },
};
