// Publishing one review: place every finding, post the inline ones in one review, and keep
// one summary comment up to date. Nothing is dropped: a comment the platform rejects moves to
// the summary; when nothing can be posted, every finding is marked not-posted for the caller
// to report in the log, the step summary and the findings file.
import { DiffIndex } from '../diff/diff-index.js';
import { placeFindings, type PlacedFinding } from '../diff/placement.js';
import { errorMessage } from '../errors.js';
import type { Logger } from '../logger.js';
import {
  PermissionDeniedError,
  type ChangeRequest,
  type ExistingState,
  type InlineComment,
  type ReviewPlatform,
} from '../platform.js';
import type { Redactor } from '../redact.js';
import { renderInlineComment } from '../render/inline-comment.js';
import { renderSummaryComment, type ReviewedRange } from '../render/summary-comment.js';
import type { ReviewResult } from '../review/result.js';
import type { ChangedLines } from '../state/review-state.js';
import { changeScope, readState, type SummaryState } from '../state/markers.js';
import type { StateKey } from '../state/state-key.js';
import type { PlacementRecord } from '../state/placements.js';
import { nextState } from '../state/review-state.js';

export interface PublishInput {
  result: ReviewResult;
  platform: ReviewPlatform;
  cr: ChangeRequest;
  /** `review`: inline comments + summary; `summary`: the summary comment only. */
  target: 'review' | 'summary';
  minPriority: number;
  maxInlineComments: number;
  range: ReviewedRange;
  /** Lines an incremental range changed (to tell carried from resolved findings). */
  changedLines: ChangedLines | undefined;
  /** Everything posted passes through it: a model can be made to repeat a secret. */
  redactor: Redactor;
  /** Signs the state written and verifies the state read; undefined: nothing is believed. */
  stateKey: StateKey | undefined;
  logger: Logger;
  runUrl?: string;
  /** The change request's diff, when the caller started loading it early (while Codex ran). */
  diff?: Promise<string>;
  /** What earlier runs left, read again after Codex finished (the caller may start it early). */
  existing?: Promise<ExistingState>;
  /** The review's Codex session, remembered in the state for answers. */
  session?: SummaryState['session'];
  /** Findings people dismissed (left out of `result`): not resolved, not carried. */
  dismissed?: ReadonlySet<string>;
}

export interface PublishOutcome {
  placements: Map<string, PlacementRecord>;
  reviewUrl: string | undefined;
  summaryUrl: string | undefined;
  /** Set when the token could not write; the caller falls back to annotations. */
  permissionDenied: string | undefined;
  state: SummaryState;
}

