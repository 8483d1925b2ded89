// Schema-constrained exec and scheduled audits, through the action entry with the real Codex
// CLI, the fake model and the fake GitHub API.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { inspectState } from '../../src/core/state/markers.js';
import { FakeGitHub } from '../fakes/github-api.js';
import { FakeResponsesApi, message } from '../fakes/responses-api.js';
import { FAKE_GITHUB_TOKEN, runAction, type ActionRunOptions } from '../support/action-runner.js';
import { ROOT } from '../support/codex.js';
import { prRepo } from '../support/pr-repo.js';

const KEY = 'sk-test-exec-0123456789abcdefghijk';
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

const MIGRATION_SCHEMA = fs.readFileSync(
  path.join(ROOT, 'examples', 'schemas', 'migration-readiness.json'),
  'utf8',
);

async function setup() {
  const { repo, baseSha, headSha } = prRepo();
  cleanups.push(() => repo.remove());
  repo.write('schemas/migration.json', MIGRATION_SCHEMA);
  const gh = await new FakeGitHub({
    repoDir: repo.dir,
    owner: 'octo',
    repo: 'demo',
    tokens: { [FAKE_GITHUB_TOKEN]: 'write' },
    permissions: { octocat: 'write' },
  }).start();
  cleanups.push(() => gh.stop());
  let reply = '{}';
  const model = await new FakeResponsesApi(() => ({ kind: 'items', items: [message(reply)] }), {
    apiKey: KEY,
  }).start();
  cleanups.push(() => model.stop());
  const run = (options: Partial<ActionRunOptions> & { inputs?: Record<string, string> } = {}) =>
    runAction({
      workspace: repo.dir,
      eventName: 'schedule',
      sha: headSha,
      ...options,
      inputs: {
        'openai-api-key': KEY,
        'openai-base-url': model.url,
        mode: 'exec',
        prompt: 'Audit this repository.',
        ...(options.inputs ?? {}),
      },
      env: {
        GITHUB_API_URL: gh.url,
        GITHUB_WORKFLOW: 'Weekly audit',
        GITHUB_JOB: 'audit',
        CODEX_REVIEW_GITHUB_RETRY_BASE_MS: '50',
        ...(options.env ?? {}),
      },
    });
  return {
    repo,
    baseSha,
    headSha,
    gh,
    model,
    run,
    setReply: (value: unknown) =>
      (reply = typeof value === 'string' ? value : JSON.stringify(value)),
  };
}

function findingsReply(repoDir: string, titles: string[]) {
  return {
    findings: titles.map((title, i) => ({
      title,
      body: `Details of ${title}.`,
      confidence_score: 0.9,
      priority: i % 3,
      code_location: {
        absolute_file_path: path.join(repoDir, 'app.js'),
        line_range: { start: 4 + i, end: 4 + i },
      },
    })),
    overall_correctness: titles.length ? 'patch is incorrect' : 'patch is correct',
    overall_explanation: `${titles.length} problem(s).`,
    overall_confidence_score: 0.8,
  };
}

describe('exec mode with an output schema', () => {
  it('stops before any model request when the schema is not strict, naming the JSON path and the fix', async () => {
    const { run, model } = await setup();
    const emptyCache = fs.mkdtempSync(path.join(os.tmpdir(), 'codex-review-empty-cache-'));
    cleanups.push(() => fs.rmSync(emptyCache, { recursive: true, force: true }));
    const schema = {
      type: 'object',
      properties: {
        items: {
          type: 'array',
          items: { type: 'object', properties: { name: { type: 'string' } } },
        },
      },
      required: ['items'],
    };
    const result = await run({
      toolCache: emptyCache,
      inputs: { 'output-schema': JSON.stringify(schema), post: 'none' },
    });
    expect(result.exitCode).toBe(1);
    expect(result.log).toContain('setting `output-schema`');
    expect(result.log).toContain('#/properties/items/items');
    expect(result.log).toMatch(/additionalProperties/);
    expect(model.requests).toHaveLength(0);
    expect(fs.readdirSync(emptyCache)).toEqual([]);
  });

  it('passes a reply that matches a custom schema to the outputs and the findings file', async () => {
    const { run, setReply, model } = await setup();
    const answer = {
      ready: false,
      summary: 'Two blockers.',
      blockers: [{ file: 'app.js', reason: 'uses a removed API', effort: 'small' }],
    };
    setReply(answer);
    const result = await run({
      inputs: { 'output-schema-file': 'schemas/migration.json', post: 'none' },
    });
    expect(result.exitCode, result.stdout).toBe(0);
    expect(model.requests[0]!.body.text?.format?.schema).toEqual(JSON.parse(MIGRATION_SCHEMA));
    expect(JSON.parse(result.outputs['final-message']!)).toEqual(answer);
    expect(result.outputs['findings-count']).toBe('0');
    const file = JSON.parse(fs.readFileSync(result.outputs['findings-file']!, 'utf8'));
    expect(file.structured).toEqual(answer);
    expect(result.summary).toContain('"reason": "uses a removed API"');
  });

  it('fails with the validation errors when the reply does not match, keeping the raw reply', async () => {
    const { run, setReply } = await setup();
    const wrong = {
      ready: 'maybe',
      summary: 'x',
      blockers: [{ file: 'a', reason: 'b', effort: 'huge' }],
    };
    setReply(wrong);
    const result = await run({
      inputs: { 'output-schema-file': 'schemas/migration.json', post: 'none' },
    });
    expect(result.exitCode).toBe(1);
    expect(result.log).toContain("::error::Codex's reply does not match the output schema");
    expect(result.log).toMatch(/\/ready.*boolean/);
    expect(result.log).toMatch(/\/blockers\/0\/effort/);
    expect(JSON.parse(result.outputs['final-message']!)).toEqual(wrong);
    const file = JSON.parse(fs.readFileSync(result.outputs['findings-file']!, 'utf8'));
    expect(file.finalMessage).toBe(JSON.stringify(wrong));
  });

  it('posts exec findings inline on a pull request, like review findings', async () => {
    const { run, setReply, repo, gh, baseSha, headSha } = await setup();
    gh.setPullRequest({ number: 3, baseSha, headSha });
    setReply(findingsReply(repo.dir, ['Unchecked input', 'Missing await']));
    const result = await run({
      eventName: 'pull_request',
      payload: { pull_request: { number: 3, base: { sha: baseSha }, head: { sha: headSha } } },
    });
    expect(result.exitCode, result.stdout).toBe(0);
    expect(gh.reviews()).toHaveLength(1);
    expect(gh.reviewComments().map((c) => [c.path, c.line])).toEqual([
      ['app.js', 4],
      ['app.js', 5],
    ]);
    expect(gh.issueComments()).toHaveLength(1);
  });

  it('shows a custom schema answer in the summary comment with post: summary', async () => {
    const { run, setReply, gh, repo, headSha } = await setup();
    // On a pull request the schema file is read from the base commit: commit it on main.
    repo.git('checkout', '-q', 'main');
    const baseSha = repo.commit('add the schema');
    repo.git('checkout', '-q', headSha);
    gh.setPullRequest({ number: 4, baseSha, headSha });
    setReply({ ready: true, summary: 'Nothing blocks.', blockers: [] });
    const result = await run({
      eventName: 'pull_request',
      payload: { pull_request: { number: 4, base: { sha: baseSha }, head: { sha: headSha } } },
      inputs: { 'output-schema-file': 'schemas/migration.json', post: 'summary' },
    });
    expect(result.exitCode, result.stdout).toBe(0);
    const [summary] = gh.issueComments();
    expect(summary!.body).toContain('### Result');
    expect(summary!.body).toContain('"summary": "Nothing blocks."');
  });
});

