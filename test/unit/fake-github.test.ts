// The loopback fake of the GitHub REST API must refuse what GitHub refuses: every rule it
// models has a test that shows the refusal and one that shows the acceptance.
import { Octokit } from '@octokit/rest';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FakeGitHub, MAX_BODY_CHARACTERS, REVIEW_ERRORS } from '../fakes/github-api.js';
import { GitHubRestDescription } from '../fakes/github-openapi.js';
import { GitRepo } from '../support/git-repo.js';

const OWNER = 'acme';
const REPO = 'widgets';
const WRITE = 'ghs_write_token_0123456789';
const READ = 'ghs_read_token_0123456789';
const PR = 7;
const REVIEW_DOCS = 'https://docs.github.com/rest/pulls/reviews#create-a-review-for-a-pull-request';

const numbered = (n: number) => Array.from({ length: n }, (_, i) => `line ${i + 1}`);

/**
 * main: app.js (30 lines), legacy.txt. feature: app.js changes line 3 and gains two lines after
 * line 25 (two hunks far apart), added.js is new, legacy.txt is renamed. main then moves on
 * (other.txt) so the three-dot diff and the two-dot diff differ.
 */
function pullRequestRepo() {
  const repo = GitRepo.create('codex-review-fake-github-');
  repo.write('app.js', numbered(30).join('\n') + '\n');
  repo.write('legacy.txt', 'kept as is\n');
  const forkPoint = repo.commit('initial');
  repo.git('checkout', '-q', '-b', 'feature');
  const head = numbered(30);
  head[2] = 'line 3 changed';
  head.splice(25, 0, 'added A', 'added B');
  repo.write('app.js', head.join('\n') + '\n');
  repo.write('added.js', 'export const added = true;\n');
  repo.git('mv', 'legacy.txt', 'renamed.txt');
  const headSha = repo.commit('feature work');
  repo.git('checkout', '-q', 'main');
  repo.write('other.txt', 'main moved on\n');
  const baseSha = repo.commit('main moves on');
  return { repo, forkPoint, baseSha, headSha };
}

let fixture: ReturnType<typeof pullRequestRepo>;
beforeAll(() => {
  fixture = pullRequestRepo();
});
afterAll(() => fixture.repo.remove());

let gh: FakeGitHub;
beforeEach(async () => {
  gh = await new FakeGitHub({
    repoDir: fixture.repo.dir,
    owner: OWNER,
    repo: REPO,
    tokens: { [WRITE]: 'write', [READ]: 'read' },
  }).start();
  gh.setPullRequest({
    number: PR,
    baseSha: fixture.baseSha,
    headSha: fixture.headSha,
    baseRef: 'main',
    headRef: 'feature',
    user: 'alice',
  });
});
afterEach(() => gh.stop());

interface CallOptions {
  method?: string;
  token?: string | null;
  body?: unknown;
  accept?: string;
  scheme?: string;
}

