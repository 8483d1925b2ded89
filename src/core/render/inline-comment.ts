// The body of one inline review comment: title, the suggested change (when it has one), the
// finding's text, and a footer with the marker that finds the comment again.
import type { InlineAnchor } from '../diff/placement.js';
import type { SuggestionSyntax } from '../platform.js';
import { findingMarker, neutralizeMarkers } from '../state/markers.js';
import type { Finding } from '../review/finding.js';
import { markdownBlock, markdownInline } from './markdown-escape.js';
import { priorityBadge } from './priority.js';
import { suggestionBlock } from './suggestion.js';

const SUGGESTION_FENCE = /^(\s*)(`{3,}|~{3,})suggestion\b/gm;

/** `syntax`: how the platform takes a suggested change; without it none is shown. */
export function renderInlineComment(
  finding: Finding,
  anchor: InlineAnchor,
  maxLength: number,
  syntax?: SuggestionSyntax,
): string {
  const head = `**${priorityBadge(finding.priority)} · ${neutralizeMarkers(markdownInline(finding.title))}**`;
  // A suggestion in the finding's own text was never checked: it could replace the wrong lines
  // or carry what the output rules keep out. Only the product's checked one is committable;
  // a fence of the model's is shown as plain code.
  let body = neutralizeMarkers(markdownBlock(finding.body)).replace(SUGGESTION_FENCE, '$1$2text');
  // Right after the one-line title, where nothing the model wrote can leave a block open that
  // would swallow it.
  let suggestion =
    syntax && finding.suggestion ? suggestionBlock(finding.suggestion, anchor, syntax) : undefined;
  const notes: string[] = [];
  if (finding.confidence !== null) notes.push(`confidence ${finding.confidence.toFixed(2)}`);
  if (anchor.side === 'FILE' && finding.startLine !== null) {
    notes.push(
      `on lines ${finding.startLine}–${finding.endLine ?? finding.startLine}, outside the changed lines`,
    );
  }
  if (anchor.clamped) {
    notes.push(
      `reported on lines ${finding.startLine}–${finding.endLine}; shown on ${anchor.startLine}–${anchor.line}, the part inside this diff`,
    );
  }
  const footer = `<sub>${['Codex review', ...notes].join(' · ')}</sub>\n${findingMarker(finding.fingerprint)}`;
  const note = '\n\n… (truncated; the full text is in the findings file)';
  // A suggestion is never cut: one that does not fit next to the title and footer is left out.
  if (suggestion && head.length + footer.length + suggestion.length + note.length + 8 > maxLength)
    suggestion = undefined;
  const fixed = head.length + footer.length + (suggestion ? suggestion.length + 2 : 0) + 8;
  if (fixed + body.length > maxLength) {
    body = body.slice(0, Math.max(0, maxLength - fixed - note.length)) + note;
  }
  return [head, suggestion ?? '', body, footer].filter((part) => part !== '').join('\n\n');
}
