// GitLabIssues, the tracking issue of scheduled audits, against the HTTP fake of GitLab.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { RecordingLogger } from '../../src/core/logger.js';
import { PermissionDeniedError } from '../../src/core/platform.js';
import { auditMarker } from '../../src/core/state/markers.js';
import { GitLabClient } from '../../src/gitlab/client.js';
import { GitLabIssues } from '../../src/gitlab/issues.js';
import { FakeGitLab } from '../fakes/gitlab-api.js';
import { featureRepo, type GitRepo } from '../support/git-repo.js';

const TOKEN = 'glpat-issues-test-0123456789';
const READ = 'glpat-issues-read-0123456789';
const WEB = 'https://gitlab.example.com/group/demo';
const MARKER = auditMarker('group/demo/audit');

let repo: GitRepo;
beforeAll(() => {
  repo = featureRepo().repo;
});
afterAll(() => repo.remove());

let gl: FakeGitLab;
beforeEach(async () => {
  gl = await new FakeGitLab({
    repoDir: repo.dir,
    projectId: 42,
    projectPath: 'group/demo',
    tokens: { [TOKEN]: 'api', [READ]: 'read_api' },
  }).start();
});
afterEach(() => gl.stop());

const issues = (token = TOKEN) =>
  new GitLabIssues(
    new GitLabClient({
      baseUrl: gl.url,
      token,
      logger: new RecordingLogger(),
      retries: 0,
      sleep: async () => undefined,
    }),
    { id: 'group/demo', webUrl: WEB },
  );

describe('finding the tracking issue', () => {
  it('finds it by its marker among issues labelled codex-review, closed ones included', async () => {
    gl.seedIssue({ title: 'unrelated', description: `mentions ${MARKER}` });
    gl.seedIssue({ title: 'other audit', description: auditMarker('x'), labels: ['codex-review'] });
    const seeded = gl.seedIssue({
      title: 'Codex audit',
      description: `findings\n${MARKER}`,
      labels: ['Codex-Review'],
      state: 'closed',
    });
    expect(await issues().findIssue(MARKER)).toEqual({
      number: seeded.iid,
      url: `${WEB}/-/issues/${seeded.iid}`,
      body: `findings\n${MARKER}`,
      state: 'closed',
    });
    const listed = gl.requests.find((r) => r.path.endsWith('/issues'))!;
    expect(listed.path).toBe('/api/v4/projects/group%2Fdemo/issues');
    expect(listed.query).toMatchObject({ labels: 'codex-review', state: 'all' });
  });

  it('finds none when no labelled issue carries the marker', async () => {
    gl.seedIssue({ title: 'no description', labels: ['codex-review'] });
    expect(await issues().findIssue(MARKER)).toBeUndefined();
  });

  it('looks past the first page', async () => {
    // The oldest issue: GitLab lists newest first, so it is on the second page.
    gl.seedIssue({ title: 'audit', description: MARKER, labels: ['codex-review'] });
    for (let i = 0; i < 120; i++) gl.seedIssue({ title: `filler ${i}`, labels: ['codex-review'] });
    expect((await issues().findIssue(MARKER))?.number).toBe(1);
    expect(gl.requests.filter((r) => r.path.endsWith('/issues'))).toHaveLength(2);
  });
});

describe('writing it', () => {
  it('creates it open, labelled, with quick actions escaped', async () => {
    const created = await issues().createIssue('Codex audit', `/close\nfindings\n${MARKER}`);
    expect(created).toEqual({
      number: 1,
      url: `${WEB}/-/issues/1`,
      body: `\\/close\nfindings\n${MARKER}`,
      state: 'open',
    });
    expect(gl.issues()[0]).toMatchObject({ labels: ['codex-review'], state: 'opened' });
  });

  it('closes and reopens only when the state changes, and rewrites the body', async () => {
    const tracker = issues();
    const issue = await tracker.createIssue('Codex audit', `open ${MARKER}`);
    const closed = await tracker.updateIssue(issue, {
      body: `none left ${MARKER}`,
      state: 'closed',
    });
    expect(closed).toMatchObject({ state: 'closed', body: `none left ${MARKER}` });
    const still = await tracker.updateIssue(closed, { body: `/reopen ${MARKER}`, state: 'closed' });
    expect(still).toMatchObject({ state: 'closed', body: `\\/reopen ${MARKER}` });
    const reopened = await tracker.updateIssue(still, { body: `again ${MARKER}`, state: 'open' });
    expect(reopened.state).toBe('open');
    const events = gl.requests
      .filter((r) => r.method === 'PUT')
      .map((r) => (r.body as { state_event?: string }).state_event);
    expect(events).toEqual(['close', undefined, 'reopen']);
  });

  it('says which token to use when it may not write (read_api: 403)', async () => {
    const error = await issues(READ)
      .createIssue('t', 'b')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PermissionDeniedError);
    expect((error as Error).message).toContain('cannot write issues (403)');
    expect((error as Error).message).toContain('`api` scope');
  });

  it('passes other errors on as they are', async () => {
    gl.serverError(1, { method: 'POST', status: 500 });
    await expect(issues().createIssue('t', 'b')).rejects.toThrow(
      '→ 500: 500 Internal Server Error',
    );
  });
});

describe('links', () => {
  it('points at a file at a commit, with GitLab’s line fragment', () => {
    expect(issues().fileUrl('abc123', 'src/a b.ts', 4, 9)).toBe(
      `${WEB}/-/blob/abc123/src/a%20b.ts#L4-9`,
    );
  });
});
