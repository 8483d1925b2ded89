// `codex-review gitlab` from the built CLI in a simulated merge-request pipeline: the real
// Codex CLI, the fake model and the faithful fake GitLab API.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SUMMARY_MARKER } from '../../src/core/state/markers.js';
import { FakeGitLab, type FakeGitLabOptions } from '../fakes/gitlab-api.js';
import { FakeResponsesApi, message } from '../fakes/responses-api.js';
import { runCli } from '../support/action-runner.js';
import type { GitRepo } from '../support/git-repo.js';
import { prRepo } from '../support/pr-repo.js';
import { mergeRequestJob } from '../support/gitlab-job.js';

const KEY = 'sk-test-gitlab-0123456789abcdefghi';
const TOKEN = 'glpat-test-token-0123456789abcd';
const JOB_TOKEN = 'glcbt-job-token-0123456789abcdef';
const IID = 5;
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

interface Spec {
  title: string;
  file: string;
  start: number;
  end: number;
  priority: number;
}

function review(repo: GitRepo, specs: Spec[]) {
  return JSON.stringify({
    findings: specs.map((s) => ({
      title: s.title,
      body: `Why "${s.title}" matters.`,
      confidence_score: 0.8,
      priority: s.priority,
      code_location: {
        absolute_file_path: repo.path(s.file),
        line_range: { start: s.start, end: s.end },
      },
    })),
    overall_correctness: 'patch is incorrect',
    overall_explanation: 'Problems.',
    overall_confidence_score: 0.7,
  });
}

// prRepo: app.js gains line 4 and lines 21-23; util.js line 2 changes (old line 2 removed).
const FINDINGS: Spec[] = [
  { title: 'Added line issue', file: 'app.js', start: 4, end: 4, priority: 1 },
  { title: 'Context line issue', file: 'app.js', start: 2, end: 2, priority: 1 },
  { title: 'Multi-line issue', file: 'app.js', start: 21, end: 23, priority: 1 },
  { title: 'Outside the diff', file: 'util.js', start: 40, end: 40, priority: 1 },
];

async function setup(
  options: {
    emptyVersionsFirst?: number;
    /** Options of the fake GitLab beyond its defaults (GitLab's own behaviour). */
    fake?: Partial<FakeGitLabOptions>;
  } = {},
) {
  const { repo, baseSha } = prRepo();
  cleanups.push(() => repo.remove());
  // The merge request also deletes a file: findings there sit on the old side only.
  repo.git('rm', '-q', 'untouched.js');
  const headSha = repo.commit('remove untouched.js');
  const gl = await new FakeGitLab({
    repoDir: repo.dir,
    projectId: 42,
    projectPath: 'group/demo',
    tokens: { [TOKEN]: 'api' },
    jobToken: JOB_TOKEN,
    ...options.fake,
  }).start();
  cleanups.push(() => gl.stop());
  gl.setMergeRequest({
    iid: IID,
    baseSha,
    headSha,
    ...(options.emptyVersionsFirst ? { emptyVersionsFirst: options.emptyVersionsFirst } : {}),
  });
  let reply = review(repo, FINDINGS);
  const model = await new FakeResponsesApi(() => ({ kind: 'items', items: [message(reply)] }), {
    apiKey: KEY,
  }).start();
  cleanups.push(() => model.stop());
  const run = async (env: Record<string, string> = {}, head = headSha) => {
    const result = await runCli(['gitlab'], {
      cwd: repo.dir,
      env: {
        ...mergeRequestJob(gl.url, repo.dir),
        CI_MERGE_REQUEST_IID: String(IID),
        CI_MERGE_REQUEST_DIFF_BASE_SHA: baseSha,
        CI_COMMIT_SHA: head,
        CI_JOB_TOKEN: JOB_TOKEN,
        OPENAI_API_KEY: KEY,
        CODEX_REVIEW_OPENAI_BASE_URL: model.url,
        GITLAB_TOKEN: TOKEN,
        ...env,
      },
    });
    return { ...result, findingsFile: path.join(repo.dir, 'codex-review-findings.json') };
  };
  return {
    repo,
    baseSha,
    headSha,
    gl,
    model,
    run,
    setReply: (specs: Spec[]) => (reply = review(repo, specs)),
  };
}

