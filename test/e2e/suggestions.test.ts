// Suggested changes end to end: the action on GitHub and `codex-review gitlab` on GitLab, the real
// Codex CLI resuming the review's thread for the follow-up turn, the fake model and the fake
// platforms. A fix on a one-line and a three-line finding is posted as the platform's suggestion
// block; a fix that fails a check is left out (its finding still posted); a follow-up that fails
// or times out costs the suggestions only, never the review.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeGitHub } from '../fakes/github-api.js';
import { FakeGitLab } from '../fakes/gitlab-api.js';
import {
  FakeResponsesApi,
  message,
  type RecordedRequest,
  type Reply,
} from '../fakes/responses-api.js';
import { FAKE_GITHUB_TOKEN, runAction, runCli } from '../support/action-runner.js';
import type { GitRepo } from '../support/git-repo.js';
import { prRepo } from '../support/pr-repo.js';
import { mergeRequestJob } from '../support/gitlab-job.js';

const KEY = 'sk-test-suggest-0123456789abcdefgh';
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

interface Spec {
  title: string;
  start: number;
  end: number;
  /** exec's built-in schema: the fix in the review's own reply. */
  suggestion?: string | null;
}

// prRepo's app.js gains line 4 (`const risky = JSON.parse(input); // added at line 4`) and
// lines 21-23 (`function a() {`, `  return b();`, `}`); line 2 is a context line.
const ONE_LINE: Spec = { title: 'Unvalidated JSON.parse', start: 4, end: 4 };
const THREE_LINES: Spec = { title: 'Unbounded recursion', start: 21, end: 23 };
const CONTEXT: Spec = { title: 'Misleading comment', start: 2, end: 2 };

function review(repo: GitRepo, specs: Spec[]): string {
  return JSON.stringify({
    findings: specs.map((s) => ({
      title: s.title,
      body: `Why "${s.title}" matters.`,
      confidence_score: 0.8,
      priority: 1,
      code_location: {
        absolute_file_path: repo.path('app.js'),
        line_range: { start: s.start, end: s.end },
      },
      ...(s.suggestion !== undefined ? { suggestion: s.suggestion } : {}),
    })),
    overall_correctness: 'patch is incorrect',
    overall_explanation: 'Problems.',
    overall_confidence_score: 0.7,
  });
}

const isFollowUp = (r: RecordedRequest) =>
  JSON.stringify(r.body.text?.format?.schema ?? {}).includes('"suggestions"');

/** The findings the follow-up asks about, by number, read from its prompt. */
function askedFor(r: RecordedRequest): Map<string, number> {
  const asked = new Map<string, number>();
  for (const m of JSON.stringify(r.body.input?.at(-1)).matchAll(/Finding (\d+): ([^\\]+)\\n/g))
    asked.set(m[2]!, Number(m[1]));
  return asked;
}

/** The model: the review first; then, for the follow-up, each finding's fix by title. */
function model(reviewText: () => string, fixes: () => Record<string, string | null> | Reply) {
  return new FakeResponsesApi(
    (request): Reply => {
      if (!isFollowUp(request)) return { kind: 'items', items: [message(reviewText())] };
      const answer = fixes();
      if ('kind' in answer) return answer as Reply;
      const suggestions = [...askedFor(request)].map(([title, id]) => ({
        id,
        replacement: (answer as Record<string, string | null>)[title] ?? null,
      }));
      return {
        kind: 'items',
        items: [message(JSON.stringify({ suggestions }))],
        usage: { input_tokens: 5000, cached_tokens: 4000, output_tokens: 60 },
      };
    },
    { apiKey: KEY },
  ).start();
}

const GOOD = {
  [ONE_LINE.title]: 'const risky = safeParse(input); // added at line 4\n',
  [THREE_LINES.title]:
    'function a(depth = 0) {\n  if (depth > 100) throw new Error("too deep");\n  return b(depth + 1);\n}',
};

const REFUSED_400: Reply = {
  kind: 'status',
  status: 400,
  body: {
    error: {
      message: "Invalid schema for response_format 'codex_output_schema'.",
      type: 'invalid_request_error',
      param: 'text.format.schema',
      code: 'invalid_json_schema',
    },
  },
};

async function github(specs: Spec[], fixes: () => Record<string, string | null> | Reply) {
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
  gh.setPullRequest({ number: 7, baseSha, headSha });
  const fake = await model(() => review(repo, specs), fixes);
  cleanups.push(() => fake.stop());
  const run = (inputs: Record<string, string> = {}) =>
    runAction({
      workspace: repo.dir,
      inputs: {
        'openai-api-key': KEY,
        'openai-base-url': fake.url,
        'sarif-file': 'codex.sarif',
        ...inputs,
      },
      payload: {
        pull_request: { number: 7, base: { sha: baseSha }, head: { sha: headSha } },
      },
      sha: headSha,
      env: { GITHUB_API_URL: gh.url },
    });
  const commentOn = (title: string) => gh.reviewComments().find((c) => c.body.includes(title))!;
  return { repo, gh, model: fake, run, commentOn };
}

