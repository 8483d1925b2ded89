// Publishing on a pull request: the action entry, the real Codex CLI, the fake model and the
// faithful fake GitHub API, run after run.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { inspectState, fingerprintsIn, SUMMARY_MARKER } from '../../src/core/state/markers.js';
import { FakeGitHub } from '../fakes/github-api.js';
import { FakeResponsesApi, message } from '../fakes/responses-api.js';
import { FAKE_GITHUB_TOKEN, runAction, type ActionRunOptions } from '../support/action-runner.js';
import type { GitRepo } from '../support/git-repo.js';
import { lines, prRepo } from '../support/pr-repo.js';

const KEY = 'sk-test-publish-0123456789abcdefgh';
const PR = 12;
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

interface Spec {
  title: string;
  file: string;
  start: number;
  end: number;
  priority: number | null;
}

/** The model's review: findings by title, file and lines (absolute paths, as Codex reports). */
function review(repo: GitRepo, specs: Spec[]) {
  return JSON.stringify({
    findings: specs.map((s) => ({
      title: s.title,
      body: `Why "${s.title}" matters.`,
      confidence_score: 0.8,
      priority: s.priority,
      code_location: {
        absolute_file_path: path.isAbsolute(s.file) ? s.file : repo.path(s.file),
        line_range: { start: s.start, end: s.end },
      },
    })),
    overall_correctness: 'patch is incorrect',
    overall_explanation: 'Several problems.',
    overall_confidence_score: 0.7,
  });
}

const FINDINGS: Spec[] = [
  { title: 'Unvalidated JSON.parse', file: 'app.js', start: 4, end: 4, priority: 1 }, // added line
  { title: 'Unbounded recursion', file: 'app.js', start: 21, end: 23, priority: 1 }, // multi-line, added
  { title: 'Misleading comment', file: 'app.js', start: 2, end: 2, priority: 2 }, // context line
  { title: 'Range runs past the hunk', file: 'app.js', start: 6, end: 12, priority: 0 }, // clamped to 6-7
  { title: 'Stale helper', file: 'util.js', start: 40, end: 41, priority: 1 }, // changed file, outside hunks
  { title: 'Old file is wrong', file: 'untouched.js', start: 1, end: 1, priority: 1 }, // untouched file
  { title: 'Hosts file', file: '/etc/hosts', start: 1, end: 1, priority: 1 }, // outside the repo
];

async function setup(
  options: {
    tokenScope?: 'write' | 'read';
    unrenderedPaths?: string[];
    tooLargeDiff?: boolean;
  } = {},
) {
  const { repo, baseSha, headSha } = prRepo();
  cleanups.push(() => repo.remove());
  const gh = await new FakeGitHub({
    repoDir: repo.dir,
    owner: 'octo',
    repo: 'demo',
    tokens: { [FAKE_GITHUB_TOKEN]: options.tokenScope ?? 'write' },
    permissions: { octocat: 'write' },
    ...(options.unrenderedPaths ? { unrenderedPaths: options.unrenderedPaths } : {}),
    ...(options.tooLargeDiff ? { tooLargeDiff: true } : {}),
  }).start();
  cleanups.push(() => gh.stop());
  gh.setPullRequest({ number: PR, baseSha, headSha });
  let reply = review(repo, FINDINGS);
  const model = await new FakeResponsesApi(() => ({ kind: 'items', items: [message(reply)] }), {
    apiKey: KEY,
  }).start();
  cleanups.push(() => model.stop());
  const run = (extra: Partial<ActionRunOptions> = {}, head = headSha) =>
    runAction({
      workspace: repo.dir,
      inputs: { 'openai-api-key': KEY, 'openai-base-url': model.url, ...(extra.inputs ?? {}) },
      payload: {
        pull_request: {
          number: PR,
          html_url: `https://github.com/octo/demo/pull/${PR}`,
          base: { sha: baseSha },
          head: { sha: head },
        },
      },
      sha: head,
      env: {
        GITHUB_API_URL: gh.url,
        CODEX_REVIEW_GITHUB_RETRY_BASE_MS: '50',
        ...(extra.env ?? {}),
      },
    });
  return {
    repo,
    baseSha,
    headSha,
    gh,
    model,
    run,
    setReply: (specs: Spec[]) => (reply = review(repo, specs)),
  };
}

