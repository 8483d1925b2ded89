// GitHub as a ReviewPlatform: one review per run, one summary issue comment found again by
// its marker, and a recovery for the 422 GitHub returns for a whole review when one comment
// cannot be placed.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Logger } from '../core/logger.js';
import {
  PermissionDeniedError,
  type ChangeRequest,
  type ExistingComment,
  type ExistingState,
  type InlineComment,
  type PostedReview,
  type RejectedComment,
  type ReviewPlatform,
} from '../core/platform.js';
import { fingerprintsIn, SUMMARY_MARKER } from '../core/publish/markers.js';
import type { Octokit } from './octokit.js';

const execFileAsync = promisify(execFile);

interface RequestError {
  status?: number;
  message?: string;
  response?: { data?: { message?: string; errors?: unknown[] } };
}

function statusOf(error: unknown): number | undefined {
  return (error as RequestError)?.status;
}

function detailOf(error: unknown): string {
  const e = error as RequestError;
  const data = e.response?.data;
  const errors = Array.isArray(data?.errors)
    ? data.errors.map((x) =>
        typeof x === 'string' ? x : ((x as { message?: string }).message ?? JSON.stringify(x)),
      )
    : [];
  return [data?.message ?? e.message ?? String(error), ...errors].join(': ');
}

export class GitHubPlatform implements ReviewPlatform {
  readonly name = 'GitHub';
  readonly maxCommentLength = 65_536;

  constructor(
    private readonly octokit: Octokit,
    private readonly repo: { owner: string; repo: string },
    private readonly options: { serverUrl: string; workspace: string; logger: Logger },
  ) {}

  private guardWrite(error: unknown, what: string): never {
    const status = statusOf(error);
    if (status === 403 || status === 404) {
      throw new PermissionDeniedError(
        `The GitHub token cannot ${what} (${status}: ${detailOf(error)}). A pull request from a fork gets a read-only token; ` +
          'otherwise grant `pull-requests: write` in the workflow permissions.',
      );
    }
    if (status === 401)
      throw new Error(
        `GitHub rejected the token (401) while trying to ${what}. Check \`github-token\`.`,
      );
    throw error;
  }

  async loadDiff(cr: ChangeRequest): Promise<string> {
    const { data: pull } = await this.octokit.rest.pulls.get({
      ...this.repo,
      pull_number: cr.number,
    });
    if (pull.head.sha !== cr.headSha) {
      // Someone pushed while Codex worked: GitHub's diff is of the new head, but the comments
      // belong to the reviewed one, so the diff must be too.
      this.options.logger.info(
        `The pull request moved to ${pull.head.sha.slice(0, 7)} during the review; placing comments on the reviewed ${cr.headSha.slice(0, 7)}.`,
      );
      return this.localDiff(cr);
    }
    try {
      const response = await this.octokit.rest.pulls.get({
        ...this.repo,
        pull_number: cr.number,
        mediaType: { format: 'diff' },
      });
      return response.data as unknown as string;
    } catch (error) {
      // GitHub refuses diffs over 20,000 lines or 300 files: compute the same three-dot diff locally.
      if (statusOf(error) !== 406 && !/too_large|too large|exceeded/i.test(detailOf(error)))
        throw error;
      this.options.logger.info(
        `GitHub will not serve this pull request's diff (${detailOf(error)}); computing it with git.`,
      );
      return this.localDiff(cr);
    }
  }

  /** The pull request's three-dot diff (merge base → reviewed head), from the checkout. */
  private async localDiff(cr: ChangeRequest): Promise<string> {
    const cwd = this.options.workspace;
    const { stdout: mergeBase } = await execFileAsync(
      'git',
      ['merge-base', cr.baseSha, cr.headSha],
      { cwd },
    );
    const { stdout } = await execFileAsync(
      'git',
      [
        '-c',
        'core.quotePath=true',
        'diff',
        '--no-color',
        '--no-ext-diff',
        '--no-textconv',
        mergeBase.trim(),
        cr.headSha,
      ],
      { cwd, maxBuffer: 512 * 1024 * 1024 },
    );
    return stdout;
  }

  async loadExisting(cr: ChangeRequest): Promise<ExistingState> {
    const issueComments = await this.octokit.paginate(this.octokit.rest.issues.listComments, {
      ...this.repo,
      issue_number: cr.number,
      per_page: 100,
    });
    const mine = issueComments.filter((c) => c.body?.includes(SUMMARY_MARKER));
    const found = mine.at(-1);
    const summary: ExistingComment | undefined = found
      ? { id: String(found.id), body: found.body ?? '', url: found.html_url }
      : undefined;
    const reviewComments = await this.octokit.paginate(this.octokit.rest.pulls.listReviewComments, {
      ...this.repo,
      pull_number: cr.number,
      per_page: 100,
    });
    const inlineFingerprints = new Set(reviewComments.flatMap((c) => fingerprintsIn(c.body ?? '')));
    return { summary, inlineFingerprints };
  }

