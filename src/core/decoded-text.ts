// The text as a reader sees it or a decoder reads it, for the redactor: escapes decoded,
// invisible characters and terminal escapes dropped, look-alikes shown as the ASCII character
// they imitate, with a map from every position back to the original text.
/* eslint-disable no-control-regex -- control characters and escape sequences are what the view drops */

// Named HTML entities that decode to an ASCII character, a hyphen look-alike or an invisible
// character (from the HTML5 list; test/unit/redact.test.ts checks each as commonmark.js decodes it).
// prettier-ignore
export const NAMED_ENTITIES: Record<string, string> = {
  amp: '&', AMP: '&', apos: "'", ast: '*', midast: '*', bsol: '\\', colon: ':', comma: ',',
  commat: '@', DiacriticalGrave: '`', grave: '`', dollar: '$', equals: '=', excl: '!', gt: '>',
  GT: '>', Hat: '^', lbrace: '{', lcub: '{', lbrack: '[', lsqb: '[', lowbar: '_', UnderBar: '_',
  lpar: '(', lt: '<', LT: '<', num: '#', percnt: '%', period: '.', plus: '+', quest: '?',
  quot: '"', QUOT: '"', rbrace: '}', rcub: '}', rbrack: ']', rsqb: ']', rpar: ')', semi: ';',
  sol: '/', verbar: '|', vert: '|', VerticalLine: '|', Tab: '\t', NewLine: '\n', dash: '-',
  hyphen: '-', horbar: '-', mdash: '-', ndash: '-', minus: '-', af: '', ApplyFunction: '', ic: '',
  InvisibleComma: '', InvisibleTimes: '', it: '', lrm: '', rlm: '', NegativeMediumSpace: '',
  NegativeThickSpace: '', NegativeThinSpace: '', NegativeVeryThinSpace: '', NoBreak: '', shy: '',
  ZeroWidthSpace: '', zwj: '', zwnj: '',
};

/** What a character shows as, for the characters the view decodes on their own. */
const CHARACTER = new Map<number, string>();
{
  const drop = (from: number, to = from) => {
    for (let c = from; c <= to; c++) CHARACTER.set(c, '');
  };
  // Controls but tab, line feed and carriage return (ESC also starts a sequence, see below).
  drop(0x00, 0x08);
  drop(0x0b, 0x0c);
  drop(0x0e, 0x1f);
  drop(0x7f, 0x9f);
  // Invisible: soft hyphen, joiners, zero-width and bidi marks, variation selectors, fillers.
  for (const c of [0xad, 0x34f, 0x61c, 0x115f, 0x1160, 0x17b4, 0x17b5, 0x3164, 0xfeff, 0xffa0])
    drop(c);
  drop(0x180b, 0x180f);
  drop(0x200b, 0x200f);
  drop(0x202a, 0x202e);
  drop(0x2060, 0x206f);
  drop(0xfe00, 0xfe0f);
  // Shown as an ASCII character: full-width forms, hyphen look-alikes, dotted I, Kelvin sign.
  for (let c = 0xff01; c <= 0xff5e; c++) CHARACTER.set(c, String.fromCharCode(c - 0xfee0));
  for (const c of [0x2010, 0x2011, 0x2012, 0x2013, 0x2014, 0x2015, 0x2212, 0xfe58, 0xfe63])
    CHARACTER.set(c, '-');
  CHARACTER.set(0x130, 'i');
  CHARACTER.set(0x212a, 'k');
}
/** Tag characters (U+E0000–U+E007F) are invisible too; in UTF-16, U+DB40 then U+DC00–DC7F. */
const TAG_HIGH = 0xdb40;

/**
 * Where the view may differ from the text: an escape's first character, a control, anything
 * outside ASCII. One simple class, which V8 scans fast; the characters it finds are then
 * looked at one by one.
 */
const CANDIDATE = /[\\&%\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\uffff]/g;

const hex2 = (code: number) =>
  code
    .toString(16)
    .padStart(2, '0')
    .replace(/[a-f]/g, (d) => `[${d}${d.toUpperCase()}]`);

/**
 * The escapes that decode to one character, tried where a candidate starts: 1 a terminal
 * escape sequence (dropped), 2 a Markdown backslash escape, 3 `\uXXXX`, 4 `\xXX`, 5 a decimal
 * and 6 a hex character reference, 7 a named one, 8 a URL escape. Backslash, named and URL
 * escapes are sought only for the characters the secrets' forms are made of, so `%20` or `\*`
 * in ordinary text costs no entry in the view's map.
 */
