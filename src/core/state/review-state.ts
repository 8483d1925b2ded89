// The review state carried from run to run in the summary comment.
import type { Finding } from '../review/finding.js';
import type { StoredFinding, SummaryState } from './markers.js';
import type { PlacementRecord } from './placements.js';

/** Old-side line ranges a diff changed, by path: where findings of the last review pointed. */
export type ChangedLines = Map<string, Array<[number, number]>>;

export interface StateUpdate {
  state: SummaryState;
  /** Earlier open findings kept open because this run did not look at their files again. */
  carried: StoredFinding[];
  /** Earlier open findings this run no longer reports. */
  resolved: StoredFinding[];
}

/**
 * A full review re-judges everything, so an earlier finding it does not report is resolved.
 * An incremental review only sees the new commits: an earlier finding stays open unless those
 * commits changed its lines and the finding was not reported again.
 */
export function nextState(input: {
  prior: SummaryState | undefined;
  findings: Finding[];
  placements: Map<string, PlacementRecord>;
  reviewedHead: string;
  incremental: boolean;
  changedLines: ChangedLines | undefined;
  session?: SummaryState['session'];
  /** Findings people dismissed: they leave the state, neither open nor resolved. */
  dismissed?: ReadonlySet<string>;
}): StateUpdate {
  const current = new Map(input.findings.map((f) => [f.fingerprint, f]));
  const carried: StoredFinding[] = [];
  const resolved: StoredFinding[] = [];
  for (const earlier of input.prior?.findings ?? []) {
    if (earlier.status !== 'open' || current.has(earlier.fingerprint)) continue;
    if (input.dismissed?.has(earlier.fingerprint)) continue;
    if (input.incremental && !touched(earlier, input.changedLines)) carried.push(earlier);
    else resolved.push({ ...earlier, status: 'resolved' });
  }
  const findings: StoredFinding[] = [
    ...input.findings.map((f) => ({
      fingerprint: f.fingerprint,
      title: f.title,
      path: f.path,
      startLine: f.startLine,
      endLine: f.endLine,
      priority: f.priority,
      status: 'open' as const,
      placement: input.placements.get(f.fingerprint)?.placement ?? 'summary',
    })),
    ...carried,
    ...resolved,
  ];
  const state: SummaryState = { version: 2, reviewedHead: input.reviewedHead, findings };
  if (input.session) state.session = input.session;
  return { state, carried, resolved };
}

function touched(f: StoredFinding, changed: ChangedLines | undefined): boolean {
  if (!changed || f.path === null) return false;
  const ranges = changed.get(f.path);
  if (!ranges) return false;
  if (f.startLine === null) return true;
  const start = f.startLine;
  const end = f.endLine ?? start;
  return ranges.some(([a, b]) => a <= end && start <= b);
}
