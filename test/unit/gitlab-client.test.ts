// GitLabClient against the HTTP fake of GitLab: retries that never repeat a write that may have
// landed, Retry-After, offset pagination and errors that carry GitLab's own words.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { RecordingLogger } from '../../src/core/logger.js';
import { GitLabApiError, GitLabClient, GitLabConnectionError } from '../../src/gitlab/client.js';
import { FakeGitLab } from '../fakes/gitlab-api.js';
import { featureRepo, type GitRepo } from '../support/git-repo.js';

const TOKEN = 'glpat-client-test-0123456789';
const MR = `/projects/42/merge_requests/3`;

let repo: GitRepo;
let shas: { baseSha: string; headSha: string };
beforeAll(() => {
  const made = featureRepo();
  repo = made.repo;
  shas = { baseSha: made.baseSha, headSha: made.headSha };
});
afterAll(() => repo.remove());

let gl: FakeGitLab;
let logger: RecordingLogger;
/** The pauses the client asked for, instead of waiting them out. */
let delays: number[];
beforeEach(async () => {
  gl = await new FakeGitLab({
    repoDir: repo.dir,
    projectId: 42,
    projectPath: 'group/demo',
    tokens: { [TOKEN]: 'api', 'glpat-read-only-0123456789': 'read_api' },
  }).start();
  gl.setMergeRequest({ iid: 3, ...shas });
  logger = new RecordingLogger();
  delays = [];
});
afterEach(() => gl.stop());

const client = (options: Partial<ConstructorParameters<typeof GitLabClient>[0]> = {}) =>
  new GitLabClient({
    baseUrl: gl.url,
    token: TOKEN,
    logger,
    retries: 3,
    baseDelayMs: 1,
    sleep: async (ms) => {
      delays.push(ms);
    },
    ...options,
  });

/** Requests that reached the fake for a path, by method. */
const hits = (method: string, path: RegExp) =>
  gl.requests.filter((r) => r.method === method && path.test(r.path));

describe('requests', () => {
  it('sends the token in PRIVATE-TOKEN and returns the parsed JSON with the headers', async () => {
    const { data, headers } = await client({ baseUrl: `${gl.url}/` }).request<{ iid: number }>(
      'GET',
      MR,
    );
    expect(data.iid).toBe(3);
    expect(headers.get('content-type')).toBe('application/json');
    expect(gl.requests[0]!.headers['private-token']).toBe(TOKEN);
    expect(gl.requests[0]!.path).toBe(`/api/v4${MR}`);
  });

  it('sends a body as JSON and returns undefined for an empty answer (204)', async () => {
    const { data } = await client().request('POST', `${MR}/draft_notes/bulk_publish`);
    expect(data).toBeUndefined();
    await client().request('POST', `${MR}/notes`, { body: { body: 'hello' } });
    expect(gl.notes(3).map((n) => n.body)).toEqual(['hello']);
    expect(gl.requests.at(-1)!.headers['content-type']).toBe('application/json');
  });

  it('leaves out query parameters that are undefined', async () => {
    await client().get(`${MR}/notes`, { sort: 'asc', order_by: undefined });
    expect(gl.requests[0]!.query).toEqual({ sort: 'asc' });
  });
});

