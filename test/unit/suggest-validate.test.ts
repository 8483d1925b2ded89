// The checks a suggested change passes before it is posted: exactly the commented lines, on the
// new side of one hunk, a real change, the file's line endings and indentation, and every output
// rule. The diff and the files come from real git, as the product reads them.
import { afterAll, describe, expect, it } from 'vitest';
import { DiffIndex } from '../../src/core/diff/diff-index.js';
import type { InlineAnchor } from '../../src/core/diff/placement.js';
import { fileAtCommit, unifiedDiff } from '../../src/core/git.js';
import { SUGGESTION_OUTPUT_RULES } from '../../src/core/publish/suggestion-rules.js';
import { Redactor } from '../../src/core/redact.js';
import {
  checkSuggestion,
  splitLines,
  type SuggestionCandidate,
} from '../../src/core/suggest/validate.js';
import { GitRepo } from '../support/git-repo.js';

const numbered = (n: number, label: string) =>
  Array.from({ length: n }, (_, i) => `${label} ${i + 1}`);

const repo = GitRepo.create('codex-review-suggest-');
afterAll(() => repo.remove());

// app.js (LF, two-space indentation) changes at line 5 and lines 20-22 of 30: two hunks.
const app = numbered(30, '  const line');
repo.write('app.js', `${app.join('\n')}\n`);
repo.write('tabs.go', 'package main\n\nfunc old() {\n\treturn\n}\n');
repo.write('crlf.txt', 'one\r\ntwo\r\nthree\r\n');
repo.write('mixed.txt', 'one\ntwo\r\nthree\n');
repo.write('nonl.txt', 'first\nsecond');
const base = repo.commit('base');
app[4] = '  const changed = 5;';
app.splice(19, 3, '  if (x) {', '    run(x);', '  }');
repo.write('app.js', `${app.join('\n')}\n`);
repo.write(
  'tabs.go',
  'package main\n\nfunc run(x int) {\n\tif x > 0 {\n\t\tfmt.Println(x, // why\n\t\t  "aligned")\n\t}\n}\n',
);
repo.write('crlf.txt', 'one\r\nTWO\r\nthree\r\n');
repo.write('mixed.txt', 'one\nTWO\r\nTHREE\n');
repo.write('nonl.txt', 'first\nsecond, changed');
const head = repo.commit('head');

const diff = DiffIndex.parse(await unifiedDiff(repo.dir, base, head));
const SECRET = 'sk-proj-suggestedSecret0123456789abcd';
const redactor = new Redactor();
redactor.add(SECRET);

const anchor = (
  path: string,
  startLine: number,
  line = startLine,
  side: InlineAnchor['side'] = 'RIGHT',
): InlineAnchor => ({ path, side, startLine, line, clamped: false });

async function check(candidate: SuggestionCandidate) {
  return checkSuggestion(candidate, {
    diff,
    fileText: await fileAtCommit(repo.dir, head, candidate.anchor.path),
    redactor,
    rules: SUGGESTION_OUTPUT_RULES,
  });
}

async function reason(candidate: SuggestionCandidate): Promise<string> {
  const result = await check(candidate);
  if (result.ok) throw new Error('the suggestion was accepted');
  return result.reason;
}

describe('a suggestion that replaces exactly the commented lines', () => {
  it('is accepted on one added line, without the trailing newline a reply carries', async () => {
    const result = await check({
      anchor: anchor('app.js', 5),
      replacement: '  const changed = 5 * 2;\n',
    });
    expect(result).toEqual({
      ok: true,
      suggestion: {
        startLine: 5,
        endLine: 5,
        original: ['  const changed = 5;'],
        replacement: ['  const changed = 5 * 2;'],
        lastLineLength: '  const changed = 5;'.length,
        lineEnding: '\n',
      },
    });
  });

  it('is accepted on three lines of one hunk, with more or fewer lines than it replaces', async () => {
    const longer = await check({
      anchor: anchor('app.js', 20, 22),
      replacement: '  if (x) {\n    validate(x);\n    run(x);\n  }',
    });
    expect(longer.ok && longer.suggestion.replacement).toHaveLength(4);
    const shorter = await check({
      anchor: anchor('app.js', 20, 22),
      replacement: '  if (x) run(x);',
    });
    expect(shorter.ok && shorter.suggestion.original).toEqual(['  if (x) {', '    run(x);', '  }']);
    // The replaced text ends where the last line does.
    expect(shorter.ok && shorter.suggestion.lastLineLength).toBe('  }'.length);
  });

  it('is accepted on an unchanged line shown in the hunk (context)', async () => {
    expect(
      (await check({ anchor: anchor('app.js', 3), replacement: '  const line = 3;' })).ok,
    ).toBe(true);
  });
});