describe('a scheduled audit with post: issue', () => {
  it('opens one tracking issue, updates it with fixed findings ticked, and closes it when nothing is open', async () => {
    const { run, setReply, repo, gh } = await setup();
    setReply(findingsReply(repo.dir, ['SQL built by concatenation', 'Token logged in debug mode']));
    const first = await run({ inputs: { post: 'issue' } });
    expect(first.exitCode, first.stdout).toBe(0);
    expect(gh.issues()).toHaveLength(1);
    const issue = gh.issues()[0]!;
    expect(issue.title).toBe('Codex audit: Weekly audit');
    expect(issue.body).toContain('- [ ] 🔴 P0 **SQL built by concatenation**');
    expect(issue.body).toContain('- [ ] 🟠 P1 **Token logged in debug mode**');
    expect(issue.body).toMatch(
      /\]\(https:\/\/github\.com\/octo\/demo\/blob\/[0-9a-f]{40}\/app\.js#L4\)/,
    );
    expect(first.outputs['review-url']).toBe(issue.html_url);

    setReply(findingsReply(repo.dir, ['SQL built by concatenation']));
    const second = await run({ inputs: { post: 'issue' } });
    expect(second.exitCode, second.stdout).toBe(0);
    expect(gh.issues()).toHaveLength(1);
    const updated = gh.issues()[0]!;
    expect(updated.number).toBe(issue.number);
    expect(updated.body).toContain('- [ ] 🔴 P0 **SQL built by concatenation**');
    expect(updated.body).toContain('- [x] ~~Token logged in debug mode~~');
    expect(updated.state).toBe('open');
    expect(
      inspectState(updated.body ?? undefined)!.findings.filter((f) => f.status === 'open'),
    ).toHaveLength(1);

    setReply(findingsReply(repo.dir, []));
    const third = await run({ inputs: { post: 'issue' } });
    expect(third.exitCode, third.stdout).toBe(0);
    expect(gh.issues()).toHaveLength(1);
    expect(gh.issues()[0]!).toMatchObject({ state: 'closed', state_reason: 'completed' });
    expect(gh.issues()[0]!.body).toContain('**No open findings.**');
  });

  it('opens no issue when there are no findings and none exists yet', async () => {
    const { run, setReply, repo, gh } = await setup();
    setReply(findingsReply(repo.dir, []));
    const result = await run({ inputs: { post: 'issue' } });
    expect(result.exitCode, result.stdout).toBe(0);
    expect(gh.issues()).toHaveLength(0);
    expect(gh.writeCalls()).toBe(0);
    expect(result.log).toContain('No open findings and no tracking issue yet');
  });

  it('writes a SARIF file of all findings and names it in the outputs', async () => {
    const { run, setReply, repo } = await setup();
    setReply(findingsReply(repo.dir, ['SQL built by concatenation', 'Token logged in debug mode']));
    const result = await run({ inputs: { post: 'none', 'sarif-file': 'out/codex.sarif' } });
    expect(result.exitCode, result.stdout).toBe(0);
    expect(result.outputs['sarif-file']).toBe(repo.path('out/codex.sarif'));
    const sarif = JSON.parse(fs.readFileSync(repo.path('out/codex.sarif'), 'utf8'));
    expect(sarif.version).toBe('2.1.0');
    expect(sarif.runs[0].results).toHaveLength(2);
  });
});