const byTitle = (findings: Array<Record<string, unknown>>, title: string) =>
  findings.find((f) => f.title === title)!;

describe('posting a review on a pull request', () => {
  it('posts one review with every inline finding on its exact lines and one summary with the rest', async () => {
    const { gh, run, headSha } = await setup();
    const result = await run();
    expect(result.exitCode, result.stdout).toBe(0);

    // One review, one summary: two write calls.
    expect(gh.writes.map((w) => `${w.method} ${w.path}`)).toEqual([
      `POST /repos/octo/demo/pulls/${PR}/reviews`,
      `POST /repos/octo/demo/issues/${PR}/comments`,
    ]);
    const [posted] = gh.reviews();
    expect(posted).toMatchObject({ state: 'COMMENTED', commit_id: headSha });
    const comments = gh.reviewComments();
    const at = (title: string) => comments.find((c) => c.body.includes(title))!;
    expect(at('Unvalidated JSON.parse')).toMatchObject({
      path: 'app.js',
      line: 4,
      start_line: null,
      side: 'RIGHT',
    });
    expect(at('Unbounded recursion')).toMatchObject({ path: 'app.js', line: 23, start_line: 21 });
    expect(at('Misleading comment')).toMatchObject({ path: 'app.js', line: 2 });
    expect(at('Range runs past the hunk')).toMatchObject({
      path: 'app.js',
      start_line: 6,
      line: 7,
    });
    expect(at('Range runs past the hunk').body).toContain('reported on lines 6–12; shown on 6–7');
    expect(comments).toHaveLength(4);
    for (const c of comments) expect(fingerprintsIn(c.body)).toHaveLength(1);

    const [summary] = gh.issueComments();
    expect(summary!.body).toContain(SUMMARY_MARKER);
    expect(summary!.body).toContain('Stale helper');
    expect(summary!.body).toContain('Old file is wrong');
    expect(summary!.body).toContain('Hosts file');
    expect(summary!.body).toContain(
      `(https://github.com/octo/demo/blob/${headSha}/util.js#L40-L41)`,
    );
    expect(summary!.body).not.toContain('Unvalidated JSON.parse');
    expect(inspectState(summary!.body)!.reviewedHead).toBe(headSha);

    expect(result.outputs['review-url']).toBe(posted!.html_url);
    const file = JSON.parse(fs.readFileSync(result.outputs['findings-file']!, 'utf8'));
    const findings = file.findings as Array<Record<string, unknown>>;
    expect(byTitle(findings, 'Unbounded recursion')).toMatchObject({
      placement: 'inline',
      anchor: { startLine: 21, line: 23 },
    });
    expect(byTitle(findings, 'Stale helper')).toMatchObject({
      placement: 'file',
      placementReason: expect.any(String),
    });
    expect(byTitle(findings, 'Old file is wrong')).toMatchObject({ placement: 'summary' });
    expect(byTitle(findings, 'Hosts file')).toMatchObject({ placement: 'summary' });
    expect(result.summary).toContain('| Posted as |');
  });

  it('posts nothing new on a second run and edits the summary in place, finding it past the first page', async () => {
    const { gh, run } = await setup();
    // 120 comments by people come first: the summary lands on the second page of 100.
    for (let i = 0; i < 120; i++) gh.seedIssueComment(PR, `LGTM ${i}`, 'alice');
    expect((await run()).exitCode).toBe(0);
    const firstSummary = gh.issueComments().find((c) => c.body.includes(SUMMARY_MARKER))!;
    const second = await run();
    expect(second.exitCode, second.stdout).toBe(0);
    expect(gh.reviews()).toHaveLength(1);
    expect(gh.reviewComments()).toHaveLength(4);
    const summaries = gh.issueComments().filter((c) => c.body.includes(SUMMARY_MARKER));
    expect(summaries).toHaveLength(1);
    expect(summaries[0]!.id).toBe(firstSummary.id);
    expect(gh.writes.at(-1)).toMatchObject({
      method: 'PATCH',
      path: `/repos/octo/demo/issues/comments/${firstSummary.id}`,
    });
    expect(gh.issueComments().find((c) => c.id === firstSummary.id)!.body).toContain(
      '4 already inline from an earlier run',
    );
  });

  it('recognises findings that moved after a push and reviews only the new commits', async () => {
    const { gh, run, repo, model, headSha, baseSha, setReply } = await setup();
    expect((await run()).exitCode).toBe(0);
    // A push adds five lines at the top of app.js: every app.js finding moves down by five.
    const app = fs.readFileSync(repo.path('app.js'), 'utf8');
    repo.write('app.js', `${lines(5, 'header').join('\n')}\n${app}`);
    const pushed = repo.commit('add a header');
    gh.setPullRequest({ number: PR, baseSha, headSha: pushed });
    setReply(
      FINDINGS.filter((f) => f.title !== 'Stale helper').map((f) =>
        f.file === 'app.js' ? { ...f, start: f.start + 5, end: f.end + 5 } : f,
      ),
    );
    const before = model.requests.length;
    const second = await run({}, pushed);
    expect(second.exitCode, second.stdout).toBe(0);

    // The model was asked about the new commit only: its base is the last reviewed head.
    const prompt = model.requests
      .slice(before)
      .map((r) => r.raw)
      .join('\n');
    expect(prompt).toContain(headSha);
    expect(prompt).not.toContain(baseSha);
    expect(second.log).toContain(`Incremental review: the commits since ${headSha.slice(0, 7)}`);

    // No duplicate inline comments, one summary, edited.
    expect(gh.reviews()).toHaveLength(1);
    expect(gh.reviewComments()).toHaveLength(4);
    expect(gh.issueComments()).toHaveLength(1);
    const summary = gh.issueComments()[0]!.body;
    // util.js was not touched by the new commit, so its earlier finding is still open.
    expect(summary).toContain('### Still open from earlier reviews');
    expect(summary).toContain('Stale helper');
    expect(inspectState(summary)!.reviewedHead).toBe(pushed);
  });

  it('marks findings the latest full review no longer reports as resolved', async () => {
    const { gh, run, setReply } = await setup();
    expect((await run()).exitCode).toBe(0);
    setReply(FINDINGS.filter((f) => f.title !== 'Old file is wrong'));
    // The same head again: a re-run reviews the whole change.
    const second = await run();
    expect(second.exitCode).toBe(0);
    const summary = gh.issueComments()[0]!.body;
    expect(summary).toContain('### Resolved since the last review');
    expect(summary).toContain('~~Old file is wrong~~');
  });

  it('recovers from a 422: posts the accepted comments in one review and moves the rejected to the summary', async () => {
    const { gh, run, setReply } = await setup({ unrenderedPaths: ['util.js'] });
    setReply([
      ...FINDINGS,
      { title: 'Changed line in util', file: 'util.js', start: 2, end: 2, priority: 1 },
    ]);
    const result = await run();
    expect(result.exitCode, result.stdout).toBe(0);
    expect(result.log).toContain(
      'GitHub rejected the review (Unprocessable Entity: Line could not be resolved)',
    );
    // One submitted review without the refused comment; no trial review left behind.
    expect(gh.reviews().map((r) => r.state)).toEqual(['COMMENTED']);
    expect(gh.reviewComments()).toHaveLength(4);
    expect(gh.reviewComments().some((c) => c.body.includes('Changed line in util'))).toBe(false);
    const summary = gh.issueComments()[0]!.body;
    expect(summary).toContain('Changed line in util');
    expect(summary).toContain(
      'GitHub rejected the inline comment: Unprocessable Entity: Line could not be resolved',
    );
    const file = JSON.parse(fs.readFileSync(result.outputs['findings-file']!, 'utf8'));
    expect(byTitle(file.findings, 'Changed line in util')).toMatchObject({ placement: 'summary' });
  });

  it('retries server errors and secondary rate limits, posting each thing once', async () => {
    const { gh, run } = await setup();
    gh.serverError(2, { method: 'POST', path: /\/reviews$/ });
    gh.secondaryRateLimit({
      retryAfter: 1,
      times: 1,
      method: 'POST',
      path: /\/issues\/\d+\/comments$/,
    });
    const result = await run();
    expect(result.exitCode, result.stdout).toBe(0);
    expect(gh.reviews()).toHaveLength(1);
    expect(gh.reviewComments()).toHaveLength(4);
    expect(gh.issueComments()).toHaveLength(1);
    expect(gh.pendingFaults()).toBe(0);
    expect(result.log).toContain('GitHub secondary rate limit on POST');
  });

  it('falls back to annotations and the step summary when the token cannot write (a fork)', async () => {
    const { gh, run } = await setup({ tokenScope: 'read' });
    const result = await run();
    expect(result.exitCode, result.stdout).toBe(0);
    expect(gh.reviews()).toHaveLength(0);
    expect(gh.issueComments()).toHaveLength(0);
    expect(result.log).toMatch(
      /::notice::Findings were not posted on the pull request: The GitHub token cannot post a review \(403/,
    );
    expect(result.log).toContain(
      '::error title=[P1] Unvalidated JSON.parse,file=app.js,line=4,endLine=4::',
    );
    expect(result.summary).toContain('not posted');
    const file = JSON.parse(fs.readFileSync(result.outputs['findings-file']!, 'utf8'));
    expect(new Set(file.findings.map((f: { placement: string }) => f.placement))).toEqual(
      new Set(['not-posted']),
    );
  });

  it('posts only the summary with post: summary, and nothing with post: none', async () => {
    const summaryOnly = await setup();
    expect((await summaryOnly.run({ inputs: { post: 'summary' } })).exitCode).toBe(0);
    expect(summaryOnly.gh.reviews()).toHaveLength(0);
    expect(summaryOnly.gh.issueComments()).toHaveLength(1);
    expect(summaryOnly.gh.issueComments()[0]!.body).toContain('Unvalidated JSON.parse');

    const none = await setup();
    const result = await none.run({ inputs: { post: 'none' } });
    expect(result.exitCode).toBe(0);
    // Only the trigger check (a read) reached GitHub.
    expect(none.gh.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'GET /repos/octo/demo/collaborators/octocat/permission',
    ]);
    expect(result.outputs['findings-count']).toBe(String(FINDINGS.length));
  });

  it('places comments with a diff computed by git when GitHub refuses a diff this large', async () => {
    const { gh, run } = await setup({ tooLargeDiff: true });
    const result = await run();
    expect(result.exitCode, result.stdout).toBe(0);
    expect(result.log).toContain("GitHub will not serve this pull request's diff");
    expect(gh.reviewComments()).toHaveLength(4);
  });

  it('posts nothing outside a pull request with post: auto, but fills the outputs and step summary', async () => {
    const { gh, repo, headSha, model } = await setup();
    const result = await runAction({
      workspace: repo.dir,
      eventName: 'push',
      payload: { after: headSha },
      sha: headSha,
      inputs: { 'openai-api-key': KEY, 'openai-base-url': model.url },
      env: { GITHUB_API_URL: gh.url },
    });
    expect(result.exitCode, result.stdout).toBe(0);
    expect(gh.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'GET /repos/octo/demo/collaborators/octocat/permission',
    ]);
    expect(Number(result.outputs['findings-count'])).toBeGreaterThan(0);
    expect(result.outputs['review-url']).toBe('');
    expect(result.summary).toContain('| Priority | Finding | Location | Confidence |');
  });

  it('fails before running Codex when the GitHub token is rejected', async () => {
    const { run, model } = await setup();
    const result = await run({
      inputs: { 'github-token': 'ghs_not_a_valid_token_000000000000000' },
    });
    expect(result.exitCode).toBe(1);
    expect(result.log).toContain('GitHub rejected `github-token` (401 Bad credentials)');
    expect(model.requests).toHaveLength(0);
  });
});