const findingsFile = (file: string) =>
  JSON.parse(fs.readFileSync(file, 'utf8')) as {
    findings: Array<{ title: string; suggestion?: { replacement: string[] } }>;
    usage: Record<string, number>;
    suggestions?: Record<string, unknown>;
  };

describe('suggested changes on GitHub', () => {
  it('posts a suggestion block on a one-line and a three-line finding, counts the tokens, writes SARIF fixes', async () => {
    const { repo, model, run, commentOn } = await github([ONE_LINE, THREE_LINES], () => GOOD);
    const result = await run();
    expect(result.exitCode, result.log).toBe(0);

    const one = commentOn(ONE_LINE.title);
    expect(one).toMatchObject({ line: 4, start_line: null, side: 'RIGHT' });
    expect(one.body).toContain(
      '```suggestion\nconst risky = safeParse(input); // added at line 4\n```',
    );
    const three = commentOn(THREE_LINES.title);
    expect(three).toMatchObject({ line: 23, start_line: 21, side: 'RIGHT' });
    expect(three.body).toContain(
      '```suggestion\nfunction a(depth = 0) {\n  if (depth > 100) throw new Error("too deep");\n  return b(depth + 1);\n}\n```',
    );

    // One review request, one follow-up resuming the reviewer's thread.
    expect(model.requests.map(isFollowUp)).toEqual([false, true]);
    const file = findingsFile(result.outputs['findings-file']!);
    expect(file.suggestions).toMatchObject({
      source: 'follow-up',
      asked: 2,
      proposed: 2,
      accepted: 2,
      dropped: [],
      failure: null,
      usage: { input_tokens: 5000, cached_input_tokens: 4000, output_tokens: 60 },
    });
    // The fake's default usage for the review request, plus the follow-up's.
    expect(JSON.parse(result.outputs.usage!)).toMatchObject({
      input_tokens: 5100,
      cached_input_tokens: 4020,
      output_tokens: 90,
    });
    expect(file.findings.every((f) => f.suggestion)).toBe(true);

    const sarif = JSON.parse(fs.readFileSync(repo.path('codex.sarif'), 'utf8'));
    const fixes = sarif.runs[0].results.map(
      (r: { fixes?: Array<{ artifactChanges: Array<{ replacements: unknown[] }> }> }) =>
        r.fixes?.[0]?.artifactChanges[0]?.replacements[0],
    );
    expect(fixes).toContainEqual({
      deletedRegion: { startLine: 21, startColumn: 1, endLine: 23, endColumn: 2 },
      insertedContent: {
        text: 'function a(depth = 0) {\n  if (depth > 100) throw new Error("too deep");\n  return b(depth + 1);\n}',
      },
    });
  });

  it('leaves out a fix that fails a check, and still posts its finding', async () => {
    const { run, commentOn } = await github([ONE_LINE, THREE_LINES, CONTEXT], () => ({
      // No change at all, tabs in a file indented with spaces, a quick action.
      [ONE_LINE.title]: 'const risky = JSON.parse(input); // added at line 4',
      [THREE_LINES.title]: 'function a() {\n\treturn b();\n}',
      [CONTEXT.title]: '/merge',
    }));
    const result = await run();
    expect(result.exitCode, result.log).toBe(0);
    for (const spec of [ONE_LINE, THREE_LINES, CONTEXT]) {
      const comment = commentOn(spec.title);
      expect(comment, spec.title).toBeDefined();
      expect(comment.body).not.toContain('```suggestion');
    }
    expect(result.log).toContain('is left out: it changes nothing');
    expect(result.log).toContain(
      'is left out: it indents with tabs where the file indents with spaces',
    );
    expect(result.log).toContain(
      'is left out: it contains a line GitLab would run as a quick action',
    );
    expect(findingsFile(result.outputs['findings-file']!).suggestions).toMatchObject({
      proposed: 3,
      accepted: 0,
    });
  });

  it('posts the review without suggestions, with a warning, when the follow-up turn fails', async () => {
    const { gh, run, commentOn } = await github([ONE_LINE, THREE_LINES], () => REFUSED_400);
    const result = await run();
    expect(result.exitCode, result.log).toBe(0);
    expect(gh.reviews()).toHaveLength(1);
    expect(commentOn(ONE_LINE.title).body).not.toContain('```suggestion');
    expect(commentOn(THREE_LINES.title).body).not.toContain('```suggestion');
    expect(result.log).toMatch(
      /::warning::No suggested changes: the follow-up turn failed: .*invalid/i,
    );
    expect(result.log).toContain('The findings are posted without them.');
    const file = findingsFile(result.outputs['findings-file']!);
    expect(file.suggestions).toMatchObject({
      accepted: 0,
      failure: expect.stringMatching(/failed/),
    });
  });

  it('posts the review without suggestions when the follow-up turn does not finish in time', async () => {
    const { gh, run, commentOn } = await github([ONE_LINE], () => ({ kind: 'hang' }));
    // 0.1 min: the follow-up gets what the review left, at least the whole limit (6 s).
    const result = await run({ 'timeout-minutes': '0.1' });
    expect(result.exitCode, result.log).toBe(0);
    expect(gh.reviews()).toHaveLength(1);
    expect(commentOn(ONE_LINE.title).body).not.toContain('```suggestion');
    expect(result.log).toContain(
      'No suggested changes: the follow-up turn did not finish within 0.1 min',
    );
  });

  it("exec mode's built-in schema: the fix comes with the review, checked the same way, no second turn", async () => {
    const { model, run, commentOn } = await github(
      [
        { ...ONE_LINE, suggestion: GOOD[ONE_LINE.title] },
        // Written for lines 15-23, while the diff shows only 18-23: the comment is clamped.
        { ...THREE_LINES, start: 15, suggestion: GOOD[THREE_LINES.title] },
      ],
      () => GOOD,
    );
    const result = await run({ mode: 'exec', prompt: 'Audit the change.' });
    expect(result.exitCode, result.log).toBe(0);
    expect(model.requests.map(isFollowUp)).toEqual([false]);
    expect(commentOn(ONE_LINE.title).body).toContain(
      '```suggestion\nconst risky = safeParse(input); // added at line 4\n```',
    );
    const three = commentOn(THREE_LINES.title);
    expect(three).toMatchObject({ start_line: 18, line: 23 });
    expect(three.body).not.toContain('```suggestion');
    expect(result.log).toContain(
      'is left out: the fix was written for lines 15–23, the comment covers lines 18–23',
    );
    expect(findingsFile(result.outputs['findings-file']!).suggestions).toMatchObject({
      source: 'reply',
      proposed: 2,
      accepted: 1,
      usage: null,
    });
  });

  it('asks nothing more with suggestions: false', async () => {
    const { model, run, commentOn } = await github([ONE_LINE], () => GOOD);
    const result = await run({ suggestions: 'false' });
    expect(result.exitCode, result.log).toBe(0);
    expect(model.requests.map(isFollowUp)).toEqual([false]);
    expect(commentOn(ONE_LINE.title).body).not.toContain('```suggestion');
  });
});

