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

/** The first `max` characters of `text` after redaction: redacting first means no secret survives the cut in part. */
export function redactedExcerpt(redact: Redactor, text: string, max: number): string {
  // a secret longer than the margin could start inside the excerpt and end past the slice: keep the margin wide
  const head = text.length > max + 4096 ? text.slice(0, max + 4096) : text;
  return redact(head).slice(0, max);
}

const keyRedactors = new WeakMap<object, Redactor>();

/** `redact` extended with one more secret (an endpoint's key), cached per owner object. */
export function withSecret(redact: Redactor | undefined, owner: object, secret: string | undefined): Redactor {
  if (!secret) return redact ?? createRedactor([]);
  let own = keyRedactors.get(owner);
  if (!own) {
    own = createRedactor([secret]);
    keyRedactors.set(owner, own);
  }
  const mine = own;
  return redact ? (text) => mine(redact(text)) : mine;
}