describe('codex-review gitlab in a merge request pipeline', () => {
  it('posts positions for added, context and multi-line findings, and one summary note', async () => {
    const { gl, run } = await setup();
    const result = await run();
    expect(result.code, result.stderr).toBe(0);
    const discussions = gl.discussions(IID);
    const positionOf = (title: string) =>
      discussions.find((d) => d.notes[0]!.body.includes(title))!.notes[0]!.position!;
    expect(positionOf('Added line issue')).toMatchObject({ new_path: 'app.js', new_line: 4 });
    expect(positionOf('Added line issue').old_line ?? null).toBeNull();
    expect(positionOf('Context line issue')).toMatchObject({ new_line: 2, old_line: 2 });
    expect(positionOf('Multi-line issue')).toMatchObject({
      new_line: 23,
      line_range: { start: { new_line: 21 }, end: { new_line: 23 } },
    });
    // The finding in a changed file, outside the diff, is a discussion on the file itself.
    expect(positionOf('Outside the diff')).toMatchObject({
      position_type: 'file',
      new_path: 'util.js',
    });
    expect(discussions).toHaveLength(4);
    const summaries = gl.notes(IID).filter((n) => n.body.includes(SUMMARY_MARKER));
    expect(summaries).toHaveLength(1);
    expect(summaries[0]!.body).toContain('4 posted inline');
    const file = JSON.parse(fs.readFileSync(result.findingsFile, 'utf8'));
    expect(file.findings.map((f: { placement: string }) => f.placement)).toEqual([
      'inline',
      'inline',
      'inline',
      'inline',
    ]);
  });

  it('edits the summary note on a second run and opens no duplicate discussion', async () => {
    const { gl, run } = await setup();
    expect((await run()).code).toBe(0);
    const first = gl.notes(IID).find((n) => n.body.includes(SUMMARY_MARKER))!;
    const second = await run();
    expect(second.code, second.stderr).toBe(0);
    expect(gl.discussions(IID)).toHaveLength(4);
    const summaries = gl.notes(IID).filter((n) => n.body.includes(SUMMARY_MARKER));
    expect(summaries).toHaveLength(1);
    expect(summaries[0]!.id).toBe(first.id);
    expect(summaries[0]!.body).toContain('4 already inline from an earlier run');
  });

  it('moves a finding whose position GitLab rejects to the summary and still posts the others', async () => {
    const { gl, run } = await setup();
    gl.inject({
      method: 'POST',
      path: /draft_notes$/,
      status: 400,
      times: 1,
      body: { message: '400 Bad request - Note {:line_code=>["can\'t be blank"]}' },
    });
    const result = await run();
    expect(result.code, result.stderr).toBe(0);
    expect(gl.discussions(IID)).toHaveLength(3);
    const summary = gl.notes(IID).find((n) => n.body.includes(SUMMARY_MARKER))!;
    expect(summary.body).toContain('GitLab rejected the inline comment');
  });

  it('writes a Code Quality report for the merge request widget', async () => {
    const { run, repo } = await setup();
    const result = await run({ CODEX_REVIEW_CODEQUALITY_FILE: 'gl-codequality.json' });
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(fs.readFileSync(repo.path('gl-codequality.json'), 'utf8'));
    expect(report).toHaveLength(FINDINGS.length);
    expect(report[0]).toMatchObject({
      location: { path: 'app.js', lines: { begin: expect.any(Number) } },
    });
  });

  it('fails before any model request when only CI_JOB_TOKEN is available, saying which token to create', async () => {
    const { run, model, gl } = await setup();
    const result = await run({ GITLAB_TOKEN: '' });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('No GitLab API token');
    expect(result.stderr).toContain('`api` scope');
    expect(result.stderr).toContain('CI_JOB_TOKEN cannot post notes');
    expect(model.requests).toHaveLength(0);
    expect(gl.writeCalls()).toBe(0);
  });

  it('says clearly when it runs outside GitLab CI', async () => {
    const { run, model } = await setup();
    const result = await run({ CI_API_V4_URL: '', CI_PROJECT_ID: '' });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('runs inside a GitLab CI/CD job');
    expect(model.requests).toHaveLength(0);
  });
});

describe('codex-review gitlab, more positions and pipelines', () => {
  it('places a finding in a deleted file on the old side only', async () => {
    const { gl, run, setReply } = await setup();
    setReply([
      { title: 'Removed code was needed', file: 'untouched.js', start: 2, end: 2, priority: 1 },
    ]);
    const result = await run();
    expect(result.code, result.stderr).toBe(0);
    const [discussion] = gl.discussions(IID);
    expect(discussion!.notes[0]!.position).toMatchObject({ old_path: 'untouched.js', old_line: 2 });
    expect(discussion!.notes[0]!.position!.new_line ?? null).toBeNull();
  });

  it('runs a scheduled audit: no merge request, a Code Quality report and a tracking issue', async () => {
    const { gl, run, repo } = await setup();
    const result = await run({
      CI_PIPELINE_SOURCE: 'schedule',
      CI_MERGE_REQUEST_IID: '',
      CI_MERGE_REQUEST_DIFF_BASE_SHA: '',
      CI_JOB_NAME: 'audit',
      CODEX_REVIEW_POST: 'issue',
      CODEX_REVIEW_MODE: 'exec',
      CODEX_REVIEW_PROMPT: 'Audit the repository.',
      CODEX_REVIEW_CODEQUALITY_FILE: 'gl-codequality.json',
    });
    expect(result.code, result.stderr).toBe(0);
    expect(gl.discussions(IID)).toHaveLength(0);
    expect(gl.issues()).toHaveLength(1);
    expect(gl.issues()[0]!.description).toContain('- [ ] 🟠 P1 **Added line issue**');
    expect(JSON.parse(fs.readFileSync(repo.path('gl-codequality.json'), 'utf8'))).toHaveLength(
      FINDINGS.length,
    );
  });
});