describe('suggested changes on GitLab', () => {
  const IID = 9;
  const TOKEN = 'glpat-test-suggest-0123456789ab';

  async function gitlab(specs: Spec[], fixes: () => Record<string, string | null> | Reply) {
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
    const fake = await model(() => review(repo, specs), fixes);
    cleanups.push(() => fake.stop());
    const result = await runCli(['gitlab'], {
      cwd: repo.dir,
      env: {
        ...mergeRequestJob(gl.url, repo.dir),
        CI_MERGE_REQUEST_IID: String(IID),
        CI_MERGE_REQUEST_DIFF_BASE_SHA: baseSha,
        CI_COMMIT_SHA: headSha,
        OPENAI_API_KEY: KEY,
        CODEX_REVIEW_OPENAI_BASE_URL: fake.url,
        GITLAB_TOKEN: TOKEN,
      },
    });
    const noteOn = (title: string) =>
      gl.discussions(IID).find((d) => d.notes[0]!.body.includes(title))!.notes[0]!;
    return { result, noteOn, model: fake, repo };
  }

  it('posts ```suggestion:-0+0 and ```suggestion:-2+0 blocks, and leaves out a fix that fails a check', async () => {
    const { result, noteOn, model } = await gitlab([ONE_LINE, THREE_LINES, CONTEXT], () => ({
      ...GOOD,
      [CONTEXT.title]: '/merge',
    }));
    expect(result.code, result.stderr).toBe(0);
    const one = noteOn(ONE_LINE.title);
    expect(one.position).toMatchObject({ new_line: 4 });
    expect(one.body).toContain(
      '```suggestion:-0+0\nconst risky = safeParse(input); // added at line 4\n```',
    );
    const three = noteOn(THREE_LINES.title);
    expect(three.position).toMatchObject({
      new_line: 23,
      line_range: { start: { new_line: 21 }, end: { new_line: 23 } },
    });
    expect(three.body).toContain(
      '```suggestion:-2+0\nfunction a(depth = 0) {\n  if (depth > 100) throw new Error("too deep");\n  return b(depth + 1);\n}\n```',
    );
    const context = noteOn(CONTEXT.title);
    expect(context.body).not.toMatch(/```suggestion/);
    expect(context.body).not.toMatch(/^\\?\/merge/m);
    expect(result.stderr + result.stdout).toContain(
      'is left out: it contains a line GitLab would run as a quick action',
    );
    expect(model.requests.map(isFollowUp)).toEqual([false, true]);
  });

  it('posts the review without suggestions, with a warning, when the follow-up turn fails', async () => {
    const { result, noteOn, repo } = await gitlab([ONE_LINE, THREE_LINES], () => REFUSED_400);
    expect(result.code, result.stderr).toBe(0);
    expect(noteOn(ONE_LINE.title).body).not.toContain('```suggestion');
    expect(noteOn(THREE_LINES.title).body).not.toContain('```suggestion');
    expect(result.stderr + result.stdout).toContain(
      'No suggested changes: the follow-up turn failed',
    );
    const file = findingsFile(path.join(repo.dir, 'codex-review-findings.json'));
    expect(file.suggestions).toMatchObject({ failure: expect.stringMatching(/failed/) });
  });
});
