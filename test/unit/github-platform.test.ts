// GitHubPlatform against the fake GitHub API (which checks every request against GitHub's REST
// description): reading the diff and what earlier runs left, posting one review, finding the
// comments GitHub refuses, keeping one summary comment.
import { execFileSync } from 'node:child_process';
import { getOctokit } from '@actions/github';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { RecordingLogger } from '../../src/core/logger.js';
import {
  PermissionDeniedError,
  type ChangeRequest,
  type InlineComment,
} from '../../src/core/platform.js';
import { findingMarker, SUMMARY_MARKER } from '../../src/core/state/markers.js';
import { GitHubPlatform } from '../../src/github/platform.js';
import { FakeGitHub } from '../fakes/github-api.js';
import type { GitRepo } from '../support/git-repo.js';
import { prRepo } from '../support/pr-repo.js';

const WRITE = 'ghs_platform_write_0123456789';
const READ = 'ghs_platform_read_0123456789';
const PR = 5;
const REPO = { owner: 'octo', repo: 'demo' };

let fixture: { repo: GitRepo; baseSha: string; headSha: string };
beforeAll(() => {
  fixture = prRepo();
});
afterAll(() => fixture.repo.remove());

let gh: FakeGitHub;
let logger: RecordingLogger;
let cr: ChangeRequest;
beforeEach(async () => {
  gh = await new FakeGitHub({
    repoDir: fixture.repo.dir,
    ...REPO,
    tokens: { [WRITE]: 'write', [READ]: 'read' },
    unrenderedPaths: ['util.js'],
  }).start();
  gh.setPullRequest({ number: PR, baseSha: fixture.baseSha, headSha: fixture.headSha });
  logger = new RecordingLogger();
  cr = {
    number: PR,
    url: `https://github.com/octo/demo/pull/${PR}`,
    baseSha: fixture.baseSha,
    headSha: fixture.headSha,
  };
});
afterEach(() => gh.stop());

/**
 * The action's Octokit (retry and throttling plugins) with throttling's limiters off: they space
 * writes 1-3 s apart, which says nothing about the platform and would make each test take
 * seconds. Retries stay on, with a 1 ms base instead of 1 s.
 */
function platform(token = WRITE, api = gh) {
  const octokit = getOctokit(
    token,
    { baseUrl: api.url, throttle: { enabled: false }, retry: { retryAfterBaseValue: 1 } },
    retry,
    throttling,
  );
  return new GitHubPlatform(octokit, REPO, {
    serverUrl: 'https://github.example',
    workspace: fixture.repo.dir,
    logger,
  });
}

/** The pull request's three-dot diff, as git computes it. */
function threeDotDiff(head = fixture.headSha): string {
  const git = (...args: string[]) =>
    execFileSync('git', args, { cwd: fixture.repo.dir, encoding: 'utf8' });
  const base = git('merge-base', fixture.baseSha, head).trim();
  return git('diff', '--no-color', base, head);
}

let n = 0;
function comment(path: string, line: number, startLine = line): InlineComment {
  const fingerprint = (++n).toString(16).padStart(16, '0');
  return {
    fingerprint,
    anchor: { path, side: 'RIGHT', startLine, line, clamped: false },
    body: `Finding ${n}\n\n${findingMarker(fingerprint)}`,
  };
}

const writes = () =>
  gh.writes.map((w) => `${w.method} ${w.path.replace(/^\/repos\/octo\/demo/, '')} ${w.status}`);

