/* eslint-disable no-control-regex -- the tests look for terminal escapes */
import { describe, expect, it } from 'vitest';
import { encodePath } from '../../src/core/render/links.js';
import {
  codeSpan,
  htmlInline,
  markdownBlock,
  markdownInline,
  neutralizeMentions,
  neutralizeQuickActions,
  oneLine,
  tableCell,
} from '../../src/core/render/markdown-escape.js';
import { fenceExtractor, paragraphExtractor, slashLines } from '../support/gitlab-quick-actions.js';
import { QUICK_ACTION_TEXTS } from '../support/hostile.js';
import { mentionsIn, nodesOf, parseMarkdown, visibleText } from '../support/markdown-check.js';

const MENTIONS = [
  '@alice',
  'cc @octo-org/everyone @alice',
  '@all please look',
  '@here',
  '(@alice)',
  'x\n@bob',
  '`@alice` in code',
  '```\n@alice in a fence\n```',
  '\\@alice',
  '&#64;alice',
  '&#x40;alice &commat;carol',
  '@&#97;lice',
  '**@alice**',
  '<b>@alice</b>',
  '- @alice',
];

describe('mentions in model text', () => {
  it('the checks find every planted mention when it is left as it is', () => {
    for (const text of MENTIONS.filter((t) => !t.includes('`'))) {
      expect(mentionsIn(text), text).not.toEqual([]);
    }
  });

  for (const text of MENTIONS) {
    it(`notify nobody: ${JSON.stringify(text)}`, () => {
      expect(mentionsIn(markdownBlock(text))).toEqual([]);
      expect(mentionsIn(markdownInline(text))).toEqual([]);
    });
  }

  it('still read the same (a zero-width space follows the @)', () => {
    const out = neutralizeMentions('cc @octo-org/everyone @alice');
    expect(out).toBe('cc @\u200bocto-org/everyone @\u200balice');
    expect(out.replace(/\u200b/g, '')).toBe('cc @octo-org/everyone @alice');
    expect(neutralizeMentions(out)).toBe(out);
  });

  it('leave e-mail addresses and decorators after a letter alone', () => {
    expect(neutralizeMentions('mail bob@example.com')).toBe('mail bob@example.com');
  });
});

describe('titles', () => {
  it('are one line, so a newline cannot start a heading or a list', () => {
    const title = 'Fix this\n## Approved by security\n\n- [x] done\r\nand\u2028more';
    expect(oneLine(title)).toBe('Fix this ## Approved by security - [x] done and more');
    const doc = parseMarkdown(`**${markdownInline(title)}**`);
    expect(nodesOf(doc, 'heading')).toEqual([]);
    expect(nodesOf(doc, 'list')).toEqual([]);
    expect(nodesOf(doc, 'paragraph')).toHaveLength(1);
  });

  it('in a table cell stay in their cell', () => {
    const row = `| ${tableCell('a | b\n| c')} | next |`;
    expect(row).toBe('| a \\| b \\| c | next |');
  });

  it('in HTML are escaped', () => {
    expect(htmlInline('</summary><img src=x onerror=alert(1)> @alice')).toBe(
      '&lt;/summary&gt;&lt;img src=x onerror=alert(1)&gt; @\u200balice',
    );
  });
});

describe('code spans and links', () => {
  const paths = [
    'src/a`b.ts',
    'src/``x``.ts',
    '`start.ts',
    'end.ts`',
    'src/a](https://evil.example)[b.ts',
    'src/a).ts',
    'src/a b.ts',
    'src/a|b.ts',
    'src/\u001b]8;;https://evil.example\u001b\\x.ts',
    'src/a\nb.ts',
  ];
  for (const path of paths) {
    it(`hold the path ${JSON.stringify(path)} whole, in a link`, () => {
      const url = `https://github.com/o/r/blob/sha/${encodePath(path)}#L1`;
      const doc = parseMarkdown(`see [${codeSpan(path)}](${url}) after`);
      const links = nodesOf(doc, 'link');
      expect(links).toHaveLength(1);
      expect(links[0]!.destination).toBe(url);
      const codes = nodesOf(doc, 'code');
      expect(codes).toHaveLength(1);
      expect(codes[0]!.parent).toBe(links[0]);
      expect(codes[0]!.literal).toBe(oneLine(path.replace(/\u001b\]8;;[^\u001b]*\u001b\\/, '')));
      expect(nodesOf(doc, 'text').at(-1)!.literal).toBe(' after');
    });
  }

  it('escape `|` inside a table cell (GFM splits cells first)', () => {
    expect(codeSpan('a|b', { inTable: true })).toBe('`a\\|b`');
    expect(codeSpan('a|b')).toBe('`a|b`');
  });

  it('encode the parentheses of a path in a URL', () => {
    expect(encodePath('src/a (1)/b).ts')).toBe('src/a%20%281%29/b%29.ts');
  });
});

describe('GitLab quick actions in model text', () => {
  it('the ported extractors find the planted commands when nothing is escaped', () => {
    const found = QUICK_ACTION_TEXTS.map((t) => [
      ...fenceExtractor(`Intro\n\n${t}`),
      ...paragraphExtractor(`Intro\n\n${t}`),
    ]);
    // At least one generation of GitLab runs a command from most of them as they are.
    expect(found.filter((f) => f.length > 0).length).toBeGreaterThanOrEqual(8);
    expect(QUICK_ACTION_TEXTS.every((t) => slashLines(t).length > 0)).toBe(true);
  });

  for (const text of QUICK_ACTION_TEXTS) {
    it(`run none: ${JSON.stringify(text)}`, () => {
      const body = neutralizeQuickActions(`## Codex review\n\n${markdownBlock(text)}\n\nend`);
      expect(fenceExtractor(body)).toEqual([]);
      expect(paragraphExtractor(body)).toEqual([]);
      expect(slashLines(body)).toEqual([]);
    });
  }

  it('render as the slash they escape, outside code', () => {
    const body = neutralizeQuickActions('Please\n/merge\nthis');
    expect(body).toBe('Please\n\\/merge\nthis');
    expect(visibleText(body)).toEqual(['Please\n/merge\nthis']);
  });

  it('leave code comments alone and are idempotent', () => {
    const body = '```js\n// keep\n/* keep */\n```';
    expect(neutralizeQuickActions(body)).toBe(body);
    const once = neutralizeQuickActions(' /merge\n\u00a0/approve');
    expect(neutralizeQuickActions(once)).toBe(once);
  });
});
