// Commands in comments and the review loop on GitHub, end to end: the action built from src/,
// the real Codex CLI, the fake model, the fake GitHub (REST + GraphQL) and the fake Actions
// cache. A review run, then comments on its findings, then later reviews.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ANSWER_MARKER } from '../../src/core/conversation/markers.js';
import { inspectState, fingerprintsIn, SUMMARY_MARKER } from '../../src/core/state/markers.js';
import { FakeActionsCache } from '../fakes/actions-cache.js';
import { FakeGitHub } from '../fakes/github-api.js';
import { FakeResponsesApi, message, type RecordedRequest } from '../fakes/responses-api.js';
import { FAKE_GITHUB_TOKEN, runAction, type ActionRun } from '../support/action-runner.js';
import { GitRepo } from '../support/git-repo.js';
import { prRepo } from '../support/pr-repo.js';

const KEY = 'sk-test-conversation-0123456789abc';
const PR = 12;
const PR_RUNTIME = 'runtime-token-pr-12';
const MAIN_RUNTIME = 'runtime-token-main';
const ANSWER = 'The parse throws on malformed input; wrap it in try/catch.';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

interface Spec {
  title: string;
  file: string;
  start: number;
  end: number;
}

const PARSE: Spec = { title: 'Unvalidated JSON.parse', file: 'app.js', start: 4, end: 4 };
const RECURSION: Spec = { title: 'Unbounded recursion', file: 'app.js', start: 21, end: 23 };

const textOf = (requests: RecordedRequest[]) => requests.map((r) => r.raw).join('\n');

async function setup() {
  const { repo: origin, baseSha, headSha } = prRepo();
  cleanups.push(() => origin.remove());
  // GitHub serves the pull request's head under refs/pull/N/head.
  origin.git('update-ref', `refs/pull/${PR}/head`, headSha);
  origin.git('checkout', '-q', 'main');
  // The runner's checkout: a clone, on the default branch unless a test checks out the head.
  const workspace = GitRepo.clone(origin);
  cleanups.push(() => workspace.remove());
  const at = (sha: string) => workspace.git('checkout', '-q', '--detach', sha);

  const gh = await new FakeGitHub({
    repoDir: origin.dir,
    owner: 'octo',
    repo: 'demo',
    tokens: { [FAKE_GITHUB_TOKEN]: 'write' },
    permissions: { maintainer: 'maintain', reader: 'read' },
  }).start();
  cleanups.push(() => gh.stop());
  gh.setPullRequest({ number: PR, baseSha, headSha, title: 'Parse the input' });

  const cache = await new FakeActionsCache({
    [PR_RUNTIME]: `refs/pull/${PR}/merge`,
    [MAIN_RUNTIME]: 'refs/heads/main',
  }).start();
  cleanups.push(() => cache.stop());

  let specs: Spec[] = [PARSE, RECURSION];
  const reviewReply = () =>
    JSON.stringify({
      findings: specs.map((s) => ({
        title: s.title,
        body: `Why "${s.title}" matters.`,
        confidence_score: 0.8,
        priority: 1,
        code_location: {
          absolute_file_path: path.join(workspace.dir, s.file),
          line_range: { start: s.start, end: s.end },
        },
      })),
      overall_correctness: 'patch is incorrect',
      overall_explanation: 'Problems.',
      overall_confidence_score: 0.7,
    });
  let answer = ANSWER;
  // A review turn gets the review; a question (the answer prompt's block) gets the answer.
  const model = await new FakeResponsesApi(
    (request) => ({
      kind: 'items',
      items: [message(request.raw.includes('kind=\\"question\\"') ? answer : reviewReply())],
    }),
    { apiKey: KEY },
  ).start();
  cleanups.push(() => model.stop());

  // One RUNNER_TEMP for every job, as on a hosted runner: the cache restores to the path it saved.
  const runnerTemp = fs.mkdtempSync(path.join(os.tmpdir(), 'codex-review-conv-temp-'));
  cleanups.push(() => fs.rmSync(runnerTemp, { recursive: true, force: true }));
  const emptyToolCache = fs.mkdtempSync(path.join(os.tmpdir(), 'codex-review-conv-tools-'));
  cleanups.push(() => fs.rmSync(emptyToolCache, { recursive: true, force: true }));

  const pullPayload = {
    number: PR,
    html_url: `https://github.com/octo/demo/pull/${PR}`,
    base: { sha: baseSha, repo: { full_name: 'octo/demo' } },
    head: { sha: headSha, repo: { full_name: 'octo/demo' } },
  };
  const job = (options: {
    eventName: string;
    payload: Record<string, unknown>;
    actor?: string;
    runtimeToken?: string;
    inputs?: Record<string, string>;
    toolCache?: string;
  }): Promise<ActionRun> =>
    runAction({
      workspace: workspace.dir,
      eventName: options.eventName,
      payload: options.payload,
      ...(options.toolCache ? { toolCache: options.toolCache } : {}),
      inputs: { 'openai-api-key': KEY, 'openai-base-url': model.url, ...(options.inputs ?? {}) },
      env: {
        GITHUB_API_URL: gh.url,
        GITHUB_ACTOR: options.actor ?? 'maintainer',
        RUNNER_TEMP: runnerTemp,
        ACTIONS_CACHE_URL: cache.url,
        ACTIONS_RUNTIME_TOKEN: options.runtimeToken ?? PR_RUNTIME,
        CODEX_REVIEW_GITHUB_RETRY_BASE_MS: '50',
      },
    });

  /** The pull_request run: a review of the head, checked out. */
  const review = async () => {
    at(headSha);
    const result = await job({ eventName: 'pull_request', payload: { pull_request: pullPayload } });
    expect(result.exitCode, result.stdout).toBe(0);
    return result;
  };

  /** A reply someone writes in the thread of a finding, and the job it starts. */
  const replyInThread = (title: string, body: string, login = 'maintainer') => {
    const root = gh.reviewComments().find((c) => c.body.includes(title) && !c.in_reply_to_id)!;
    const comment = gh.seedReviewReply(root.id, body, login);
    return {
      root,
      comment,
      run: (extra: { runtimeToken?: string; toolCache?: string } = {}) =>
        job({
          eventName: 'pull_request_review_comment',
          actor: login,
          payload: {
            action: 'created',
            pull_request: pullPayload,
            comment: {
              id: comment.id,
              body,
              html_url: comment.html_url,
              in_reply_to_id: root.id,
              user: comment.user,
            },
          },
          ...extra,
        }),
    };
  };

  /** A comment on the pull request's conversation (or an issue), and the job it starts. */
  const prComment = (
    body: string,
    login = 'maintainer',
    options: { plainIssue?: boolean; type?: 'Bot' | 'User'; toolCache?: string } = {},
  ) => {
    const comment = gh.seedIssueComment(PR, body, login);
    return job({
      eventName: 'issue_comment',
      actor: login,
      runtimeToken: MAIN_RUNTIME,
      ...(options.toolCache ? { toolCache: options.toolCache } : {}),
      payload: {
        action: 'created',
        issue: {
          number: PR,
          ...(options.plainIssue ? {} : { pull_request: { url: 'x' } }),
        },
        comment: {
          id: comment.id,
          body,
          html_url: comment.html_url,
          user: { ...comment.user, ...(options.type ? { type: options.type } : {}) },
        },
      },
    });
  };

  return {
    origin,
    workspace,
    baseSha,
    headSha,
    gh,
    model,
    cache,
    emptyToolCache,
    at,
    review,
    replyInThread,
    prComment,
    setFindings: (next: Spec[]) => (specs = next),
    setAnswer: (text: string) => (answer = text),
  };
}

