// Markdown for the job's step summary: verdict, counts, and a table of every finding. GitHub
// shows a step summary only up to 1 MiB (a larger one is dropped with an error annotation), so
// it is filled by importance within a byte budget: the table rows first (most severe first),
// then the finding bodies; what does not fit is counted and pointed to the findings file.
import type { PlacementRecord } from '../state/placements.js';
import { clip } from '../state/markers.js';
import type { ReviewResult } from '../review/result.js';
import { Budget, clipText, count, utf8Length } from './fit.js';
import { codeSpan, markdownBlock, markdownInline, tableCell } from './markdown-escape.js';
import { countByPriority, findingDetails, location, priorityBadge } from './priority.js';

/** GitHub's limit for one step's summary, in bytes. */
export const STEP_SUMMARY_LIMIT = 1024 * 1024;
/** What this renderer aims at: room is left for the lines the adapter adds around it. */
const DEFAULT_BUDGET = 1_000_000;

const TITLE_LIMIT = 500;
const EXPLANATION_LIMIT = 64_000;
const STRUCTURED_LIMIT = 256_000;
const BODY_LIMIT = 16_000;
const REPLY_ERRORS_SHOWN = 50;
const NOTES_RESERVE = 2_000;

const PLACEMENT_TEXT: Record<string, string> = {
  inline: 'inline comment',
  'inline-earlier': 'inline (earlier run)',
  file: 'summary comment',
  summary: 'summary comment',
  'not-posted': 'not posted',
};

export function renderStepSummary(
  result: ReviewResult,
  options: {
    title?: string;
    placements?: Map<string, PlacementRecord>;
    links?: string[];
    /** Where the findings file is, for what does not fit. */
    findingsFile?: string;
    /** In bytes (default just under GitHub's 1 MiB). */
    maxBytes?: number;
  } = {},
): string {
  const budget = new Budget(options.maxBytes ?? DEFAULT_BUDGET, utf8Length);
  const whole = options.findingsFile
    ? `the findings file (\`findings-file\` output: ${codeSpan(options.findingsFile)})`
    : 'the findings file (`findings-file` output)';
  const cut = `the whole text is in ${whole}`;
  const head: string[] = [`## ${options.title ?? 'Codex review'}`, ''];
  if (result.incomplete)
    head.push(`> [!WARNING]`, `> ${markdownInline(clipText(result.incomplete, 2_000, cut))}`, '');
  if (result.verdict.correctness)
    head.push(`**Verdict:** ${markdownInline(clip(result.verdict.correctness, TITLE_LIMIT))}`, '');
  const n = result.findings.length;
  const countsLine = [
    n === 0
      ? 'No findings.'
      : `**${n} finding${n === 1 ? '' : 's'}:** ${countByPriority(result.findings)}`,
    '',
  ];
  const u = result.usage;
  const footer = [
    ...(options.links ?? []).flatMap((link) => [link, '']),
    `<sub>Codex ${result.codex.version} · ${(result.codex.durationMs / 1000).toFixed(1)} s · ` +
      `${u.input_tokens} input (${u.cached_input_tokens} cached) / ${u.output_tokens} output tokens` +
      (result.threadId ? ` · session ${result.threadId}` : '') +
      '</sub>',
  ];
  const errors: string[] = [];
  if (result.exec && result.exec.replyErrors.length > 0) {
    const shown = result.exec.replyErrors.slice(0, REPLY_ERRORS_SHOWN);
    errors.push('> [!CAUTION]', "> Codex's reply does not match the output schema:");
    for (const e of shown) errors.push(`> - ${markdownInline(clip(e, 1_000))}`);
    if (shown.length < result.exec.replyErrors.length)
      errors.push(`> - …and ${result.exec.replyErrors.length - shown.length} more`);
    errors.push('');
  }
  budget.force([...head, ...errors, ...countsLine, ...footer]);

  const explanation: string[] = [];
  if (result.verdict.explanation) {
    const lines = [markdownBlock(clipText(result.verdict.explanation, EXPLANATION_LIMIT, cut)), ''];
    if (budget.take(lines, NOTES_RESERVE)) explanation.push(...lines);
  }
  const structured: string[] = [];
  if (result.exec && !result.exec.findingsShaped && result.structured !== undefined) {
    const json = JSON.stringify(result.structured, null, 2);
    const shown =
      json.length > STRUCTURED_LIMIT
        ? `${json.slice(0, STRUCTURED_LIMIT)}\n… (cut here; the whole result is in ${whole})`
        : json;
    const lines = ['### Result', '', '```json', shown, '```', ''];
    if (budget.take(lines, NOTES_RESERVE)) structured.push(...lines);
  }

  const table: string[] = [];
  let listed = 0;
  if (n > 0) {
    const posted = options.placements;
    const frame = [
      posted
        ? '| Priority | Finding | Location | Confidence | Posted as |'
        : '| Priority | Finding | Location | Confidence |',
      posted ? '|---|---|---|---|---|' : '|---|---|---|---|',
    ];
    budget.force([...frame, '']);
    table.push(...frame);
    for (const f of result.findings) {
      const confidence = f.confidence === null ? '' : f.confidence.toFixed(2);
      const where = f.inRepo
        ? codeSpan(location(f), { inTable: true })
        : `${codeSpan(location(f), { inTable: true })} (outside the repository)`;
      const record = posted?.get(f.fingerprint);
      const postedAs = posted
        ? ` ${record ? (PLACEMENT_TEXT[record.placement] ?? record.placement) : 'not posted'} |`
        : '';
      const row = `| ${priorityBadge(f.priority)} | ${tableCell(clip(f.title, TITLE_LIMIT))} | ${where} | ${confidence} |${postedAs}`;
      if (!budget.take([row], NOTES_RESERVE)) break;
      table.push(row);
      listed++;
    }
    table.push('');
  }
  const details: string[] = [];
  const withBody = result.findings.slice(0, listed).filter((f) => f.body);
  let detailed = 0;
  for (const f of withBody) {
    const block = findingDetails([
      { ...f, title: clip(f.title, TITLE_LIMIT), body: clipText(f.body, BODY_LIMIT, cut) },
    ]);
    if (!budget.take(block, NOTES_RESERVE)) break;
    details.push(...block);
    detailed++;
  }
  const notes: string[] = [];
  if (listed < n)
    notes.push(
      `…and ${count(n - listed, 'more finding')} not listed here, the least severe, to keep this summary within GitHub's 1 MiB: every finding is in ${whole}.`,
      '',
    );
  if (detailed < withBody.length)
    notes.push(
      `The details of ${count(withBody.length - detailed, 'finding')} are left out to fit this summary; they are in ${whole}.`,
      '',
    );
  const lines = [
    ...head,
    ...explanation,
    ...structured,
    ...errors,
    ...countsLine,
    ...table,
    ...notes,
    ...details,
    ...footer,
  ];
  return `${lines.join('\n')}\n`;
}
