import { Parser } from 'commonmark';
import { describe, expect, it } from 'vitest';
import { NAMED_ENTITIES } from '../../src/core/decoded-text.js';
import { PART_LENGTH, REDACTED, Redactor } from '../../src/core/redact.js';

// Shaped like a project key: prefix, then random letters, digits, `-` and `_`.
const KEY = 'sk-proj-Q7v_R2mXk9-Lp4TzW8eYc3Nf6Hj1BsGd5Ua0IoKq-Vx_Zr7MtEw2PyLn';
const TOKEN = 'ghs_FakeRunnerToken0123456789abcdefABCD';

function redactor(...secrets: string[]): Redactor {
  const r = new Redactor();
  for (const s of secrets) r.add(s);
  return r;
}

/** Every 16-character run of `secret` that is still in `text`, as shown or decoded. */
function leftovers(text: string, secret: string): string[] {
  const shown = text
    .replace(/[\u00ad\u200b-\u200f\u2060\ufeff]/g, '')
    .replace(/\\(.)/g, '$1')
    .toLowerCase();
  const out: string[] = [];
  for (let i = 0; i + PART_LENGTH <= secret.length; i++) {
    const part = secret.slice(i, i + PART_LENGTH).toLowerCase();
    if (shown.includes(part)) out.push(part);
  }
  return out;
}

const everyChar = (s: string, f: (c: string) => string) => [...s].map(f).join('');
const code = (c: string) => c.charCodeAt(0);