const findingsOf = (run: ActionRun) =>
  JSON.parse(fs.readFileSync(run.outputs['findings-file']!, 'utf8')).findings as Array<{
    title: string;
    placement: string;
    placementReason: string | null;
  }>;

describe('a question in the thread of a finding', () => {
  it("gets one reply in that thread, from the review's resumed session, through every output rule", async () => {
    const s = await setup();
    await s.review();
    const state = inspectState(
      s.gh.issueComments().find((c) => c.body.includes(SUMMARY_MARKER))!.body,
    )!;
    expect(state.session?.digest).toMatch(/^[0-9a-f]{64}$/);
    expect(s.cache.entries.filter((e) => e.committed)).toHaveLength(1);

    // The model's answer tries to notify everyone and to forge a finding marker.
    s.setAnswer(`${ANSWER} @everyone <!-- codex-review:finding 0123456789abcdef -->`);
    const before = s.model.requests.length;
    const comments = s.gh.reviewComments().length;
    const issueComments = s.gh.issueComments().length;
    const question = s.replyInThread(
      'Unvalidated JSON.parse',
      '@codex-review Why does this matter? The input comes from our own server.',
    );
    const result = await question.run();
    expect(result.exitCode, result.stdout).toBe(0);
    expect(result.log).toContain("Resuming the review's Codex session");

    // One reply, in that thread; nothing else posted.
    const replies = s.gh.reviewComments().slice(comments + 1);
    expect(replies).toHaveLength(1);
    expect(replies[0]!.in_reply_to_id).toBe(question.root.id);
    expect(s.gh.issueComments()).toHaveLength(issueComments);
    const body = replies[0]!.body;
    expect(body).toContain(ANSWER);
    expect(body).toContain(ANSWER_MARKER);
    expect(body).toContain('@\u200beveryone');
    expect(fingerprintsIn(body)).toEqual([]);

    // The model saw the question and the finding, and the review it resumed.
    const asked = textOf(s.model.requests.slice(before));
    expect(s.model.requests.length - before).toBe(1);
    expect(asked).toContain('Why does this matter? The input comes from our own server.');
    expect(asked).toContain('Unvalidated JSON.parse');
    expect(asked).toContain('Full review comments');
    expect(result.outputs['final-message']).toContain(ANSWER);
    expect(result.outputs['review-url']).toBe(replies[0]!.html_url);
  });

  it('starts a fresh session with the finding, the thread and the change when the session cannot be restored', async () => {
    const s = await setup();
    await s.review();
    s.gh.seedReviewReply(
      s.gh.reviewComments().find((c) => c.body.includes('Unbounded recursion'))!.id,
      'I think this recursion is bounded by the caller.',
      'alice',
    );
    // Another pull request's runtime token: the cache entry of this one is out of its reach.
    const before = s.model.requests.length;
    const question = s.replyInThread('Unbounded recursion', '@codex-review is alice right?');
    const result = await question.run({ runtimeToken: MAIN_RUNTIME });
    expect(result.exitCode, result.stdout).toBe(0);
    expect(result.log).toContain('Starting a fresh Codex session');
    const asked = textOf(s.model.requests.slice(before));
    expect(asked).toContain('is alice right?');
    expect(asked).toContain('Unbounded recursion');
    expect(asked).toContain('I think this recursion is bounded by the caller.');
    // The change itself, as a diff.
    expect(asked).toContain('kind=\\"diff\\"');
    expect(asked).toContain('const risky = JSON.parse(input);');
    expect(asked).not.toContain('Full review comments');
    const replies = s.gh.reviewComments().filter((c) => c.in_reply_to_id === question.root.id);
    expect(replies.map((c) => c.body.includes(ANSWER))).toEqual([false, false, true]);
  });
});

