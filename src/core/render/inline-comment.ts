// The body of one inline review comment.
import type { InlineAnchor } from '../diff/placement.js';
import { findingMarker, neutralizeMarkers } from '../state/markers.js';
import type { Finding } from '../review/finding.js';
import { markdownBlock, markdownInline } from './markdown-escape.js';
import { priorityBadge } from './priority.js';

const SUGGESTION_FENCE = /^(\s*)(`{3,}|~{3,})suggestion\b/gm;

export function renderInlineComment(
  finding: Finding,
  anchor: InlineAnchor,
  maxLength: number,
): string {
  const head = `**${priorityBadge(finding.priority)} · ${neutralizeMarkers(markdownInline(finding.title))}**`;
  let body = neutralizeMarkers(markdownBlock(finding.body));
  // A suggestion replaces exactly the commented lines; after clamping (or on the old side) it
  // would replace the wrong ones, so it is shown as plain code instead.
  const exact = !anchor.clamped && anchor.side === 'RIGHT';
  if (!exact) body = body.replace(SUGGESTION_FENCE, '$1$2text');
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
  const fixed = head.length + footer.length + 8;
  if (fixed + body.length > maxLength) {
    const note = '\n\n… (truncated; the full text is in the findings file)';
    body = body.slice(0, Math.max(0, maxLength - fixed - note.length)) + note;
  }
  return [head, body, footer].filter((part) => part !== '').join('\n\n');
}