export function escapePattern(alphabet: Set<string>): RegExp {
  const chars = [...alphabet].filter((c) => c.charCodeAt(0) > 0x20 && c.charCodeAt(0) < 0x7f);
  const punctuation = chars.filter((c) => /[!-/:-@[-`{-~]/.test(c));
  const named = Object.keys(NAMED_ENTITIES).filter(
    (name) => NAMED_ENTITIES[name] === '' || alphabet.has(NAMED_ENTITIES[name]!),
  );
  const never = '(?!)';
  const unit = (c: string) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
  return new RegExp(
    [
      '(\\u001b\\[[\\u0030-\\u003f]*[\\u0020-\\u002f]*[\\u0040-\\u007e]|\\u001b\\][^\\u0007\\u001b]*(?:\\u0007|\\u001b\\\\))',
      punctuation.length ? `\\\\([${punctuation.map(unit).join('')}])` : `(${never})`,
      '\\\\u([0-9a-fA-F]{4})',
      '\\\\x([0-9a-fA-F]{2})',
      '&#0*([0-9]{1,7});?',
      '&#[xX]0*([0-9a-fA-F]{1,6});?',
      named.length ? `&(${named.join('|')});` : `(${never})`,
      chars.length ? `%(${chars.map((c) => hex2(c.charCodeAt(0))).join('|')})` : `(${never})`,
    ].join('|'),
    'y',
  );
}

function decodeEscape(match: RegExpExecArray): string {
  const [text, sequence, escaped, u4, x2, dec, hex, named, url] = match;
  if (sequence !== undefined) return '';
  if (escaped !== undefined) return escaped;
  if (u4 !== undefined) return String.fromCharCode(parseInt(u4, 16));
  if (x2 !== undefined) return String.fromCharCode(parseInt(x2, 16));
  if (dec !== undefined || hex !== undefined) {
    const code = dec !== undefined ? parseInt(dec, 10) : parseInt(hex!, 16);
    return code <= 0x10ffff ? String.fromCodePoint(code) : text;
  }
  if (named !== undefined) return NAMED_ENTITIES[named] ?? text;
  return String.fromCharCode(parseInt(url!, 16));
}

/** A growable list of 32-bit integers (the view's map can hold millions of entries; plain
 * arrays of that size cost the garbage collector more than the decoding itself). */
class IntList {
  values = new Int32Array(16);
  length = 0;
  push(value: number): void {
    if (this.length === this.values.length) {
      const grown = new Int32Array(this.values.length * 2);
      grown.set(this.values);
      this.values = grown;
    }
    this.values[this.length++] = value;
  }
}

/**
 * The text as it shows or decodes, as UTF-16 code units, with a map back to the original:
 * edit k says that the view's character at viewAt[k] (none, when it was dropped) came from
 * text[textAt[k], textAt[k] + textLength[k]). Only decoded spots are recorded, so plain text
 * costs no map.
 */
export class DecodedView {
  readonly chars: Uint16Array;
  readonly length: number;
  private readonly viewAt = new IntList();
  private readonly dropped = new IntList();
  private readonly textAt = new IntList();
  private readonly textLength = new IntList();
  /** Sum of (text length - view length) over edits 0..k. */
  private readonly shift = new IntList();

  constructor(original: string, escapes: RegExp) {
    // The view is never longer than the text: every escape decodes to one character or none.
    this.chars = new Uint16Array(original.length);
    const bytes = Buffer.from(this.chars.buffer, this.chars.byteOffset, this.chars.byteLength);
    let written = 0;
    let last = 0;
    let shift = 0;
    const edit = (at: number, length: number, decoded: string) => {
      if (at > last) bytes.write(original.slice(last, at), written * 2, 'utf16le');
      written += at - last;
      this.viewAt.push(written);
      this.textAt.push(at);
      this.textLength.push(length);
      if (decoded === '') {
        this.dropped.push(1);
        shift += length;
      } else {
        // What decodes to more than one UTF-16 unit (an astral code point) cannot be part of
        // an ASCII secret: a NUL stands for it, so every edit is at most one character.
        this.chars[written++] = decoded.length > 1 ? 0 : decoded.charCodeAt(0);
        this.dropped.push(0);
        shift += length - 1;
      }
      this.shift.push(shift);
      last = at + length;
    };
    const candidates = new RegExp(CANDIDATE.source, 'g');
    for (let m = candidates.exec(original); m; m = candidates.exec(original)) {
      const at = m.index;
      const c = original.charCodeAt(at);
      if (c === 0x5c || c === 0x26 || c === 0x25 || c === 0x1b) {
        escapes.lastIndex = at;
        const e = escapes.exec(original);
        if (e) {
          const decoded = decodeEscape(e);
          if (decoded !== e[0]) edit(at, e[0].length, decoded);
          candidates.lastIndex = at + e[0].length;
          continue;
        }
      }
      if (c === TAG_HIGH) {
        const low = original.charCodeAt(at + 1);
        if (low >= 0xdc00 && low <= 0xdc7f) {
          edit(at, 2, '');
          candidates.lastIndex = at + 2;
        }
        continue;
      }
      const shown = CHARACTER.get(c);
      if (shown !== undefined) edit(at, 1, shown);
    }
    if (original.length > last) bytes.write(original.slice(last), written * 2, 'utf16le');
    this.length = written + original.length - last;
  }

  /** The view as a string (for the few searches done with a regular expression). */
  toString(): string {
    return Buffer.from(this.chars.buffer, this.chars.byteOffset, this.length * 2).toString(
      'utf16le',
    );
  }

  /** Original [start, end) of view[from, to). */
  original(from: number, to: number): [number, number] {
    return [this.start(from), this.end(to - 1)];
  }

  /** The last edit at or before view position v (-1 if none). Dropped characters share the
   * position of what follows them, and come before it. */
  private lastEditAtOrBefore(v: number): number {
    const at = this.viewAt.values;
    let lo = 0;
    let hi = this.viewAt.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (at[mid]! <= v) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  }

  /** Is view position v the decoded character of edit k? */
  private decodedAt(k: number, v: number): boolean {
    return k >= 0 && this.viewAt.values[k] === v && this.dropped.values[k] === 0;
  }

  private start(v: number): number {
    const k = this.lastEditAtOrBefore(v);
    if (this.decodedAt(k, v)) return this.textAt.values[k]!;
    return v + (k >= 0 ? this.shift.values[k]! : 0);
  }

  private end(v: number): number {
    const k = this.lastEditAtOrBefore(v);
    if (this.decodedAt(k, v)) return this.textAt.values[k]! + this.textLength.values[k]!;
    return v + (k >= 0 ? this.shift.values[k]! : 0) + 1;
  }
}
