// The body of an audit's tracking issue: open findings as a checklist with links, the findings
// fixed since the last run ticked, and when and where the audit last ran.
import {
  encodeState,
  neutralizeMarkers,
  type StoredFinding,
  type SummaryState,
} from '../state/markers.js';
import { compareFindings } from '../review/finding.js';
import type { ReviewResult } from '../review/result.js';
import { codeSpan, markdownBlock, markdownInline } from './markdown-escape.js';
import { countByPriority, location, priorityBadge } from './priority.js';

export interface TrackingIssueInput {
  marker: string;
  result: ReviewResult;
  state: SummaryState;
  fixed: StoredFinding[];
  sha: string;
  date: string;
  runUrl: string | undefined;
  fileUrl(path: string, startLine: number | null, endLine: number | null): string;
  maxLength: number;
}

// Brackets escaped too: a title must not turn into a link or tick its own checkbox.
const inline = (text: string) => markdownInline(text).replace(/([[\]])/g, '\\$1');

export function renderTrackingIssue(input: TrackingIssueInput): string {
  const body = compose(input, true);
  return body.length <= input.maxLength ? body : compose(input, false);
}

function compose(input: TrackingIssueInput, details: boolean): string {
  const { result } = input;
  const open = [...result.findings].sort(compareFindings);
  const ran = input.runUrl ? `[this run](${input.runUrl})` : 'the last run';
  const lines = [
    `Codex audit, updated by ${ran} on ${input.date} at commit \`${input.sha.slice(0, 7)}\`.`,
    '',
    open.length === 0
      ? '**No open findings.**'
      : `**${open.length} open finding${open.length === 1 ? '' : 's'}:** ${countByPriority(open)}`,
    '',
  ];
  if (result.verdict.explanation) lines.push(`> ${inline(result.verdict.explanation)}`, '');
  if (open.length > 0) {
    lines.push('### Open', '');
    for (const f of open) {
      const where = f.path
        ? f.inRepo
          ? ` — [${codeSpan(location(f))}](${input.fileUrl(f.path, f.startLine, f.endLine)})`
          : ` — ${codeSpan(location(f))} (outside the repository)`
        : '';
      lines.push(`- [ ] ${priorityBadge(f.priority)} **${inline(f.title)}**${where}`);
      if (details && f.body)
        lines.push(
          `  <details><summary>Details</summary>`,
          '',
          indent(markdownBlock(f.body)),
          '',
          '  </details>',
        );
    }
    lines.push('');
  }
  if (input.fixed.length > 0) {
    lines.push('### Fixed since the last run', '');
    for (const f of input.fixed) {
      lines.push(
        `- [x] ~~${inline(f.title)}~~${f.path ? ` — ${codeSpan(location(f))}` : ''} (no longer reported on ${input.date})`,
      );
    }
    lines.push('');
  }
  return [input.marker, neutralizeMarkers(lines.join('\n')), encodeState(input.state)].join('\n');
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n');
}
