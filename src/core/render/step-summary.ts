// Markdown for the job's step summary: verdict, counts, and a table of every finding.
import type { PlacementRecord } from '../state/placements.js';
import type { ReviewResult } from '../review/result.js';
import { codeSpan, markdownBlock, markdownInline, tableCell } from './markdown-escape.js';
import { countByPriority, findingDetails, location, priorityBadge } from './priority.js';

const PLACEMENT_TEXT: Record<string, string> = {
  inline: 'inline comment',
  'inline-earlier': 'inline (earlier run)',
  file: 'summary comment',
  summary: 'summary comment',
  'not-posted': 'not posted',
};

export function renderStepSummary(
  result: ReviewResult,
  options: { title?: string; placements?: Map<string, PlacementRecord>; links?: string[] } = {},
): string {
  const lines: string[] = [`## ${options.title ?? 'Codex review'}`, ''];
  if (result.incomplete) lines.push(`> [!WARNING]`, `> ${markdownInline(result.incomplete)}`, '');
  if (result.verdict.correctness)
    lines.push(`**Verdict:** ${markdownInline(result.verdict.correctness)}`, '');
  if (result.verdict.explanation) lines.push(markdownBlock(result.verdict.explanation), '');
  if (result.exec && !result.exec.findingsShaped && result.structured !== undefined) {
    lines.push('### Result', '', '```json', JSON.stringify(result.structured, null, 2), '```', '');
  }
  if (result.exec && result.exec.replyErrors.length > 0) {
    lines.push('> [!CAUTION]', "> Codex's reply does not match the output schema:");
    for (const e of result.exec.replyErrors) lines.push(`> - ${markdownInline(e)}`);
    lines.push('');
  }
  const n = result.findings.length;
  lines.push(
    n === 0
      ? 'No findings.'
      : `**${n} finding${n === 1 ? '' : 's'}:** ${countByPriority(result.findings)}`,
    '',
  );
  if (n > 0) {
    const posted = options.placements;
    lines.push(
      posted
        ? '| Priority | Finding | Location | Confidence | Posted as |'
        : '| Priority | Finding | Location | Confidence |',
      posted ? '|---|---|---|---|---|' : '|---|---|---|---|',
    );
    for (const f of result.findings) {
      const confidence = f.confidence === null ? '' : f.confidence.toFixed(2);
      const where = f.inRepo
        ? codeSpan(location(f), { inTable: true })
        : `${codeSpan(location(f), { inTable: true })} (outside the repository)`;
      const record = posted?.get(f.fingerprint);
      const postedAs = posted
        ? ` ${record ? (PLACEMENT_TEXT[record.placement] ?? record.placement) : 'not posted'} |`
        : '';
      lines.push(
        `| ${priorityBadge(f.priority)} | ${tableCell(f.title)} | ${where} | ${confidence} |${postedAs}`,
      );
    }
    lines.push('');
    lines.push(...findingDetails(result.findings));
  }
  for (const link of options.links ?? []) lines.push(link, '');
  const u = result.usage;
  lines.push(
    `<sub>Codex ${result.codex.version} · ${(result.codex.durationMs / 1000).toFixed(1)} s · ` +
      `${u.input_tokens} input (${u.cached_input_tokens} cached) / ${u.output_tokens} output tokens` +
      (result.threadId ? ` · session ${result.threadId}` : '') +
      '</sub>',
  );
  return `${lines.join('\n')}\n`;
}
