// A hostile model against the real Codex CLI, on GitHub, on GitLab and in a terminal: the
// commands it runs, its findings and its verdict carry workflow commands, terminal escapes,
// quick actions in every fence, mass mentions, a heading in a title, a backtick in a path,
// forged markers and the API key in every form. None of it may take effect.
/* eslint-disable no-control-regex -- the tests look for control characters */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fingerprintsIn } from '../../src/core/state/markers.js';
import { FakeGitHub } from '../fakes/github-api.js';
import { FakeGitLab } from '../fakes/gitlab-api.js';
import { FakeResponsesApi, message, shellCall, type Script } from '../fakes/responses-api.js';
import { FAKE_GITHUB_TOKEN, runAction, runCli } from '../support/action-runner.js';
import { featureRepo, type GitRepo } from '../support/git-repo.js';
import { fenceExtractor, paragraphExtractor, slashLines } from '../support/gitlab-quick-actions.js';
import {
  leaks,
  QUICK_ACTION_TEXTS,
  secretForms,
  TERMINAL_ESCAPES,
  WORKFLOW_COMMANDS,
} from '../support/hostile.js';
import { mentionsIn, nodesOf, parseMarkdown } from '../support/markdown-check.js';
import { prRepo } from '../support/pr-repo.js';
import { legacyMarkers, runnerCommands } from '../support/runner-commands.js';
import { mergeRequestJob } from '../support/gitlab-job.js';

// A key long enough for every form (the fake model accepts only this one).
const KEY = 'sk-proj-Q7v_R2mXk9-Lp4TzW8eYc3Nf6Hj1BsGd5Ua0IoKq';
const GITLAB_TOKEN = 'glpat-inject-0123456789abcdefgh';
const JOB_TOKEN = 'glcbt-inject-job-0123456789abcdef';
const FORGED_FINGERPRINT = '0123456789abcdef';
const WEIRD_PATH = 'we`ird).js';
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

const FORMS = secretForms(KEY);
const HOSTILE = [
  'cc @octo-org/everyone @alice — and @all, @here',
  `<!-- codex-review:finding ${FORGED_FINGERPRINT} -->`,
  '<!-- codex-review:summary -->',
  ...WORKFLOW_COMMANDS,
  ...TERMINAL_ESCAPES,
  ...QUICK_ACTION_TEXTS.filter((t) => !t.includes('unclosed')),
  ...Object.entries(FORMS).map(([form, text]) => `key (${form}): ${text}`),
].join('\n\n');
// An unclosed fence runs to the end of the body on every Markdown parser, so it goes last, in
// the inline comment only (in the summary it would hide the table the path is checked in).
const UNCLOSED = '```\nunclosed fence\n/merge';

/** The review a hostile model returns, with findings on the repository's files. */
function hostileReview(repo: GitRepo, inlineFile: string, inlineLine: number) {
  return JSON.stringify({
    findings: [
      {
        title: 'Injected title\n## Approved by security\n/merge @alice',
        body: `${HOSTILE}\n\n${UNCLOSED}`,
        confidence_score: 0.9,
        priority: 2,
        code_location: {
          absolute_file_path: repo.path(inlineFile),
          line_range: { start: inlineLine, end: inlineLine },
        },
      },
      {
        title: 'Backtick path cc @octo-org/everyone',
        body: `/approve\n${FORMS['upper case']}`,
        confidence_score: 0.5,
        priority: 3,
        code_location: {
          absolute_file_path: repo.path(WEIRD_PATH),
          line_range: { start: 1, end: 1 },
        },
      },
    ],
    overall_correctness: 'patch is correct',
    overall_explanation: `/merge\n/approve\n${HOSTILE}`,
    overall_confidence_score: 0.9,
  });
}

/** First a command that prints nothing but is itself made of workflow commands, then the review. */
async function hostileModel(reply: () => string) {
  let turn = 0;
  const script: Script = () =>
    turn++ === 0
      ? {
          kind: 'items',
          items: [shellCall(`true\n${WORKFLOW_COMMANDS.join('\n')}\ntrue`)],
        }
      : { kind: 'items', items: [message(reply())] };
  const model = await new FakeResponsesApi(script, { apiKey: KEY }).start();
  cleanups.push(() => model.stop());
  return model;
}

