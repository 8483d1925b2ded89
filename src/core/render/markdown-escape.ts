// Model text enters the Markdown posted to GitHub and GitLab through these functions. The model
// read the pull request, so its text is the attacker's: it must notify nobody, stay inside the
// construct it is put in (a title, a table cell, a code span, a link) and, on GitLab, run no
// quick action. Forged `<!--` markers are neutralised by the publish layer's
// neutralizeMarkers over each whole body.
/* eslint-disable no-control-regex -- vertical tab and form feed are line breaks to a reader */
import { stripTerminalControls } from './sanitize.js';

const ZERO_WIDTH_SPACE = '\u200b';

/**
 * `@alice`, `@octo-org/everyone`, `@all`: GitHub and GitLab link and notify a mention found in
 * a text node of the rendered HTML, so escaping it in Markdown (`\@`, `&#64;`) does not help.
 * A zero-width space after the `@` breaks the name off, as Dependabot does in the release
 * notes it quotes; the text still reads the same. An `@` right after a letter or digit is part
 * of an address (`bob@example.com`) and is no mention on either platform. A mention inside a
 * code block would not notify, but which lines are code differs between Markdown parsers, so
 * every one is broken.
 */
export function neutralizeMentions(text: string): string {
  return text
    .replace(/&(?:#0*64|#[xX]0*40|commat);?/g, `@${ZERO_WIDTH_SPACE}`)
    .replace(/(?<![A-Za-z0-9])@(?!\u200b)/g, `@${ZERO_WIDTH_SPACE}`);
}

/** Line breaks a renderer or a person sees as one. */
const LINE_BREAK = /[\n\r\u000b\u000c\u0085\u2028\u2029]+/;

/** One line: a newline in a title must not start a `## heading` or a list after it. */
export function oneLine(text: string): string {
  return text
    .split(LINE_BREAK)
    .map((part) => part.trim())
    .filter((part) => part !== '')
    .join(' ');
}

/** Block text by the model: a finding's body, the verdict's explanation. */
export function markdownBlock(text: string): string {
  return neutralizeMentions(stripTerminalControls(text));
}

/** Text by the model shown on one line: a title, a list item, the verdict. */
export function markdownInline(text: string): string {
  return markdownBlock(oneLine(text));
}

/** A cell of a GFM table: one line, and `|` escaped so it cannot start another cell. */
export function tableCell(text: string): string {
  return markdownInline(text).replace(/\|/g, '\\|');
}

/** Model text inside an HTML element (`<summary>`): Markdown is not parsed there, HTML is. */
export function htmlInline(text: string): string {
  return escapeHtml(markdownInline(text));
}

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * A code span that holds `text` whatever it contains (a path may hold backticks): the fence is
 * one backtick longer than the longest run inside, and a space pads content that starts or
 * ends with a backtick (CommonMark strips one such space on each side). In a table cell `|` is
 * escaped too; GFM splits cells before it parses code spans.
 */
export function codeSpan(text: string, options: { inTable?: boolean } = {}): string {
  let content = oneLine(stripTerminalControls(text));
  if (options.inTable) content = content.replace(/\|/g, '\\|');
  const longest = Math.max(0, ...(content.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  const pad =
    content.startsWith('`') ||
    content.endsWith('`') ||
    (content.startsWith(' ') && content.endsWith(' ') && content.trim() !== '');
  return pad ? `${fence} ${content} ${fence}` : `${fence}${content}${fence}`;
}

/**
 * GitLab runs a quick action (`/merge`, `/approve`, `/label`) written at the start of a line
 * of a note, an issue description or a merge request, with the rights of the token that
 * posted it. Its extractor (lib/gitlab/quick_actions/extractor.rb) matches `^\/<name>` and
 * skips what it believes is code: older versions skip only column-0 ``` fences, `>>>` quotes
 * and simple HTML blocks, newer ones only the lines of paragraphs its Markdown parser finds.
 * Neither matches any other parser's idea of a fence, so no guess about code blocks is made
 * here: every line that starts with `/` (after any whitespace or invisible character) gets a
 * backslash before the slash. Outside code it is a Markdown escape and renders as `/`; inside
 * code it shows. `//` and `/*` are left alone: a command name follows the single slash, so
 * they are never commands, and they are how code comments start.
 */
export function neutralizeQuickActions(body: string): string {
  return body.replace(/^([\s\u0085\p{Default_Ignorable_Code_Point}\p{Cf}]*)\/(?![/*])/gmu, '$1\\/');
}