describe('publishing under attack and failure', () => {
  it('posts a review once when GitHub created it but answered 502', async () => {
    const { gh, run } = await setup();
    gh.inject({ method: 'POST', path: /\/reviews$/, status: 502, afterHandler: true });
    const result = await run();
    expect(result.exitCode, result.stdout).toBe(0);
    expect(gh.reviews()).toHaveLength(1);
    expect(gh.reviewComments()).toHaveLength(4);
  });

  it('ignores a summary marker and state planted by someone else, and keeps to its own comment', async () => {
    const { gh, run, headSha } = await setup();
    const forged = await (async () => {
      const { encodeState } = await import('../../src/core/state/markers.js');
      const seal = { key: undefined, scope: '' };
      return `${SUMMARY_MARKER}\nquoted by a person\n${encodeState({ version: 2, reviewedHead: headSha, findings: [] }, seal).marker}`;
    })();
    const planted = gh.seedIssueComment(PR, forged, 'mallory');
    const result = await run();
    expect(result.exitCode, result.stdout).toBe(0);
    // Mallory's comment is untouched; the bot wrote its own summary and reviewed everything.
    expect(gh.issueComments().find((c) => c.id === planted.id)!.body).toBe(forged);
    const ours = gh.issueComments().filter((c) => c.id !== planted.id);
    expect(ours).toHaveLength(1);
    expect(gh.reviewComments()).toHaveLength(4);
  });

  it('redacts the API key from everything it posts', async () => {
    const { gh, run, setReply } = await setup();
    setReply([{ ...FINDINGS[0]!, title: `Leaked ${KEY}` }, ...FINDINGS.slice(1)]);
    const result = await run();
    expect(result.exitCode, result.stdout).toBe(0);
    const posted = [
      ...gh.reviewComments().map((c) => c.body),
      ...gh.issueComments().map((c) => c.body),
    ].join('\n');
    expect(posted).toContain('Leaked ***');
    expect(posted).not.toContain(KEY);
  });

  it('keeps every finding in the files and fails the step when posting fails for good', async () => {
    const { gh, run } = await setup();
    gh.serverError(20, { status: 500, method: 'POST', path: /\/issues\/\d+\/comments$/ });
    const result = await run();
    expect(result.exitCode).toBe(1);
    expect(result.log).toContain(
      '::error::Codex reviewed the change, but posting the results failed',
    );
    const file = JSON.parse(fs.readFileSync(result.outputs['findings-file']!, 'utf8'));
    expect(file.findings).toHaveLength(FINDINGS.length);
    expect(result.summary).toContain('Unvalidated JSON.parse');
    expect(result.log).toContain('Unvalidated JSON.parse');
  });
});

