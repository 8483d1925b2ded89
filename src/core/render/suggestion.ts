// A finding's checked suggested change (src/core/suggest) as Markdown: a committable suggestion
// block in its inline comment, and a diff wherever else the finding is shown (summaries).
import type { InlineAnchor } from '../diff/placement.js';
import type { SuggestionSyntax } from '../platform.js';
import type { Suggestion } from '../review/finding.js';
import { markdownBlock } from './markdown-escape.js';

/** Backticks that no run of backticks in `text` can close (at least three). */
function fenceFor(text: string): string {
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  return '`'.repeat(Math.max(3, longest + 1));
}

/**
 * The suggestion block of an inline comment, or undefined when the suggestion does not replace
 * exactly the anchor's lines on the new side (it would change the wrong code). Its text is the
 * code itself: it was checked against every output rule instead of escaped (escaping would
 * change what is committed), and the fence it sits in cannot be closed by it.
 */
export function suggestionBlock(
  suggestion: Suggestion,
  anchor: InlineAnchor,
  syntax: SuggestionSyntax,
): string | undefined {
  if (
    anchor.side !== 'RIGHT' ||
    suggestion.startLine !== anchor.startLine ||
    suggestion.endLine !== anchor.line
  ) {
    return undefined;
  }
  const code = suggestion.replacement.join('\n');
  const fence = fenceFor(code);
  // GitLab counts from the line the note is positioned on: the last line of the range.
  const info =
    syntax === 'github' ? 'suggestion' : `suggestion:-${anchor.line - anchor.startLine}+0`;
  return `${fence}${info}\n${code}\n${fence}`;
}

/**
 * The change as a diff, for text that is not its inline comment (summary comment, step
 * summary). There other model text comes before it and may leave a block open, so this code
 * is escaped like any model text: it is shown, not committed.
 */
export function suggestionDiff(suggestion: Suggestion): string {
  const code = markdownBlock(
    [
      ...suggestion.original.map((line) => `-${line}`),
      ...suggestion.replacement.map((line) => `+${line}`),
    ].join('\n'),
  );
  const fence = fenceFor(code);
  return `${fence}diff\n${code}\n${fence}`;
}
