// GitHubIssues, the audits' tracking issue on GitHub, against the fake GitHub API (which checks
// every request against GitHub's REST description).
import { getOctokit } from '@actions/github';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { RecordingLogger } from '../../src/core/logger.js';
import { PermissionDeniedError } from '../../src/core/platform.js';
import { publishTrackingIssue } from '../../src/core/publish/audit.js';
import { StateKey } from '../../src/core/state/state-key.js';
import { auditMarker } from '../../src/core/state/markers.js';
import { Redactor } from '../../src/core/redact.js';
import { fingerprintOf, type Finding } from '../../src/core/review/finding.js';
import type { ReviewResult } from '../../src/core/review/result.js';
import { AUDIT_LABEL, GitHubIssues } from '../../src/github/issues.js';
import { FakeGitHub } from '../fakes/github-api.js';
import { featureRepo } from '../support/git-repo.js';
import type { GitRepo } from '../support/git-repo.js';

const WRITE = 'ghs_issues_write_0123456789';
const READ = 'ghs_issues_read_0123456789';
const REPO = { owner: 'octo', repo: 'demo' };
const MARKER = auditMarker('nightly/audit');

let fixture: { repo: GitRepo; baseSha: string; headSha: string };
beforeAll(() => {
  fixture = featureRepo();
});
afterAll(() => fixture.repo.remove());

let gh: FakeGitHub;
beforeEach(async () => {
  gh = await new FakeGitHub({
    repoDir: fixture.repo.dir,
    ...REPO,
    tokens: { [WRITE]: 'write', [READ]: 'read' },
  }).start();
  gh.setPullRequest({ number: 1, baseSha: fixture.baseSha, headSha: fixture.headSha });
});
afterEach(() => gh.stop());

/** The action's Octokit with throttling's write spacing off (see github-platform.test.ts). */
const issues = (token = WRITE) =>
  new GitHubIssues(
    getOctokit(
      token,
      { baseUrl: gh.url, throttle: { enabled: false }, retry: { retryAfterBaseValue: 1 } },
      retry,
      throttling,
    ),
    REPO,
    'https://github.example',
  );

const writes = () =>
  gh.writes.map((w) => ({
    request: `${w.method} ${w.path.replace('/repos/octo/demo', '')}`,
    body: w.body,
  }));

describe('GitHubIssues.findIssue', () => {
  it('finds the labelled issue carrying the marker, closed ones included', async () => {
    gh.seedIssue({ title: 'Unlabelled', body: `quoted ${MARKER}` });
    const closed = gh.seedIssue({
      title: 'Audit',
      body: `${MARKER}\nold`,
      labels: [AUDIT_LABEL],
      state: 'closed',
    });
    gh.seedIssue({ title: 'Other audit', body: auditMarker('other'), labels: [AUDIT_LABEL] });
    expect(await issues().findIssue(MARKER)).toEqual({
      number: closed.number,
      url: closed.html_url,
      body: `${MARKER}\nold`,
      state: 'closed',
    });
    expect(await issues().findIssue(auditMarker('missing'))).toBeUndefined();
    expect(gh.requests.at(-1)!.query).toMatchObject({
      state: 'all',
      labels: AUDIT_LABEL,
      sort: 'created',
      direction: 'desc',
    });
  });

  it('takes the newest of two, and reads past the first page', async () => {
    const oldest = gh.seedIssue({ title: 'Audit', body: MARKER, labels: [AUDIT_LABEL] });
    for (let i = 0; i < 120; i++)
      gh.seedIssue({ title: `noise ${i}`, body: 'x', labels: [AUDIT_LABEL] });
    expect((await issues().findIssue(MARKER))?.number).toBe(oldest.number);
    const newer = gh.seedIssue({ title: 'Audit again', body: MARKER, labels: [AUDIT_LABEL] });
    expect((await issues().findIssue(MARKER))?.number).toBe(newer.number);
  });

  it('reads with a read-only token', async () => {
    gh.seedIssue({ title: 'Audit', body: MARKER, labels: [AUDIT_LABEL] });
    expect(await issues(READ).findIssue(MARKER)).toBeDefined();
  });
});

