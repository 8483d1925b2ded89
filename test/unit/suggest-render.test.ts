// A checked suggested change as it is posted: a GitHub ```suggestion block or a GitLab
// ```suggestion:-N+0 block in the inline comment, built by the product (never escaped, never cut,
// never swallowed by the model's text), and a diff in the summaries. Judged with commonmark.js,
// as a platform's Markdown parser reads it.
import { describe, expect, it } from 'vitest';
import type { InlineAnchor } from '../../src/core/diff/placement.js';
import { renderInlineComment } from '../../src/core/render/inline-comment.js';
import { findingDetails } from '../../src/core/render/priority.js';
import { suggestionBlock, suggestionDiff } from '../../src/core/render/suggestion.js';
import type { Finding, Suggestion } from '../../src/core/review/finding.js';
import { fingerprintsIn } from '../../src/core/state/markers.js';
import { nodesOf, parseMarkdown } from '../support/markdown-check.js';

const anchor = (startLine: number, line = startLine): InlineAnchor => ({
  path: 'src/app.ts',
  side: 'RIGHT',
  startLine,
  line,
  clamped: false,
});

const suggestion = (startLine: number, replacement: string[], endLine = startLine): Suggestion => ({
  startLine,
  endLine,
  original: Array.from({ length: endLine - startLine + 1 }, (_, i) => `old ${startLine + i}`),
  replacement,
  lastLineLength: `old ${endLine}`.length,
  lineEnding: '\n',
});

const finding = (extra: Partial<Finding> = {}): Finding => ({
  title: 'Division by zero',
  body: 'Guard the empty case.',
  priority: 1,
  confidence: 0.9,
  path: 'src/app.ts',
  startLine: 10,
  endLine: 10,
  inRepo: true,
  fingerprint: '0123456789abcdef',
  ...extra,
});

/** The suggestion blocks a platform finds in a body: fenced code whose info starts so. */
function suggestionsIn(body: string): Array<{ info: string; code: string }> {
  return nodesOf(parseMarkdown(body), 'code_block')
    .filter((n) => (n.info ?? '').startsWith('suggestion'))
    .map((n) => ({ info: n.info ?? '', code: n.literal ?? '' }));
}