describe('a suggestion on the wrong lines is dropped', () => {
  it('when it was written for other lines than the comment covers (a clamped range)', async () => {
    expect(
      await reason({
        anchor: anchor('app.js', 20, 22),
        lines: { start: 20, end: 25 },
        replacement: 'x',
      }),
    ).toBe('the fix was written for lines 20–25, the comment covers lines 20–22');
  });

  it('when the comment is on the old side (LEFT) or on the whole file', async () => {
    expect(await reason({ anchor: anchor('app.js', 5, 5, 'LEFT'), replacement: 'x' })).toMatch(
      /old side/,
    );
    expect(await reason({ anchor: anchor('app.js', 5, 5, 'FILE'), replacement: 'x' })).toMatch(
      /whole file/,
    );
  });

  it('when its lines span two hunks, or leave the diff', async () => {
    expect(await reason({ anchor: anchor('app.js', 5, 20), replacement: 'x' })).toBe(
      'lines 5–20 are not all on the new side of one hunk of the diff',
    );
    expect(await reason({ anchor: anchor('app.js', 14), replacement: 'x' })).toMatch(
      /not all on the new side/,
    );
    expect(await reason({ anchor: anchor('untouched.js', 1), replacement: 'x' })).toMatch(
      /not all on the new side/,
    );
  });

  it('when the file cannot be read at the reviewed head', async () => {
    const result = checkSuggestion(
      { anchor: anchor('app.js', 5), replacement: 'x' },
      { diff, fileText: undefined, redactor, rules: SUGGESTION_OUTPUT_RULES },
    );
    expect(result).toEqual({
      ok: false,
      reason: 'the file could not be read at the reviewed head',
    });
  });

  it('when the file at the head is shorter than the commented lines', async () => {
    const result = checkSuggestion(
      { anchor: anchor('app.js', 20, 22), replacement: 'x' },
      { diff, fileText: 'a\nb\n', redactor, rules: SUGGESTION_OUTPUT_RULES },
    );
    expect(result).toMatchObject({ ok: false, reason: expect.stringMatching(/2 line\(s\)/) });
  });
});

describe('a suggestion that changes nothing or nothing usable is dropped', () => {
  it('when it is the lines as they are (with or without a final newline)', async () => {
    expect(await reason({ anchor: anchor('app.js', 5), replacement: '  const changed = 5;' })).toBe(
      'it changes nothing',
    );
    expect(
      await reason({
        anchor: anchor('app.js', 20, 22),
        replacement: '  if (x) {\n    run(x);\n  }\n',
      }),
    ).toBe('it changes nothing');
  });

  it('when it is empty', async () => {
    expect(await reason({ anchor: anchor('app.js', 5), replacement: '' })).toMatch(/empty/);
    expect(await reason({ anchor: anchor('app.js', 5), replacement: '\n' })).toMatch(/empty/);
  });
});

describe("a suggestion keeps the file's line endings", () => {
  it('in a CRLF file: LF or CRLF lines are accepted and applied with CRLF', async () => {
    for (const replacement of ['Two', 'Two\r\n', 'Two\n']) {
      const result = await check({ anchor: anchor('crlf.txt', 2), replacement });
      expect(result).toMatchObject({
        ok: true,
        suggestion: { original: ['TWO'], replacement: ['Two'], lineEnding: '\r\n' },
      });
    }
  });

  it('in a CRLF file, the same line written with LF changes nothing', async () => {
    expect(await reason({ anchor: anchor('crlf.txt', 2), replacement: 'TWO\n' })).toBe(
      'it changes nothing',
    );
  });

  it('in an LF file, carriage returns are refused', async () => {
    expect(
      await reason({
        anchor: anchor('app.js', 20, 22),
        replacement: '  if (x) {\r\n    go();\r\n  }',
      }),
    ).toBe('it has carriage returns (CRLF) in a file with LF line endings');
  });

  it('a lone carriage return in a CRLF file is refused', async () => {
    expect(await reason({ anchor: anchor('crlf.txt', 2), replacement: 'T\rwo' })).toMatch(
      /carriage return that ends no line/,
    );
  });

  it('lines that mix LF and CRLF are refused: which one to keep is unknown', async () => {
    expect(await reason({ anchor: anchor('mixed.txt', 2, 3), replacement: 'two\nthree' })).toBe(
      'the commented lines mix LF and CRLF line endings',
    );
  });

  it('the last line without a newline: accepted, and the replacement gets none', async () => {
    const result = await check({ anchor: anchor('nonl.txt', 2), replacement: 'second, fixed\n' });
    expect(result).toMatchObject({
      ok: true,
      suggestion: {
        startLine: 2,
        endLine: 2,
        original: ['second, changed'],
        replacement: ['second, fixed'],
        lastLineLength: 'second, changed'.length,
        lineEnding: '\n',
      },
    });
  });

  it('splitLines keeps each ending and starts no line after a final newline', () => {
    expect(splitLines('a\r\nb\nc')).toEqual([
      { text: 'a', ending: '\r\n' },
      { text: 'b', ending: '\n' },
      { text: 'c', ending: '' },
    ]);
    expect(splitLines('a\n')).toEqual([{ text: 'a', ending: '\n' }]);
    expect(splitLines('')).toEqual([]);
  });
});

