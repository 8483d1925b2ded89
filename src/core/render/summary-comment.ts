// The one summary comment per pull/merge request, edited in place on every run. It must fit
// the platform's comment limit whatever the number of findings and however long the model's
// text: the state gets a bounded share, model text is cut to a length before it is escaped,
// and the rest is filled by importance (the table of findings not posted inline, then earlier
// findings still open, those resolved, and last the finding bodies). What does not fit is
// counted and pointed to the findings file, which always has everything.
import type { ChangeRequest } from '../platform.js';
import type { PlacementRecord } from '../state/placements.js';
import {
  clip,
  encodeState,
  neutralizeMarkers,
  SUMMARY_MARKER,
  type StateSeal,
  type StoredFinding,
  type SummaryState,
} from '../state/markers.js';
import { compareFindings } from '../review/finding.js';
import type { ReviewResult } from '../review/result.js';
import { Budget, clipText, count, postedLength } from './fit.js';
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
  /** Signs the state for this change request. */
  seal: StateSeal;
  /** Earlier open findings this run did not review again (incremental). */
  carried: StoredFinding[];
  /** Earlier findings this run no longer reports. */
  resolved: StoredFinding[];
  fileUrl(path: string, startLine: number | null, endLine: number | null): string;
  runUrl?: string;
  maxLength: number;
}

/** The state's share of the comment: the rest is for people. */
export function stateBudget(maxLength: number): number {
  return Math.floor(maxLength * 0.3);
}

/** Model text cut before escaping: nobody reads more in a comment, and the file has it all. */
const TITLE_LIMIT = 300;
const VERDICT_LIMIT = 300;
const EXPLANATION_LIMIT = 8_000;
const BODY_LIMIT = 8_000;
/** Room kept for the lines that say what was left out. */
const NOTES_RESERVE = 1_500;

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

/** Where a reader finds what the comment leaves out. */
export function findingsFilePointer(runUrl: string | undefined): string {
  return runUrl ? `the findings file of [this run](${runUrl})` : "this run's findings file";
}

