// Redaction of secrets from anything that leaves the process (logs, outputs, files, posts).
//
// A registered secret is caught in every form that shows as it or decodes to it in one step:
// verbatim; with any letter's case changed; with characters written as Markdown escapes
// (`sk\-proj\-…`), HTML entities (named, decimal, hex), URL escapes (`%2D`), `\uXXXX`/`\xXX`
// escapes, full-width or hyphen look-alikes; with invisible characters (zero-width, soft
// hyphen, bidi marks, terminal escape sequences) inserted anywhere; as hex (either case) or
// base64 (standard or URL-safe, at any of the three byte alignments, so also inside the
// encoding of a longer text such as `OPENAI_API_KEY=sk-…`); and any run of at least
// PART_LENGTH of its characters (a key with its prefix dropped, its last half), in each of
// those forms.
//
// What cannot be followed: a secret reversed, or split into pieces shorter than PART_LENGTH
// (by spaces, line breaks, markup such as `**`, or across separate lines or comments), or
// encoded twice, or transformed any other way (rot13, another base). Redaction narrows what a
// hostile model can leak; keeping secrets out of its reach is what protects them.
import { DecodedView, escapePattern } from './decoded-text.js';

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

/**
 * The shortest run of a secret's characters that is redacted on its own. 16 characters of a
 * token are about 95 bits of its randomness: such a run never occurs in ordinary text by
 * chance (so nothing else is redacted), and a leak shorter than this leaves most of the token
 * unknown. A secret shorter than this is redacted only whole.
 */
export const PART_LENGTH = 16;

/** Encoded forms are sought only for secrets at least this long: a short value's hex or
 * base64 is short enough to occur by chance in ordinary encoded data. */
const MIN_ENCODED_SECRET = 16;

/** One form of one secret, in lower case: any run of at least `min` of its characters found
 * in the view (ASCII case ignored) is redacted. */
interface Needle {
  text: string;
  min: number;
}