describe('a network failure while Codex works', () => {
  it('keeps every finding and explains, when GitHub becomes unreachable before posting', async () => {
    const { repo, baseSha, headSha } = prRepo();
    cleanups.push(() => repo.remove());
    const gh = await new FakeGitHub({
      repoDir: repo.dir,
      owner: 'octo',
      repo: 'demo',
      tokens: { [FAKE_GITHUB_TOKEN]: 'write' },
      permissions: { octocat: 'write' },
    }).start();
    gh.setPullRequest({ number: PR, baseSha, headSha });
    const reply = review(repo, FINDINGS);
    // GitHub goes away while the model is answering: after the run, nothing can be posted.
    const model = await new FakeResponsesApi(
      () => {
        void gh.stop();
        return { kind: 'items', items: [message(reply)] };
      },
      { apiKey: KEY },
    ).start();
    cleanups.push(() => model.stop());
    const result = await runAction({
      workspace: repo.dir,
      inputs: { 'openai-api-key': KEY, 'openai-base-url': model.url },
      payload: { pull_request: { number: PR, base: { sha: baseSha }, head: { sha: headSha } } },
      sha: headSha,
      env: { GITHUB_API_URL: gh.url, CODEX_REVIEW_GITHUB_RETRY_BASE_MS: '50' },
    });
    expect(result.exitCode).toBe(1);
    expect(result.log).toContain(
      '::error::Codex reviewed the change, but posting the results failed',
    );
    const file = JSON.parse(fs.readFileSync(result.outputs['findings-file']!, 'utf8'));
    expect(file.findings).toHaveLength(FINDINGS.length);
    expect(new Set(file.findings.map((f: { placement: string }) => f.placement))).toEqual(
      new Set(['not-posted']),
    );
    expect(result.summary).toContain('Unvalidated JSON.parse');
  });
});
