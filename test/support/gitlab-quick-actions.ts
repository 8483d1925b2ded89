// GitLab's quick-action extractor, ported to judge what we post: which commands GitLab would
// run from a note, an issue description or a merge request description. Both generations are
// ported because GitLab instances run many versions:
//
// - fenceExtractor: lib/gitlab/quick_actions/extractor.rb before the Markdown-based rewrite.
//   One regular expression (Ruby flags `mix`: `.` matches newlines, `^`/`$` match at every
//   line) that skips ``` blocks starting at column 0, multi-line inline code, simple HTML
//   blocks and `>>>` quotes, and otherwise runs `^\/<name>` at the start of any line.
// - paragraphExtractor: the current extractor. Banzai's QuickActionFilter keeps the top-level
//   paragraphs (direct children of the document) whose rendered text has a line starting with
//   `/`; the command regex (with inline code and HTML blocks excluded) then runs on those
//   paragraphs' source lines. commonmark.js stands in for GitLab's CommonMark parser.
import { Parser, type Node } from 'commonmark';

/** A representative set of command names (GitLab has more; every one is `/` + a word). */
export const QUICK_ACTIONS = [
  'approve',
  'merge',
  'close',
  'reopen',
  'label',
  'unlabel',
  'relabel',
  'assign',
  'unassign',
  'assign_reviewer',
  'reviewer',
  'unassign_reviewer',
  'milestone',
  'title',
  'draft',
  'ready',
  'lock',
  'rebase',
  'submit_review',
  'target_branch',
  'copy_metadata',
  'cc',
  'todo',
  'done',
  'subscribe',
  'confidential',
  'spend',
  'shrug',
];

const names = QUICK_ACTIONS.join('|');

const FENCE_ERA = new RegExp(
  [
    '(?<code>^```.+?\\n```$)',
    '(?<inline_code>^.*`\\n*.+?\\n*`$)',
    '(?<html>^<[^>]+?>\\n.+?\\n<\\/[^>]+?>$)',
    '(?<quote>^>>>.+?\\n>>>$)',
    `(?:^\\/(?<cmd>${names})(?:[ ](?<arg>[^\\n]*))?(?:\\s*\\n|$))`,
  ].join('|'),
  'gmsi',
);

const PARAGRAPH_ERA = new RegExp(
  [
    '(?<inline_code>`.+?`)',
    '(?<html>^<[^>]+?>\\n.+?\\n<\\/[^>]+?>$)',
    `(?:^\\/(?<cmd>${names})(?:[ ](?<arg>[^\\n]*))?(?:\\s*\\n|$))`,
  ].join('|'),
  'gmsi',
);

function commands(text: string, pattern: RegExp): string[] {
  const found: string[] = [];
  for (const m of text.matchAll(pattern)) {
    if (m.groups?.cmd) found.push(`/${m.groups.cmd}${m.groups.arg ? ` ${m.groups.arg}` : ''}`);
  }
  return found;
}

export function fenceExtractor(body: string): string[] {
  return commands(body.replace(/\r/g, ''), FENCE_ERA);
}

/** The text a paragraph renders to, lines joined by "\n" (Nokogiri's node.content). */
function renderedText(node: Node): string {
  let text = '';
  const walker = node.walker();
  for (let e = walker.next(); e; e = walker.next()) {
    if (!e.entering) continue;
    const n = e.node;
    if (n.type === 'text' || n.type === 'code') text += n.literal ?? '';
    else if (n.type === 'softbreak' || n.type === 'linebreak') text += '\n';
  }
  return text;
}

export function paragraphExtractor(body: string): string[] {
  const content = body.replace(/\r/g, '');
  const lines = content.split(/(?<=\n)/);
  const doc = new Parser().parse(content);
  const found: string[] = [];
  for (let node = doc.firstChild; node; node = node.next) {
    if (node.type !== 'paragraph' || !/^\//m.test(renderedText(node))) continue;
    const [[startRow], [endRow]] = node.sourcepos;
    let end = endRow! - 1;
    if (lines[end + 1] === '\n') end += 1;
    found.push(...commands(lines.slice(startRow! - 1, end + 1).join(''), PARAGRAPH_ERA));
  }
  return found;
}

/**
 * Lines that start with a slash (after any whitespace or invisible character), the shape every
 * quick action has, whatever a parser thinks of the lines around them; `//` and `/*` excepted.
 */
export function slashLines(body: string): string[] {
  return body
    .split(/\r\n|[\r\n]/)
    .filter((line) => /^[\s\u0085\p{Default_Ignorable_Code_Point}\p{Cf}]*\/(?![/*])/u.test(line));
}