async function call(path: string, options: CallOptions = {}) {
  const headers: Record<string, string> = {
    accept: options.accept ?? 'application/vnd.github+json',
  };
  const token = options.token === undefined ? WRITE : options.token;
  if (token !== null) headers.authorization = `${options.scheme ?? 'token'} ${token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${gh.url}${path}`, {
    method: options.method ?? 'GET',
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  // Tests read GitHub's JSON loosely, as a client would.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return { status: response.status, headers: response.headers, text, json: json as any };
}

const repoPath = (rest: string) => `/repos/${OWNER}/${REPO}${rest}`;

const postReview = (body: unknown, token?: string) =>
  call(repoPath(`/pulls/${PR}/reviews`), { method: 'POST', body, token });

const comment = (extra: Record<string, unknown>) => ({ path: 'app.js', body: 'finding', ...extra });

function expectReviewRefused(
  response: Awaited<ReturnType<typeof call>>,
  error: string = REVIEW_ERRORS.lineNotResolved,
) {
  expect(response.status).toBe(422);
  expect(response.json).toEqual({
    message: 'Unprocessable Entity',
    errors: [error],
    documentation_url: REVIEW_DOCS,
    status: '422',
  });
  expect(gh.reviews()).toEqual([]);
  expect(gh.reviewComments()).toEqual([]);
}

describe('authentication', () => {
  it('answers 401 Bad credentials when no token is sent', async () => {
    const response = await call(repoPath(`/pulls/${PR}`), { token: null });
    expect(response.status).toBe(401);
    expect(response.json).toEqual({
      message: 'Bad credentials',
      documentation_url: 'https://docs.github.com/rest',
      status: '401',
    });
  });

  it('answers 401 for a token it does not know, even on a write', async () => {
    const response = await call(repoPath(`/issues/${PR}/comments`), {
      method: 'POST',
      token: 'ghs_revoked',
      body: { body: 'hi' },
    });
    expect(response.status).toBe(401);
    expect(response.json.message).toBe('Bad credentials');
    expect(gh.issueComments()).toEqual([]);
  });

  it('accepts both the token and the Bearer schemes', async () => {
    expect((await call(repoPath(`/pulls/${PR}`), { scheme: 'token' })).status).toBe(200);
    expect((await call(repoPath(`/pulls/${PR}`), { scheme: 'Bearer' })).status).toBe(200);
  });

  it('lets a read-only token (a fork PR) read but answers 403 to its every write', async () => {
    expect((await call(repoPath(`/pulls/${PR}/comments`), { token: READ })).status).toBe(200);
    const review = await postReview({ event: 'COMMENT', body: 'x' }, READ);
    expect(review.status).toBe(403);
    expect(review.json).toEqual({
      message: 'Resource not accessible by integration',
      documentation_url: REVIEW_DOCS,
      status: '403',
    });
    const issue = await call(repoPath(`/issues/${PR}/comments`), {
      method: 'POST',
      token: READ,
      body: { body: 'summary' },
    });
    expect(issue.status).toBe(403);
    expect(issue.json.message).toBe('Resource not accessible by integration');
    expect(gh.reviews()).toEqual([]);
    expect(gh.issueComments()).toEqual([]);
  });
});

describe('routing', () => {
  it('answers 404 Not Found for a route GitHub does not have', async () => {
    const response = await call(repoPath('/pulls/7/nonsense'));
    expect(response.status).toBe(404);
    expect(response.json).toEqual({
      message: 'Not Found',
      documentation_url: 'https://docs.github.com/rest',
      status: '404',
    });
    expect(gh.takeSpecViolations()).toEqual([
      { method: 'GET', path: repoPath('/pulls/7/nonsense'), status: 404, message: 'Not Found' },
    ]);
  });

  it('answers 404 for another repository or a pull request it does not have', async () => {
    expect((await call(`/repos/${OWNER}/elsewhere/pulls/${PR}`)).status).toBe(404);
    expect((await call(repoPath('/pulls/999'))).status).toBe(404);
    expect((await call(repoPath('/issues/999/comments'))).status).toBe(404);
  });
});

describe("GitHub's REST description", () => {
  const violation = (status: number, message: string | RegExp) =>
    expect.objectContaining({ status, message: expect.stringMatching(message) });

  it('refuses a review comment with a key GitHub does not accept, storing nothing', async () => {
    const response = await postReview({
      event: 'COMMENT',
      body: 'x',
      comments: [comment({ line: 3, side: 'RIGHT', subject_type: 'line' })],
    });
    expect(response.status).toBe(422);
    expect(response.json).toEqual({
      message: 'Invalid request.\n\n"subject_type" is not a permitted key.',
      documentation_url: REVIEW_DOCS,
      status: '422',
    });
    expect(gh.reviews()).toEqual([]);
    expect(gh.takeSpecViolations()).toEqual([
      {
        method: 'POST',
        path: repoPath(`/pulls/${PR}/reviews`),
        status: 422,
        message: 'Invalid request.\n\n"subject_type" is not a permitted key.',
      },
    ]);
    // The same review without the key is accepted.
    expect(
      (await postReview({ event: 'COMMENT', body: 'x', comments: [comment({ line: 3 })] })).status,
    ).toBe(200);
  });

  it('refuses a wrong type, a value outside an enum and a missing required key', async () => {
    const wrongType = await postReview({ comments: [comment({ line: '3' })] });
    expect(wrongType.status).toBe(422);
    expect(wrongType.json.message).toBe(
      'Invalid request.\n\nFor \'properties/comments/items/properties/line\', "3" is not an integer.',
    );
    const badEvent = await postReview({ event: 'SUBMIT', body: 'x' });
    expect(badEvent.status).toBe(422);
    expect(badEvent.json.message).toContain(`"SUBMIT" is not one of`);
    const noPath = await postReview({ comments: [{ body: 'x', line: 3 }] });
    expect(noPath.json.message).toBe('Invalid request.\n\n"path" wasn\'t supplied.');
    const noBody = await call(repoPath(`/issues/${PR}/comments`), { method: 'POST', body: {} });
    expect(noBody.json.message).toBe('Invalid request.\n\n"body" wasn\'t supplied.');
    expect(gh.takeSpecViolations()).toEqual([
      violation(422, /not an integer/),
      violation(422, /is not one of/),
      violation(422, /"path" wasn't supplied/),
      violation(422, /"body" wasn't supplied/),
    ]);
    expect(gh.reviews()).toEqual([]);
    expect(gh.issueComments()).toEqual([]);
  });

  it('refuses a body sent to an operation that takes none, and a required body left out', async () => {
    const pending = await postReview({ comments: [comment({ line: 3 })] });
    const deleted = await call(repoPath(`/pulls/${PR}/reviews/${pending.json.id}`), {
      method: 'DELETE',
      body: { reason: 'trial' },
    });
    expect(deleted.status).toBe(422);
    expect(deleted.json.message).toBe('Invalid request.\n\n"reason" is not a permitted key.');
    const missing = await call(repoPath(`/issues/${PR}/comments`), { method: 'POST' });
    expect(missing.status).toBe(422);
    expect(missing.json.message).toBe(
      "Invalid request.\n\nFor 'links/0/schema', nil is not an object.",
    );
    expect(gh.takeSpecViolations()).toHaveLength(2);
    expect(gh.reviews()).toHaveLength(1);
  });

  it('answers 404 to a path parameter of the wrong type: no route matches it', async () => {
    expect((await call(repoPath('/pulls/seven'))).status).toBe(404);
    expect(gh.takeSpecViolations()).toEqual([violation(404, /^Not Found$/)]);
  });

  it('ignores a query parameter GitHub does not document, refuses a documented one out of range', async () => {
    const issues = repoPath('/issues');
    expect((await call(`${issues}?state=all&utm_source=test`)).status).toBe(200);
    expect(gh.takeSpecViolations()).toEqual([]);
    const bad = await call(`${issues}?state=everything`);
    expect(bad.status).toBe(422);
    expect(bad.json).toMatchObject({
      message: 'Validation Failed',
      errors: [{ field: 'state', code: 'invalid', value: 'everything' }],
    });
    expect(gh.takeSpecViolations()).toHaveLength(1);
  });

  it('accepts null where the description allows it', async () => {
    const { number } = gh.seedIssue({ title: 'Audit', body: 'b' });
    const cleared = await call(repoPath(`/issues/${number}`), {
      method: 'PATCH',
      body: { body: null, state_reason: null },
    });
    expect(cleared.status).toBe(200);
    expect(cleared.json.body).toBeNull();
  });

  it('answers 400 naming the operation for a documented route the fake does not model', async () => {
    const response = await call(repoPath('/releases'));
    expect(response.status).toBe(400);
    expect(response.json.message).toBe(
      'fake GitHub does not model GET /repos/{owner}/{repo}/releases (repos/list-releases); add a route to test/fakes/github-api.ts',
    );
    expect(gh.takeSpecViolations()).toEqual([violation(400, /repos\/list-releases/)]);
  });

  it('routes as GitHub documents: literal segments first, multi-segment paths whole', () => {
    const description = GitHubRestDescription.get();
    expect(description.find('GET', '/repos/o/r/issues/comments')?.route.id).toBe(
      'issues/list-comments-for-repo',
    );
    expect(description.find('GET', '/repos/o/r/issues/12')?.route.id).toBe('issues/get');
    expect(description.find('GET', '/repos/o/r/contents/src/a%20b/c.ts')).toMatchObject({
      route: { id: 'repos/get-content' },
      params: { path: 'src/a b/c.ts' },
    });
    expect(description.find('PUT', '/repos/o/r/issues/12')).toBeUndefined();
    expect(() => description.warm(['pulls/no-such-operation'])).toThrow(
      "GitHub's REST description has no operation pulls/no-such-operation",
    );
  });

  it('fails stop() while a refused request is left unacknowledged', async () => {
    const other = await new FakeGitHub({
      repoDir: fixture.repo.dir,
      owner: OWNER,
      repo: REPO,
      tokens: { [WRITE]: 'write' },
    }).start();
    await fetch(`${other.url}${repoPath('/pulls/7/nonsense')}`, {
      headers: { authorization: `token ${WRITE}` },
    });
    await expect(other.stop()).rejects.toThrow(
      `fake GitHub received requests GitHub's REST description refuses:\n  GET ${repoPath('/pulls/7/nonsense')} -> 404 Not Found`,
    );
    // Reported once: the list is cleared.
    expect(other.takeSpecViolations()).toEqual([]);
  });
});

describe('collaborator permission', () => {
  it('answers the legacy base permission and the role name, a custom role included', async () => {
    const other = await new FakeGitHub({
      repoDir: fixture.repo.dir,
      owner: OWNER,
      repo: REPO,
      tokens: { [WRITE]: 'write' },
      permissions: {
        keeper: 'maintain',
        helper: 'triage',
        boss: 'admin',
        auditor: { custom: 'security-auditor', base: 'write' },
      },
    }).start();
    try {
      const of = async (login: string) => {
        const response = await fetch(
          `${other.url}${repoPath(`/collaborators/${login}/permission`)}`,
          { headers: { authorization: `token ${WRITE}` } },
        );
        const body = (await response.json()) as { permission: string; role_name: string };
        return [body.permission, body.role_name];
      };
      expect(await of('keeper')).toEqual(['write', 'maintain']);
      expect(await of('helper')).toEqual(['read', 'triage']);
      expect(await of('boss')).toEqual(['admin', 'admin']);
      expect(await of('auditor')).toEqual(['write', 'security-auditor']);
      expect(await of('stranger')).toEqual(['read', 'read']);
    } finally {
      await other.stop();
    }
  });
});

describe('pull request', () => {
  it('returns the pull request as JSON with its head and base', async () => {
    const response = await call(repoPath(`/pulls/${PR}`));
    expect(response.status).toBe(200);
    expect(response.json).toMatchObject({
      number: PR,
      state: 'open',
      html_url: `https://github.com/${OWNER}/${REPO}/pull/${PR}`,
      user: { login: 'alice' },
      head: {
        sha: fixture.headSha,
        ref: 'feature',
        repo: { full_name: `${OWNER}/${REPO}`, fork: false },
      },
      base: { sha: fixture.baseSha, ref: 'main', repo: { full_name: `${OWNER}/${REPO}` } },
    });
  });

  it('serves the three-dot diff (from the merge base) for the diff media types', async () => {
    const mergeBase = fixture.repo.git('merge-base', fixture.baseSha, fixture.headSha);
    const expected = fixture.repo.git(
      'diff',
      '--no-color',
      '--no-ext-diff',
      mergeBase,
      fixture.headSha,
    );
    for (const accept of ['application/vnd.github.v3.diff', 'application/vnd.github.diff']) {
      const response = await call(repoPath(`/pulls/${PR}`), { accept });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/charset=utf-8/);
      expect(response.text.trim()).toBe(expected);
      expect(response.text).toContain('+line 3 changed');
      // main's own later change is not part of the pull request.
      expect(response.text).not.toContain('other.txt');
    }
  });

  it('answers 406 "diff too large" to the diff request when told to, and JSON still works', async () => {
    gh.tooLargeDiff = true;
    const response = await call(repoPath(`/pulls/${PR}`), {
      accept: 'application/vnd.github.v3.diff',
    });
    expect(response.status).toBe(406);
    expect(response.json).toEqual({
      message: 'Sorry, the diff exceeded the maximum number of lines (20000)',
      errors: [{ resource: 'PullRequest', field: 'diff', code: 'too_large' }],
      documentation_url: 'https://docs.github.com/rest/pulls/pulls#get-a-pull-request',
      status: '406',
    });
    expect((await call(repoPath(`/pulls/${PR}`))).status).toBe(200);
  });

  it('lists the changed files with status, patch and previous_filename', async () => {
    const response = await call(repoPath(`/pulls/${PR}/files`));
    expect(response.status).toBe(200);
    const files = response.json as Array<Record<string, unknown>>;
    expect(files.map((f) => [f.filename, f.status])).toEqual([
      ['added.js', 'added'],
      ['app.js', 'modified'],
      ['renamed.txt', 'renamed'],
    ]);
    const app = files.find((f) => f.filename === 'app.js')!;
    expect(app.patch).toMatch(/^@@ -1,6 \+1,6 @@/);
    expect(app.patch).toContain('@@ -23,6 +23,8 @@');
    expect(app).toMatchObject({ additions: 3, deletions: 1 });
    expect(files.find((f) => f.filename === 'renamed.txt')).toMatchObject({
      previous_filename: 'legacy.txt',
    });
    expect(files.find((f) => f.filename === 'renamed.txt')).not.toHaveProperty('patch');
  });

  it('moves the head when the pull request is set again after a push', async () => {
    fixture.repo.git('checkout', '-q', 'feature');
    fixture.repo.write('added.js', 'export const added = false;\n');
    const pushed = fixture.repo.commit('push');
    fixture.repo.git('checkout', '-q', 'main');
    try {
      gh.setPullRequest({ number: PR, baseSha: fixture.baseSha, headSha: pushed });
      const response = await call(repoPath(`/pulls/${PR}`));
      expect(response.json.head.sha).toBe(pushed);
      expect(response.json.user.login).toBe('alice');
      const diff = await call(repoPath(`/pulls/${PR}`), {
        accept: 'application/vnd.github.v3.diff',
      });
      expect(diff.text).toContain('+export const added = false;');
      // A review on the earlier head is still accepted: its commit is part of the PR.
      const old = await postReview({
        commit_id: fixture.headSha,
        event: 'COMMENT',
        comments: [comment({ line: 4 })],
      });
      expect(old.status).toBe(200);
      expect(old.json.commit_id).toBe(fixture.headSha);
    } finally {
      fixture.repo.git('branch', '-q', '-f', 'feature', fixture.headSha);
    }
  });
});

describe('creating a review', () => {
  it('accepts comments on an added line, a context line, a range and a deleted line (LEFT)', async () => {
    const response = await postReview({
      commit_id: fixture.headSha,
      event: 'COMMENT',
      body: 'Codex review',
      comments: [
        comment({ line: 26, body: 'on the added line' }),
        comment({ line: 2, side: 'RIGHT', body: 'on a context line' }),
        comment({ start_line: 23, line: 27, body: 'over a range in one hunk' }),
        comment({ line: 3, side: 'LEFT', body: 'on the deleted line' }),
      ],
    });
    expect(response.status).toBe(200);
    const id = response.json.id as number;
    expect(response.json).toMatchObject({
      state: 'COMMENTED',
      body: 'Codex review',
      commit_id: fixture.headSha,
      html_url: `https://github.com/${OWNER}/${REPO}/pull/${PR}#pullrequestreview-${id}`,
      user: { login: 'github-actions[bot]' },
    });
    const stored = gh.reviewComments();
    expect(stored.map((c) => [c.line, c.side, c.start_line, c.start_side])).toEqual([
      [26, 'RIGHT', null, null],
      [2, 'RIGHT', null, null],
      [27, 'RIGHT', 23, 'RIGHT'],
      [3, 'LEFT', null, null],
    ]);
    for (const c of stored) {
      expect(c.pull_request_review_id).toBe(id);
      expect(c.html_url).toBe(`https://github.com/${OWNER}/${REPO}/pull/${PR}#discussion_r${c.id}`);
      expect(c.commit_id).toBe(fixture.headSha);
      expect(c.original_commit_id).toBe(fixture.headSha);
    }
    expect(stored[0]!.diff_hunk).toMatch(/^@@ -23,6 \+23,8 @@[^\n]*\n line 23\n/);
    expect(stored[0]!.diff_hunk.endsWith('+added A')).toBe(true);

    const listed = await call(repoPath(`/pulls/${PR}/comments`));
    expect(listed.json.map((c: { body: string }) => c.body)).toEqual([
      'on the added line',
      'on a context line',
      'over a range in one hunk',
      'on the deleted line',
    ]);
    expect(listed.json[0]).toMatchObject({
      path: 'app.js',
      user: { login: 'github-actions[bot]' },
    });
  });

  it('accepts a range from a deleted line (LEFT) to the context line after it (RIGHT)', async () => {
    const response = await postReview({
      event: 'COMMENT',
      comments: [comment({ start_line: 3, start_side: 'LEFT', line: 4, side: 'RIGHT' })],
    });
    expect(response.status).toBe(200);
    expect(gh.reviewComments()[0]).toMatchObject({
      start_line: 3,
      start_side: 'LEFT',
      line: 4,
      side: 'RIGHT',
    });
  });

  it('defaults commit_id to the head and side to RIGHT', async () => {
    const response = await postReview({ event: 'COMMENT', comments: [comment({ line: 3 })] });
    expect(response.status).toBe(200);
    expect(response.json.commit_id).toBe(fixture.headSha);
    expect(gh.reviewComments()[0]).toMatchObject({ side: 'RIGHT', line: 3 });
  });

  it('refuses comments on a file it does not render, though the line is in the diff', async () => {
    await gh.stop();
    gh = await new FakeGitHub({
      repoDir: fixture.repo.dir,
      owner: OWNER,
      repo: REPO,
      tokens: { [WRITE]: 'write' },
      unrenderedPaths: ['app.js'],
    }).start();
    gh.setPullRequest({ number: PR, baseSha: fixture.baseSha, headSha: fixture.headSha });
    expectReviewRefused(await postReview({ event: 'COMMENT', comments: [comment({ line: 3 })] }));
  });

  it('refuses the whole review when one comment is on a line outside the diff', async () => {
    const response = await postReview({
      event: 'COMMENT',
      body: 'Codex review',
      comments: [comment({ line: 26 }), comment({ line: 15 })],
    });
    expectReviewRefused(response);
  });

  it('refuses a LEFT comment on a line the old side does not show, and RIGHT past the hunk', async () => {
    expectReviewRefused(
      await postReview({ event: 'COMMENT', comments: [comment({ line: 29, side: 'LEFT' })] }),
    );
    expectReviewRefused(await postReview({ event: 'COMMENT', comments: [comment({ line: 31 })] }));
  });

  it('refuses a comment on a file the pull request does not change', async () => {
    const response = await postReview({
      event: 'COMMENT',
      comments: [comment({ path: 'other.txt', line: 1 })],
    });
    expectReviewRefused(response, REVIEW_ERRORS.pathInvalid);
  });

  it('refuses a range whose start is in another hunk than its end', async () => {
    const response = await postReview({
      event: 'COMMENT',
      comments: [comment({ start_line: 5, line: 24 })],
    });
    expectReviewRefused(response, REVIEW_ERRORS.rangeAcrossHunks);
  });

  it('refuses a range whose start_line is not before line', async () => {
    expectReviewRefused(
      await postReview({ event: 'COMMENT', comments: [comment({ start_line: 26, line: 26 })] }),
      REVIEW_ERRORS.startLineNotBefore,
    );
    expectReviewRefused(
      await postReview({ event: 'COMMENT', comments: [comment({ start_line: 27, line: 24 })] }),
      REVIEW_ERRORS.startLineNotBefore,
    );
  });

  it('refuses a comment body over 65536 characters and accepts one of exactly 65536', async () => {
    expectReviewRefused(
      await postReview({
        event: 'COMMENT',
        comments: [comment({ line: 26, body: 'x'.repeat(MAX_BODY_CHARACTERS + 1) })],
      }),
      REVIEW_ERRORS.commentBodyTooLong,
    );
    const atLimit = await postReview({
      event: 'COMMENT',
      comments: [comment({ line: 26, body: 'x'.repeat(MAX_BODY_CHARACTERS) })],
    });
    expect(atLimit.status).toBe(200);
  });

  it('refuses a review body over 65536 characters', async () => {
    const response = await postReview({
      event: 'COMMENT',
      body: 'y'.repeat(MAX_BODY_CHARACTERS + 1),
      comments: [comment({ line: 26 })],
    });
    expect(response.status).toBe(422);
    expect(response.json.errors[0].message).toBe('body is too long (maximum is 65536 characters)');
    expect(gh.reviews()).toEqual([]);
    expect(gh.reviewComments()).toEqual([]);
  });

  it('refuses a commit_id that is not a commit of the pull request', async () => {
    expectReviewRefused(
      await postReview({
        commit_id: 'f'.repeat(40),
        event: 'COMMENT',
        comments: [comment({ line: 26 })],
      }),
      REVIEW_ERRORS.commitNotInPull,
    );
    // A real commit, but main's: not part of the pull request.
    expectReviewRefused(
      await postReview({ commit_id: fixture.baseSha, event: 'COMMENT' }),
      REVIEW_ERRORS.commitNotInPull,
    );
  });

  it("refuses the author's approval of their own pull request", async () => {
    gh.setPullRequest({
      number: PR,
      baseSha: fixture.baseSha,
      headSha: fixture.headSha,
      user: 'github-actions[bot]',
    });
    expectReviewRefused(await postReview({ event: 'APPROVE' }), REVIEW_ERRORS.approveOwn);
    expect((await postReview({ event: 'COMMENT', body: 'note' })).status).toBe(200);
  });
});

describe('pending reviews', () => {
  it('keeps a review without event PENDING, unlisted among the review comments', async () => {
    const response = await postReview({ comments: [comment({ line: 26 })] });
    expect(response.status).toBe(200);
    expect(response.json.state).toBe('PENDING');
    expect(response.json).not.toHaveProperty('submitted_at');
    expect((await call(repoPath(`/pulls/${PR}/comments`))).json).toEqual([]);
    const reviews = await call(repoPath(`/pulls/${PR}/reviews`));
    expect(reviews.json.map((r: { state: string }) => r.state)).toEqual(['PENDING']);
    const ofReview = await call(repoPath(`/pulls/${PR}/reviews/${response.json.id}/comments`));
    expect(ofReview.json).toHaveLength(1);
    const single = await call(repoPath(`/pulls/${PR}/reviews/${response.json.id}`));
    expect(single.json).toMatchObject({ id: response.json.id, state: 'PENDING' });
  });

  it('allows one pending review per user: a second review of any kind gets 422', async () => {
    expect((await postReview({ comments: [comment({ line: 26 })] })).status).toBe(200);
    for (const second of [{}, { event: 'COMMENT', body: 'submitted' }]) {
      const response = await postReview(second);
      expect(response.status).toBe(422);
      expect(response.json.errors).toEqual([REVIEW_ERRORS.onePending]);
    }
    expect(gh.reviews()).toHaveLength(1);
  });

  it('deletes a pending review with its comments, after which a new review is accepted', async () => {
    const pending = await postReview({ comments: [comment({ line: 26 })] });
    const deleted = await call(repoPath(`/pulls/${PR}/reviews/${pending.json.id}`), {
      method: 'DELETE',
    });
    expect(deleted.status).toBe(200);
    expect(deleted.json).toMatchObject({ id: pending.json.id, state: 'PENDING' });
    expect(gh.reviews()).toEqual([]);
    expect(gh.reviewComments()).toEqual([]);
    expect((await postReview({ event: 'COMMENT', comments: [comment({ line: 26 })] })).status).toBe(
      200,
    );
  });

  it('refuses to delete a submitted review', async () => {
    const submitted = await postReview({ event: 'COMMENT', comments: [comment({ line: 26 })] });
    const response = await call(repoPath(`/pulls/${PR}/reviews/${submitted.json.id}`), {
      method: 'DELETE',
    });
    expect(response.status).toBe(422);
    expect(response.json.errors).toEqual([REVIEW_ERRORS.deleteSubmitted]);
    expect(gh.reviews()).toHaveLength(1);
    expect(gh.reviewComments()).toHaveLength(1);
    const unknown = await call(repoPath(`/pulls/${PR}/reviews/123`), { method: 'DELETE' });
    expect(unknown.status).toBe(404);
  });
});

describe('issue comments', () => {
  const path = repoPath(`/issues/${PR}/comments`);

  it('creates (201), lists and updates (200) a comment', async () => {
    const created = await call(path, { method: 'POST', body: { body: 'summary v1' } });
    expect(created.status).toBe(201);
    const id = created.json.id as number;
    expect(created.json).toMatchObject({
      body: 'summary v1',
      html_url: `https://github.com/${OWNER}/${REPO}/pull/${PR}#issuecomment-${id}`,
      user: { login: 'github-actions[bot]' },
    });
    expect(created.json.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const updated = await call(repoPath(`/issues/comments/${id}`), {
      method: 'PATCH',
      body: { body: 'summary v2' },
    });
    expect(updated.status).toBe(200);
    expect(updated.json).toMatchObject({ id, body: 'summary v2' });
    const listed = await call(path);
    expect(listed.json.map((c: { id: number; body: string }) => [c.id, c.body])).toEqual([
      [id, 'summary v2'],
    ]);
  });

  it('refuses a body over 65536 characters on create and on update', async () => {
    const tooLong = 'z'.repeat(MAX_BODY_CHARACTERS + 1);
    const expected = {
      message: 'Validation Failed',
      errors: [
        {
          resource: 'IssueComment',
          code: 'custom',
          field: 'body',
          message: 'body is too long (maximum is 65536 characters)',
        },
      ],
      status: '422',
    };
    const created = await call(path, { method: 'POST', body: { body: tooLong } });
    expect(created.status).toBe(422);
    expect(created.json).toMatchObject(expected);
    expect(gh.issueComments()).toEqual([]);

    const seeded = gh.seedIssueComment(PR, 'short');
    const updated = await call(repoPath(`/issues/comments/${seeded.id}`), {
      method: 'PATCH',
      body: { body: tooLong },
    });
    expect(updated.status).toBe(422);
    expect(updated.json).toMatchObject(expected);
    expect(gh.issueComments()[0]!.body).toBe('short');
    expect(
      (await call(path, { method: 'POST', body: { body: 'z'.repeat(MAX_BODY_CHARACTERS) } }))
        .status,
    ).toBe(201);
  });

  it('answers 404 to an update of a comment that does not exist', async () => {
    const response = await call(repoPath('/issues/comments/42'), {
      method: 'PATCH',
      body: { body: 'x' },
    });
    expect(response.status).toBe(404);
  });
});

describe('pagination', () => {
  const path = repoPath(`/issues/${PR}/comments`);
  const links = (header: string | null) =>
    Object.fromEntries(
      (header ?? '')
        .split(', ')
        .filter(Boolean)
        .map((part) => {
          const m = /^<([^>]+)>; rel="(\w+)"$/.exec(part)!;
          return [m[2], new URL(m[1]!).searchParams.get('page')];
        }),
    );

  beforeEach(() => {
    for (let i = 1; i <= 5; i += 1) gh.seedIssueComment(PR, `comment ${i}`, 'someone');
  });

  it('pages with per_page and page, with Link next/last while more pages remain', async () => {
    const first = await call(`${path}?per_page=2`);
    expect(first.json.map((c: { body: string }) => c.body)).toEqual(['comment 1', 'comment 2']);
    expect(links(first.headers.get('link'))).toEqual({ next: '2', last: '3' });
    expect(first.headers.get('link')).toContain(`<${gh.url}${path}?per_page=2&page=2>`);

    const second = await call(`${path}?per_page=2&page=2`);
    expect(second.json.map((c: { body: string }) => c.body)).toEqual(['comment 3', 'comment 4']);
    expect(links(second.headers.get('link'))).toEqual({
      prev: '1',
      next: '3',
      last: '3',
      first: '1',
    });

    const last = await call(`${path}?per_page=2&page=3`);
    expect(last.json.map((c: { body: string }) => c.body)).toEqual(['comment 5']);
    expect(links(last.headers.get('link'))).toEqual({ prev: '2', first: '1' });
  });

  it('sends no Link header when everything fits on one page (default 30, max 100)', async () => {
    const all = await call(path);
    expect(all.json).toHaveLength(5);
    expect(all.headers.get('link')).toBeNull();
    for (let i = 6; i <= 105; i += 1) gh.seedIssueComment(PR, `comment ${i}`, 'someone');
    expect((await call(path)).json).toHaveLength(30);
    const capped = await call(`${path}?per_page=500`);
    expect(capped.json).toHaveLength(100);
    expect(links(capped.headers.get('link'))).toEqual({ next: '2', last: '2' });
  });
});

describe('fault injection', () => {
  it('can carry a write out and still answer with the fault, as a gateway timing out after the work', async () => {
    gh.inject({
      method: 'POST',
      path: /\/issues\/\d+\/comments$/,
      status: 502,
      afterHandler: true,
    });
    const response = await call(repoPath(`/issues/${PR}/comments`), {
      method: 'POST',
      body: { body: 'hi' },
    });
    expect(response.status).toBe(502);
    expect(gh.issueComments()).toHaveLength(1);
  });

  it('answers GraphQL viewer { login } for an installation token, as a read', async () => {
    const viewer = await call('/graphql', {
      method: 'POST',
      body: { query: 'query { viewer { login } }' },
    });
    expect(viewer.status).toBe(200);
    expect(viewer.json).toEqual({ data: { viewer: { login: 'github-actions[bot]' } } });
    expect(
      (
        await call('/graphql', {
          method: 'POST',
          body: { query: '{ viewer { login } }' },
          token: 'nope',
        })
      ).status,
    ).toBe(401);
    expect(gh.writes).toEqual([]);
    // Another repository: GitHub answers 200 with a NOT_FOUND error (fake-github-graphql tests
    // the rest of the GraphQL the product uses, against GitHub's schema).
    const other = await call('/graphql', {
      method: 'POST',
      body: { query: 'query { repository(owner: "a", name: "b") { id } }' },
    });
    expect(other.status).toBe(200);
    expect(JSON.stringify(other.json)).toContain('NOT_FOUND');
  });

  it('refuses GET /user to an installation token and answers it for a user token', async () => {
    expect((await call('/user')).status).toBe(403);
    const person = await new FakeGitHub({
      repoDir: fixture.repo.dir,
      owner: OWNER,
      repo: REPO,
      tokens: { [WRITE]: 'write' },
      login: 'alice',
    }).start();
    const response = await fetch(`${person.url}/user`, {
      headers: { authorization: `token ${WRITE}` },
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ login: 'alice', type: 'User' });
    await person.stop();
  });

  it('can match a fault on the Accept header, to fail the diff but not the JSON', async () => {
    gh.inject({ path: /\/pulls\/\d+$/, accept: /diff/, status: 502 });
    expect((await call(repoPath(`/pulls/${PR}`))).status).toBe(200);
    const diff = () => call(repoPath(`/pulls/${PR}`), { accept: 'application/vnd.github.v3.diff' });
    expect((await diff()).status).toBe(502);
    expect((await diff()).status).toBe(200);
  });

  it('answers only the next N matching requests with the fault', async () => {
    gh.inject({
      method: 'GET',
      path: /\/pulls\/7$/,
      times: 2,
      status: 500,
      body: { message: 'boom' },
    });
    expect((await call(repoPath(`/pulls/${PR}/comments`))).status).toBe(200);
    const first = await call(repoPath(`/pulls/${PR}`));
    expect(first.status).toBe(500);
    expect(first.json).toEqual({ message: 'boom' });
    expect((await call(repoPath(`/pulls/${PR}`))).status).toBe(500);
    expect((await call(repoPath(`/pulls/${PR}`))).status).toBe(200);
    expect(gh.pendingFaults()).toBe(0);
    expect(gh.requests.map((r) => [r.status, r.injected])).toEqual([
      [200, false],
      [500, true],
      [500, true],
      [200, false],
    ]);
  });

  it('a write hit by a fault is counted as a call but not as a successful write', async () => {
    gh.serverError(1, { method: 'POST' });
    const path = repoPath(`/issues/${PR}/comments`);
    expect((await call(path, { method: 'POST', body: { body: 'a' } })).status).toBe(502);
    expect((await call(path, { method: 'POST', body: { body: 'a' } })).status).toBe(201);
    expect((await call(path, { method: 'POST', token: READ, body: { body: 'a' } })).status).toBe(
      403,
    );
    expect(gh.writeCalls()).toBe(3);
    expect(gh.successfulWrites()).toBe(1);
    expect(gh.writes.map((w) => w.body)).toEqual([{ body: 'a' }, { body: 'a' }, { body: 'a' }]);
    expect(gh.issueComments()).toHaveLength(1);
  });

  it('simulates the secondary rate limit with retry-after', async () => {
    gh.secondaryRateLimit({ retryAfter: 7, times: 1 });
    const limited = await call(repoPath(`/pulls/${PR}`));
    expect(limited.status).toBe(403);
    expect(limited.headers.get('retry-after')).toBe('7');
    expect(limited.json.message).toMatch(/^You have exceeded a secondary rate limit/);
    expect((await call(repoPath(`/pulls/${PR}`))).status).toBe(200);
  });

  it('simulates the exhausted primary rate limit with its x-ratelimit headers', async () => {
    const before = Math.floor(Date.now() / 1000);
    gh.rateLimit({ resetInSeconds: 30, times: 1 });
    const limited = await call(repoPath(`/pulls/${PR}`));
    expect(limited.status).toBe(403);
    expect(limited.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(limited.headers.get('x-ratelimit-limit')).toBe('5000');
    expect(Number(limited.headers.get('x-ratelimit-reset'))).toBeGreaterThanOrEqual(before + 30);
    expect(limited.json.message).toMatch(/^API rate limit exceeded for installation ID/);
    expect((await call(repoPath(`/pulls/${PR}`))).status).toBe(200);
  });
});

describe('a real Octokit against the fake', () => {
  const silent = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
  const ThrottledOctokit = Octokit.plugin(retry, throttling);
  const octokit = (token = WRITE) =>
    new ThrottledOctokit({
      auth: token,
      baseUrl: gh.url,
      log: silent,
      retry: { retryAfterBaseValue: 1 },
      throttle: {
        retryAfterBaseValue: 1,
        onRateLimit: (_after: number, _options: unknown, _o: unknown, retryCount: number) =>
          retryCount < 2,
        onSecondaryRateLimit: (
          _after: number,
          _options: unknown,
          _o: unknown,
          retryCount: number,
        ) => retryCount < 2,
      },
    });

  it('reads the diff, posts a review, paginates and sees refusals as RequestErrors', async () => {
    // Plain Octokit here: the throttling plugin spaces writes a second apart.
    const client = new Octokit({ auth: WRITE, baseUrl: gh.url, log: silent });
    const repo = { owner: OWNER, repo: REPO };
    const diff = await client.rest.pulls.get({
      ...repo,
      pull_number: PR,
      mediaType: { format: 'diff' },
    });
    expect(typeof diff.data).toBe('string');
    expect(diff.data as unknown as string).toContain('diff --git a/app.js b/app.js');

    const review = await client.rest.pulls.createReview({
      ...repo,
      pull_number: PR,
      commit_id: fixture.headSha,
      event: 'COMMENT',
      body: 'Codex review',
      comments: [1, 2, 3, 4, 5].map((n) => ({
        path: 'app.js',
        line: 23 + n,
        side: 'RIGHT' as const,
        body: `finding ${n}`,
      })),
    });
    expect(review.data.state).toBe('COMMENTED');

    const comments = await client.paginate(client.rest.pulls.listReviewComments, {
      ...repo,
      pull_number: PR,
      per_page: 2,
    });
    expect(comments.map((c) => c.body)).toEqual([1, 2, 3, 4, 5].map((n) => `finding ${n}`));
    expect(gh.requests.filter((r) => r.path.endsWith('/comments')).length).toBe(3);

    const refused = await client.rest.pulls
      .createReview({
        ...repo,
        pull_number: PR,
        event: 'COMMENT',
        comments: [{ path: 'app.js', line: 15, body: 'outside' }],
      })
      .catch((error: unknown) => error);
    expect(refused).toMatchObject({
      status: 422,
      response: { data: { errors: [REVIEW_ERRORS.lineNotResolved] } },
    });

    const forbidden = await new Octokit({ auth: READ, baseUrl: gh.url, log: silent }).rest.issues
      .createComment({ ...repo, issue_number: PR, body: 'x' })
      .catch((error: unknown) => error);
    expect(forbidden).toMatchObject({ status: 403 });
  });

  it('the retry and throttling plugins recover from a 502 and both rate limits', async () => {
    const client = octokit();
    gh.serverError(1);
    gh.secondaryRateLimit({ retryAfter: 1 });
    gh.rateLimit({ resetInSeconds: 0 });
    const response = await client.rest.pulls.get({ owner: OWNER, repo: REPO, pull_number: PR });
    expect(response.data.head.sha).toBe(fixture.headSha);
    expect(gh.requests.map((r) => [r.status, r.injected])).toEqual([
      [502, true],
      [403, true],
      [403, true],
      [200, false],
    ]);
  });
});

describe('issues', () => {
  const issues = repoPath('/issues');
  const ISSUE_DOCS = 'https://docs.github.com/rest/issues/issues#create-an-issue';
  const create = (body: unknown, token?: string) => call(issues, { method: 'POST', body, token });
  const update = (n: number, body: unknown, token?: string) =>
    call(repoPath(`/issues/${n}`), { method: 'PATCH', body, token });
  const numbers = (response: Awaited<ReturnType<typeof call>>) =>
    (response.json as Array<{ number: number }>).map((i) => i.number);

  it('creates, lists, updates, closes and reopens one tracking issue', async () => {
    const created = await create({ title: 'Audit findings', body: 'v1', labels: ['audit'] });
    expect(created.status).toBe(201);
    // Issues and pull requests share one sequence: PR 7 exists, so the issue is #8.
    const n = created.json.number as number;
    expect(n).toBe(PR + 1);
    expect(created.json).toMatchObject({
      number: n,
      title: 'Audit findings',
      body: 'v1',
      state: 'open',
      state_reason: null,
      closed_at: null,
      labels: [{ name: 'audit' }],
      html_url: `https://github.com/${OWNER}/${REPO}/issues/${n}`,
      user: { login: 'github-actions[bot]' },
      comments: 0,
    });
    expect(created.json).not.toHaveProperty('pull_request');
    expect(created.json.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(created.json.updated_at).toBe(created.json.created_at);

    const open = await call(issues);
    expect(open.status).toBe(200);
    expect(numbers(open)).toEqual([n, PR]);

    const edited = await update(n, { body: 'v2' });
    expect(edited.status).toBe(200);
    expect(edited.json).toMatchObject({ number: n, title: 'Audit findings', body: 'v2' });
    expect((await call(repoPath(`/issues/${n}`))).json.body).toBe('v2');

    const closed = await update(n, { state: 'closed' });
    expect(closed.status).toBe(200);
    expect(closed.json).toMatchObject({ state: 'closed', state_reason: 'completed' });
    expect(closed.json.closed_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(numbers(await call(issues))).toEqual([PR]);
    expect(numbers(await call(`${issues}?state=closed`))).toEqual([n]);
    expect(numbers(await call(`${issues}?state=all`))).toEqual([n, PR]);

    const reopened = await update(n, { state: 'open' });
    expect(reopened.status).toBe(200);
    // GitHub marks a reopened issue so (state_reason 'reopened'); closed_at is cleared.
    expect(reopened.json).toMatchObject({
      state: 'open',
      state_reason: 'reopened',
      closed_at: null,
    });
    expect(numbers(await call(issues))).toEqual([n, PR]);
    expect(gh.issues()).toMatchObject([{ number: n, state: 'open', body: 'v2' }]);
  });

  it('closes as not planned when asked, and ignores a state_reason sent without state', async () => {
    const { number } = gh.seedIssue({ title: 'Tracking', body: 'b' });
    expect((await update(number, { state_reason: 'not_planned' })).json).toMatchObject({
      state: 'open',
      state_reason: null,
    });
    const closed = await update(number, { state: 'closed', state_reason: 'not_planned' });
    expect(closed.json).toMatchObject({ state: 'closed', state_reason: 'not_planned' });
    const invalid = await update(number, { state: 'done' });
    expect(invalid.status).toBe(422);
    expect(invalid.json.message).toBe(
      'Invalid request.\n\nFor \'properties/state\', "done" is not one of ["open","closed"].',
    );
    expect(gh.issues()[0]!.state).toBe('closed');
    expect(gh.takeSpecViolations()).toHaveLength(1);
  });

  it('takes comments on a created issue, linking them to /issues/', async () => {
    const { number } = (await create({ title: 'Audit' })).json as { number: number };
    const path = repoPath(`/issues/${number}/comments`);
    const posted = await call(path, { method: 'POST', body: { body: 'still failing' } });
    expect(posted.status).toBe(201);
    expect(posted.json.html_url).toBe(
      `https://github.com/${OWNER}/${REPO}/issues/${number}#issuecomment-${posted.json.id}`,
    );
    expect((await call(path)).json.map((c: { body: string }) => c.body)).toEqual(['still failing']);
    expect((await call(repoPath(`/issues/${number}`))).json.comments).toBe(1);
    // A pull request's comments still link to /pull/.
    expect(gh.seedIssueComment(PR, 'on the PR').html_url).toContain(`/pull/${PR}#issuecomment-`);
  });

  it('lists pull requests as issues with a pull_request key, as GitHub does', async () => {
    gh.seedIssue({ title: 'Plain issue', body: 'b' });
    const listed = await call(issues);
    const pull = (listed.json as Array<Record<string, unknown>>).find((i) => i.number === PR)!;
    expect(pull).toMatchObject({
      number: PR,
      state: 'open',
      user: { login: 'alice' },
      html_url: `https://github.com/${OWNER}/${REPO}/pull/${PR}`,
      pull_request: {
        url: `${gh.url}/repos/${OWNER}/${REPO}/pulls/${PR}`,
        html_url: `https://github.com/${OWNER}/${REPO}/pull/${PR}`,
      },
    });
    const plain = (listed.json as Array<Record<string, unknown>>).find((i) => i.number !== PR)!;
    expect(plain).not.toHaveProperty('pull_request');
    const single = await call(repoPath(`/issues/${PR}`));
    expect(single.status).toBe(200);
    expect(single.json.pull_request).toBeDefined();
    // The accessor keeps to issues.
    expect(gh.issues().map((i) => i.title)).toEqual(['Plain issue']);
  });

  it('numbers issues after the pull requests and refuses a pull request on an issue number', () => {
    gh.setPullRequest({ number: 20, baseSha: fixture.baseSha, headSha: fixture.headSha });
    expect(gh.seedIssue({ title: 'a', body: '' }).number).toBe(21);
    expect(() =>
      gh.setPullRequest({ number: 21, baseSha: fixture.baseSha, headSha: fixture.headSha }),
    ).toThrow(/already an issue/);
  });

  it('filters by labels (all must match, any case), creating labels it has not seen', async () => {
    const both = await create({ title: 'both', labels: ['audit', 'Security'] });
    expect(both.json.labels.map((l: { name: string }) => l.name)).toEqual(['audit', 'Security']);
    expect(gh.labels().map((l) => l.name)).toEqual(['audit', 'Security']);
    const one = await create({ title: 'one', labels: ['AUDIT'] });
    // An existing label keeps its spelling; no second label is created.
    expect(one.json.labels.map((l: { name: string }) => l.name)).toEqual(['audit']);
    expect(gh.labels()).toHaveLength(2);
    gh.seedIssue({ title: 'none', body: 'b' });

    expect(numbers(await call(`${issues}?labels=audit`))).toEqual([
      one.json.number,
      both.json.number,
    ]);
    expect(numbers(await call(`${issues}?labels=audit,security`))).toEqual([both.json.number]);
    expect(numbers(await call(`${issues}?labels=audit,%20nope`))).toEqual([]);

    const relabelled = await update(one.json.number, { labels: ['security', 'audit'] });
    expect(relabelled.json.labels.map((l: { name: string }) => l.name)).toEqual([
      'Security',
      'audit',
    ]);
    expect(numbers(await call(`${issues}?labels=Security,AUDIT`))).toEqual([
      one.json.number,
      both.json.number,
    ]);
  });

  it('filters by creator, pull requests included', async () => {
    const mine = (await create({ title: 'by the bot' })).json.number as number;
    const alices = gh.seedIssue({ title: 'by alice', body: 'b', login: 'alice' }).number;
    gh.seedIssue({ title: 'by bob', body: 'b', login: 'bob' });
    expect(numbers(await call(`${issues}?creator=github-actions[bot]`))).toEqual([mine]);
    // PR 7 is alice's too.
    expect(numbers(await call(`${issues}?creator=alice`))).toEqual([alices, PR]);
    expect(numbers(await call(`${issues}?creator=nobody`))).toEqual([]);
  });

  it('pages the list over 3 pages with Link, newest first unless asked otherwise', async () => {
    for (let i = 1; i <= 5; i += 1) gh.seedIssue({ title: `audit ${i}`, body: 'b' });
    const page = (n: number, extra = '') => call(`${issues}?per_page=2&page=${n}${extra}`);
    const rels = (response: Awaited<ReturnType<typeof call>>) =>
      (response.headers.get('link') ?? '')
        .split(', ')
        .filter(Boolean)
        .map((part) => /rel="(\w+)"$/.exec(part)![1]);

    const first = await page(1);
    expect(numbers(first)).toEqual([12, 11]);
    expect(rels(first)).toEqual(['next', 'last']);
    expect(first.headers.get('link')).toContain(`<${gh.url}${issues}?per_page=2&page=2>`);
    const second = await page(2);
    expect(numbers(second)).toEqual([10, 9]);
    expect(rels(second)).toEqual(['prev', 'next', 'last', 'first']);
    const third = await page(3);
    expect(numbers(third)).toEqual([8, PR]);
    expect(rels(third)).toEqual(['prev', 'first']);

    const ascending = await page(1, '&sort=created&direction=asc&state=open');
    expect(numbers(ascending)).toEqual([PR, 8]);
    // The Link keeps the filters.
    expect(ascending.headers.get('link')).toContain('direction=asc');
    expect(ascending.headers.get('link')).toContain('state=open');

    // The most recently updated first.
    await update(9, { body: 'touched' });
    expect(numbers(await call(`${issues}?sort=updated&per_page=1`))).toEqual([9]);
  });

  it('answers 422 Validation Failed for an empty title, with nothing stored', async () => {
    for (const body of [{ title: '' }, { title: '   ' }]) {
      const response = await create(body);
      expect(response.status).toBe(422);
      expect(response.json).toEqual({
        message: 'Validation Failed',
        errors: [{ resource: 'Issue', code: 'missing_field', field: 'title' }],
        documentation_url: ISSUE_DOCS,
        status: '422',
      });
    }
    // No title at all, or null, fails GitHub's schema before the issue is looked at.
    const absent = await create({ body: 'no title' });
    expect(absent.status).toBe(422);
    expect(absent.json.message).toBe('Invalid request.\n\n"title" wasn\'t supplied.');
    const nil = await create({ title: null });
    expect(nil.status).toBe(422);
    expect(nil.json.message).toMatch(
      /^Invalid request\.\n\nFor 'properties\/title', nil is not a string\./,
    );
    expect(gh.takeSpecViolations()).toHaveLength(2);
    const { number } = gh.seedIssue({ title: 'kept', body: 'b' });
    expect((await update(number, { title: '' })).status).toBe(422);
    expect(gh.issues()).toMatchObject([{ title: 'kept' }]);
    expect(gh.labels()).toEqual([]);
  });

  it('answers 422 for a body over 65536 characters, on create and on update', async () => {
    const tooLong = 'z'.repeat(MAX_BODY_CHARACTERS + 1);
    const bodyError = {
      resource: 'Issue',
      code: 'custom',
      field: 'body',
      message: 'body is too long (maximum is 65536 characters)',
    };
    const created = await create({ title: 'Audit', body: tooLong, labels: ['audit'] });
    expect(created.status).toBe(422);
    expect(created.json).toEqual({
      message: 'Validation Failed',
      errors: [bodyError],
      documentation_url: ISSUE_DOCS,
      status: '422',
    });
    expect(gh.issues()).toEqual([]);

    const { number } = gh.seedIssue({ title: 'Audit', body: 'short' });
    const updated = await update(number, { body: tooLong, state: 'closed' });
    expect(updated.status).toBe(422);
    expect(updated.json).toMatchObject({ message: 'Validation Failed', errors: [bodyError] });
    expect(updated.json.documentation_url).toBe(
      'https://docs.github.com/rest/issues/issues#update-an-issue',
    );
    expect(gh.issues()).toMatchObject([{ body: 'short', state: 'open' }]);
    const atLimit = await update(number, { body: 'z'.repeat(MAX_BODY_CHARACTERS) });
    expect(atLimit.status).toBe(200);
  });

  it('answers 403 to a read-only token on every write, and lets it read', async () => {
    const { number } = gh.seedIssue({ title: 'Audit', body: 'b' });
    for (const response of [
      await create({ title: 'x' }, READ),
      await update(number, { state: 'closed' }, READ),
      await call(repoPath(`/issues/${number}/comments`), {
        method: 'POST',
        body: { body: 'x' },
        token: READ,
      }),
    ]) {
      expect(response.status).toBe(403);
      expect(response.json.message).toBe('Resource not accessible by integration');
    }
    expect(gh.issues()).toMatchObject([{ number, state: 'open' }]);
    expect(gh.issueComments()).toEqual([]);
    expect((await call(issues, { token: READ })).status).toBe(200);
    expect((await call(repoPath(`/issues/${number}`), { token: READ })).status).toBe(200);
  });

  it('answers 404 for an issue it does not have', async () => {
    for (const response of [
      await call(repoPath('/issues/999')),
      await update(999, { body: 'x' }),
      await call(repoPath('/issues/999/comments')),
      await call(repoPath('/issues/999/comments'), { method: 'POST', body: { body: 'x' } }),
    ]) {
      expect(response.status).toBe(404);
      expect(response.json.message).toBe('Not Found');
    }
    expect((await call(`/repos/${OWNER}/elsewhere/issues`)).status).toBe(404);
  });

  it('works with a real Octokit: create, paginate, update', async () => {
    const client = new Octokit({
      auth: WRITE,
      baseUrl: gh.url,
      log: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
    });
    const repo = { owner: OWNER, repo: REPO };
    for (let i = 1; i <= 4; i += 1) gh.seedIssue({ title: `old ${i}`, body: 'b', login: 'bob' });
    const created = await client.rest.issues.create({
      ...repo,
      title: 'Audit',
      body: 'v1',
      labels: ['audit'],
    });
    expect(created.status).toBe(201);
    const all = await client.paginate(client.rest.issues.listForRepo, {
      ...repo,
      state: 'all',
      per_page: 2,
    });
    expect(all.map((i) => i.number)).toEqual([created.data.number, 11, 10, 9, 8, PR]);
    expect(all.filter((i) => i.pull_request).map((i) => i.number)).toEqual([PR]);
    const closed = await client.rest.issues.update({
      ...repo,
      issue_number: created.data.number,
      state: 'closed',
      state_reason: 'completed',
    });
    expect(closed.data.state_reason).toBe('completed');
    const refused = await client.rest.issues
      .create({ ...repo, title: '' })
      .catch((error: unknown) => error);
    expect(refused).toMatchObject({ status: 422 });
  });
});