export async function publishReview(input: PublishInput): Promise<PublishOutcome> {
  const { result, platform, cr, logger, redactor } = input;
  // Read again now, not when the run started: a run that finished meanwhile may have posted.
  const existing = await (input.existing ?? platform.loadExisting(cr));
  const placements = new Map<string, PlacementRecord>();
  // Findings already inline stay there; they neither count against max-inline-comments nor
  // appear a second time in the summary.
  const fresh = result.findings.filter((f) => {
    if (!existing.inlineFingerprints.has(f.fingerprint)) return true;
    placements.set(f.fingerprint, {
      placement: 'inline-earlier',
      reason: 'already posted inline by an earlier run',
    });
    return false;
  });
  let placed: PlacedFinding[];
  if (input.target === 'review') {
    const index = DiffIndex.parse(await (input.diff ?? platform.loadDiff(cr)));
    placed = placeFindings(fresh, index, {
      minPriority: input.minPriority,
      maxInlineComments: input.maxInlineComments,
    });
  } else {
    placed = fresh.map((finding) => ({
      finding,
      placement: 'summary',
      reason: 'post: summary',
      anchor: undefined,
    }));
  }

  const comments: InlineComment[] = [];
  for (const p of placed) {
    const f = p.finding;
    if (p.placement === 'file' && platform.supportsFileComments && f.path && f.inRepo) {
      const start = f.startLine ?? 1;
      const anchor = {
        path: f.path,
        side: 'FILE' as const,
        startLine: start,
        line: f.endLine ?? start,
        clamped: false,
      };
      const body = redactor.redact(
        renderInlineComment(f, anchor, platform.maxCommentLength, platform.suggestionSyntax),
      );
      comments.push({ fingerprint: f.fingerprint, anchor, body });
      continue;
    }
    if (p.placement === 'inline' && p.anchor) {
      const body = redactor.redact(
        renderInlineComment(
          p.finding,
          p.anchor,
          platform.maxCommentLength,
          platform.suggestionSyntax,
        ),
      );
      comments.push({ fingerprint: p.finding.fingerprint, anchor: p.anchor, body });
    } else {
      placements.set(p.finding.fingerprint, { placement: p.placement, reason: p.reason });
    }
  }

  // Only a state that verifies is acted on: anything else could have been written by someone else.
  const seal = { key: input.stateKey, scope: changeScope(cr) };
  const reading = readState(existing.summary?.body, seal);
  const prior = reading.kind === 'trusted' ? reading.state : undefined;
  // An unfinished review says nothing about what was fixed: every earlier finding stays open.
  const unfinished = result.incomplete !== undefined;
  const stateOf = () =>
    nextState({
      prior,
      findings: result.findings,
      placements,
      reviewedHead: input.range.head,
      incremental: input.range.incremental || unfinished,
      changedLines: unfinished ? new Map() : input.changedLines,
      ...(input.session ? { session: input.session } : {}),
      ...(input.dismissed ? { dismissed: input.dismissed } : {}),
    });
  let update = stateOf();
  let reviewUrl: string | undefined;
  let summaryUrl: string | undefined;
  let permissionDenied: string | undefined;
  try {
    if (comments.length > 0) {
      const review = await platform.postReview(cr, comments);
      reviewUrl = review.url;
      for (const c of review.posted)
        placements.set(c.fingerprint, { placement: 'inline', reason: undefined, anchor: c.anchor });
      for (const r of review.rejected) {
        placements.set(r.comment.fingerprint, {
          placement: 'summary',
          reason: `${platform.name} rejected the inline comment: ${r.reason}`,
        });
      }
      logger.info(
        `Posted ${review.posted.length} inline comment(s) in one review${review.url ? `: ${review.url}` : ''}` +
          (review.rejected.length
            ? `; ${review.rejected.length} rejected, moved to the summary`
            : ''),
      );
    }
    update = stateOf();
    const body = renderSummaryComment({
      result,
      cr,
      placements,
      range: input.range,
      // The state is compressed, where the redactor cannot see: its text is redacted before.
      state: redactor.redactValue(update.state),
      seal,
      carried: update.carried,
      resolved: update.resolved,
      fileUrl: (path, start, end) => platform.fileUrl(cr, path, start, end),
      ...(input.runUrl ? { runUrl: input.runUrl } : {}),
      maxLength: platform.maxCommentLength,
    });
    const summary = await platform.upsertSummary(cr, redactor.redact(body), existing.summary);
    summaryUrl = summary.url;
    logger.info(`${existing.summary ? 'Updated' : 'Posted'} the summary comment: ${summary.url}`);
    if (platform.resolveFixed && update.resolved.length > 0) {
      const count = await platform.resolveFixed(
        cr,
        update.resolved.map((f) => f.fingerprint),
      );
      if (count > 0)
        logger.info(`Resolved ${count} thread(s) of findings fixed since the last run.`);
    }
  } catch (error) {
    if (!(error instanceof PermissionDeniedError)) throw error;
    permissionDenied = errorMessage(error);
    for (const f of result.findings) {
      const record = placements.get(f.fingerprint);
      if (record?.placement !== 'inline' && record?.placement !== 'inline-earlier') {
        placements.set(f.fingerprint, { placement: 'not-posted', reason: permissionDenied });
      }
    }
  }
  return {
    placements,
    reviewUrl: reviewUrl ?? summaryUrl,
    summaryUrl,
    permissionDenied,
    state: update.state,
  };
}
