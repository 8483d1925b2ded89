import type { Suggestion } from '../review/finding.js';
import { htmlInline, markdownBlock } from './markdown-escape.js';
import { suggestionDiff } from './suggestion.js';

export function priorityLabel(priority: number | null): string {
  return priority === null ? 'P?' : `P${priority}`;
}

const BADGES = ['🔴', '🟠', '🟡', '🔵'];

export function priorityBadge(priority: number | null): string {
  return `${priority === null ? '⚪' : BADGES[priority]} ${priorityLabel(priority)}`;
}

export function location(f: {
  path: string | null;
  startLine: number | null;
  endLine: number | null;
}): string {
  if (!f.path) return '(no location)';
  if (f.startLine === null) return f.path;
  return f.endLine !== null && f.endLine !== f.startLine
    ? `${f.path}:${f.startLine}-${f.endLine}`
    : `${f.path}:${f.startLine}`;
}

export function lineSpan(start: number, end: number): string {
  return start === end ? `line ${start}` : `lines ${start}–${end}`;
}

export function countByPriority(findings: Array<{ priority: number | null }>): string {
  const counts = new Map<string, number>();
  for (const f of findings)
    counts.set(priorityLabel(f.priority), (counts.get(priorityLabel(f.priority)) ?? 0) + 1);
  return ['P0', 'P1', 'P2', 'P3', 'P?']
    .filter((p) => counts.has(p))
    .map((p) => `${counts.get(p)} × ${p}`)
    .join(', ');
}

/** Each finding's body and suggested change, collapsed under its title (Markdown for GitHub and GitLab). */
export function findingDetails(
  findings: Array<{
    priority: number | null;
    title: string;
    body: string;
    suggestion?: Suggestion;
  }>,
): string[] {
  return findings
    .filter((f) => f.body || f.suggestion)
    .flatMap((f) => [
      `<details><summary>${priorityBadge(f.priority)} ${htmlInline(f.title)}</summary>`,
      '',
      ...(f.body ? [markdownBlock(f.body), ''] : []),
      ...(f.suggestion
        ? [
            `Suggested change of ${lineSpan(f.suggestion.startLine, f.suggestion.endLine)}:`,
            '',
            suggestionDiff(f.suggestion),
            '',
          ]
        : []),
      '</details>',
      '',
    ]);
}