describe('GitHubPlatform.loadDiff', () => {
  it("serves GitHub's diff of the pull request", async () => {
    expect(await platform().loadDiff(cr)).toBe(threeDotDiff());
    expect(gh.requests.map((r) => r.headers.accept)).toEqual([
      'application/vnd.github.v3+json',
      'application/vnd.github.v3.diff',
    ]);
  });

  it('computes the same diff with git when GitHub answers 406 (too large)', async () => {
    gh.tooLargeDiff = true;
    expect(await platform().loadDiff(cr)).toBe(threeDotDiff());
    // Asked once: a 406 is final, not retried.
    expect(gh.requests.map((r) => r.status)).toEqual([200, 406]);
    expect(logger.text()).toContain(
      "GitHub will not serve this pull request's diff (Sorry, the diff exceeded the maximum number of lines (20000)",
    );
  });

  it('diffs the reviewed head with git when the pull request moved during the review', async () => {
    fixture.repo.git('checkout', '-q', 'feature');
    fixture.repo.write('late.js', 'pushed while Codex worked\n');
    const pushed = fixture.repo.commit('late push');
    try {
      gh.setPullRequest({ number: PR, baseSha: fixture.baseSha, headSha: pushed });
      const diff = await platform().loadDiff(cr);
      expect(diff).toBe(threeDotDiff(fixture.headSha));
      expect(diff).not.toContain('late.js');
      expect(gh.requests).toHaveLength(1);
      expect(logger.text()).toContain(`moved to ${pushed.slice(0, 7)} during the review`);
    } finally {
      fixture.repo.git('reset', '-q', '--hard', fixture.headSha);
    }
  });

  it('asks for the diff again after server errors', async () => {
    gh.inject({ path: /\/pulls\/\d+$/, accept: /diff/, status: 502, times: 2 });
    expect(await platform().loadDiff(cr)).toBe(threeDotDiff());
    expect(gh.requests.map((r) => r.status)).toEqual([200, 502, 502, 200]);
  });

  it('lets any other failure through', async () => {
    await expect(platform().loadDiff({ ...cr, number: 99 })).rejects.toMatchObject({ status: 404 });
  });
});

describe('GitHubPlatform.loadExisting', () => {
  it("finds its summary and inline fingerprints, trusting only a bot's markers for an installation token", async () => {
    gh.seedIssueComment(PR, `${SUMMARY_MARKER}\nforged by a person`, 'mallory');
    const ours = gh.seedIssueComment(PR, `${SUMMARY_MARKER}\nours`);
    gh.seedIssueComment(PR, 'an ordinary comment', 'alice');
    const posted = comment('app.js', 4);
    await platform().postReview(cr, [posted]);
    const existing = await platform().loadExisting(cr);
    expect(existing.summary).toEqual({ id: String(ours.id), body: ours.body, url: ours.html_url });
    expect([...existing.inlineFingerprints]).toEqual([posted.fingerprint]);
  });

  it("with an installation token, trusts only its own bot: another app's marker and state are not ours", async () => {
    const ours = gh.seedIssueComment(PR, `${SUMMARY_MARKER}\nours`);
    // Later, so it would win if any bot counted.
    gh.seedIssueComment(PR, `${SUMMARY_MARKER}\nechoed by a test reporter`, 'reporter-app[bot]');
    const existing = await platform().loadExisting(cr);
    expect(existing.summary?.id).toBe(String(ours.id));
  });

  it('with a user token, trusts only comments by that user', async () => {
    const asUser = await new FakeGitHub({
      repoDir: fixture.repo.dir,
      ...REPO,
      tokens: { [WRITE]: 'write' },
      login: 'octocat',
    }).start();
    try {
      asUser.setPullRequest({ number: PR, baseSha: fixture.baseSha, headSha: fixture.headSha });
      const mine = asUser.seedIssueComment(PR, `${SUMMARY_MARKER}\nmine`, 'octocat');
      asUser.seedIssueComment(PR, `${SUMMARY_MARKER}\nby a bot`, 'github-actions[bot]');
      expect((await platform(WRITE, asUser).loadExisting(cr)).summary?.id).toBe(String(mine.id));
    } finally {
      await asUser.stop();
    }
  });

  it('reads past the first page', async () => {
    for (let i = 0; i < 120; i++) gh.seedIssueComment(PR, `noise ${i}`, 'alice');
    const ours = gh.seedIssueComment(PR, `${SUMMARY_MARKER}\nours`);
    expect((await platform().loadExisting(cr)).summary?.id).toBe(String(ours.id));
  });
});