describe('redaction of a registered secret in every form that shows or decodes as it', () => {
  const forms: Array<[string, string]> = [
    ['verbatim', KEY],
    ['Markdown-escaped', KEY.replace(/[-_]/g, '\\$&')],
    ['named HTML entities', KEY.replace(/-/g, '&hyphen;').replace(/_/g, '&lowbar;')],
    ['decimal character references', everyChar(KEY, (c) => `&#${code(c)};`)],
    ['hex character references', everyChar(KEY, (c) => `&#x${code(c).toString(16)};`)],
    ['references without semicolons', everyChar(KEY, (c) => `&#${code(c)}`)],
    [
      'URL-encoded, every character',
      everyChar(KEY, (c) => `%${code(c).toString(16).toUpperCase()}`),
    ],
    ['URL-encoded, lower-case hex', everyChar(KEY, (c) => `%${code(c).toString(16)}`)],
    ['\\u escapes', everyChar(KEY, (c) => `\\u${code(c).toString(16).padStart(4, '0')}`)],
    ['zero-width spaces', [...KEY].join('\u200b')],
    ['zero-width joiners and non-joiners', [...KEY].join('\u200d\u200c')],
    ['word joiners', [...KEY].join('\u2060')],
    ['byte order marks', [...KEY].join('\ufeff')],
    ['soft hyphens', [...KEY].join('\u00ad')],
    ['terminal escapes', [...KEY].join('\u001b[0m')],
    ['upper case', KEY.toUpperCase()],
    [
      'swapped case',
      everyChar(KEY, (c) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase())),
    ],
    ['full-width', everyChar(KEY, (c) => String.fromCharCode(code(c) + 0xfee0))],
    ['hyphen look-alikes', KEY.replace(/-/g, '\u2011')],
    ['hex', Buffer.from(KEY).toString('hex')],
    ['upper-case hex', Buffer.from(KEY).toString('hex').toUpperCase()],
    ['mixed: entities and zero-width', KEY.replace(/-/g, '&#45;\u200b').replace(/_/g, '\\_')],
    ['the prefix dropped', KEY.slice('sk-proj-'.length)],
    ['the first half', KEY.slice(0, KEY.length / 2)],
    ['a 16-character piece', KEY.slice(20, 36)],
    [
      'a 16-character piece, URL-encoded',
      everyChar(KEY.slice(20, 36), (c) => `%${code(c).toString(16)}`),
    ],
  ];
  for (const [name, form] of forms) {
    it(name, () => {
      const out = redactor(KEY).redact(`before ${form} after`);
      expect(out).toBe(`before ${REDACTED} after`);
    });
  }

  for (const align of [0, 1, 2]) {
    const prefix = 'x'.repeat(align);
    const standard = Buffer.from(`${prefix}OPENAI_API_KEY=${KEY}\n`).toString('base64');
    const urlSafe = Buffer.from(`${prefix}${KEY}?`).toString('base64url');
    it(`base64 at byte alignment ${align}, inside a longer encoding`, () => {
      const out = redactor(KEY).redact(`env: ${standard} end`);
      expect(out).toContain(REDACTED);
      expect(out).not.toContain(standard.slice(24, 60));
      // What is left of the encoding no longer decodes to any 16 characters of the key.
      const kept = out.split(/\s+/).filter((w) => w !== 'env:' && w !== 'end');
      for (const piece of kept.join('').split(REDACTED)) {
        expect(leftovers(Buffer.from(piece, 'base64').toString('latin1'), KEY)).toEqual([]);
      }
    });
    it(`URL-safe base64 at byte alignment ${align}`, () => {
      const out = redactor(KEY).redact(urlSafe);
      expect(out).toContain(REDACTED);
      for (const piece of out.split(REDACTED)) {
        expect(leftovers(Buffer.from(piece, 'base64url').toString('latin1'), KEY)).toEqual([]);
      }
    });
  }

  it('redacts several occurrences and several secrets, longest first', () => {
    const out = redactor(KEY, TOKEN).redact(
      `${KEY} and ${TOKEN.toUpperCase()} and ${Buffer.from(TOKEN).toString('hex')} and ${KEY}`,
    );
    expect(out).toBe(`${REDACTED} and ${REDACTED} and ${REDACTED} and ${REDACTED}`);
  });

  it('keeps a piece shorter than the threshold (it cannot be told from chance)', () => {
    const piece = KEY.slice(20, 20 + PART_LENGTH - 1);
    expect(redactor(KEY).redact(`x ${piece} y`)).toBe(`x ${piece} y`);
  });

  it('redacts a short secret only whole, in any case and decoded', () => {
    const r = redactor('hunter2pass');
    expect(r.redact('pw=HUNTER2PASS; p=hunter2')).toBe(`pw=${REDACTED}; p=hunter2`);
    expect(r.redact('pw=hunter2&#112;ass')).toBe(`pw=${REDACTED}`);
  });

  it('leaves ordinary text, escapes and invisible characters elsewhere exactly as they were', () => {
    const text =
      'See https://example.com/a%20b?x=1&amp;y=2 \\- a\u200bb &lowbar; &#45; sk-proj-docs \u001b[31mred\u001b[0m ' +
      'ＡＢＣ ‑ done; 0123456789 abcdef'.repeat(3);
    expect(redactor(KEY, TOKEN).redact(text)).toBe(text);
  });

  it('maps a match back to exactly the original characters around invisible ones', () => {
    const form = `\u200b${[...KEY].join('\u200b')}\u200b`;
    expect(redactor(KEY).redact(`a${form}b`)).toBe(`a\u200b${REDACTED}\u200bb`);
  });

  it('still catches unregistered token shapes', () => {
    expect(redactor().redact('token ghp_abcdefghijklmnopqrstuvwxyz0123')).toBe(`token ${REDACTED}`);
  });

  it('redacts every string inside a value', () => {
    expect(redactor(KEY).redactValue({ a: [KEY.toUpperCase()], b: 1 })).toEqual({
      a: [REDACTED],
      b: 1,
    });
  });

  it('redacts 50 MB with two secrets in a bounded time', () => {
    const para =
      'The function `parse` reads & writes 100% of <input> \\- see https://e.com/a%20b?x=1&y=2. ' +
      '@alice said: const x = a && b; // TODO ＡＢＣ\n';
    const filler = para.repeat(Math.ceil((50 * 1024 * 1024) / para.length));
    const text =
      filler.slice(0, 1000) +
      KEY +
      filler.slice(1000, 30_000_000) +
      Buffer.from(`OPENAI_API_KEY=${KEY}`).toString('base64') +
      filler.slice(30_000_000, 40_000_000) +
      TOKEN.toUpperCase() +
      filler.slice(40_000_000);
    const r = redactor(KEY, TOKEN);
    const before = process.cpuUsage();
    const out = r.redact(text);
    const used = process.cpuUsage(before);
    // CPU time, not wall time: the machine running the tests may be shared.
    const seconds = (used.user + used.system) / 1e6;
    console.log(`redacted 50 MB in ${seconds.toFixed(2)} s of CPU`);
    expect(out.split(REDACTED)).toHaveLength(4);
    expect(out.length).toBeLessThan(text.length);
    expect(seconds).toBeLessThan(5);
  }, 60_000);
});

describe('the named character references the view decodes', () => {
  it('decode as HTML decodes them', () => {
    // commonmark.js decodes entities with the `entities` package's HTML5 table.
    const decode = (name: string) => {
      const walker = new Parser().parse(`x&${name};x`).walker();
      let text = '';
      for (let e = walker.next(); e; e = walker.next())
        if (e.entering && e.node.type === 'text') text += e.node.literal ?? '';
      return text.slice(1, -1);
    };
    const lookAlike = /^[\u2010-\u2015\u2212]$/;
    for (const [name, value] of Object.entries(NAMED_ENTITIES)) {
      const html = decode(name);
      if (value === '-') expect(html, name).toMatch(lookAlike);
      else if (value === '') expect(html, name).toMatch(/^[\u00ad\u200b-\u200f\u2060-\u2064]$/);
      else expect(html, name).toBe(value);
    }
  });
});