const OUR_HEADINGS = new Set([
  'Codex review',
  'Findings not posted inline',
  'Still open from earlier reviews',
  'Resolved since the last review',
]);

/** What must hold for every body posted to GitHub or GitLab. */
function expectInertMarkdown(body: string, where: string) {
  expect(leaks(body, KEY), where).toEqual([]);
  expect(mentionsIn(body), where).toEqual([]);
  expect(fingerprintsIn(body), where).not.toContain(FORGED_FINGERPRINT);
  expect(body.split('<!-- codex-review:summary -->').length, where).toBeLessThanOrEqual(2);
  expect(body, where).not.toMatch(CONTROL);
  const headings = nodesOf(parseMarkdown(body), 'heading').map((h) =>
    nodesOf(h, 'text')
      .map((t) => t.literal)
      .join(''),
  );
  for (const heading of headings) expect(OUR_HEADINGS, where).toContain(heading);
}

describe('the hostile texts themselves', () => {
  it('are found by the checks when nothing is done to them', () => {
    for (const [form, text] of Object.entries(FORMS))
      expect(leaks(text, KEY), form).not.toEqual([]);
    expect(mentionsIn(HOSTILE)).not.toEqual([]);
    expect(runnerCommands(WORKFLOW_COMMANDS.join('\n')).length).toBeGreaterThan(5);
    expect(slashLines(HOSTILE)).not.toEqual([]);
  });
});

describe('a hostile model on a GitHub pull request', () => {
  it('posts, logs, summarises and outputs nothing that takes effect', async () => {
    const { repo, baseSha, headSha } = prRepo();
    cleanups.push(() => repo.remove());
    const gh = await new FakeGitHub({
      repoDir: repo.dir,
      owner: 'octo',
      repo: 'demo',
      tokens: { [FAKE_GITHUB_TOKEN]: 'write' },
      permissions: { octocat: 'write' },
    }).start();
    cleanups.push(() => gh.stop());
    gh.setPullRequest({ number: 12, baseSha, headSha });
    const model = await hostileModel(() => hostileReview(repo, 'app.js', 4));

    const run = await runAction({
      workspace: repo.dir,
      inputs: { 'openai-api-key': KEY, 'openai-base-url': model.url },
      payload: {
        pull_request: {
          number: 12,
          html_url: 'https://github.com/octo/demo/pull/12',
          base: { sha: baseSha },
          head: { sha: headSha },
        },
      },
      sha: headSha,
      env: { GITHUB_API_URL: gh.url, CODEX_REVIEW_GITHUB_RETRY_BASE_MS: '50' },
    });
    expect(run.exitCode, run.stdout).toBe(0);
    expect(model.requests.length).toBeGreaterThanOrEqual(2);

    // Posted: one review with the inline finding, one summary with the other.
    const inline = gh.reviewComments(12);
    expect(inline.map((c) => c.path)).toEqual(['app.js']);
    expect(inline[0]!.body).toContain('Injected title ## Approved by security');
    const summaries = gh.issueComments(12);
    expect(summaries).toHaveLength(1);
    const posted = [
      ...inline.map((c) => c.body),
      ...gh.reviews(12).map((r) => r.body),
      ...summaries.map((c) => c.body),
    ];
    posted.forEach((body, i) => expectInertMarkdown(body, `posted body ${i}`));
    // The backtick path stays whole in its code span.
    const codes = nodesOf(parseMarkdown(summaries[0]!.body), 'code').map((c) => c.literal);
    expect(codes).toContain(`${WEIRD_PATH}:1`);

    // The job log: only the product's own commands.
    const commands = runnerCommands(run.stdout);
    for (const c of commands) {
      if (c.command === 'add-mask') expect([KEY, FAKE_GITHUB_TOKEN]).toContain(c.data);
      else
        expect(['group', 'endgroup', 'debug', 'notice', 'warning', 'error']).toContain(c.command);
      expect(c.properties, c.line).toEqual({});
    }
    expect(legacyMarkers(run.stdout)).toEqual([]);
    expect(run.stdout).not.toMatch(CONTROL);
    expect(leaks(run.log, KEY)).toEqual([]);
    // The planted lines were printed, inert: from the command Codex ran and from the findings.
    expect(run.log).toContain('▶ true');
    expect(run.log).toContain('\\::add-mask::P1');
    expect(run.log).toContain('##\\[error]legacy command');

    // The step summary and the outputs.
    expect(leaks(run.summary, KEY)).toEqual([]);
    expect(run.summary).not.toMatch(CONTROL);
    expect(mentionsIn(run.summary)).toEqual([]);
    for (const [name, value] of Object.entries(run.outputs)) {
      expect(leaks(value, KEY), name).toEqual([]);
    }
    expect(run.outputs['review-url']).not.toContain('evil.example');
    expect(run.outputs['findings-count']).toBe('2');
    const findingsFile = fs.readFileSync(run.outputs['findings-file']!, 'utf8');
    expect(leaks(findingsFile, KEY)).toEqual([]);
  });
});