describe('commands in pull request comments', () => {
  it('answers a question about the pull request with one comment, looking at its head', async () => {
    const s = await setup();
    await s.review();
    s.at(s.baseSha); // issue_comment runs on the default branch
    const before = s.model.requests.length;
    const count = s.gh.issueComments().length;
    const result = await s.prComment('@codex-review what is the riskiest change here?');
    expect(result.exitCode, result.stdout).toBe(0);
    expect(s.workspace.git('rev-parse', 'HEAD')).toBe(s.headSha);
    const posted = s.gh.issueComments().slice(count + 1);
    expect(posted).toHaveLength(1);
    expect(posted[0]!.body).toContain(ANSWER);
    expect(s.gh.reviewComments().filter((c) => c.in_reply_to_id)).toHaveLength(0);
    const asked = textOf(s.model.requests.slice(before));
    expect(asked).toContain('what is the riskiest change here?');
    expect(asked).toContain(s.headSha);
  });

  it('reviews the pull request head on `review`, although the checkout is the default branch', async () => {
    const s = await setup();
    s.at(s.baseSha);
    const result = await s.prComment('@codex-review review');
    expect(result.exitCode, result.stdout).toBe(0);
    expect(s.workspace.git('rev-parse', 'HEAD')).toBe(s.headSha);
    const [review] = s.gh.reviews();
    expect(review).toMatchObject({ commit_id: s.headSha, state: 'COMMENTED' });
    expect(
      s.gh
        .reviewComments()
        .map((c) => c.line)
        .sort((a, b) => a - b),
    ).toEqual([4, 23]);
    const summary = s.gh.issueComments().find((c) => c.body.includes(SUMMARY_MARKER))!;
    expect(inspectState(summary.body)!.reviewedHead).toBe(s.headSha);
    // The model reviewed the change from its merge base to the head.
    expect(textOf(s.model.requests)).toContain(s.baseSha);
  });

  it("spends nothing on a reader, a bot, its own comment, a plain issue or a fork's pull request, and does not fail", async () => {
    const s = await setup();
    const cases: Array<[string, () => Promise<ActionRun>, RegExp]> = [
      [
        'reader',
        () => s.prComment('@codex-review review', 'reader', { toolCache: s.emptyToolCache }),
        /::notice::reader has "read" permission/,
      ],
      [
        'bot',
        () =>
          s.prComment('@codex-review review', 'dependabot[bot]', {
            type: 'Bot',
            toolCache: s.emptyToolCache,
          }),
        /Comments by bots \(dependabot\[bot\]\) are never commands/,
      ],
      [
        'own comment (a personal token posts as a user)',
        () =>
          s.prComment(`@codex-review review\n\n${ANSWER_MARKER}`, 'maintainer', {
            toolCache: s.emptyToolCache,
          }),
        /codex-review's own; it is not a command/,
      ],
      [
        'plain issue',
        () =>
          s.prComment('@codex-review review', 'maintainer', {
            plainIssue: true,
            toolCache: s.emptyToolCache,
          }),
        /on an issue, not a pull request/,
      ],
      [
        'not a command',
        () => s.prComment('LGTM, @codex-review is great', 'maintainer'),
        /does not start with `@codex-review`/,
      ],
    ];
    for (const [name, run, said] of cases) {
      const result = await run();
      expect(result.exitCode, `${name}: ${result.stdout}`).toBe(0);
      expect(result.log, name).toMatch(said);
    }
    // A writer's command on a fork's pull request: Codex would read the fork's code with the key.
    s.gh.setPullRequest({ number: PR, baseSha: s.baseSha, headSha: s.headSha, fork: true });
    const fork = await s.prComment('@codex-review review', 'maintainer', {
      toolCache: s.emptyToolCache,
    });
    expect(fork.exitCode, fork.stdout).toBe(0);
    expect(fork.log).toContain('::notice::This pull request comes from a fork');
    expect(s.model.requests).toHaveLength(0);
    expect(s.gh.writes).toHaveLength(0);
    expect(fs.readdirSync(s.emptyToolCache)).toEqual([]);
  });
});