describe('GitHubPlatform.postReview', () => {
  it('posts every comment in one review on the reviewed commit', async () => {
    const comments = [comment('app.js', 4), comment('app.js', 23, 21)];
    const review = await platform().postReview(cr, comments);
    expect(review.rejected).toEqual([]);
    expect(review.posted).toEqual(comments);
    const [stored] = gh.reviews();
    expect(stored).toMatchObject({ state: 'COMMENTED', commit_id: fixture.headSha });
    expect(review.url).toBe(stored!.html_url);
    expect(gh.reviewComments().map((c) => [c.path, c.start_line, c.line, c.side])).toEqual([
      ['app.js', null, 4, 'RIGHT'],
      ['app.js', 21, 23, 'RIGHT'],
    ]);
    expect(writes()).toEqual([`POST /pulls/${PR}/reviews 200`]);
  });

  it('finds the comments GitHub refuses by trial reviews, then posts the rest once', async () => {
    const good = [comment('app.js', 4), comment('app.js', 22), comment('app.js', 2)];
    const refused = comment('util.js', 2);
    const review = await platform().postReview(cr, [good[0]!, refused, ...good.slice(1)]);
    expect(review.posted).toEqual(good);
    expect(review.rejected).toEqual([
      { comment: refused, reason: 'Unprocessable Entity: Line could not be resolved' },
    ]);
    // Exactly one review left, submitted, without the refused comment; no trial survives.
    expect(gh.reviews().map((r) => r.state)).toEqual(['COMMENTED']);
    expect(gh.reviewComments().map((c) => c.line)).toEqual([4, 22, 2]);
    expect(writes().at(0)).toBe(`POST /pulls/${PR}/reviews 422`);
    expect(writes().at(-1)).toBe(`POST /pulls/${PR}/reviews 200`);
    expect(writes().filter((w) => w.startsWith('DELETE'))).not.toHaveLength(0);
    expect(logger.text()).toContain('GitHub rejected the review');
  });

  it('posts no review when GitHub refuses every comment', async () => {
    const refused = [comment('util.js', 2), comment('untouched.js', 1)];
    const review = await platform().postReview(cr, refused);
    expect(review).toEqual({
      url: undefined,
      posted: [],
      rejected: [
        { comment: refused[0], reason: 'Unprocessable Entity: Line could not be resolved' },
        {
          comment: refused[1],
          reason: 'Unprocessable Entity: Pull request review thread path is invalid',
        },
      ],
    });
    expect(gh.reviews()).toEqual([]);
  });

  /** A PENDING review made directly, as a crashed run's trial or a person's draft. */
  const pendingReview = (body: string) =>
    fetch(`${gh.url}/repos/octo/demo/pulls/${PR}/reviews`, {
      method: 'POST',
      headers: { authorization: `token ${WRITE}`, 'content-type': 'application/json' },
      body: JSON.stringify({ comments: [{ path: 'app.js', line: 4, side: 'RIGHT', body }] }),
    });

  it('discards a trial review a crashed run left pending', async () => {
    await pendingReview(comment('app.js', 4).body);
    // It blocks the first attempt (one pending review per user), which is how it is noticed.
    const review = await platform().postReview(cr, [comment('app.js', 22)]);
    expect(review.rejected).toEqual([]);
    expect(gh.reviews().map((r) => r.state)).toEqual(['COMMENTED']);
    expect(gh.reviewComments().map((c) => c.line)).toEqual([22]);
  });

  it("keeps a person's own pending draft (a personal token), moving the comments to the summary", async () => {
    await pendingReview('my draft, no marker');
    const review = await platform().postReview(cr, [comment('app.js', 22)]);
    expect(review.posted).toEqual([]);
    expect(review.rejected.map((r) => r.reason)).toEqual([
      'Unprocessable Entity: User can only have one pending review per pull request',
    ]);
    expect(gh.reviews().map((r) => r.state)).toEqual(['PENDING']);
    expect(gh.reviewComments()[0]!.body).toBe('my draft, no marker');
  });

  it('checks whether a review that got a 5xx landed before trying again: never two reviews', async () => {
    gh.inject({ method: 'POST', path: /\/reviews$/, status: 502, afterHandler: true });
    const review = await platform().postReview(cr, [comment('app.js', 4)]);
    expect(gh.reviews()).toHaveLength(1);
    expect(review.url).toBe(gh.reviews()[0]!.html_url);
    expect(writes()).toEqual([`POST /pulls/${PR}/reviews 502`]);
  });

  it('tries again after a 5xx that did not land', async () => {
    gh.serverError(1, { method: 'POST', path: /\/reviews$/ });
    await platform().postReview(cr, [comment('app.js', 4)]);
    expect(gh.reviews()).toHaveLength(1);
    expect(writes()).toEqual([`POST /pulls/${PR}/reviews 502`, `POST /pulls/${PR}/reviews 200`]);
    expect(logger.text()).toContain('it did not land, trying again (1/3)');
  }, 10_000);

  it('throws PermissionDeniedError for a read-only token', async () => {
    await expect(platform(READ).postReview(cr, [comment('app.js', 4)])).rejects.toThrow(
      PermissionDeniedError,
    );
    expect(gh.reviews()).toEqual([]);
  });
});

