// What this run reviews, decided before Codex starts: an explicit `base`/`commit`, the change
// request (only the commits since the last reviewed head when that is still an ancestor; after a
// force-push or a merge, the whole change), or the front door's default (a push's commit).
import type { ReviewTarget } from '../codex/argv.js';
import { DiffIndex } from '../diff/diff-index.js';
import { ConfigurationError } from '../errors.js';
import { headSha, isAncestor, mergesBetween, resolveReviewTarget, unifiedDiff } from '../git.js';
import type { Logger } from '../logger.js';
import type { ChangeRequest } from '../platform.js';
import type { SummaryState } from '../state/markers.js';
import type { ChangedLines } from '../state/review-state.js';

export interface ReviewScope {
  /** What Codex reviews. */
  target: ReviewTarget;
  /** The base of the reviewed range (for the summary): the PR base or the last reviewed head. */
  base: string | undefined;
  /** Only the commits since the last reviewed head are reviewed. */
  incremental: boolean;
  /** Old-side line ranges the incremental range changed, by path (undefined for a full review). */
  changedLines: ChangedLines | undefined;
}

export interface ScopeInput {
  cwd: string;
  /** Explicit settings win over everything else. */
  base: string | undefined;
  commit: string | undefined;
  /** The change request of the event, and what earlier runs left on it. */
  change:
    | {
        cr: ChangeRequest;
        noun: string;
        prior: SummaryState | undefined;
        incremental: boolean;
      }
    | undefined;
  /** The front door's default outside a change request (a push: its commit). */
  defaults: { base?: string; commit?: string };
  logger: Logger;
}

export async function chooseScope(input: ScopeInput): Promise<ReviewScope> {
  const scope = await decide(input);
  input.logger.info(`Reviewing ${describe(scope.target)} in ${input.cwd}`);
  return scope;
}

function describe(target: ReviewTarget): string {
  switch (target.kind) {
    case 'base':
      return `the changes since ${target.base} (merge base ${target.mergeBase.slice(0, 12)})`;
    case 'commit':
      return `commit ${target.sha.slice(0, 12)}${target.title ? ` "${target.title}"` : ''}`;
    case 'uncommitted':
      return 'the uncommitted changes';
  }
}

async function decide(input: ScopeInput): Promise<ReviewScope> {
  const { cwd, logger } = input;
  if (input.commit || input.base || !input.change) {
    const request = input.commit
      ? { commit: input.commit }
      : input.base
        ? { base: input.base }
        : input.defaults;
    const target = await resolveReviewTarget(cwd, request);
    return {
      target,
      base: target.kind === 'base' ? target.base : undefined,
      incremental: false,
      changedLines: undefined,
    };
  }
  const { cr, noun } = input.change;
  const checkedOut = await headSha(cwd);
  await requireHeadInCheckout(cwd, cr, checkedOut, noun);
  if (checkedOut !== cr.headSha) {
    logger.info(
      `The checkout is ${checkedOut?.slice(0, 7)}, not the ${noun} head ${cr.headSha.slice(0, 7)} ` +
        '(a merge commit?). Comments are placed on the head; for exact lines check out the head commit.',
    );
  }
  const range = await incrementalBase({ ...input.change, checkedOut, cwd, logger });
  const target = await resolveReviewTarget(cwd, { base: range?.base ?? cr.baseSha });
  return range
    ? { target, base: range.base, incremental: true, changedLines: range.changedLines }
    : { target, base: cr.baseSha, incremental: false, changedLines: undefined };
}

/**
 * Codex reviews the checkout. Without the change's head in it (pull_request_target checks out
 * the base branch by default) the review would see nothing of the change.
 */
async function requireHeadInCheckout(
  cwd: string,
  cr: ChangeRequest,
  checkedOut: string | undefined,
  noun: string,
): Promise<void> {
  if (checkedOut === cr.headSha) return;
  if (checkedOut && (await isAncestor(cwd, cr.headSha, 'HEAD'))) return;
  throw new ConfigurationError(
    `The checkout (${checkedOut?.slice(0, 7) ?? 'none'}) does not contain the ${noun} head ${cr.headSha.slice(0, 7)}, ` +
      'so Codex would not see the change. Check out the head: on GitHub, actions/checkout with ' +
      '`ref: ${{ github.event.pull_request.head.sha }}` and `fetch-depth: 0`; on GitLab, `GIT_DEPTH: 0`.',
  );
}

async function incrementalBase(input: {
  cr: ChangeRequest;
  prior: SummaryState | undefined;
  incremental: boolean;
  checkedOut: string | undefined;
  cwd: string;
  logger: Logger;
}): Promise<{ base: string; changedLines: ChangedLines } | undefined> {
  const { cr, cwd, logger } = input;
  const last = input.prior?.reviewedHead;
  if (!input.incremental || !last) return undefined;
  if (last === cr.headSha) {
    logger.info(`${cr.headSha.slice(0, 7)} was reviewed before; reviewing the whole change again.`);
    return undefined;
  }
  if (input.checkedOut !== cr.headSha) {
    logger.info('The checkout is not the head; reviewing the whole change.');
    return undefined;
  }
  if (!(await isAncestor(cwd, last, cr.headSha))) {
    logger.info(
      `The last reviewed head ${last.slice(0, 7)} is no longer an ancestor (force-push?); reviewing the whole change.`,
    );
    return undefined;
  }
  // A merge (e.g. "Update branch") brings the base branch's changes into last..head: those
  // are not the author's, so only a full review against the base judges them right.
  if ((await mergesBetween(cwd, last, cr.headSha)).length > 0) {
    logger.info(
      `The commits since ${last.slice(0, 7)} include a merge; reviewing the whole change.`,
    );
    return undefined;
  }
  const changedLines = changedLinesOf(await unifiedDiff(cwd, last, cr.headSha, { context: 0 }));
  logger.info(
    `Incremental review: the commits since ${last.slice(0, 7)} (${changedLines.size} file(s) changed).`,
  );
  return { base: last, changedLines };
}

/** Where a diff changed the old side of each file: findings of the last review point there. */
export function changedLinesOf(diff: string): ChangedLines {
  const changed: ChangedLines = new Map();
  for (const file of DiffIndex.parse(diff).files) {
    const ranges = file.hunks.map((h): [number, number] => [
      h.oldStart,
      h.oldStart + Math.max(h.oldLines, 1) - 1,
    ]);
    changed.set(
      file.oldPath ?? file.path,
      ranges.length > 0 ? ranges : [[1, Number.MAX_SAFE_INTEGER]],
    );
  }
  return changed;
}
