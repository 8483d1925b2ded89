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
import { renderInlineComment } from '../render/inline-comment.js';
import { renderSummaryComment, type ReviewedRange } from '../render/summary-comment.js';
import type { ReviewResult } from '../review/result.js';
import { decodeState, type SummaryState } from './markers.js';
import type { PlacementRecord } from './placements.js';
import { nextState } from './state.js';

export interface PublishInput {
  result: ReviewResult;
  platform: ReviewPlatform;
  cr: ChangeRequest;
  existing: ExistingState;
  /** `review`: inline comments + summary; `summary`: the summary comment only. */
  target: 'review' | 'summary';
  minPriority: number;
  maxInlineComments: number;
  range: ReviewedRange;
  /** Files changed by an incremental range (to tell carried from resolved findings). */
  changedFiles: Set<string> | undefined;
  logger: Logger;
  runUrl?: string;
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
  const { result, platform, cr, existing, logger } = input;
  const placements = new Map<string, PlacementRecord>();
  let placed: PlacedFinding[];
  if (input.target === 'review') {
    const index = DiffIndex.parse(await platform.loadDiff(cr));
    placed = placeFindings(result.findings, index, {
      minPriority: input.minPriority,
      maxInlineComments: input.maxInlineComments,
    });
  } else {
    placed = result.findings.map((finding) => ({
      finding,
      placement: 'summary',
      reason: 'post: summary',
      anchor: undefined,
    }));
  }

  const comments: InlineComment[] = [];
  for (const p of placed) {
    const fp = p.finding.fingerprint;
    if (p.placement === 'inline' && p.anchor) {
      if (existing.inlineFingerprints.has(fp)) {
        placements.set(fp, {
          placement: 'inline-earlier',
          reason: 'already posted inline by an earlier run',
          anchor: p.anchor,
        });
      } else {
        comments.push({
          fingerprint: fp,
          anchor: p.anchor,
          body: renderInlineComment(p.finding, p.anchor, platform.maxCommentLength),
        });
      }
    } else {
      placements.set(fp, { placement: p.placement, reason: p.reason });
    }
  }

  let reviewUrl: string | undefined;
  let summaryUrl: string | undefined;
  let permissionDenied: string | undefined;
  const prior = decodeState(existing.summary?.body);
  let update = nextState({
    prior,
    findings: result.findings,
    placements,
    reviewedHead: input.range.head,
    incremental: input.range.incremental,
    changedFiles: input.changedFiles,
  });
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
    update = nextState({
      prior,
      findings: result.findings,
      placements,
      reviewedHead: input.range.head,
      incremental: input.range.incremental,
      changedFiles: input.changedFiles,
    });
    const body = renderSummaryComment({
      result,
      cr,
      placements,
      range: input.range,
      state: update.state,
      carried: update.carried,
      resolved: update.resolved,
      fileUrl: (path, start, end) => platform.fileUrl(cr, path, start, end),
      ...(input.runUrl ? { runUrl: input.runUrl } : {}),
      maxLength: platform.maxCommentLength,
    });
    const summary = await platform.upsertSummary(cr, body, existing.summary);
    summaryUrl = summary.url;
    logger.info(`${existing.summary ? 'Updated' : 'Posted'} the summary comment: ${summary.url}`);
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
