// GitLab's side of dismissals: a thread of a finding that a person resolved is a dismissal.
// The built CLI, the real Codex CLI, the fake model and the fake GitLab API, run after run.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { inspectState, SUMMARY_MARKER } from '../../src/core/state/markers.js';
import { FakeGitLab } from '../fakes/gitlab-api.js';
import { FakeResponsesApi, message } from '../fakes/responses-api.js';
import { runCli } from '../support/action-runner.js';
import { prRepo } from '../support/pr-repo.js';
import { mergeRequestJob } from '../support/gitlab-job.js';

const KEY = 'sk-test-gitlab-dismiss-0123456789ab';
const TOKEN = 'glpat-test-token-dismiss-012345';
const IID = 8;
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

it('does not raise again a finding whose thread a person resolved, and tells Codex', async () => {
  const { repo, baseSha, headSha } = prRepo();
  cleanups.push(() => repo.remove());
  const gl = await new FakeGitLab({
    repoDir: repo.dir,
    projectId: 42,
    projectPath: 'group/demo',
    tokens: { [TOKEN]: 'api' },
  }).start();
  cleanups.push(() => gl.stop());
  gl.setMergeRequest({ iid: IID, baseSha, headSha });
  const finding = (title: string, start: number) => ({
    title,
    body: `Why "${title}" matters.`,
    confidence_score: 0.8,
    priority: 1,
    code_location: { absolute_file_path: repo.path('app.js'), line_range: { start, end: start } },
  });
  const reply = JSON.stringify({
    findings: [finding('Unvalidated JSON.parse', 4), finding('Misleading comment', 2)],
    overall_correctness: 'patch is incorrect',
    overall_explanation: 'Problems.',
    overall_confidence_score: 0.7,
  });
  const model = await new FakeResponsesApi(() => ({ kind: 'items', items: [message(reply)] }), {
    apiKey: KEY,
  }).start();
  cleanups.push(() => model.stop());
  const run = () =>
    runCli(['gitlab'], {
      cwd: repo.dir,
      env: {
        ...mergeRequestJob(gl.url, repo.dir),
        CI_MERGE_REQUEST_IID: String(IID),
        CI_MERGE_REQUEST_DIFF_BASE_SHA: baseSha,
        CI_COMMIT_SHA: headSha,
        OPENAI_API_KEY: KEY,
        CODEX_REVIEW_OPENAI_BASE_URL: model.url,
        GITLAB_TOKEN: TOKEN,
      },
    });

  const first = await run();
  expect(first.code, first.stderr).toBe(0);
  const thread = gl
    .discussions(IID)
    .find((d) => d.notes[0]!.body.includes('Unvalidated JSON.parse'))!;
  gl.setDiscussionResolved(IID, thread.id, true, 'maintainer');

  const before = model.requests.length;
  const second = await run();
  expect(second.code, second.stderr).toBe(0);
  const asked = model.requests
    .slice(before)
    .map((r) => r.raw)
    .join('\n');
  expect(asked).toContain('dismissed by \\"maintainer\\"');
  expect(asked).toContain('Unvalidated JSON.parse');
  const file = JSON.parse(
    fs.readFileSync(path.join(repo.dir, 'codex-review-findings.json'), 'utf8'),
  ) as { findings: Array<{ title: string; placement: string }> };
  expect(file.findings.find((f) => f.title === 'Unvalidated JSON.parse')).toMatchObject({
    placement: 'dismissed',
  });
  expect(file.findings.find((f) => f.title === 'Misleading comment')).toMatchObject({
    placement: 'inline-earlier',
  });
  const summary = gl.notes(IID).find((n) => n.body.includes(SUMMARY_MARKER))!.body;
  const open = inspectState(summary)!.findings.filter((f) => f.status === 'open');
  expect(open.map((f) => f.title)).toEqual(['Misleading comment']);
  // Still one thread per finding: nothing was posted again.
  expect(gl.discussions(IID).filter((d) => d.notes[0]!.body.includes('JSON.parse'))).toHaveLength(
    1,
  );
}, 120_000);