describe('retries', () => {
  it('retries a GET that gets 502, then 500, and returns the answer', async () => {
    gl.serverError(1, { method: 'GET' });
    gl.serverError(1, { method: 'GET', status: 500 });
    const mr = await client().get<{ iid: number }>(MR);
    expect(mr.iid).toBe(3);
    expect(hits('GET', /merge_requests\/3$/)).toHaveLength(3);
    expect(logger.text()).toContain(`GET ${MR} → 502; retrying`);
    expect(logger.text()).toContain(`GET ${MR} → 500; retrying`);
  });

  it('retries PUT and DELETE on 5xx: doing them twice changes nothing', async () => {
    const note = gl.seedDiscussion(3, { body: 'mine', author: gl.login, individual: true });
    gl.serverError(1, { method: 'PUT', status: 503 });
    await client().request('PUT', `${MR}/notes/${note.notes[0]!.id}`, { body: { body: 'edited' } });
    expect(gl.notes(3)[0]!.body).toBe('edited');
    expect(hits('PUT', /notes/)).toHaveLength(2);
  });

  it('gives up after `retries` retries and throws the last answer', async () => {
    gl.serverError(10, { method: 'GET' });
    const error = await client({ retries: 2 })
      .get(MR)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitLabApiError);
    expect((error as GitLabApiError).status).toBe(502);
    expect((error as GitLabApiError).message).toBe(`GET ${MR} → 502: 502 Bad Gateway\n`);
    expect(hits('GET', /merge_requests\/3$/)).toHaveLength(3);
  });

  it('backs off exponentially from baseDelayMs when GitLab gives no Retry-After', async () => {
    gl.serverError(3, { method: 'GET' });
    await client({ baseDelayMs: 40 }).get(MR);
    expect(delays).toEqual([40, 80, 160]);
    expect(logger.text()).toContain('retrying in 0.2 s');
  });

  it('really waits when no sleep is given', async () => {
    gl.serverError(1, { method: 'GET' });
    const started = Date.now();
    await new GitLabClient({ baseUrl: gl.url, token: TOKEN, logger, baseDelayMs: 30 }).get(MR);
    expect(Date.now() - started).toBeGreaterThanOrEqual(25);
  });
});

describe('Retry-After', () => {
  it('waits as long as a 429 says (seconds), not the shorter backoff', async () => {
    gl.tooManyRequests({ retryAfter: 7, method: 'GET' });
    await client({ baseDelayMs: 1 }).get(MR);
    expect(delays).toEqual([7000]);
    expect(logger.text()).toContain(`GET ${MR} → 429; retrying in 7.0 s`);
  });

  it('reads an HTTP-date Retry-After too', async () => {
    const at = new Date(Math.ceil(Date.now() / 1000) * 1000 + 30_000);
    gl.inject({
      method: 'GET',
      status: 429,
      body: 'Retry later\n',
      headers: { 'retry-after': at.toUTCString() },
    });
    await client({ baseDelayMs: 1 }).get(MR);
    expect(delays).toHaveLength(1);
    expect(delays[0]).toBeGreaterThan(29_000);
    expect(delays[0]).toBeLessThanOrEqual(31_000);
  });

  it('backs off when Retry-After is absent, zero or not understood', async () => {
    gl.inject({ method: 'GET', status: 429, headers: { 'retry-after': '0' } });
    gl.inject({ method: 'GET', status: 429, headers: { 'retry-after': 'soon' } });
    await client({ baseDelayMs: 10 }).get(MR);
    expect(delays).toEqual([10, 20]);
  });

  it('retries a POST refused with 429: GitLab did not carry it out', async () => {
    gl.tooManyRequests({ retryAfter: 1, method: 'POST' });
    await client().request('POST', `${MR}/notes`, { body: { body: 'once' } });
    expect(gl.notes(3).map((n) => n.body)).toEqual(['once']);
    expect(hits('POST', /notes$/)).toHaveLength(2);
    expect(delays).toEqual([1000]);
  });
});