describe('dismissed and fixed findings', () => {
  it('a dismissed finding is not posted again, nor open, and the next review is told why', async () => {
    const s = await setup();
    await s.review();
    const dismiss = s.replyInThread(
      'Unvalidated JSON.parse',
      '@codex-review dismiss the input is validated by the schema upstream',
    );
    const requests = s.model.requests.length;
    const result = await dismiss.run();
    expect(result.exitCode, result.stdout).toBe(0);
    expect(s.model.requests).toHaveLength(requests);
    const thread = s.gh.threads(PR).find((t) => t.comments[0]!.id === dismiss.root.id)!;
    expect(thread.resolved).toBe(true);
    expect(thread.comments.at(-1)!.body).toContain(
      'Dismissed by maintainer: the input is validated by the schema upstream',
    );

    // The next review reports it again (in the same words): not posted, not open, named to Codex.
    const reviews = s.gh.reviews().length;
    const before = s.model.requests.length;
    const next = await s.review();
    const asked = textOf(s.model.requests.slice(before));
    expect(asked).toContain('dismissed');
    expect(asked).toContain('Unvalidated JSON.parse');
    expect(asked).toContain('the input is validated by the schema upstream');
    expect(s.gh.reviews()).toHaveLength(reviews);
    const parse = findingsOf(next).find((f) => f.title === 'Unvalidated JSON.parse')!;
    expect(parse).toMatchObject({ placement: 'dismissed' });
    expect(parse.placementReason).toContain('by maintainer');
    const summary = s.gh.issueComments().find((c) => c.body.includes(SUMMARY_MARKER))!.body;
    const open = inspectState(summary)!.findings.filter((f) => f.status === 'open');
    expect(open.map((f) => f.title)).toEqual(['Unbounded recursion']);
    expect(summary).not.toContain('Unvalidated JSON.parse');
  });

  it('a thread a person resolved is a dismissal: not posted again, named to Codex', async () => {
    const s = await setup();
    await s.review();
    const root = s.gh.reviewComments().find((c) => c.body.includes('Unbounded recursion'))!;
    s.gh.seedReviewReply(root.id, 'The caller bounds the depth.', 'maintainer');
    s.gh.setThreadResolution(root.id, true, 'maintainer');
    const reviews = s.gh.reviews().length;
    const before = s.model.requests.length;
    const next = await s.review();
    const asked = textOf(s.model.requests.slice(before));
    expect(asked).toContain('Unbounded recursion');
    expect(asked).toContain('The caller bounds the depth.');
    expect(findingsOf(next).find((f) => f.title === 'Unbounded recursion')).toMatchObject({
      placement: 'dismissed',
    });
    expect(s.gh.reviews()).toHaveLength(reviews);
  });

  it("resolves a fixed finding's thread through GraphQL, but not a thread people replied in", async () => {
    const s = await setup();
    await s.review();
    const recursion = s.gh.reviewComments().find((c) => c.body.includes('Unbounded recursion'))!;
    const parse = s.gh.reviewComments().find((c) => c.body.includes('Unvalidated JSON.parse'))!;
    s.gh.seedReviewReply(parse.id, 'We will fix this in a follow-up.', 'alice');
    // The next review no longer reports either finding: both are fixed.
    s.setFindings([]);
    const next = await s.review();
    expect(next.log).toContain('Resolved 1 thread(s) of findings fixed since the last run.');
    const threads = s.gh.threads(PR);
    expect(threads.find((t) => t.comments[0]!.id === recursion.id)!.resolved).toBe(true);
    expect(threads.find((t) => t.comments[0]!.id === parse.id)!.resolved).toBe(false);
    expect(s.gh.writes.filter((w) => w.graphql?.type === 'mutation')).toHaveLength(1);
  });
});