  private toApi(comment: InlineComment) {
    const { anchor } = comment;
    return {
      path: anchor.path,
      line: anchor.line,
      side: anchor.side,
      ...(anchor.startLine < anchor.line
        ? { start_line: anchor.startLine, start_side: anchor.side }
        : {}),
      body: comment.body,
    };
  }

  async postReview(cr: ChangeRequest, comments: InlineComment[]): Promise<PostedReview> {
    try {
      const review = await this.createReview(cr, comments);
      return { url: review.url, posted: comments, rejected: [] };
    } catch (error) {
      if (statusOf(error) !== 422) this.guardWrite(error, 'post a review');
      this.options.logger.warning(
        `GitHub rejected the review (${detailOf(error)}); finding the comments it refuses, then posting the rest.`,
      );
    }
    await this.discardPendingReviews(cr);
    const accepted: InlineComment[] = [];
    const rejected: RejectedComment[] = [];
    await this.sort(cr, comments, accepted, rejected);
    const review = accepted.length > 0 ? await this.createReview(cr, accepted) : undefined;
    return { url: review?.url, posted: accepted, rejected };
  }

  /** A submitted review, or (pending) a trial that only its author can see. */
  private async createReview(cr: ChangeRequest, comments: InlineComment[], pending = false) {
    const response = await this.octokit.rest.pulls.createReview({
      ...this.repo,
      pull_number: cr.number,
      commit_id: cr.headSha,
      ...(pending
        ? {}
        : {
            event: 'COMMENT' as const,
            body: `Codex review: ${comments.length} finding(s) on the changed lines.`,
          }),
      comments: comments.map((c) => this.toApi(c)),
    });
    return { id: response.data.id, url: response.data.html_url };
  }

  /**
   * GitHub answers 422 for the whole review without naming the comment at fault. Trial
   * reviews left PENDING (visible to nobody else, deleted right away) find the rejected ones
   * by bisection, so the final review is posted once, without them.
   */
  private async sort(
    cr: ChangeRequest,
    batch: InlineComment[],
    accepted: InlineComment[],
    rejected: RejectedComment[],
  ) {
    if (batch.length === 0) return;
    try {
      const trial = await this.createReview(cr, batch, true);
      await this.octokit.rest.pulls.deletePendingReview({
        ...this.repo,
        pull_number: cr.number,
        review_id: trial.id,
      });
      accepted.push(...batch);
      return;
    } catch (error) {
      if (statusOf(error) !== 422) this.guardWrite(error, 'post a review');
      if (batch.length === 1) {
        rejected.push({ comment: batch[0]!, reason: detailOf(error) });
        return;
      }
    }
    const middle = Math.ceil(batch.length / 2);
    await this.sort(cr, batch.slice(0, middle), accepted, rejected);
    await this.sort(cr, batch.slice(middle), accepted, rejected);
  }

  /** A pending review left by a crashed run would make every trial fail (one per user). */
  private async discardPendingReviews(cr: ChangeRequest) {
    const reviews = await this.octokit.paginate(this.octokit.rest.pulls.listReviews, {
      ...this.repo,
      pull_number: cr.number,
      per_page: 100,
    });
    for (const review of reviews.filter((r) => r.state === 'PENDING')) {
      await this.octokit.rest.pulls.deletePendingReview({
        ...this.repo,
        pull_number: cr.number,
        review_id: review.id,
      });
    }
  }

  async upsertSummary(
    cr: ChangeRequest,
    body: string,
    existing: ExistingComment | undefined,
  ): Promise<{ url: string }> {
    try {
      if (existing) {
        const response = await this.octokit.rest.issues.updateComment({
          ...this.repo,
          comment_id: Number(existing.id),
          body,
        });
        return { url: response.data.html_url };
      }
      const response = await this.octokit.rest.issues.createComment({
        ...this.repo,
        issue_number: cr.number,
        body,
      });
      return { url: response.data.html_url };
    } catch (error) {
      this.guardWrite(error, 'write the summary comment');
    }
  }

  fileUrl(
    cr: ChangeRequest,
    path: string,
    startLine: number | null,
    endLine: number | null,
  ): string {
    const encoded = path.split('/').map(encodeURIComponent).join('/');
    const lines =
      startLine === null
        ? ''
        : endLine !== null && endLine !== startLine
          ? `#L${startLine}-L${endLine}`
          : `#L${startLine}`;
    return `${this.options.serverUrl}/${this.repo.owner}/${this.repo.repo}/blob/${cr.headSha}/${encoded}${lines}`;
  }
}
