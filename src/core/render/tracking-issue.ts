// The body of an audit's tracking issue: open findings as a checklist with links, the findings
// fixed since the last run ticked, and when and where the audit last ran. Like the summary
// comment it fits the platform's limit whatever the number of findings: the state gets a
// bounded share, the checklist comes first (most severe first), the details only where room
// is left, and what is left out is counted and pointed to the findings file.
import {
  clip,
  encodeState,
  neutralizeMarkers,
  type StateSeal,
  type StoredFinding,
  type SummaryState,
} from '../state/markers.js';
import { compareFindings, type Finding } from '../review/finding.js';
import type { ReviewResult } from '../review/result.js';
import { Budget, clipText, count, postedLength } from './fit.js';
import { codeSpan, markdownBlock, markdownInline } from './markdown-escape.js';
import { countByPriority, location, priorityBadge } from './priority.js';
import { findingsFilePointer, stateBudget } from './summary-comment.js';

export interface TrackingIssueInput {
  marker: string;
  result: ReviewResult;
  state: SummaryState;
  /** Signs the state for this audit. */
  seal: StateSeal;
  fixed: StoredFinding[];
  sha: string;
  date: string;
  runUrl: string | undefined;
  fileUrl(path: string, startLine: number | null, endLine: number | null): string;
  maxLength: number;
}

const TITLE_LIMIT = 300;
const EXPLANATION_LIMIT = 4_000;
const BODY_LIMIT = 8_000;
const NOTES_RESERVE = 1_000;

// Brackets escaped too: a title must not turn into a link or tick its own checkbox.
const inline = (text: string) => markdownInline(text).replace(/([[\]])/g, '\\$1');

export function renderTrackingIssue(input: TrackingIssueInput): string {
  const { result } = input;
  const encoded = encodeState(input.state, input.seal, stateBudget(input.maxLength));
  const whole = findingsFilePointer(input.runUrl);
  const title = (text: string) => clip(text, TITLE_LIMIT);
  const open = [...result.findings].sort(compareFindings);
  // marker \n visible \n state
  const budget = new Budget(
    input.maxLength - input.marker.length - encoded.marker.length - 2,
    postedLength,
  );
  const ran = input.runUrl ? `[this run](${input.runUrl})` : 'the last run';
  const head = [
    `Codex audit, updated by ${ran} on ${input.date} at commit \`${input.sha.slice(0, 7)}\`.`,
    '',
    open.length === 0
      ? '**No open findings.**'
      : `**${open.length} open finding${open.length === 1 ? '' : 's'}:** ${countByPriority(open)}`,
    '',
  ];
  budget.force(head);

  const explanation: string[] = [];
  if (result.verdict.explanation) {
    const text = clipText(
      result.verdict.explanation,
      EXPLANATION_LIMIT,
      `the whole text is in ${whole}`,
    );
    const lines = [`> ${inline(text)}`, ''];
    if (budget.take(lines, NOTES_RESERVE)) explanation.push(...lines);
  }

  // The checklist first, then the details under as many items as still fit.
  const items: Array<{ finding: Finding; line: string }> = [];
  if (open.length > 0) budget.force(['### Open', '', '']);
  for (const f of open) {
    const where = f.path
      ? f.inRepo
        ? ` — [${codeSpan(location(f))}](${input.fileUrl(f.path, f.startLine, f.endLine)})`
        : ` — ${codeSpan(location(f))} (outside the repository)`
      : '';
    const line = `- [ ] ${priorityBadge(f.priority)} **${inline(title(f.title))}**${where}`;
    if (!budget.take([line], NOTES_RESERVE)) break;
    items.push({ finding: f, line });
  }
  const detailed = new Map<Finding, string[]>();
  const withBody = items.filter((i) => i.finding.body).length;
  for (const { finding } of items) {
    if (!finding.body) continue;
    const body = clipText(finding.body, BODY_LIMIT, `the whole text is in ${whole}`);
    const block = [
      `  <details><summary>Details</summary>`,
      '',
      indent(markdownBlock(body)),
      '',
      '  </details>',
    ];
    if (!budget.take(block, NOTES_RESERVE)) break;
    detailed.set(finding, block);
  }

  const fixed: string[] = [];
  if (input.fixed.length > 0 && budget.take(['### Fixed since the last run', ''], NOTES_RESERVE)) {
    fixed.push('### Fixed since the last run', '');
    let shown = 0;
    for (const f of input.fixed) {
      const line = `- [x] ~~${inline(title(f.title))}~~${f.path ? ` — ${codeSpan(location(f))}` : ''} (no longer reported on ${input.date})`;
      if (!budget.take([line], NOTES_RESERVE)) break;
      fixed.push(line);
      shown++;
    }
    if (shown < input.fixed.length) {
      const more = `- …and ${input.fixed.length - shown} more, left out to fit this issue.`;
      budget.force([more]);
      fixed.push(more);
    }
    fixed.push('');
  }

  const notes: string[] = [];
  if (items.length < open.length)
    notes.push(
      `…and ${count(open.length - items.length, 'more open finding')} not listed here, the least severe, to keep this issue within the size limit: every finding is in ${whole}.`,
      '',
    );
  if (detailed.size < withBody)
    notes.push(
      `The details of ${count(withBody - detailed.size, 'finding')} are left out to fit this issue; they are in ${whole}.`,
      '',
    );
  if (encoded.untracked > 0)
    notes.push(
      `The state kept for the next run tracks the most severe open findings; ${count(encoded.untracked, 'other')} ${encoded.untracked === 1 ? 'is' : 'are'} not tracked (the size limit), so a later run cannot list ${encoded.untracked === 1 ? 'it' : 'them'} as fixed.`,
      '',
    );

  const lines = [...head, ...explanation];
  if (items.length > 0) {
    lines.push('### Open', '');
    for (const { finding, line } of items) lines.push(line, ...(detailed.get(finding) ?? []));
    lines.push('');
  }
  lines.push(...notes, ...fixed);
  const body = [input.marker, neutralizeMarkers(lines.join('\n')), encoded.marker].join('\n');
  if (postedLength(body) <= input.maxLength) return body;
  // Only when the parts that are always there do not fit (a tiny limit): the counts alone.
  return [
    input.marker,
    `${open.length} open finding(s): not listed here, to keep this issue within the size limit; every finding is in ${whole}.`,
    encoded.marker,
  ].join('\n');
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n');
}