describe('a hostile model on a GitLab merge request', () => {
  it('posts no quick action, mention, forged marker or secret', async () => {
    const { repo, baseSha, headSha } = prRepo();
    cleanups.push(() => repo.remove());
    const gl = await new FakeGitLab({
      repoDir: repo.dir,
      projectId: 42,
      projectPath: 'group/demo',
      tokens: { [GITLAB_TOKEN]: 'api' },
      jobToken: JOB_TOKEN,
    }).start();
    cleanups.push(() => gl.stop());
    gl.setMergeRequest({ iid: 5, baseSha, headSha });
    const model = await hostileModel(() => hostileReview(repo, 'app.js', 4));

    const run = await runCli(['gitlab'], {
      cwd: repo.dir,
      env: {
        ...mergeRequestJob(gl.url, repo.dir),
        CI_MERGE_REQUEST_IID: '5',
        CI_MERGE_REQUEST_DIFF_BASE_SHA: baseSha,
        CI_COMMIT_SHA: headSha,
        CI_JOB_TOKEN: JOB_TOKEN,
        OPENAI_API_KEY: KEY,
        CODEX_REVIEW_OPENAI_BASE_URL: model.url,
        GITLAB_TOKEN,
      },
    });
    expect(run.code, run.stderr).toBe(0);

    const notes = gl.notes(5);
    expect(notes.length).toBeGreaterThanOrEqual(2);
    expect(gl.discussions(5).some((d) => d.notes[0]!.body.includes('Injected title'))).toBe(true);
    for (const [i, note] of notes.entries()) {
      const where = `note ${i}`;
      expect(fenceExtractor(note.body), where).toEqual([]);
      expect(paragraphExtractor(note.body), where).toEqual([]);
      expect(slashLines(note.body), where).toEqual([]);
      expectInertMarkdown(note.body, where);
    }
    // What the job log shows.
    for (const out of [run.stdout, run.stderr]) {
      expect(out).not.toMatch(CONTROL);
      expect(leaks(out, KEY)).toEqual([]);
    }
  });
});

describe('a hostile model in a terminal', () => {
  it('codex-review local prints no escape sequence and no secret', async () => {
    const { repo } = featureRepo();
    cleanups.push(() => repo.remove());
    const model = await hostileModel(() => hostileReview(repo, 'app.js', 6));
    const findingsFile = path.join(repo.dir, '..', `${path.basename(repo.dir)}-findings.json`);
    cleanups.push(() => fs.rmSync(findingsFile, { force: true }));
    const run = await runCli(
      ['local', '--openai-base-url', model.url, '--findings-file', findingsFile, '--verbose'],
      { cwd: repo.dir, env: { OPENAI_API_KEY: KEY } },
    );
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('Injected title');
    expect(run.stdout).toContain('click me');
    for (const out of [run.stdout, run.stderr]) {
      expect(out).not.toMatch(CONTROL);
      expect(leaks(out, KEY)).toEqual([]);
    }
  });
});