export function renderSummaryComment(input: SummaryInput): string {
  const { result, range } = input;
  const encoded = encodeState(input.state, input.seal, stateBudget(input.maxLength));
  const whole = findingsFilePointer(input.runUrl);
  const title = (text: string) => clip(text, TITLE_LIMIT);
  const notInline = input.result.findings
    .filter((f) => !input.placements.get(f.fingerprint)?.placement.startsWith('inline'))
    .sort(compareFindings);
  // marker \n visible \n \n state
  const budget = new Budget(
    input.maxLength - SUMMARY_MARKER.length - encoded.marker.length - 3,
    postedLength,
  );

  // What is always there: the head, the counts, the footer.
  const head: string[] = ['## Codex review', ''];
  if (result.incomplete)
    head.push(
      '> [!WARNING]',
      `> ${markdownInline(clipText(result.incomplete, 1_000, `the whole text is in ${whole}`))}`,
      '',
    );
  if (result.verdict.correctness)
    head.push(
      `**Verdict:** ${markdownInline(clip(result.verdict.correctness, VERDICT_LIMIT))}`,
      '',
    );
  const inlineCount = [...input.placements.values()].filter((p) => p.placement === 'inline').length;
  const earlierInline = [...input.placements.values()].filter(
    (p) => p.placement === 'inline-earlier',
  ).length;
  const n = result.findings.length;
  const counts =
    n === 0
      ? 'no findings'
      : `${n} finding${n === 1 ? '' : 's'} (${countByPriority(result.findings)})`;
  // Written once the table is filled; budgeted now at its longest.
  const countsLine = (listed: number) => {
    const where = [
      inlineCount > 0 ? `${inlineCount} posted inline` : undefined,
      earlierInline > 0 ? `${earlierInline} already inline from an earlier run` : undefined,
      notInline.length === 0
        ? undefined
        : listed === notInline.length
          ? `${notInline.length} listed below`
          : `${listed} of the ${inlineCount + earlierInline > 0 ? 'other ' : ''}${notInline.length} listed below`,
    ].filter(Boolean);
    return [
      `Reviewed ${range.incremental ? 'the new commits' : 'the changes'} \`${short(range.base)}..${short(range.head)}\`: ${counts}` +
        (where.length ? ` — ${where.join(', ')}.` : '.'),
      '',
    ];
  };
  const u = result.usage;
  const footer = [
    `<sub>${[
      `Codex ${result.codex.version}`,
      `${u.input_tokens} input (${u.cached_input_tokens} cached) / ${u.output_tokens} output tokens`,
      input.runUrl ? `[run](${input.runUrl})` : undefined,
    ]
      .filter(Boolean)
      .join(' · ')}</sub>`,
  ];
  budget.force([...head, ...countsLine(Math.max(0, notInline.length - 1)), ...footer]);
  const reserve = NOTES_RESERVE;

  // The rest, most important first.
  const explanation: string[] = [];
  if (result.verdict.explanation) {
    const text = [
      markdownBlock(
        clipText(result.verdict.explanation, EXPLANATION_LIMIT, `the whole text is in ${whole}`),
      ),
      '',
    ];
    if (budget.take(text, reserve)) explanation.push(...text);
  }

  const structured: string[] = [];
  if (result.exec && !result.exec.findingsShaped && result.structured !== undefined) {
    // A custom schema's answer, shown as it is, as much of it as fits.
    const json = JSON.stringify(result.structured, null, 2);
    const frame = ['### Result', '', '```json', '```', ''];
    const room = budget.left - budget.cost(frame) - reserve - 200;
    if (room > 0) {
      const shown =
        json.length > room
          ? `${json.slice(0, room)}\n… (cut here; the whole result is in ${whole})`
          : json;
      const lines = ['### Result', '', '```json', shown, '```', ''];
      if (budget.take(lines, reserve)) structured.push(...lines);
    }
  }

  const table: string[] = [];
  let listed = 0;
  if (notInline.length > 0) {
    const frame = [
      '### Findings not posted inline',
      '',
      '| Priority | Finding | Location | Why here |',
      '|---|---|---|---|',
    ];
    if (budget.take(frame, reserve)) {
      table.push(...frame);
      for (const f of notInline) {
        const reason = input.placements.get(f.fingerprint)?.reason ?? '';
        const row = `| ${priorityBadge(f.priority)} | ${tableCell(title(f.title))} | ${link(input, f, { inRepo: f.inRepo, inTable: true })} | ${tableCell(reason.slice(0, 500))} |`;
        if (!budget.take([row], reserve)) break;
        table.push(row);
        listed++;
      }
      table.push('');
    }
  }

  const carried = storedList(
    budget,
    reserve,
    '### Still open from earlier reviews',
    input.carried,
    (f) =>
      `- ${priorityBadge(f.priority)} ${markdownInline(title(f.title))} — ${link(input, f, { inRepo: true, inTable: false })}`,
  );
  const resolved = storedList(
    budget,
    reserve,
    '### Resolved since the last review',
    input.resolved,
    (f) => `- ✅ ~~${markdownInline(title(f.title))}~~ — ${codeSpan(location(f))}`,
  );

  // The bodies last, each whole or not at all, and only under rows that are listed.
  const details: string[] = [];
  let detailed = 0;
  const withBody = notInline.slice(0, listed).filter((f) => f.body);
  for (const f of withBody) {
    const block = findingDetails([
      {
        ...f,
        title: title(f.title),
        body: clipText(f.body, BODY_LIMIT, `the whole text is in ${whole}`),
      },
    ]);
    if (!budget.take(block, reserve)) break;
    details.push(...block);
    detailed++;
  }

  // What was left out, counted, with where it is.
  const notes: string[] = [];
  const unlisted = notInline.length - listed;
  if (unlisted > 0)
    notes.push(
      `…and ${count(unlisted, 'more finding')} not listed here, the least severe, to keep this comment within the size limit: every finding is in ${whole}.`,
    );
  if (detailed < withBody.length && listed > 0)
    notes.push(
      `The details of ${count(withBody.length - detailed, 'finding')} are left out to fit this comment; they are in ${whole}.`,
    );
  if (encoded.untracked > 0)
    notes.push(
      `The state kept for the next run holds the ${count(encoded.state.findings.filter((f) => f.status === 'open').length, 'most severe open finding')}; ${count(encoded.untracked, 'other')} ${encoded.untracked === 1 ? 'is' : 'are'} not tracked between runs (the comment's size limit), so a later run neither lists ${encoded.untracked === 1 ? 'it' : 'them'} as still open nor as resolved.`,
    );
  const notesBlock = notes.length ? [...notes.flatMap((line) => [line, ''])] : [];

  const visible = [
    ...head,
    ...explanation,
    ...countsLine(listed),
    ...structured,
    ...table,
    ...notesBlock,
    ...details,
    ...carried,
    ...resolved,
    ...footer,
  ];
  // Everything between our two markers may carry model text: neutralise forged markers in it.
  const body = [SUMMARY_MARKER, neutralizeMarkers(visible.join('\n')), '', encoded.marker].join(
    '\n',
  );
  if (postedLength(body) <= input.maxLength) return body;
  // Only when the parts that are always there do not fit (a tiny limit): the counts alone.
  const minimal = [
    '## Codex review',
    '',
    `${counts}: not listed here, to keep this comment within the size limit; every finding is in ${whole}.`,
  ].join('\n');
  return [SUMMARY_MARKER, minimal, '', encoded.marker].join('\n');
}

/** A list of earlier findings, as many as fit, then how many more. */
function storedList(
  budget: Budget,
  reserve: number,
  heading: string,
  findings: StoredFinding[],
  line: (f: StoredFinding) => string,
): string[] {
  if (findings.length === 0) return [];
  const out = [heading, ''];
  if (!budget.take(out, reserve)) return [];
  let shown = 0;
  for (const f of findings) {
    const entry = line(f);
    if (!budget.take([entry], reserve)) break;
    out.push(entry);
    shown++;
  }
  if (shown < findings.length) {
    const more = `- …and ${findings.length - shown} more, left out to fit this comment.`;
    budget.force([more]);
    out.push(more);
  }
  out.push('');
  return out;
}
