/** Removes secrets from text that may reach a terminal, a log or a record. */
export type Redactor = (text: string) => string;

const BEARER = /(Bearer\s+)[A-Za-z0-9._~+/=-]{4,}/gi;
const KEYLIKE = /\b(sk|pk|rk)-[A-Za-z0-9_-]{8,}\b/g;

/** Builds a redactor that hides each known secret value, bearer tokens and `sk-...` style keys. */
export function createRedactor(secrets: Iterable<string>): Redactor {
  const values = [...new Set([...secrets].filter((s) => s.length >= 4))].sort((a, b) => b.length - a.length);
  return (text: string): string => {
    let out = text;
    for (const s of values) out = out.split(s).join("[redacted]");
    return out.replace(BEARER, "$1[redacted]").replace(KEYLIKE, "[redacted]");
  };
}
