// GitHub as a ReviewPlatform: one review per run, one summary issue comment found again by
// its marker, and a recovery for the 422 GitHub returns for a whole review when one comment
// cannot be placed.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { dismissalIn } from '../core/conversation/markers.js';
import { errorMessage } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import {
  type ChangeRequest,
  type Dismissal,
  type ExistingComment,
  type ExistingState,
  type InlineComment,
  type PostedReview,
  type RejectedComment,
  type ReviewPlatform,
} from '../core/platform.js';
import { fingerprintsIn, SUMMARY_MARKER } from '../core/state/markers.js';
import { blobUrl, detailOf, guardWrite, statusOf } from './errors.js';
import type { Octokit } from './octokit.js';
import {
  isForbidden,
  loadReviewThreads,
  resolveReviewThread,
  type ReviewThread,
  type ThreadAuthor,
} from './threads.js';

const execFileAsync = promisify(execFile);

export class GitHubPlatform implements ReviewPlatform {
  readonly name = 'GitHub';
  readonly maxCommentLength = 65_536;
  readonly suggestionSyntax = 'github' as const;

  constructor(
    private readonly octokit: Octokit,
    private readonly repo: { owner: string; repo: string },
    private readonly options: { serverUrl: string; workspace: string; logger: Logger },
  ) {}

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
    const diff = (retries?: number) =>
      this.octokit.rest.pulls.get({
        ...this.repo,
        pull_number: cr.number,
        mediaType: { format: 'diff' },
        ...(retries === undefined ? {} : { request: { retries } }),
      });
    try {
      let response: Awaited<ReturnType<typeof diff>>;
      try {
        // First without the retry plugin, which retries a 406 (not in its doNotRetry list):
        // 1 + 4 + 9 s of waiting for the same "too large". A server error is asked again.
        response = await diff(0);
      } catch (error) {
        if ((statusOf(error) ?? 500) < 500) throw error;
        response = await diff();
      }
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

  /**
   * Who this token posts as. REST GET /user refuses installation tokens (the job's
   * GITHUB_TOKEN, a GitHub App's token: "Resource not accessible by integration"); GraphQL
   * `viewer` answers every kind of token with the login its comments carry:
   * `github-actions[bot]`, `<app-slug>[bot]`, or a person's login for a personal token.
   */
  private async identity(): Promise<string | undefined> {
    if (this.login === null) {
      try {
        const { viewer } = await this.octokit.graphql<{ viewer: { login: string } }>(
          'query { viewer { login } }',
        );
        this.login = viewer.login;
      } catch (error) {
        this.login = undefined;
        this.options.logger.warning(
          `Could not ask GitHub who the token posts as (${detailOf(error)}); comments of any bot are taken for ours, and only a state signed by this workflow is believed.`,
        );
      }
    }
    return this.login;
  }
  private login: string | undefined | null = null;

  /**
   * Markers are only believed in comments this token wrote. The same identity is shared by
   * every workflow of the repository that posts with GITHUB_TOKEN, so the core also checks the
   * state's signature; this check keeps other apps' comments from being taken, or edited.
   */
  private async isOurs(
    author: { login?: string; type?: string } | null | undefined,
  ): Promise<boolean> {
    if (!author) return false;
    const login = await this.identity();
    return login !== undefined ? author.login === login : author.type === 'Bot';
  }

  async loadExisting(cr: ChangeRequest): Promise<ExistingState> {
    const issueComments = await this.octokit.paginate(this.octokit.rest.issues.listComments, {
      ...this.repo,
      issue_number: cr.number,
      per_page: 100,
    });
    let summary: ExistingComment | undefined;
    for (const c of issueComments) {
      if (c.body?.includes(SUMMARY_MARKER) && (await this.isOurs(c.user))) {
        summary = { id: String(c.id), body: c.body ?? '', url: c.html_url };
      }
    }
    const reviewComments = await this.octokit.paginate(this.octokit.rest.pulls.listReviewComments, {
      ...this.repo,
      pull_number: cr.number,
      per_page: 100,
    });
    const inlineFingerprints = new Set<string>();
    for (const c of reviewComments) {
      if (await this.isOurs(c.user))
        for (const fp of fingerprintsIn(c.body ?? '')) inlineFingerprints.add(fp);
    }
    return { summary, inlineFingerprints, dismissed: await this.dismissals(cr) };
  }

  /** The review threads, or undefined (with a warning) when GraphQL cannot be read. */
  private async threads(cr: ChangeRequest, what: string): Promise<ReviewThread[] | undefined> {
    try {
      return await loadReviewThreads(this.octokit, this.repo, cr.number);
    } catch (error) {
      this.options.logger.warning(
        `Could not read the review threads through GitHub's GraphQL API, so ${what}: ${errorMessage(error)}`,
      );
      return undefined;
    }
  }

  /** Our thread's finding, when the thread is one the product opened. */
  private async findingOf(thread: ReviewThread): Promise<string[]> {
    const first = thread.comments[0];
    if (!first || !(await this.isOurs(first.author))) return [];
    return fingerprintsIn(first.body);
  }

  /** Someone other than the product wrote in the thread after its first comment. */
  private async peopleReplied(thread: ReviewThread): Promise<boolean> {
    if (thread.truncated) return true;
    for (const c of thread.comments.slice(1)) if (!(await this.isOurs(c.author))) return true;
    return false;
  }

  /**
   * Findings people dismissed: the thread is resolved, and either a person resolved it or the
   * product acknowledged a `dismiss` command in it. A thread the product resolved itself (the
   * finding was fixed) is not a dismissal; a thread someone reopened is not one either.
   */
  private async dismissals(cr: ChangeRequest): Promise<Map<string, Dismissal>> {
    const dismissed = new Map<string, Dismissal>();
    const threads = await this.threads(cr, 'findings dismissed there may be posted again');
    for (const thread of threads ?? []) {
      if (!thread.isResolved) continue;
      const fingerprints = await this.findingOf(thread);
      if (fingerprints.length === 0) continue;
      let command: { by?: string | undefined; reason: string } | undefined;
      for (const c of thread.comments.slice(1)) {
        const record = (await this.isOurs(c.author)) ? dismissalIn(c.body) : undefined;
        if (record && fingerprints.includes(record.fingerprint)) command = record;
      }
      const byPerson =
        thread.resolvedBy !== undefined &&
        !(await this.isOurs({ login: thread.resolvedBy, type: 'User' }));
      if (!command && !byPerson) continue;
      for (const fingerprint of fingerprints) {
        dismissed.set(fingerprint, {
          fingerprint,
          title: firstLine(thread.comments[0]!.body),
          path: thread.path,
          line: thread.line,
          by: command ? command.by : thread.resolvedBy,
          // A person's own words, when they wrote in the thread: their last comment there.
          reason: command
            ? command.reason
            : (
                thread.comments.filter((c) => c.author?.login === thread.resolvedBy).at(-1)?.body ??
                ''
              )
                .trim()
                .slice(0, 500),
        });
      }
    }
    return dismissed;
  }

  /**
   * GitHub has no REST call for it: each fixed finding's thread is resolved with GraphQL's
   * resolveReviewThread, unless people wrote in it (their discussion is theirs to close).
   * Failing to resolve costs nothing but a warning.
   */
  async resolveFixed(cr: ChangeRequest, fingerprints: string[]): Promise<number> {
    const wanted = new Set(fingerprints);
    const threads = await this.threads(cr, 'threads of fixed findings stay open');
    let count = 0;
    for (const thread of threads ?? []) {
      if (thread.isResolved) continue;
      if (!(await this.findingOf(thread)).some((fp) => wanted.has(fp))) continue;
      if (await this.peopleReplied(thread)) {
        this.options.logger.info(
          `Not resolving the thread on ${thread.path}: people replied in it.`,
        );
        continue;
      }
      try {
        await resolveReviewThread(this.octokit, thread.id);
        count++;
      } catch (error) {
        this.options.logger.warning(
          isForbidden(error)
            ? 'The token may not resolve review threads (it needs `pull-requests: write`); threads of fixed findings stay open.'
            : `Could not resolve the thread of a fixed finding on ${thread.path}: ${errorMessage(error)}`,
        );
        if (isForbidden(error)) break;
      }
    }
    return count;
  }

  /** The review thread holding comment `commentId`, and the findings it carries if ours. */
  async threadOf(
    cr: ChangeRequest,
    commentId: number,
  ): Promise<{ thread: ReviewThread; fingerprints: string[] } | undefined> {
    const threads = await loadReviewThreads(this.octokit, this.repo, cr.number);
    const thread = threads.find((t) => t.comments.some((c) => c.id === commentId));
    return thread ? { thread, fingerprints: await this.findingOf(thread) } : undefined;
  }

  /** A reply in the review thread that `rootCommentId` opened. */
  async reply(cr: ChangeRequest, rootCommentId: number, body: string): Promise<{ url: string }> {
    try {
      const { data } = await this.octokit.rest.pulls.createReplyForReviewComment({
        ...this.repo,
        pull_number: cr.number,
        comment_id: rootCommentId,
        body,
        request: { retries: 0 },
      });
      return { url: data.html_url };
    } catch (error) {
      guardWrite(error, 'reply in the review thread');
    }
  }

  /** A comment on the pull request's conversation. */
  async comment(cr: ChangeRequest, body: string): Promise<{ url: string }> {
    try {
      const { data } = await this.octokit.rest.issues.createComment({
        ...this.repo,
        issue_number: cr.number,
        body,
        request: { retries: 0 },
      });
      return { url: data.html_url };
    } catch (error) {
      guardWrite(error, 'comment on the pull request');
    }
  }

  async resolveThread(threadId: string): Promise<void> {
    await resolveReviewThread(this.octokit, threadId);
  }

  /** The comment's author is the account this token posts as (its comments never command). */
  async isOwnAuthor(author: ThreadAuthor | undefined): Promise<boolean> {
    return this.isOurs(author);
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
      if (statusOf(error) !== 422) guardWrite(error, 'post a review');
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
    const request = () =>
      this.octokit.rest.pulls.createReview({
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
        // Not retried blindly: a review GitHub created before answering 5xx would be posted twice.
        request: { retries: 0 },
      });
    const landed = async () => {
      if (pending) return undefined;
      const reviews = await this.octokit.paginate(this.octokit.rest.pulls.listReviews, {
        ...this.repo,
        pull_number: cr.number,
        per_page: 100,
      });
      const mine = reviews.filter((r) => r.commit_id === cr.headSha && r.state === 'COMMENTED');
      const posted = await this.octokit.paginate(this.octokit.rest.pulls.listReviewComments, {
        ...this.repo,
        pull_number: cr.number,
        per_page: 100,
      });
      const wanted = new Set(comments.map((c) => c.fingerprint));
      const hit = posted.find(
        (c) =>
          mine.some((r) => r.id === c.pull_request_review_id) &&
          fingerprintsIn(c.body ?? '').some((f) => wanted.has(f)),
      );
      const review = hit ? mine.find((r) => r.id === hit.pull_request_review_id) : undefined;
      return review ? { id: review.id, url: review.html_url } : undefined;
    };
    const response = await this.writeOnce(request, landed);
    return 'data' in response ? { id: response.data.id, url: response.data.html_url } : response;
  }

  /**
   * A write that must happen exactly once. On a server error or a lost connection, look
   * whether it landed anyway before trying again (up to three attempts).
   */
  private async writeOnce<T, F>(
    write: () => Promise<T>,
    landed: () => Promise<F | undefined>,
  ): Promise<T | F> {
    let lastError: unknown;
    for (let attempt = 1; attempt <= 3; attempt++) {
      try {
        return await write();
      } catch (error) {
        const status = statusOf(error);
        if (status !== undefined && status < 500) throw error;
        lastError = error;
        const found = await landed().catch(() => undefined);
        if (found !== undefined) return found;
        this.options.logger.warning(
          `GitHub answered ${detailOf(error)}; it did not land, trying again (${attempt}/3).`,
        );
        await new Promise((resolve) => setTimeout(resolve, 500 * attempt));
      }
    }
    throw lastError;
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
      if (statusOf(error) !== 422) guardWrite(error, 'post a review');
      if (batch.length === 1) {
        rejected.push({ comment: batch[0]!, reason: detailOf(error) });
        return;
      }
    }
    const middle = Math.ceil(batch.length / 2);
    await this.sort(cr, batch.slice(0, middle), accepted, rejected);
    await this.sort(cr, batch.slice(middle), accepted, rejected);
  }

