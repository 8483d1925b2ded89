import { htmlInline, markdownBlock } from './markdown-escape.js';

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

export function countByPriority(findings: Array<{ priority: number | null }>): string {
  const counts = new Map<string, number>();
  for (const f of findings)
    counts.set(priorityLabel(f.priority), (counts.get(priorityLabel(f.priority)) ?? 0) + 1);
  return ['P0', 'P1', 'P2', 'P3', 'P?']
    .filter((p) => counts.has(p))
    .map((p) => `${counts.get(p)} × ${p}`)
    .join(', ');
}

/** Each finding's body, collapsed under its title (Markdown for GitHub and GitLab). */
export function findingDetails(
  findings: Array<{ priority: number | null; title: string; body: string }>,
): string[] {
  return findings
    .filter((f) => f.body)
    .flatMap((f) => [
      `<details><summary>${priorityBadge(f.priority)} ${htmlInline(f.title)}</summary>`,
      '',
      markdownBlock(f.body),
      '',
      '</details>',
      '',
    ]);
}