describe('writes that may have landed', () => {
  it('never retries a POST after a 5xx: GitLab may have carried it out', async () => {
    gl.inject({
      method: 'POST',
      path: /notes$/,
      status: 502,
      body: 'bad gateway',
      afterHandler: true,
    });
    const error = await client()
      .request('POST', `${MR}/notes`, { body: { body: 'landed' } })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitLabApiError);
    expect((error as GitLabApiError).status).toBe(502);
    expect(hits('POST', /notes$/)).toHaveLength(1);
    expect(gl.notes(3).map((n) => n.body)).toEqual(['landed']);
  });

  it('never retries a POST whose connection broke after it was sent', async () => {
    // A server that reads the request, then drops the connection without answering.
    let received = 0;
    const server = http.createServer((req) => {
      received++;
      req.resume();
      req.on('end', () => req.socket.destroy());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v4`;
    try {
      const post = await client({ baseUrl: url })
        .request('POST', '/x', { body: {} })
        .catch((e: unknown) => e);
      expect(post).toBeInstanceOf(GitLabConnectionError);
      expect((post as GitLabConnectionError).unsent).toBe(false);
      expect(received).toBe(1);
      const get = await client({ baseUrl: url, retries: 2 })
        .get('/x')
        .catch((e: unknown) => e);
      expect(get).toBeInstanceOf(GitLabConnectionError);
      expect(received).toBe(4);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('retries a POST that never left (connection refused) and says why it failed', async () => {
    const server = http.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    await new Promise((resolve) => server.close(resolve));
    const error = await client({ baseUrl: `http://127.0.0.1:${port}/api/v4`, retries: 2 })
      .request('POST', '/x', { body: {} })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitLabConnectionError);
    expect((error as GitLabConnectionError).unsent).toBe(true);
    expect((error as Error).message).toBe(
      `Could not reach GitLab at http://127.0.0.1:${port}/api/v4 (POST /x): fetch failed: ECONNREFUSED`,
    );
    expect(logger.records.filter((r) => r.level === 'warning')).toHaveLength(2);
  });
});

describe('pagination', () => {
  it('asks for 100 per page and follows x-next-page to the last page', async () => {
    for (let i = 1; i <= 205; i++) gl.seedIssue({ title: `issue ${i}` });
    const issues = await client().paginate<{ iid: number }>('/projects/42/issues', {
      sort: 'asc',
    });
    expect(issues.map((i) => i.iid)).toEqual(Array.from({ length: 205 }, (_, i) => i + 1));
    expect(hits('GET', /issues$/).map((r) => [r.query.page, r.query.per_page])).toEqual([
      ['1', '100'],
      ['2', '100'],
      ['3', '100'],
    ]);
  });

  it('stops after one page when GitLab does not paginate (no x-next-page)', async () => {
    const drafts = await client().paginate(`${MR}/draft_notes`);
    expect(drafts).toEqual([]);
    expect(gl.requests).toHaveLength(1);
  });
});

describe('errors', () => {
  it("carries GitLab's message, a Grape error and insufficient_scope's description", async () => {
    const notFound = (await client()
      .get('/projects/7/merge_requests/1')
      .catch((e: unknown) => e)) as GitLabApiError;
    expect(notFound.status).toBe(404);
    expect(notFound.detail).toBe('404 Project Not Found');
    expect(notFound.message).toBe('GET /projects/7/merge_requests/1 → 404: 404 Project Not Found');
    const missing = (await client()
      .request('POST', `${MR}/notes`, { body: {} })
      .catch((e: unknown) => e)) as GitLabApiError;
    expect([missing.status, missing.detail]).toEqual([400, 'body is missing']);
    const scope = (await client({ token: 'glpat-read-only-0123456789' })
      .request('POST', `${MR}/notes`, { body: { body: 'x' } })
      .catch((e: unknown) => e)) as GitLabApiError;
    expect(scope.status).toBe(403);
    expect(scope.detail).toBe(
      'The request requires higher privileges than provided by the access token.',
    );
    expect(scope.body).toMatchObject({ error: 'insufficient_scope' });
  });

  it('answers 401 for a token GitLab does not know, without retrying', async () => {
    const error = (await client({ token: 'glpat-unknown' })
      .get(MR)
      .catch((e: unknown) => e)) as GitLabApiError;
    expect([error.status, error.detail]).toEqual([401, '401 Unauthorized']);
    expect(gl.requests).toHaveLength(1);
  });

  it('keeps a body that is not JSON as text', async () => {
    gl.inject({ method: 'GET', status: 418, body: 'I am a teapot' });
    const error = (await client()
      .get(MR)
      .catch((e: unknown) => e)) as GitLabApiError;
    expect(error.body).toBe('I am a teapot');
    expect(error.detail).toBe('I am a teapot');
  });
});
