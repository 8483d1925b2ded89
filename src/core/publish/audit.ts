// An audit's results kept in one tracking issue: created when there is something to track,
// updated on every run, closed when nothing is open, reopened when findings return.
import type { Logger } from '../logger.js';
import type { Redactor } from '../redact.js';
import { PermissionDeniedError, type IssueTracker } from '../platform.js';
import { renderTrackingIssue } from '../render/tracking-issue.js';
import type { ReviewResult } from '../review/result.js';
import { errorMessage } from '../errors.js';
import { auditMarker, auditScope, readState } from '../state/markers.js';
import type { StateKey } from '../state/state-key.js';
import type { PlacementRecord } from '../state/placements.js';
import { nextState } from '../state/review-state.js';

export interface AuditInput {
  result: ReviewResult;
  tracker: IssueTracker;
  /** Identifies the audit (workflow and job): one issue per key. */
  key: string;
  title: string;
  sha: string;
  runUrl: string | undefined;
  date: string;
  /** The issue is public text written from model output: secrets are redacted from it. */
  redactor: Redactor;
  /** Signs the state written and verifies the state read; undefined: nothing is believed. */
  stateKey: StateKey | undefined;
  logger: Logger;
}

export interface AuditOutcome {
  url: string | undefined;
  placements: Map<string, PlacementRecord>;
  permissionDenied: string | undefined;
}

export async function publishTrackingIssue(input: AuditInput): Promise<AuditOutcome> {
  const { result, tracker, logger } = input;
  const marker = auditMarker(input.key);
  const placements = new Map<string, PlacementRecord>(
    result.findings.map((f) => [f.fingerprint, { placement: 'issue', reason: undefined }]),
  );
  if (result.incomplete) {
    // An unfinished audit says nothing about what was fixed: leave the issue as it is.
    logger.warning(
      `The audit did not finish (${result.incomplete}); the tracking issue is left unchanged.`,
    );
    return { url: undefined, placements, permissionDenied: undefined };
  }
  try {
    const existing = await tracker.findIssue(marker);
    if (!existing && result.findings.length === 0) {
      logger.info('No open findings and no tracking issue yet: nothing to post.');
      return { url: undefined, placements, permissionDenied: undefined };
    }
    const seal = { key: input.stateKey, scope: auditScope(input.key) };
    const reading = readState(existing?.body, seal);
    const update = nextState({
      prior: reading.kind === 'trusted' ? reading.state : undefined,
      findings: result.findings,
      placements,
      reviewedHead: input.sha,
      incremental: false,
      changedLines: undefined,
    });
    const body = input.redactor.redact(
      renderTrackingIssue({
        marker,
        result,
        // The state is compressed, where the redactor cannot see: its text is redacted before.
        state: input.redactor.redactValue(update.state),
        seal,
        fixed: update.resolved,
        sha: input.sha,
        date: input.date,
        runUrl: input.runUrl,
        fileUrl: (path, start, end) => tracker.fileUrl(input.sha, path, start, end),
        maxLength: tracker.maxCommentLength,
      }),
    );
    const state = result.findings.length === 0 ? 'closed' : 'open';
    const issue = existing
      ? await tracker.updateIssue(existing, { body, state })
      : await tracker.createIssue(input.redactor.redact(input.title), body);
    logger.info(
      `${existing ? 'Updated' : 'Opened'} tracking issue #${issue.number} (${result.findings.length} open, ` +
        `${update.resolved.length} fixed since the last run${state === 'closed' ? '; closed' : ''}): ${issue.url}`,
    );
    return { url: issue.url, placements, permissionDenied: undefined };
  } catch (error) {
    if (!(error instanceof PermissionDeniedError)) throw error;
    const reason = errorMessage(error);
    for (const f of result.findings)
      placements.set(f.fingerprint, { placement: 'not-posted', reason });
    return { url: undefined, placements, permissionDenied: reason };
  }
}
