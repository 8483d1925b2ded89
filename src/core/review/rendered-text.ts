// Fallback parser for the review Codex renders as its final message, used when the session
// file cannot be read. Format (codex-rs review formatting):
//
//   <overall_explanation>
//
//   Review comment:            ("Full review comments:" when there are several)
//
//   - <title> — <absolute_path>:<start>-<end>
//     <body lines, indented two spaces>
//
// No library parses this; it is a small line-oriented grammar, so it is written here.
import type { ReviewFinding, ReviewOutput } from './review-output.js';
import { INTERRUPTED_TEXT, NO_RESPONSE_TEXT } from './review-output.js';

export type RenderedReview =
  | { kind: 'review'; review: ReviewOutput }
  | { kind: 'interrupted'; message: string }
  | { kind: 'no-response'; message: string };

const HEADERS = ['Review comment:', 'Full review comments:'];
// Title is greedy so a title containing " — " keeps it; the location follows the last one.
const FINDING_LINE = /^- (.*) \u2014 (.+):(\d+)(?:-(\d+))?$/;

export function parseRenderedReview(text: string): RenderedReview {
  const normalized = text.replace(/\r\n/g, '\n');
  const trimmed = normalized.trim();
  // Codex always renders something; an empty final message means no review came out.
  if (trimmed === '') return { kind: 'no-response', message: NO_RESPONSE_TEXT };
  if (trimmed === INTERRUPTED_TEXT) return { kind: 'interrupted', message: trimmed };
  if (trimmed === NO_RESPONSE_TEXT) return { kind: 'no-response', message: trimmed };

  const lines = normalized.split('\n');
  const headerIndex = findHeader(lines);
  if (headerIndex < 0) {
    // No findings section: the whole text is the explanation (also what Codex does with an
    // unparseable model reply).
    return { kind: 'review', review: { findings: [], overall_explanation: trimmed } };
  }
  const explanation = lines.slice(0, headerIndex).join('\n').trim();
  const findings: ReviewFinding[] = [];
  let current: { finding: ReviewFinding; body: string[] } | undefined;
  const flush = () => {
    if (!current) return;
    current.finding.body = trimBlankLines(current.body).join('\n');
    findings.push(current.finding);
    current = undefined;
  };
  for (const line of lines.slice(headerIndex + 1)) {
    const match = FINDING_LINE.exec(line.trimEnd());
    if (match) {
      flush();
      const [, title, file, start, end] = match;
      current = {
        finding: {
          title: title!.trim(),
          body: '',
          priority: priorityFromTitle(title!),
          confidence_score: null,
          code_location: {
            absolute_file_path: file!,
            line_range: { start: Number(start), end: Number(end ?? start) },
          },
        },
        body: [],
      };
    } else if (current) {
      current.body.push(line.startsWith('  ') ? line.slice(2) : line);
    } else if (line.trim() !== '') {
      // Text between the header and the first finding belongs to nobody; keep it visible.
      current = undefined;
    }
  }
  flush();
  return { kind: 'review', review: { findings, overall_explanation: explanation } };
}

/** The header sits at column 0; body lines are indented, so a body quoting it is not taken. */
function findHeader(lines: string[]): number {
  for (let i = lines.length - 1; i >= 0; i--) {
    if (HEADERS.includes(lines[i]!.trimEnd()) && (i === 0 || lines[i - 1]!.trim() === '')) return i;
  }
  return -1;
}

function trimBlankLines(lines: string[]): string[] {
  let start = 0;
  let end = lines.length;
  while (start < end && lines[start]!.trim() === '') start++;
  while (end > start && lines[end - 1]!.trim() === '') end--;
  return lines.slice(start, end);
}

/** "[P1] Title" → 1. Codex renders priority only when the model put it in the title. */
export function priorityFromTitle(title: string): number | null {
  const match = /^\s*\[P([0-3])\]/.exec(title);
  return match ? Number(match[1]) : null;
}