describe('codex-review gitlab on older instances and later runs', () => {
  it('lists a finding outside the diff in the summary when the instance refuses file positions', async () => {
    const { gl, run } = await setup({ fake: { supportsFilePositions: false } });
    const result = await run();
    expect(result.code, result.stderr).toBe(0);
    expect(gl.discussions(IID)).toHaveLength(3);
    const summary = gl.notes(IID).find((n) => n.body.includes(SUMMARY_MARKER))!;
    expect(summary.body).toContain('Outside the diff');
  });

  it('resolves the discussion of a finding fixed since the last run', async () => {
    const { gl, run, setReply } = await setup();
    expect((await run()).code).toBe(0);
    setReply(FINDINGS.filter((f) => f.title !== 'Added line issue'));
    const second = await run();
    expect(second.code, second.stderr).toBe(0);
    const fixed = gl.discussions(IID).find((d) => d.notes[0]!.body.includes('Added line issue'))!;
    expect(fixed.notes[0]!.resolved).toBe(true);
    const open = gl.discussions(IID).filter((d) => !d.notes[0]!.body.includes('Added line issue'));
    expect(open.every((d) => !d.notes[0]!.resolved)).toBe(true);
  });
});

describe('codex-review gitlab against GitLab as it behaves', () => {
  it('escapes quick actions a finding carries, so the bot never runs /merge', async () => {
    const { gl, run, repo } = await setup();
    const evil = JSON.stringify({
      findings: [
        {
          title: 'Injected',
          body: 'Looks fine.\n/merge\n/label ~approved',
          confidence_score: 1,
          priority: 1,
          code_location: {
            absolute_file_path: repo.path('app.js'),
            line_range: { start: 4, end: 4 },
          },
        },
      ],
      overall_correctness: 'patch is correct',
      overall_explanation: '/approve',
      overall_confidence_score: 1,
    });
    const model = await new FakeResponsesApi(() => ({ kind: 'items', items: [message(evil)] }), {
      apiKey: KEY,
    }).start();
    cleanups.push(() => model.stop());
    const result = await run({ CODEX_REVIEW_OPENAI_BASE_URL: model.url });
    expect(result.code, result.stderr).toBe(0);
    const bodies = gl
      .notes(IID)
      .map((n) => n.body)
      .join('\n');
    expect(bodies).toContain('\\/merge');
    const offending = bodies.split('\n').filter((l) => /^\s*\/(merge|label|approve)/.test(l));
    expect(offending).toEqual([]);
  });

  it('waits for the first merge request version and still posts', async () => {
    const { gl, run } = await setup({ emptyVersionsFirst: 2 });
    const result = await run();
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('has no diff version yet');
    expect(gl.discussions(IID).length).toBeGreaterThan(0);
  });

  it('stops before Codex runs when the merge request moved past the pipeline commit', async () => {
    const { run, model, baseSha } = await setup();
    const result = await run({}, baseSha);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`moved to`);
    expect(model.requests).toHaveLength(0);
  });

  it('does not publish drafts an earlier, failed run left behind', async () => {
    const { gl, run } = await setup();
    const stale = await fetch(`${gl.url}/projects/42/merge_requests/${IID}/draft_notes`, {
      method: 'POST',
      headers: { 'PRIVATE-TOKEN': TOKEN, 'content-type': 'application/json' },
      body: JSON.stringify({ note: 'stale <!-- codex-review:finding 0123456789abcdef -->' }),
    });
    expect(stale.status).toBe(201);
    const result = await run();
    expect(result.code, result.stderr).toBe(0);
    expect(gl.notes(IID).some((n) => n.body.includes('stale'))).toBe(false);
    expect(gl.drafts(IID)).toHaveLength(0);
  });

  it('retries reads GitLab throttles with 429 and Retry-After', async () => {
    const { gl, run } = await setup();
    gl.tooManyRequests({ retryAfter: 1, times: 2, method: 'GET' });
    const result = await run();
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('→ 429; retrying in 1.0 s');
    expect(gl.discussions(IID).length).toBeGreaterThan(0);
  });
});