describe('the suggestion block of an inline comment', () => {
  it('GitHub: a ```suggestion block replacing the commented line', () => {
    const f = finding({
      suggestion: suggestion(10, ['  return xs.length ? sum / xs.length : 0;']),
    });
    const body = renderInlineComment(f, anchor(10), 65_536, 'github');
    expect(suggestionsIn(body)).toEqual([
      { info: 'suggestion', code: '  return xs.length ? sum / xs.length : 0;\n' },
    ]);
    expect(body).toContain('Guard the empty case.');
    expect(fingerprintsIn(body)).toEqual([f.fingerprint]);
  });

  it('GitLab: ```suggestion:-2+0 for three lines, counted from the line the note is on (the last)', () => {
    const f = finding({ endLine: 12, suggestion: suggestion(10, ['a();', 'b();'], 12) });
    expect(suggestionsIn(renderInlineComment(f, anchor(10, 12), 1_000_000, 'gitlab'))).toEqual([
      { info: 'suggestion:-2+0', code: 'a();\nb();\n' },
    ]);
    const one = finding({ suggestion: suggestion(10, ['x();']) });
    expect(suggestionsIn(renderInlineComment(one, anchor(10), 1_000_000, 'gitlab'))).toEqual([
      { info: 'suggestion:-0+0', code: 'x();\n' },
    ]);
  });

  it('uses a fence longer than any run of backticks in the code', () => {
    const code = ['const md = "```js\\n````\\n";', 'const t = `${a}`;'];
    const block = suggestionBlock(suggestion(10, code, 11), anchor(10, 11), 'github')!;
    expect(block.startsWith('`````suggestion\n')).toBe(true);
    expect(suggestionsIn(block)).toEqual([{ info: 'suggestion', code: `${code.join('\n')}\n` }]);
  });

  it('is the code as written: a mention-like decorator is not escaped (it is code, not text)', () => {
    const f = finding({ suggestion: suggestion(10, ['  @Override', '  public int size() {'], 11) });
    const body = renderInlineComment(f, anchor(10, 11), 65_536, 'github');
    expect(suggestionsIn(body)[0]!.code).toBe('  @Override\n  public int size() {\n');
    expect(body).not.toContain('@\u200b');
  });

  it('is not shown when it does not replace exactly the anchored lines, or on the old side', () => {
    const f = finding({ suggestion: suggestion(10, ['x();']) });
    expect(suggestionsIn(renderInlineComment(f, anchor(11), 65_536, 'github'))).toEqual([]);
    expect(suggestionsIn(renderInlineComment(f, anchor(10, 11), 65_536, 'github'))).toEqual([]);
    expect(
      suggestionsIn(renderInlineComment(f, { ...anchor(10), side: 'LEFT' }, 65_536, 'github')),
    ).toEqual([]);
    expect(
      suggestionsIn(renderInlineComment(f, { ...anchor(10), side: 'FILE' }, 65_536, 'gitlab')),
    ).toEqual([]);
  });

  it('is not shown where the platform takes none', () => {
    const f = finding({ suggestion: suggestion(10, ['x();']) });
    expect(suggestionsIn(renderInlineComment(f, anchor(10), 65_536))).toEqual([]);
  });

  it("the model's own suggestion fences are plain code, ours is the only one", () => {
    const f = finding({
      body: 'Try:\n```suggestion\nrm -rf /\n```\n~~~suggestion:-5+5\nother\n~~~',
      suggestion: suggestion(10, ['x();']),
    });
    expect(suggestionsIn(renderInlineComment(f, anchor(10), 65_536, 'github'))).toEqual([
      { info: 'suggestion', code: 'x();\n' },
    ]);
  });

  it('cannot be swallowed by what the model wrote: it comes right after the one-line title', () => {
    const hostile = [
      'open fence:\n```',
      'open long fence:\n``````',
      'open tilde fence:\n~~~~~',
      '<pre>\nraw',
      '<?php',
      '<details>\n<summary>x</summary>',
      '> quote\n> ```',
      '- list\n\n      indented code',
    ];
    for (const body of hostile) {
      const f = finding({
        title: 'Title `with` <b>markup</b> ```',
        body,
        suggestion: suggestion(10, ['  @team/all x();']),
      });
      const rendered = renderInlineComment(f, anchor(10), 65_536, 'github');
      expect(suggestionsIn(rendered), body).toEqual([
        { info: 'suggestion', code: '  @team/all x();\n' },
      ]);
      // The decorator-like text is only ever code, never text where a mention is linked.
      const doc = parseMarkdown(rendered);
      for (const type of ['text', 'html_block', 'html_inline'])
        for (const n of nodesOf(doc, type)) expect(n.literal ?? '', body).not.toContain('@team');
    }
  });

  it('is never cut: when it does not fit the platform limit it is left out, the marker kept', () => {
    const f = finding({ body: 'y'.repeat(5_000), suggestion: suggestion(10, ['z'.repeat(3_000)]) });
    const small = renderInlineComment(f, anchor(10), 2_000, 'github');
    expect(small.length).toBeLessThanOrEqual(2_000);
    expect(suggestionsIn(small)).toEqual([]);
    expect(fingerprintsIn(small)).toEqual([f.fingerprint]);
    const fits = renderInlineComment(f, anchor(10), 4_000, 'github');
    expect(fits.length).toBeLessThanOrEqual(4_000);
    expect(suggestionsIn(fits)).toEqual([{ info: 'suggestion', code: `${'z'.repeat(3_000)}\n` }]);
    expect(fits).toContain('(truncated; the full text is in the findings file)');
  });
});

describe('the suggested change in the summaries', () => {
  it('is a diff of the old and new lines under the finding', () => {
    const s = suggestion(10, ['new 10', 'new 11'], 11);
    const details = findingDetails([finding({ suggestion: s })]).join('\n');
    expect(details).toContain('Suggested change of lines 10–11:');
    expect(nodesOf(parseMarkdown(details), 'code_block').map((n) => [n.info, n.literal])).toEqual([
      ['diff', '-old 10\n-old 11\n+new 10\n+new 11\n'],
    ]);
  });

  it('is shown even for a finding without a body', () => {
    const details = findingDetails([finding({ body: '', suggestion: suggestion(3, ['y']) })]);
    expect(details.join('\n')).toContain('Suggested change of line 3:');
  });

  it('escapes mentions there: other model text before it could have left a block open', () => {
    const diff = suggestionDiff(suggestion(1, ['@alice x']));
    expect(diff).toContain('+@\u200balice x');
  });
});
