// The fake GitHub's review threads: replies over REST, and GraphQL validated against GitHub's
// published schema. Each rule has a test of the refusal and of the acceptance.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FakeGitHub } from '../fakes/github-api.js';
import { GitRepo } from '../support/git-repo.js';

const WRITE = 'ghs_write_token_0123456789';
const READ = 'ghs_read_token_0123456789';
const PR = 4;

let repo: GitRepo;
let baseSha: string;
let headSha: string;
beforeAll(() => {
  repo = GitRepo.create('codex-review-fake-graphql-');
  repo.write('app.js', 'a\nb\nc\n');
  baseSha = repo.commit('base');
  repo.write('app.js', 'a\nB\nc\nd\n');
  headSha = repo.commit('head');
});
afterAll(() => repo.remove());

let gh: FakeGitHub;
beforeEach(async () => {
  gh = await new FakeGitHub({
    repoDir: repo.dir,
    owner: 'octo',
    repo: 'demo',
    tokens: { [WRITE]: 'write', [READ]: 'read' },
  }).start();
  gh.setPullRequest({ number: PR, baseSha, headSha });
});
afterEach(() => gh.stop());

async function post(path: string, body: unknown, token: string | null = WRITE) {
  const response = await fetch(`${gh.url}${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `bearer ${token}` } : {}),
    },
    body: JSON.stringify(body),
  });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON answers, read loosely
  return { status: response.status, body: (await response.json()) as Record<string, any> };
}

const graphql = (query: string, variables: Record<string, unknown> = {}, token?: string | null) =>
  post('/graphql', { query, variables }, token);

/** One review with one comment on app.js line 2: the thread's first comment. */
async function reviewComment(): Promise<number> {
  const { status, body } = await post(`/repos/octo/demo/pulls/${PR}/reviews`, {
    event: 'COMMENT',
    comments: [{ path: 'app.js', line: 2, side: 'RIGHT', body: 'finding' }],
  });
  expect(status).toBe(200);
  return gh.reviewComments().find((c) => c.pull_request_review_id === body.id)!.id;
}

const THREADS = `query($n: Int!) { repository(owner: "octo", name: "demo") { pullRequest(number: $n) {
  reviewThreads(first: 10) { nodes { id isResolved resolvedBy { login } path line
    comments(first: 10) { totalCount nodes { databaseId body author { __typename login } } } } } } } }`;

describe('replies in a review thread', () => {
  it('adds a reply to the thread of a first comment, as a review of its own', async () => {
    const root = await reviewComment();
    const { status, body } = await post(`/repos/octo/demo/pulls/${PR}/comments/${root}/replies`, {
      body: 'a reply',
    });
    expect(status).toBe(201);
    expect(body).toMatchObject({ in_reply_to_id: root, body: 'a reply', path: 'app.js' });
    expect(gh.reviews()).toHaveLength(2);
    expect(gh.reviewComments().find((c) => c.id === root)!.in_reply_to_id).toBeUndefined();
  });

  it('refuses a reply to a reply, and a reply to a comment that does not exist', async () => {
    const root = await reviewComment();
    const reply = gh.seedReviewReply(root, 'person', 'alice');
    const nested = await post(`/repos/octo/demo/pulls/${PR}/comments/${reply.id}/replies`, {
      body: 'x',
    });
    expect(nested.status).toBe(422);
    const missing = await post(`/repos/octo/demo/pulls/${PR}/comments/999/replies`, { body: 'x' });
    expect(missing.status).toBe(404);
  });

  it('refuses a body GitHub does not take, through its REST description', async () => {
    const root = await reviewComment();
    const bad = await post(`/repos/octo/demo/pulls/${PR}/comments/${root}/replies`, {
      body: 'x',
      in_reply_to: root,
    });
    expect(bad.status).toBe(422);
    expect(gh.takeSpecViolations()).toHaveLength(1);
  });

  it('refuses a reply with a read-only token', async () => {
    const root = await reviewComment();
    const { status } = await post(
      `/repos/octo/demo/pulls/${PR}/comments/${root}/replies`,
      { body: 'x' },
      READ,
    );
    expect(status).toBe(403);
  });
});

describe('GraphQL', () => {
  it('lists review threads with their comments, naming a bot without [bot]', async () => {
    const root = await reviewComment();
    gh.seedReviewReply(root, 'why?', 'alice');
    const { status, body } = await graphql(THREADS, { n: PR });
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    const [thread] = body.data.repository.pullRequest.reviewThreads.nodes;
    expect(thread).toMatchObject({
      id: `PRRT_fake${root}`,
      isResolved: false,
      resolvedBy: null,
      path: 'app.js',
      line: 2,
    });
    expect(thread.comments.totalCount).toBe(2);
    expect(thread.comments.nodes.map((c: { author: unknown }) => c.author)).toEqual([
      { __typename: 'Bot', login: 'github-actions' },
      { __typename: 'User', login: 'alice' },
    ]);
    expect(thread.comments.nodes[0].databaseId).toBe(root);
  });

  it('refuses a field GitHub does not have, before running anything', async () => {
    const { status, body } = await graphql(
      'query { repository(owner: "octo", name: "demo") { pullRequest(number: 4) { reviewThreads(first: 1) { nodes { isDismissed } } } } }',
    );
    expect(status).toBe(200);
    expect(body.data).toBeUndefined();
    expect(body.errors[0].message).toMatch(/isDismissed/);
  });

  it('refuses a mutation input GitHub does not take', async () => {
    const root = await reviewComment();
    const { body } = await graphql(
      `mutation { resolveReviewThread(input: { threadId: "PRRT_fake${root}", reason: "x" }) { thread { id } } }`,
    );
    expect(body.errors[0].message).toMatch(/reason/);
    expect(gh.threads(PR)[0]!.resolved).toBe(false);
  });

  it('needs first or last on a connection, at most 100', async () => {
    const missing = await graphql(
      'query { repository(owner: "octo", name: "demo") { pullRequest(number: 4) { reviewThreads { totalCount } } } }',
    );
    expect(missing.body.errors[0].message).toBe(
      'You must provide a `first` or `last` value to properly paginate the `reviewThreads` connection.',
    );
    const many = await graphql(
      'query { repository(owner: "octo", name: "demo") { pullRequest(number: 4) { reviewThreads(first: 101) { totalCount } } } }',
    );
    expect(many.body.errors[0].message).toBe(
      'Requesting 101 records on the `reviewThreads` connection exceeds the `first` limit of 100 records.',
    );
    const fine = await graphql(
      'query { repository(owner: "octo", name: "demo") { pullRequest(number: 4) { reviewThreads(first: 100) { totalCount } } } }',
    );
    expect(fine.body).toEqual({
      data: { repository: { pullRequest: { reviewThreads: { totalCount: 0 } } } },
    });
  });

  it('pages with cursors', async () => {
    for (let i = 0; i < 3; i++) await reviewComment();
    const page = (after: string | null) =>
      graphql(
        'query($after: String) { repository(owner: "octo", name: "demo") { pullRequest(number: 4) { reviewThreads(first: 2, after: $after) { pageInfo { hasNextPage endCursor } nodes { id } } } } }',
        { after },
      );
    const first = (await page(null)).body.data.repository.pullRequest.reviewThreads;
    expect(first.nodes).toHaveLength(2);
    expect(first.pageInfo.hasNextPage).toBe(true);
    const second = (await page(first.pageInfo.endCursor)).body.data.repository.pullRequest
      .reviewThreads;
    expect(second.nodes).toHaveLength(1);
    expect(second.pageInfo.hasNextPage).toBe(false);
  });

  it('says NOT_FOUND for another repository or pull request', async () => {
    const repoMissing = await graphql('query { repository(owner: "octo", name: "other") { id } }');
    expect(repoMissing.body.errors[0]).toMatchObject({
      type: 'NOT_FOUND',
      path: ['repository'],
      message: "Could not resolve to a Repository with the name 'octo/other'.",
    });
    const pullMissing = await graphql(
      'query { repository(owner: "octo", name: "demo") { pullRequest(number: 99) { number } } }',
    );
    expect(pullMissing.body.errors[0]).toMatchObject({
      type: 'NOT_FOUND',
      message: 'Could not resolve to a PullRequest with the number of 99.',
    });
  });

  it('resolves a thread; a bot resolving it leaves resolvedBy null; a person is named', async () => {
    const root = await reviewComment();
    const { body } = await graphql(
      'mutation($id: ID!) { resolveReviewThread(input: { threadId: $id }) { thread { id isResolved resolvedBy { login } } } }',
      { id: `PRRT_fake${root}` },
    );
    expect(body.data.resolveReviewThread.thread).toEqual({
      id: `PRRT_fake${root}`,
      isResolved: true,
      resolvedBy: null,
    });
    expect(gh.threads(PR)[0]).toMatchObject({ resolved: true, resolvedBy: 'github-actions[bot]' });
    gh.setThreadResolution(root, false, 'alice');
    gh.setThreadResolution(root, true, 'alice');
    const after = await graphql(THREADS, { n: PR });
    expect(after.body.data.repository.pullRequest.reviewThreads.nodes[0].resolvedBy).toEqual({
      login: 'alice',
    });
  });

  it('refuses a mutation with a read-only token, and an unknown thread', async () => {
    const root = await reviewComment();
    const mutation =
      'mutation($id: ID!) { resolveReviewThread(input: { threadId: $id }) { thread { id } } }';
    const read = await graphql(mutation, { id: `PRRT_fake${root}` }, READ);
    expect(read.status).toBe(200);
    expect(read.body.data).toEqual({ resolveReviewThread: null });
    expect(read.body.errors[0]).toMatchObject({
      type: 'FORBIDDEN',
      message: 'Resource not accessible by integration',
    });
    expect(gh.threads(PR)[0]!.resolved).toBe(false);
    const unknown = await graphql(mutation, { id: 'PRRT_nope' });
    expect(unknown.body.errors[0]).toMatchObject({ type: 'NOT_FOUND' });
  });

  it('answers 401 to a bad token, and counts a query as no write', async () => {
    expect((await graphql('query { viewer { login } }', {}, 'ghs_bad')).status).toBe(401);
    expect((await graphql('query { viewer { login } }', {}, null)).status).toBe(401);
    await graphql(THREADS, { n: PR });
    expect(gh.writes).toEqual([]);
    const root = await reviewComment();
    await graphql(
      'mutation($id: ID!) { resolveReviewThread(input: { threadId: $id }) { clientMutationId } }',
      {
        id: `PRRT_fake${root}`,
      },
    );
    expect(gh.writes.map((w) => w.graphql?.type ?? w.path)).toEqual([
      `/repos/octo/demo/pulls/${PR}/reviews`,
      'mutation',
    ]);
  });
});
