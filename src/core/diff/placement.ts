// Where each finding can go: on lines of the diff, on a changed file, or only in the summary.
// The platforms reject a comment on a line outside the diff (GitHub answers 422 for the whole
// review), so everything here errs towards the summary.
import type { Finding } from '../review/finding.js';
import type { DiffFile, DiffIndex, HunkOverlap } from './diff-index.js';

export type Placement = 'inline' | 'file' | 'summary';

export interface InlineAnchor {
  path: string;
  /** FILE: a comment on the file as a whole (platforms that support it, e.g. GitLab). */
  side: 'RIGHT' | 'LEFT' | 'FILE';
  startLine: number;
  line: number;
  /** true when the finding's range was narrowed to fit one hunk */
  clamped: boolean;
}

export interface PlacedFinding {
  finding: Finding;
  placement: Placement;
  /**
   * why it is not inline, in words for a reviewer, e.g. "outside the changed lines", "file not
   * changed in this pull request", "path outside the repository", "below min-priority (P2)",
   * "over max-inline-comments (25)"
   */
  reason: string | undefined;
  anchor: InlineAnchor | undefined;
}

export interface PlacementOptions {
  /** Most lenient priority posted inline (0 = P0 only). */
  minPriority: number;
  maxInlineComments: number;
}

/** A multi-line comment (GitHub's start_line/line pair) rather than a single-line one. */
export function isRange(anchor: InlineAnchor): boolean {
  return anchor.startLine < anchor.line;
}

/** One placement per finding, in the order given. */
export function placeFindings(
  findings: Finding[],
  index: DiffIndex,
  options: PlacementOptions,
): PlacedFinding[] {
  const placed = findings.map((finding) => {
    const where = locate(finding, index);
    if (where.placement !== 'inline') return where;
    const { priority } = finding;
    if (priority === null || priority > options.minPriority) {
      return demote(where, `below min-priority (P${options.minPriority})`);
    }
    return where;
  });

  const inline = placed
    .map((p, position) => ({ p, position }))
    .filter(({ p }) => p.placement === 'inline')
    // A stable sort: equally severe findings keep their input order.
    .sort((a, b) => bySeverity(a.p, b.p));
  for (const { p, position } of inline.slice(Math.max(0, options.maxInlineComments))) {
    placed[position] = demote(p, `over max-inline-comments (${options.maxInlineComments})`);
  }
  return placed;
}

function locate(finding: Finding, index: DiffIndex): PlacedFinding {
  const elsewhere = (placement: 'file' | 'summary', reason: string): PlacedFinding => ({
    finding,
    placement,
    reason,
    anchor: undefined,
  });
  if (finding.path === null) return elsewhere('summary', 'no file given');
  if (!finding.inRepo) return elsewhere('summary', 'path outside the repository');
  const file = index.file(finding.path);
  if (!file) return elsewhere('summary', 'file not changed in this pull request');
  if (file.binary) return elsewhere('file', 'binary file');
  if (finding.startLine === null) return elsewhere('file', 'no lines given');

  let start = finding.startLine;
  let end = finding.endLine ?? start;
  if (end < start) [start, end] = [end, start];

  const right = index.rightHunk(file.path, start, end);
  if (right) return inline(finding, file, 'RIGHT', right, start, end);
  const left = index.leftHunk(file.path, start, end);
  if (left && (file.status === 'deleted' || touchesDeletedLines(left))) {
    return inline(finding, file, 'LEFT', left, start, end);
  }
  return elsewhere('file', 'outside the changed lines');
}

/**
 * Outside a deleted file, a finding's lines are new-side lines; reading them as old-side lines
 * is only a fair guess when they land on removed code, the one thing the new side cannot show.
 */
function touchesDeletedLines(overlap: HunkOverlap): boolean {
  return overlap.hunk.deleted.some((line) => line >= overlap.start && line <= overlap.end);
}

function inline(
  finding: Finding,
  file: DiffFile,
  side: InlineAnchor['side'],
  overlap: HunkOverlap,
  start: number,
  end: number,
): PlacedFinding {
  return {
    finding,
    placement: 'inline',
    reason: undefined,
    anchor: {
      path: file.path,
      side,
      startLine: overlap.start,
      line: overlap.end,
      clamped: overlap.start !== start || overlap.end !== end,
    },
  };
}

function demote(placed: PlacedFinding, reason: string): PlacedFinding {
  return { finding: placed.finding, placement: 'summary', reason, anchor: undefined };
}

function bySeverity(a: PlacedFinding, b: PlacedFinding): number {
  const pa = a.finding.priority ?? Number.POSITIVE_INFINITY;
  const pb = b.finding.priority ?? Number.POSITIVE_INFINITY;
  if (pa !== pb) return pa - pb;
  const path = compare(a.anchor?.path ?? '', b.anchor?.path ?? '');
  return path || (a.anchor?.startLine ?? 0) - (b.anchor?.startLine ?? 0);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
