// Redaction of secrets from anything that leaves the process (logs, outputs, files, posts).
const SECRET_SHAPES: RegExp[] = [
  /\bsk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{16,}/g, // OpenAI keys
  /\bgh[pousr]_[A-Za-z0-9]{20,}/g, // GitHub tokens
  /\bgithub_pat_[A-Za-z0-9_]{20,}/g,
  /\bglpat-[A-Za-z0-9_-]{16,}/g, // GitLab personal/project tokens
  /\bglcbt-[A-Za-z0-9_-]{16,}/g, // GitLab CI job tokens
  /\bAKIA[0-9A-Z]{16}\b/g, // AWS access key ids
  /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g,
];

export const REDACTED = '***';

export class Redactor {
  private readonly known = new Set<string>();

  add(secret: string | undefined): void {
    // Very short values would redact ordinary words; tokens are never this short.
    if (secret && secret.trim().length >= 6) this.known.add(secret.trim());
  }

  redact(text: string): string {
    let out = text;
    // Longest first, so a secret containing another is replaced whole.
    for (const secret of [...this.known].sort((a, b) => b.length - a.length)) {
      out = out.split(secret).join(REDACTED);
    }
    for (const shape of SECRET_SHAPES) out = out.replace(shape, REDACTED);
    return out;
  }

  /** Redact every string inside a JSON-like value. */
  redactValue<T>(value: T): T {
    if (typeof value === 'string') return this.redact(value) as T;
    if (Array.isArray(value)) return value.map((v) => this.redactValue(v)) as T;
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(
        Object.entries(value).map(([k, v]) => [k, this.redactValue(v)]),
      ) as T;
    }
    return value;
  }
}
