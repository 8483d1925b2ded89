// The one summary comment per pull/merge request, edited in place on every run. It must fit
// the platform's comment limit whatever the number of findings: it shrinks by collapsing the
// finding bodies first, then by leaving out the least severe rows (they stay in the findings
// file and the step summary), never by failing.
import type { ChangeRequest } from '../platform.js';
import type { PlacementRecord } from '../state/placements.js';
import {
  encodeState,
  neutralizeMarkers,
  SUMMARY_MARKER,
  type StoredFinding,
  type SummaryState,
} from '../state/markers.js';
import { compareFindings, type Finding } from '../review/finding.js';
import type { ReviewResult } from '../review/result.js';
import { codeSpan, markdownBlock, markdownInline, tableCell } from './markdown-escape.js';
import { countByPriority, findingDetails, location, priorityBadge } from './priority.js';

export interface ReviewedRange {
  base: string | undefined;
  head: string;
  /** Only the commits since the last reviewed head were reviewed. */
  incremental: boolean;
}

export interface SummaryInput {
  result: ReviewResult;
  cr: ChangeRequest;
  placements: Map<string, PlacementRecord>;
  range: ReviewedRange;
  state: SummaryState;
  /** Earlier open findings this run did not review again (incremental). */
  carried: StoredFinding[];
  /** Earlier findings this run no longer reports. */
  resolved: StoredFinding[];
  fileUrl(path: string, startLine: number | null, endLine: number | null): string;
  runUrl?: string;
  maxLength: number;
}

const short = (sha: string | undefined) => (sha ? sha.slice(0, 7) : '?');

function link(
  input: SummaryInput,
  f: { path: string | null; startLine: number | null; endLine: number | null },
  where: { inRepo: boolean; inTable: boolean },
): string {
  if (!f.path) return '(no location)';
  const text = codeSpan(location(f), { inTable: where.inTable });
  return where.inRepo
    ? `[${text}](${input.fileUrl(f.path, f.startLine, f.endLine)})`
    : `${text} (outside the repository)`;
}

export function renderSummaryComment(input: SummaryInput): string {
  const notInline = input.result.findings
    .filter((f) => !input.placements.get(f.fingerprint)?.placement.startsWith('inline'))
    .sort(compareFindings);
  // Shrink step by step until it fits.
  for (const bodies of [true, false]) {
    const text = compose(input, notInline, notInline.length, bodies);
    if (text.length <= input.maxLength) return text;
  }
  let keep = notInline.length;
  while (keep > 0) {
    keep = Math.floor(keep * 0.8);
    const text = compose(input, notInline, keep, false);
    if (text.length <= input.maxLength) return text;
  }
  return compose(input, notInline, 0, false, true);
}

function compose(
  input: SummaryInput,
  notInline: Finding[],
  keep: number,
  bodies: boolean,
  minimal = false,
): string {
  const { result, range } = input;
  const lines: string[] = ['## Codex review', ''];
  if (result.incomplete) lines.push('> [!WARNING]', `> ${markdownInline(result.incomplete)}`, '');
  if (result.verdict.correctness)
    lines.push(`**Verdict:** ${markdownInline(result.verdict.correctness)}`, '');
  if (result.verdict.explanation && !minimal)
    lines.push(markdownBlock(result.verdict.explanation), '');

  const inlineCount = [...input.placements.values()].filter((p) => p.placement === 'inline').length;
  const earlierInline = [...input.placements.values()].filter(
    (p) => p.placement === 'inline-earlier',
  ).length;
  const n = result.findings.length;
  const counts =
    n === 0
      ? 'no findings'
      : `${n} finding${n === 1 ? '' : 's'} (${countByPriority(result.findings)})`;
  const where = [
    inlineCount > 0 ? `${inlineCount} posted inline` : undefined,
    earlierInline > 0 ? `${earlierInline} already inline from an earlier run` : undefined,
    notInline.length > 0 ? `${notInline.length} listed below` : undefined,
  ].filter(Boolean);
  lines.push(
    `Reviewed ${range.incremental ? 'the new commits' : 'the changes'} \`${short(range.base)}..${short(range.head)}\`: ${counts}` +
      (where.length ? ` — ${where.join(', ')}.` : '.'),
    '',
  );

  if (result.exec && !result.exec.findingsShaped && result.structured !== undefined && !minimal) {
    // A custom schema's answer, shown as it is.
    const json = JSON.stringify(result.structured, null, 2);
    const room = Math.max(0, input.maxLength - 4_000);
    lines.push(
      '### Result',
      '',
      '```json',
      json.length > room ? `${json.slice(0, room)}\n…` : json,
      '```',
      '',
    );
  }
  if (notInline.length > 0) {
    lines.push(
      '### Findings not posted inline',
      '',
      '| Priority | Finding | Location | Why here |',
      '|---|---|---|---|',
    );
    for (const f of notInline.slice(0, keep)) {
      const reason = input.placements.get(f.fingerprint)?.reason ?? '';
      lines.push(
        `| ${priorityBadge(f.priority)} | ${tableCell(f.title)} | ${link(input, f, { inRepo: f.inRepo, inTable: true })} | ${tableCell(reason)} |`,
      );
    }
    const omitted = notInline.length - keep;
    if (omitted > 0) {
      lines.push(
        '',
        `…and ${omitted} less severe finding${omitted === 1 ? '' : 's'}, left out to fit this comment: see the job's step summary and findings file.`,
      );
    }
    lines.push('');
    if (bodies) lines.push(...findingDetails(notInline.slice(0, keep)));
  }

  if (input.carried.length > 0 && !minimal) {
    lines.push('### Still open from earlier reviews', '');
    for (const f of input.carried)
      lines.push(
        `- ${priorityBadge(f.priority)} ${markdownInline(f.title)} — ${link(input, f, { inRepo: true, inTable: false })}`,
      );
    lines.push('');
  }
  if (input.resolved.length > 0 && !minimal) {
    lines.push('### Resolved since the last review', '');
    for (const f of input.resolved)
      lines.push(`- ✅ ~~${markdownInline(f.title)}~~ — ${codeSpan(location(f))}`);
    lines.push('');
  }

  const u = result.usage;
  const footer = [
    `Codex ${result.codex.version}`,
    `${u.input_tokens} input (${u.cached_input_tokens} cached) / ${u.output_tokens} output tokens`,
    input.runUrl ? `[run](${input.runUrl})` : undefined,
  ].filter(Boolean);
  lines.push(`<sub>${footer.join(' · ')}</sub>`);
  // Everything between our two markers may carry model text: neutralise forged markers in it.
  return [SUMMARY_MARKER, neutralizeMarkers(lines.join('\n')), '', encodeState(input.state)].join(
    '\n',
  );
}