describe('GitHubPlatform.upsertSummary', () => {
  it('creates the summary, then edits it in place', async () => {
    const github = platform();
    const created = await github.upsertSummary(cr, `${SUMMARY_MARKER}\nv1`, undefined);
    const [stored] = gh.issueComments(PR);
    expect(created.url).toBe(stored!.html_url);
    const existing = (await github.loadExisting(cr)).summary;
    const edited = await github.upsertSummary(cr, `${SUMMARY_MARKER}\nv2`, existing);
    expect(edited.url).toBe(stored!.html_url);
    expect(gh.issueComments(PR).map((c) => c.body)).toEqual([`${SUMMARY_MARKER}\nv2`]);
    expect(writes()).toEqual([
      `POST /issues/${PR}/comments 201`,
      `PATCH /issues/comments/${stored!.id} 200`,
    ]);
  });

  it('posts a new summary when the old one was deleted', async () => {
    const gone = { id: '4999999', body: 'old', url: 'https://github.com/x' };
    await platform().upsertSummary(cr, `${SUMMARY_MARKER}\nnew`, gone);
    expect(gh.issueComments(PR).map((c) => c.body)).toEqual([`${SUMMARY_MARKER}\nnew`]);
  });

  it('does not post the summary twice when a 5xx hid that it landed', async () => {
    gh.inject({ method: 'POST', path: /\/comments$/, status: 502, afterHandler: true });
    await platform().upsertSummary(cr, `${SUMMARY_MARKER}\nonce`, undefined);
    expect(gh.issueComments(PR)).toHaveLength(1);
  });

  it('throws PermissionDeniedError for a read-only token', async () => {
    await expect(
      platform(READ).upsertSummary(cr, `${SUMMARY_MARKER}\nx`, undefined),
    ).rejects.toThrow(/The GitHub token cannot write the summary comment \(403/);
  });
});

describe('GitHubPlatform.fileUrl', () => {
  it('links to lines at the reviewed commit, the path encoded', () => {
    const github = platform();
    expect(github.fileUrl(cr, 'src/a b#.js', 3, 5)).toBe(
      `https://github.example/octo/demo/blob/${fixture.headSha}/src/a%20b%23.js#L3-L5`,
    );
    expect(github.fileUrl(cr, 'a.js', 7, 7)).toBe(
      `https://github.example/octo/demo/blob/${fixture.headSha}/a.js#L7`,
    );
    expect(github.fileUrl(cr, 'a.js', null, null)).toBe(
      `https://github.example/octo/demo/blob/${fixture.headSha}/a.js`,
    );
  });
});