describe('GitHubIssues.createIssue and updateIssue', () => {
  it('opens a labelled issue', async () => {
    const created = await issues().createIssue('Nightly audit', `${MARKER}\nfindings`);
    const [stored] = gh.issues();
    expect(created).toEqual({
      number: stored!.number,
      url: stored!.html_url,
      body: `${MARKER}\nfindings`,
      state: 'open',
    });
    expect(stored!.labels.map((l) => l.name)).toEqual([AUDIT_LABEL]);
    expect(stored!.title).toBe('Nightly audit');
  });

  it('closes as completed and reopens, giving a reason only when the state changes', async () => {
    const tracker = issues();
    const issue = await tracker.createIssue('Audit', 'v1');
    const edited = await tracker.updateIssue(issue, { body: 'v2', state: 'open' });
    const closed = await tracker.updateIssue(edited, { body: 'v3', state: 'closed' });
    expect(closed).toMatchObject({ state: 'closed', body: 'v3' });
    expect(gh.issues()[0]).toMatchObject({ state: 'closed', state_reason: 'completed' });
    const reopened = await tracker.updateIssue(closed, { body: 'v4', state: 'open' });
    expect(reopened).toMatchObject({ state: 'open', body: 'v4' });
    expect(gh.issues()[0]).toMatchObject({ state: 'open', state_reason: 'reopened' });
    expect(writes().map((w) => w.body)).toEqual([
      { title: 'Audit', body: 'v1', labels: [AUDIT_LABEL] },
      { body: 'v2', state: 'open' },
      { body: 'v3', state: 'closed', state_reason: 'completed' },
      { body: 'v4', state: 'open', state_reason: 'reopened' },
    ]);
  });

  it('keeps the reason a person closed the issue with when it stays closed', async () => {
    const seeded = gh.seedIssue({
      title: 'Audit',
      body: MARKER,
      state: 'closed',
      stateReason: 'not_planned',
    });
    const issue = {
      number: seeded.number,
      url: seeded.html_url,
      body: MARKER,
      state: 'closed' as const,
    };
    await issues().updateIssue(issue, { body: 'nothing open', state: 'closed' });
    expect(gh.issues()).toMatchObject([{ state: 'closed', state_reason: 'not_planned' }]);
  });

  it('throws PermissionDeniedError when the token cannot write', async () => {
    const { number, html_url } = gh.seedIssue({ title: 'Audit', body: MARKER });
    await expect(issues(READ).createIssue('Audit', 'x')).rejects.toThrow(PermissionDeniedError);
    await expect(
      issues(READ).updateIssue(
        { number, url: html_url, body: MARKER, state: 'open' },
        { body: 'x', state: 'closed' },
      ),
    ).rejects.toThrow(/The GitHub token cannot update the tracking issue \(403/);
    expect(gh.issues()).toMatchObject([{ body: MARKER, state: 'open' }]);
  });

  it('says the token is bad on a 401, not that it lacks permission', async () => {
    await expect(issues('ghs_revoked_0123456789').createIssue('Audit', 'x')).rejects.toThrow(
      'GitHub rejected the token (401) while trying to open the tracking issue.',
    );
  });

  it('links to lines at the audited commit', () => {
    expect(issues().fileUrl('abc123', 'src/a b.ts', 4, 9)).toBe(
      'https://github.example/octo/demo/blob/abc123/src/a%20b.ts#L4-L9',
    );
  });
});

describe('publishTrackingIssue through GitHubIssues', () => {
  const finding = (title: string): Finding => ({
    title,
    body: `${title} body`,
    priority: 1,
    confidence: 0.5,
    path: 'app.js',
    startLine: 2,
    endLine: 2,
    inRepo: true,
    fingerprint: fingerprintOf('app.js', title),
  });
  const audit = (findings: Finding[]) =>
    publishTrackingIssue({
      result: {
        mode: 'review',
        target: undefined,
        headSha: fixture.headSha,
        threadId: 't',
        finalMessage: '',
        findings,
        verdict: { correctness: null, explanation: null, confidence: null },
        structured: undefined,
        source: 'session-file',
        incomplete: undefined,
        usage: {
          input_tokens: 0,
          cached_input_tokens: 0,
          output_tokens: 0,
          reasoning_output_tokens: 0,
        },
        blockingCount: 0,
        codex: { version: '0.169.0', durationMs: 0, fromCache: true },
        exec: undefined,
      } satisfies ReviewResult,
      tracker: issues(),
      key: 'nightly/audit',
      title: 'Nightly audit',
      sha: fixture.headSha,
      runUrl: undefined,
      date: '2026-01-01',
      redactor: new Redactor(),
      stateKey: StateKey.fromSecret('sk-test-issues-state-key'),
      logger: new RecordingLogger(),
    });

  it('opens, closes and reopens one issue over three runs, in requests GitHub accepts', async () => {
    const first = await audit([finding('Unsafe eval')]);
    expect(gh.issues()).toHaveLength(1);
    expect(first.url).toBe(gh.issues()[0]!.html_url);
    await audit([]);
    expect(gh.issues()).toMatchObject([{ state: 'closed', state_reason: 'completed' }]);
    await audit([finding('Unsafe eval')]);
    expect(gh.issues()).toMatchObject([{ state: 'open', state_reason: 'reopened' }]);
    expect(gh.issues()[0]!.body).toContain(MARKER);
  });
});
