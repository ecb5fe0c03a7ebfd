import { usageError } from "../errors.js";
import { LABELS, METRICS, type Label, type Metric } from "./metrics.js";

const OPS = ["<=", ">=", "==", "!=", "<", ">"] as const;
export type Op = (typeof OPS)[number];

/** A parsed threshold: `metric{label=value,...} op number`. */
export interface Threshold {
  text: string;
  metric: Metric;
  labels: Partial<Record<Label, string>>;
  op: Op;
  value: number;
}

/**
 * Parses `success_rate{tier=1} >= 0.99`, `p95_ms{model=gpt-4.1} < 2000`, `fallback_activation_rate{chain=default} <= 0.05`
 * (k6-like); a malformed expression is a usage error that points at the column where it goes wrong.
 */
export function parseThreshold(text: string): Threshold {
  let i = 0;
  const fail = (what: string): never => {
    throw usageError(`threshold "${text}": ${what} at column ${i + 1}\n  ${text}\n  ${" ".repeat(i)}^`);
  };
  const ws = () => {
    while (text[i] === " " || text[i] === "\t") i++;
  };
  const ident = () => {
    const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i));
    if (!m) fail("expected a name");
    i += m![0].length;
    return m![0];
  };
  ws();
  const metricStart = i;
  const metric = ident();
  if (!(METRICS as readonly string[]).includes(metric)) {
    i = metricStart;
    fail(`unknown metric "${metric}" (one of ${METRICS.join(", ")})`);
  }
  const labels: Partial<Record<Label, string>> = {};
  ws();
  if (text[i] === "{") {
    i++;
    for (;;) {
      ws();
      if (text[i] === "}") {
        i++;
        break;
      }
      const labelStart = i;
      const label = ident();
      if (!(LABELS as readonly string[]).includes(label)) {
        i = labelStart;
        fail(`unknown label "${label}" (one of ${LABELS.join(", ")})`);
      }
      ws();
      if (text[i] !== "=") fail('expected "="');
      i++;
      ws();
      let value: string;
      if (text[i] === '"') {
        const end = text.indexOf('"', i + 1);
        if (end < 0) fail("unclosed quote");
        value = text.slice(i + 1, end);
        i = end + 1;
      } else {
        const m = /^[^,}\s]+/.exec(text.slice(i));
        if (!m) fail("expected a label value");
        value = m![0];
        i += value.length;
      }
      labels[label as Label] = value;
      ws();
      if (text[i] === ",") {
        i++;
        continue;
      }
      if (text[i] === "}") {
        i++;
        break;
      }
      fail('expected "," or "}"');
    }
  }
  ws();
  const op = OPS.find((o) => text.startsWith(o, i));
  if (!op) fail("expected a comparison (<, <=, >, >=, ==, !=)");
  i += op!.length;
  ws();
  const m = /^-?\d+(\.\d+)?([eE][+-]?\d+)?(ms|s|m|%)?/.exec(text.slice(i));
  if (!m) fail("expected a number");
  let value = Number(m![0].replace(/(ms|s|m|%)$/, ""));
  if (m![3] === "%") value /= 100;
  if (m![3] === "s") value *= 1000;
  if (m![3] === "m") value *= 60_000;
  i += m![0].length;
  ws();
  if (i < text.length) fail("unexpected text");
  if (labels.tier !== undefined && !/^\d+$/.test(labels.tier)) {
    i = text.indexOf("tier");
    fail(`tier must be a whole number (got "${labels.tier}")`);
  }
  return { text: text.trim(), metric: metric as Metric, labels, op: op!, value };
}

/** Whether `measured op value` holds. */
export function holds(measured: number, op: Op, value: number): boolean {
  switch (op) {
    case "<":
      return measured < value;
    case "<=":
      return measured <= value;
    case ">":
      return measured > value;
    case ">=":
      return measured >= value;
    case "==":
      return measured === value;
    case "!=":
      return measured !== value;
  }
}