/** Base64 of the secret at each byte alignment, only the characters its bytes alone decide. */
function base64Forms(secret: string): string[] {
  const bytes = Buffer.from(secret, 'utf8');
  const forms = new Set<string>();
  for (const align of [0, 1, 2]) {
    const encoded = Buffer.concat([Buffer.alloc(align), bytes]).toString('base64');
    const stable = encoded.slice(
      Math.ceil((8 * align) / 6),
      Math.floor((8 * (align + bytes.length)) / 6),
    );
    forms.add(stable);
    forms.add(stable.replace(/\+/g, '-').replace(/\//g, '_'));
  }
  return [...forms];
}

function needlesOf(secret: string): Needle[] {
  const part = Math.min(PART_LENGTH, secret.length);
  const needles: Needle[] = [{ text: secret.toLowerCase(), min: part }];
  if (secret.length >= MIN_ENCODED_SECRET) {
    const hex = Buffer.from(secret, 'utf8').toString('hex');
    needles.push({ text: hex, min: 2 * part });
    for (const form of base64Forms(secret)) {
      // Compared ignoring case like the rest: 22 characters of base64 never equal another
      // 22 up to case by chance, and a case-changed encoding is no less a leak.
      needles.push({
        text: form.toLowerCase(),
        min: Math.min(Math.ceil((4 * part) / 3), form.length),
      });
    }
  }
  return needles;
}

/** ASCII upper case folded to lower case; secrets and their encodings are ASCII. */
const fold = (c: number) => (c >= 65 && c <= 90 ? c + 32 : c);

const GRAM = 4;
/** Every run of PART_LENGTH characters holds a gram that starts at a multiple of STRIDE. */
const STRIDE = PART_LENGTH - GRAM + 1;
const HASH_BASE = 0x01000193;
const TABLE_BITS = 16;
const TABLE_MASK = (1 << TABLE_BITS) - 1;

function gramHash(s: Uint16Array | string, from: number): number {
  let h = 0;
  if (typeof s === 'string') {
    for (let i = from; i < from + GRAM; i++)
      h = (Math.imul(h, HASH_BASE) + fold(s.charCodeAt(i))) | 0;
  } else {
    for (let i = from; i < from + GRAM; i++) h = (Math.imul(h, HASH_BASE) + fold(s[i]!)) | 0;
  }
  return h;
}

/** The needles of every registered secret, indexed once for every text redacted. */
class NeedleIndex {
  readonly short: Array<{ needle: Needle; pattern: RegExp }>;
  readonly present = new Uint8Array(1 << TABLE_BITS);
  readonly pieces = new Map<number, Array<{ needle: Needle; at: number }>>();
  readonly hasLong: boolean;

  constructor(needles: Needle[]) {
    this.short = needles
      .filter((n) => n.min < PART_LENGTH)
      .map((needle) => ({
        needle,
        pattern: new RegExp(needle.text.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&'), 'gi'),
      }));
    const long = needles.filter((n) => n.min >= PART_LENGTH);
    this.hasLong = long.length > 0;
    for (const needle of long) {
      for (let at = 0; at + GRAM <= needle.text.length; at++) {
        const h = gramHash(needle.text, at);
        this.present[h & TABLE_MASK] = 1;
        const list = this.pieces.get(h) ?? [];
        list.push({ needle, at });
        this.pieces.set(h, list);
      }
    }
  }

  /**
   * Runs of at least `min` characters of any needle in the view, as [from, to) ranges. A run
   * of PART_LENGTH or more characters holds a whole GRAM-long piece starting at a multiple of
   * STRIDE, so only those pieces are hashed and looked up among every piece of every needle;
   * a hit is then extended both ways. Needles shorter than PART_LENGTH (short secrets, matched
   * only whole) are found with a case-insensitive search.
   */
  findRuns(view: DecodedView): Array<[number, number]> {
    const runs: Array<[number, number]> = [];
    if (this.short.length > 0) {
      const text = view.toString();
      for (const { pattern } of this.short)
        for (const m of text.matchAll(pattern)) runs.push([m.index, m.index + m[0].length]);
    }
    if (!this.hasLong) return runs;
    const text = view.chars;
    const length = view.length;
    const coveredUntil = new Map<Needle, number>();
    for (let p = 0; p + GRAM <= length; p += STRIDE) {
      const h = gramHash(text, p);
      if (this.present[h & TABLE_MASK] === 0) continue;
      for (const { needle, at } of this.pieces.get(h) ?? []) {
        if (p < (coveredUntil.get(needle) ?? 0)) continue;
        const n = needle.text;
        let left = 0;
        while (left < at && left < p && fold(text[p - left - 1]!) === n.charCodeAt(at - left - 1))
          left++;
        let right = 0;
        while (
          at + right < n.length &&
          p + right < length &&
          fold(text[p + right]!) === n.charCodeAt(at + right)
        )
          right++;
        // `right` counts the piece itself: after a hash collision it is shorter than GRAM.
        if (right >= GRAM && left + right >= needle.min) {
          runs.push([p - left, p + right]);
          coveredUntil.set(needle, p + right);
        }
      }
    }
    return runs;
  }
}

export class Redactor {
  private readonly known = new Set<string>();
  private index: NeedleIndex | undefined;
  private escapes: RegExp | undefined;

  add(secret: string | undefined): void {
    // Very short values would redact ordinary words; tokens are never this short.
    const value = secret?.trim();
    if (!value || value.length < 6 || this.known.has(value)) return;
    this.known.add(value);
    const needles = [...this.known].flatMap(needlesOf);
    this.index = new NeedleIndex(needles);
    const alphabet = new Set<string>();
    for (const needle of needles) for (const c of needle.text) alphabet.add(c).add(c.toUpperCase());
    this.escapes = escapePattern(alphabet);
  }

  redact(text: string): string {
    let out = text;
    // Longest first, so a secret containing another is replaced whole.
    for (const secret of [...this.known].sort((a, b) => b.length - a.length)) {
      if (out.includes(secret)) out = out.split(secret).join(REDACTED);
    }
    if (this.index && this.escapes) out = this.redactForms(out, this.index, this.escapes);
    for (const shape of SECRET_SHAPES) out = out.replace(shape, REDACTED);
    return out;
  }

  private redactForms(text: string, index: NeedleIndex, escapes: RegExp): string {
    const view = new DecodedView(text, escapes);
    const runs = index.findRuns(view);
    if (runs.length === 0) return text;
    const ranges = runs.map(([from, to]) => view.original(from, to)).sort((a, b) => a[0] - b[0]);
    const parts: string[] = [];
    let at = 0;
    let open: [number, number] | undefined;
    for (const range of ranges) {
      if (open && range[0] <= open[1]) {
        open[1] = Math.max(open[1], range[1]);
        continue;
      }
      if (open) {
        parts.push(text.slice(at, open[0]), REDACTED);
        at = open[1];
      }
      open = [range[0], range[1]];
    }
    if (open) parts.push(text.slice(at, open[0]), REDACTED, text.slice(open[1]));
    return parts.join('');
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