describe('codex-review gitlab when GitLab fails for a moment', () => {
  it('retries reads that get 5xx and posts once', async () => {
    const { gl, run } = await setup();
    gl.serverError(2, { method: 'GET' });
    const result = await run();
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/→ 50\d; retrying/);
    expect(gl.discussions(IID)).toHaveLength(4);
    expect(gl.notes(IID).filter((n) => n.body.includes(SUMMARY_MARKER))).toHaveLength(1);
  });
});

/** What GET .../diffs sends for each file of the merge request. */
async function served(gl: FakeGitLab) {
  const response = await fetch(`${gl.url}/projects/42/merge_requests/${IID}/diffs`, {
    headers: { 'PRIVATE-TOKEN': TOKEN },
  });
  return (await response.json()) as Array<{
    new_path: string;
    diff: string;
    collapsed?: boolean;
    too_large?: boolean;
  }>;
}

describe('codex-review gitlab on merge requests whose diffs GitLab leaves out', () => {
  it('reviews files GitLab sends collapsed from git and posts their findings inline', async () => {
    // Patches of 100 bytes or more come back collapsed (older GitLab); none reaches 1,000.
    const { gl, run } = await setup({ fake: { collapseDiffs: true, maxPatchBytes: 1_000 } });
    expect((await served(gl)).map((f) => [f.new_path, f.diff, f.collapsed])).toEqual([
      ['app.js', '', true],
      ['untouched.js', '', true],
      ['util.js', '', true],
    ]);
    const result = await run();
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(
      'GitLab sent 3 file(s) without their diff (collapsed); read 3 from git',
    );
    const discussions = gl.discussions(IID);
    const positionOf = (title: string) =>
      discussions.find((d) => d.notes[0]!.body.includes(title))!.notes[0]!.position!;
    expect(positionOf('Added line issue')).toMatchObject({ position_type: 'text', new_line: 4 });
    expect(positionOf('Context line issue')).toMatchObject({ new_line: 2, old_line: 2 });
    expect(positionOf('Multi-line issue')).toMatchObject({ new_line: 23 });
    expect(positionOf('Outside the diff')).toMatchObject({ position_type: 'file' });
    const file = JSON.parse(fs.readFileSync(result.findingsFile, 'utf8'));
    expect(file.findings.map((f: { placement: string }) => f.placement)).toEqual([
      'inline',
      'inline',
      'inline',
      'inline',
    ]);
  });

  it('puts findings in a file over GitLab’s patch size limit on the file itself', async () => {
    const { gl, run } = await setup({ fake: { maxPatchBytes: 300 } });
    const files = await served(gl);
    expect(files.find((f) => f.new_path === 'app.js')).toMatchObject({ diff: '', too_large: true });
    expect(files.find((f) => f.new_path === 'util.js')).toMatchObject({ too_large: false });
    const result = await run();
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('over its patch size limit (app.js)');
    const onApp = gl
      .discussions(IID)
      .filter((d) => d.notes[0]!.position?.new_path === 'app.js')
      .map((d) => d.notes[0]!.position!.position_type);
    expect(onApp).toEqual(['file', 'file', 'file']);
  });

  it('moves the comments GitLab silently drops at publish to the summary (GitLab before 18.4)', async () => {
    // app.js is over the limit; this GitLab does not say so, so its lines come from git, and
    // GitLab takes the drafts, then cannot place them when publishing.
    const { gl, run } = await setup({ fake: { maxPatchBytes: 300, diffFlags: false } });
    const files = await served(gl);
    expect(files.find((f) => f.new_path === 'app.js')).toEqual(
      expect.objectContaining({ diff: '' }),
    );
    expect('too_large' in files[0]!).toBe(false);
    const result = await run();
    expect(result.code, result.stderr).toBe(0);
    expect(gl.drafts(IID)).toEqual([]);
    expect(gl.discussions(IID).map((d) => d.notes[0]!.position!.new_path)).toEqual(['util.js']);
    const summary = gl.notes(IID).find((n) => n.body.includes(SUMMARY_MARKER))!;
    expect(summary.body).toContain(
      'GitLab rejected the inline comment: GitLab dropped the comment when publishing',
    );
    const file = JSON.parse(fs.readFileSync(result.findingsFile, 'utf8'));
    expect(file.findings.map((f: { placement: string }) => f.placement)).toEqual([
      'summary',
      'summary',
      'summary',
      'inline',
    ]);
  });
});