describe("a suggestion keeps the file's indentation", () => {
  it('tabs in a file indented with tabs, alignment spaces after them allowed', async () => {
    const result = await check({
      anchor: anchor('tabs.go', 5, 6),
      replacement: '\t\tfmt.Println(x,\n\t\t  "aligned") // why',
    });
    expect(result.ok).toBe(true);
  });

  it('spaces in a file indented with tabs are refused', async () => {
    expect(await reason({ anchor: anchor('tabs.go', 4), replacement: '    if x >= 0 {' })).toBe(
      'it indents with spaces where the file indents with tabs',
    );
  });

  it('tabs in a file indented with spaces are refused', async () => {
    expect(await reason({ anchor: anchor('app.js', 5), replacement: '\tconst changed = 6;' })).toBe(
      'it indents with tabs where the file indents with spaces',
    );
  });

  it('one leading space (a block comment going on) fits either style', async () => {
    expect((await check({ anchor: anchor('tabs.go', 4), replacement: ' * note' })).ok).toBe(true);
  });
});

describe('a suggestion passes every output rule unchanged, or is dropped (never escaped)', () => {
  const at5 = anchor('app.js', 5);
  it('a registered secret, or a token by its shape', async () => {
    expect(await reason({ anchor: at5, replacement: `  const key = "${SECRET}";` })).toBe(
      'it contains what looks like a secret',
    );
    expect(
      await reason({
        anchor: at5,
        replacement: '  const t = "ghp_abcdefghijklmnopqrstuvwxyz0123";',
      }),
    ).toBe('it contains what looks like a secret');
  });

  it('a GitLab quick action at the start of a line', async () => {
    expect(
      await reason({ anchor: anchor('app.js', 20, 22), replacement: '  if (x) {\n/merge\n  }' }),
    ).toBe('it contains a line GitLab would run as a quick action');
    expect(await reason({ anchor: at5, replacement: '   /approve' })).toMatch(/quick action/);
  });

  it('but code comments starting with // or /* are code', async () => {
    expect((await check({ anchor: at5, replacement: '// const changed = 5;' })).ok).toBe(true);
    expect((await check({ anchor: at5, replacement: '/* const changed = 5; */' })).ok).toBe(true);
  });

  it('an HTML comment opener that could forge a marker', async () => {
    expect(
      await reason({ anchor: at5, replacement: '  const html = "<!-- codex-review:summary -->";' }),
    ).toMatch(/HTML comment opener/);
  });

  it('terminal control characters', async () => {
    expect(await reason({ anchor: at5, replacement: '  const bell = "\u0007";' })).toBe(
      'it contains terminal control characters',
    );
  });

  it('an invisible or text-direction character the lines did not have (Trojan Source)', async () => {
    expect(
      await reason({ anchor: at5, replacement: '  const changed = 5; /* \u202e } \u2066 */' }),
    ).toBe('it adds an invisible or text-direction character (U+202E)');
    expect(await reason({ anchor: at5, replacement: '  const chang\u200bed = 5 * 2;' })).toBe(
      'it adds an invisible or text-direction character (U+200B)',
    );
  });

  it('but one the lines already had is kept (an emoji sequence joined by U+200D)', () => {
    const text = ['a', 'b', 'c', 'd', 'const who = "👩\u200d💻";'].join('\n');
    const result = checkSuggestion(
      { anchor: at5, replacement: 'const who = "👩\u200d💻 dev";' },
      { diff, fileText: text, redactor, rules: SUGGESTION_OUTPUT_RULES },
    );
    expect(result.ok).toBe(true);
  });

  it('a mention is code here: it is kept as written (the block is not escaped)', async () => {
    const result = await check({ anchor: at5, replacement: '  @Override const changed = 6;' });
    expect(result.ok && result.suggestion.replacement).toEqual(['  @Override const changed = 6;']);
  });
});