  /**
   * A trial review left pending by a crashed run would make every new trial fail (one pending
   * review per user). Only pending reviews carrying our markers are removed: with a personal
   * token, another pending review is the person's own draft.
   */
  private async discardPendingReviews(cr: ChangeRequest) {
    const reviews = await this.octokit.paginate(this.octokit.rest.pulls.listReviews, {
      ...this.repo,
      pull_number: cr.number,
      per_page: 100,
    });
    for (const review of reviews.filter((r) => r.state === 'PENDING')) {
      const comments = await this.octokit.paginate(this.octokit.rest.pulls.listCommentsForReview, {
        ...this.repo,
        pull_number: cr.number,
        review_id: review.id,
        per_page: 100,
      });
      if (!comments.some((c) => fingerprintsIn(c.body ?? '').length > 0)) continue;
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
        try {
          const response = await this.octokit.rest.issues.updateComment({
            ...this.repo,
            comment_id: Number(existing.id),
            body,
          });
          return { url: response.data.html_url };
        } catch (error) {
          // Deleted since we read it: post a new one instead.
          if (statusOf(error) !== 404) throw error;
        }
      }
      const created = await this.writeOnce(
        () =>
          this.octokit.rest.issues.createComment({
            ...this.repo,
            issue_number: cr.number,
            body,
            request: { retries: 0 },
          }),
        async () => (await this.loadExisting(cr)).summary,
      );
      return { url: 'data' in created ? created.data.html_url : created.url };
    } catch (error) {
      guardWrite(error, 'write the summary comment');
    }
  }

  fileUrl(
    cr: ChangeRequest,
    path: string,
    startLine: number | null,
    endLine: number | null,
  ): string {
    return blobUrl(this.options.serverUrl, this.repo, cr.headSha, path, startLine, endLine);
  }
}

/** The first line of our comment (`**🟠 P1 · Title**`), as the finding's title. */
function firstLine(body: string): string {
  return (body.split('\n')[0] ?? '').replace(/\*\*/g, '').trim().slice(0, 300);
}
