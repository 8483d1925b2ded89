// Markdown for the job's step summary: verdict, counts, and a table of every finding.
import type { ReviewResult } from '../review/result.js';
import { countByPriority, location, priorityBadge } from './priority.js';

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');

export function renderStepSummary(result: ReviewResult, options: { title?: string } = {}): string {
  const lines: string[] = [`## ${options.title ?? 'Codex review'}`, ''];
  if (result.incomplete) lines.push(`> [!WARNING]`, `> ${result.incomplete}`, '');
  if (result.verdict.correctness) lines.push(`**Verdict:** ${result.verdict.correctness}`, '');
  if (result.verdict.explanation) lines.push(result.verdict.explanation, '');
  const n = result.findings.length;
  lines.push(
    n === 0
      ? 'No findings.'
      : `**${n} finding${n === 1 ? '' : 's'}:** ${countByPriority(result.findings)}`,
    '',
  );
  if (n > 0) {
    lines.push('| Priority | Finding | Location | Confidence |', '|---|---|---|---|');
    for (const f of result.findings) {
      const confidence = f.confidence === null ? '' : f.confidence.toFixed(2);
      const where = f.inRepo
        ? `\`${cell(location(f))}\``
        : `\`${cell(location(f))}\` (outside the repository)`;
      lines.push(`| ${priorityBadge(f.priority)} | ${cell(f.title)} | ${where} | ${confidence} |`);
    }
    lines.push('');
    for (const f of result.findings) {
      if (!f.body) continue;
      lines.push(
        `<details><summary>${priorityBadge(f.priority)} ${escapeHtml(f.title)}</summary>`,
        '',
        f.body,
        '',
        '</details>',
        '',
      );
    }
  }
  const u = result.usage;
  lines.push(
    `<sub>Codex ${result.codex.version} · ${(result.codex.durationMs / 1000).toFixed(1)} s · ` +
      `${u.input_tokens} input (${u.cached_input_tokens} cached) / ${u.output_tokens} output tokens` +
      (result.threadId ? ` · session ${result.threadId}` : '') +
      '</sub>',
  );
  return `${lines.join('\n')}\n`;
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
