// The action entry, run as GitHub's runner runs it, with the real Codex CLI against a loopback
// fake of the Responses API.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BUILTIN_FINDINGS_SCHEMA } from '../../src/core/review/builtin-schema.js';
import {
  FakeResponsesApi,
  message,
  shellCall,
  toolOutputs,
  type Script,
} from '../fakes/responses-api.js';
import { FAKE_GITHUB_TOKEN, processesIn, runAction } from '../support/action-runner.js';
import { featureRepo, GitRepo } from '../support/git-repo.js';

const KEY = 'sk-test-e2e-0123456789abcdefghijkl';
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function fakeModel(script: Script, apiKey = KEY): Promise<FakeResponsesApi> {
  const fake = await new FakeResponsesApi(script, { apiKey }).start();
  cleanups.push(() => fake.stop());
  return fake;
}

function reviewJson(repoDir: string) {
  return {
    findings: [
      {
        title: '[P1] Division by zero on empty input',
        body: '`mean([])` divides by zero and returns NaN.\nGuard the empty array.',
        confidence_score: 0.9,
        priority: 1,
        code_location: {
          absolute_file_path: path.join(repoDir, 'app.js'),
          line_range: { start: 5, end: 7 },
        },
      },
      {
        title: 'Host file is world readable',
        body: 'Outside the repository.',
        confidence_score: 0.3,
        priority: 3,
        code_location: { absolute_file_path: '/etc/hosts', line_range: { start: 1, end: 1 } },
      },
    ],
    overall_correctness: 'patch is incorrect',
    overall_explanation: 'mean() breaks on empty arrays.',
    overall_confidence_score: 0.8,
  };
}

/** Poll until the value is empty (a killed process takes a moment to disappear). */
async function settled(read: () => number[], withinMs = 3_000): Promise<number[]> {
  const deadline = Date.now() + withinMs;
  let value = read();
  while (value.length > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    value = read();
  }
  return value;
}

function requestText(fake: FakeResponsesApi): string {
  return fake.requests.map((r) => r.raw).join('\n');
}

describe('the action on a pull_request event', () => {
  it('reviews the PR against its base with the real Codex CLI and fills every output', async () => {
    const { repo, baseSha, headSha } = featureRepo();
    cleanups.push(() => repo.remove());
    const fake = await fakeModel(() => ({
      kind: 'items',
      items: [message(JSON.stringify(reviewJson(repo.dir)))],
    }));

    const run = await runAction({
      workspace: repo.dir,
      inputs: {
        'openai-api-key': KEY,
        'openai-base-url': fake.url,
        post: 'none',
        'allow-users': 'octocat',
      },
      payload: { pull_request: { number: 7, base: { sha: baseSha }, head: { sha: headSha } } },
      sha: headSha,
    });

    expect(run.exitCode, run.stdout + run.stderr).toBe(0);
    // Codex was asked to review the PR's changes against its base.
    expect(requestText(fake)).toContain(baseSha);
    expect(fake.requests[0]!.authorization).toBe(`Bearer ${KEY}`);

    const findings = JSON.parse(run.outputs.findings!) as Array<Record<string, unknown>>;
    expect(run.outputs['findings-count']).toBe('2');
    expect(findings[0]).toMatchObject({
      title: 'Division by zero on empty input',
      priority: 1,
      confidence: 0.9,
      path: 'app.js',
      startLine: 5,
      endLine: 7,
      inRepo: true,
    });
    expect(findings[0]!.fingerprint).toMatch(/^[0-9a-f]{16}$/);
    expect(findings[1]).toMatchObject({ path: '/etc/hosts', inRepo: false, priority: 3 });
    expect(run.outputs['thread-id']).toMatch(/^[0-9a-f-]{36}$/);
    // One model reply of the fake's default usage, read from the review sub-agent's session
    // (review mode reports zeros on the event stream).
    expect(JSON.parse(run.outputs.usage!)).toEqual({
      input_tokens: 100,
      cached_input_tokens: 20,
      output_tokens: 30,
      reasoning_output_tokens: 5,
    });
    expect(run.outputs['final-message']).toContain('Division by zero on empty input');
    expect(run.outputs['blocking-count']).toBe('0');

    const file = JSON.parse(fs.readFileSync(run.outputs['findings-file']!, 'utf8'));
    expect(file.findings).toHaveLength(2);
    expect(file.source).toBe('session-file');
    expect(file.verdict).toEqual({
      correctness: 'patch is incorrect',
      explanation: 'mean() breaks on empty arrays.',
      confidence: 0.8,
    });

    expect(run.summary).toContain('| Priority | Finding | Location | Confidence |');
    expect(run.summary).toContain('`app.js:5-7`');
    expect(run.log).toContain('::group::Install Codex');
    expect(run.log).toContain('found in the tool cache');
    expect(run.log).not.toContain(KEY);
    expect(run.log).not.toContain(FAKE_GITHUB_TOKEN);
  });

  it('fails the step with fail-on when a finding is at or above the threshold', async () => {
    const { repo, baseSha, headSha } = featureRepo();
    cleanups.push(() => repo.remove());
    const fake = await fakeModel(() => ({
      kind: 'items',
      items: [message(JSON.stringify(reviewJson(repo.dir)))],
    }));
    const run = await runAction({
      workspace: repo.dir,
      inputs: {
        'openai-api-key': KEY,
        'openai-base-url': fake.url,
        post: 'none',
        'allow-users': 'octocat',
        'fail-on': 'p1',
      },
      payload: { pull_request: { number: 7, base: { sha: baseSha }, head: { sha: headSha } } },
      sha: headSha,
    });
    expect(run.exitCode).toBe(1);
    expect(run.outputs['blocking-count']).toBe('1');
    expect(run.log).toContain('::error::1 finding(s) at or above `fail-on: p1`');
  });

  it('keeps the key and the GitHub token out of the environment of commands Codex runs', async () => {
    const { repo, baseSha, headSha } = featureRepo();
    cleanups.push(() => repo.remove());
    let turn = 0;
    const fake = await fakeModel(() =>
      turn++ === 0
        ? {
            kind: 'items',
            items: [
              shellCall('env; cat /proc/*/environ 2>/dev/null | tr "\\0" "\\n"; ps -eo args'),
            ],
          }
        : {
            kind: 'items',
            items: [
              message(
                JSON.stringify({
                  findings: [],
                  overall_correctness: 'patch is correct',
                  overall_explanation: 'ok',
                  overall_confidence_score: 0.5,
                }),
              ),
            ],
          },
    );
    const run = await runAction({
      workspace: repo.dir,
      inputs: {
        'openai-api-key': KEY,
        'openai-base-url': fake.url,
        post: 'none',
        'allow-users': 'octocat',
      },
      payload: { pull_request: { number: 7, base: { sha: baseSha }, head: { sha: headSha } } },
      sha: headSha,
    });
    expect(run.exitCode, run.stdout).toBe(0);
    const outputs = toolOutputs(fake.requests);
    expect(outputs.length).toBeGreaterThan(0);
    // The command really ran and printed its environment...
    expect(outputs.join('\n')).toContain('CODEX_HOME=');
    // ...without any credential in it.
    expect(outputs.join('\n')).not.toContain(KEY);
    expect(outputs.join('\n')).not.toContain(FAKE_GITHUB_TOKEN);
  });
});

describe('the action on other events', () => {
  it('reviews the pushed commit on a push event', async () => {
    const { repo, headSha } = featureRepo();
    cleanups.push(() => repo.remove());
    const fake = await fakeModel(() => ({ kind: 'items', items: [message('No issues found.')] }));
    const run = await runAction({
      workspace: repo.dir,
      eventName: 'push',
      payload: { after: headSha },
      sha: headSha,
      inputs: {
        'openai-api-key': KEY,
        'openai-base-url': fake.url,
        post: 'none',
        'allow-users': 'octocat',
      },
    });
    expect(run.exitCode, run.stdout).toBe(0);
    expect(requestText(fake)).toContain(headSha);
    expect(run.log).toContain(`Reviewing commit ${headSha.slice(0, 12)} "add mean"`);
    expect(run.outputs['findings-count']).toBe('0');
  });

  it('runs exec mode with the built-in findings schema and maps its findings', async () => {
    const { repo } = featureRepo();
    cleanups.push(() => repo.remove());
    const fake = await fakeModel(() => ({
      kind: 'items',
      items: [message(JSON.stringify(reviewJson(repo.dir)))],
    }));
    const run = await runAction({
      workspace: repo.dir,
      eventName: 'workflow_dispatch',
      inputs: {
        'openai-api-key': KEY,
        'openai-base-url': fake.url,
        mode: 'exec',
        prompt: 'Audit app.js for crashes.',
      },
    });
    expect(run.exitCode, run.stdout).toBe(0);
    const format = fake.requests[0]!.body.text?.format;
    expect(format).toMatchObject({ type: 'json_schema', strict: true });
    expect(format?.schema).toEqual(BUILTIN_FINDINGS_SCHEMA);
    expect(requestText(fake)).toContain('Audit app.js for crashes.');
    expect(run.outputs['findings-count']).toBe('2');
    expect(JSON.parse(run.outputs.findings!)[0]).toMatchObject({
      path: 'app.js',
      startLine: 5,
      priority: 1,
    });
    const file = JSON.parse(fs.readFileSync(run.outputs['findings-file']!, 'utf8'));
    expect(file.structured.overall_explanation).toBe('mean() breaks on empty arrays.');
  });
});

describe('the action when something is wrong', () => {
  it('explains a rejected key (401) and fails the step', async () => {
    const { repo, baseSha, headSha } = featureRepo();
    cleanups.push(() => repo.remove());
    const fake = await fakeModel(
      () => ({ kind: 'items', items: [message('unreachable')] }),
      'sk-the-right-key-000000000000',
    );
    const run = await runAction({
      workspace: repo.dir,
      inputs: {
        'openai-api-key': KEY,
        'openai-base-url': fake.url,
        post: 'none',
        'allow-users': 'octocat',
      },
      payload: { pull_request: { number: 1, base: { sha: baseSha }, head: { sha: headSha } } },
      sha: headSha,
    });
    expect(run.exitCode).toBe(1);
    expect(run.log).toMatch(
      /::error::The OpenAI API rejected the API key \(401 Unauthorized\)\. Check that `openai-api-key`/,
    );
    expect(fake.requests.length).toBeGreaterThan(0);
    expect(run.summary).toContain('Codex review failed');
  });

  it('stops a hanging Codex at timeout-minutes and leaves no process behind', async () => {
    const { repo, baseSha, headSha } = featureRepo();
    cleanups.push(() => repo.remove());
    // The agent first starts a background process, then the model stops answering.
    let turn = 0;
    const fake = await fakeModel(() =>
      turn++ === 0
        ? { kind: 'items', items: [shellCall('sleep 600 & echo started')] }
        : { kind: 'hang' },
    );
    const started = Date.now();
    const run = await runAction({
      workspace: repo.dir,
      inputs: {
        'openai-api-key': KEY,
        'openai-base-url': fake.url,
        post: 'none',
        'allow-users': 'octocat',
        'timeout-minutes': '0.1',
      },
      payload: { pull_request: { number: 1, base: { sha: baseSha }, head: { sha: headSha } } },
      sha: headSha,
    });
    expect(run.exitCode).toBe(1);
    expect(run.log).toContain('Codex did not finish within `timeout-minutes` (0.1 min)');
    // The sleep really ran: its output went back to the model before it hung.
    expect(toolOutputs(fake.requests).join('\n')).toContain('started');
    expect(Date.now() - started).toBeLessThan(60_000);
    expect(await settled(() => processesIn(repo.dir))).toEqual([]);
  });

  it('rejects a bad setting before installing Codex or calling the model', async () => {
    const { repo } = featureRepo();
    cleanups.push(() => repo.remove());
    const fake = await fakeModel(() => ({ kind: 'items', items: [message('unreachable')] }));
    const emptyCache = fs.mkdtempSync(path.join(os.tmpdir(), 'codex-review-empty-cache-'));
    cleanups.push(() => fs.rmSync(emptyCache, { recursive: true, force: true }));
    const run = await runAction({
      workspace: repo.dir,
      toolCache: emptyCache,
      inputs: {
        'openai-api-key': KEY,
        'openai-base-url': fake.url,
        sandbox: 'yolo',
        'max-inline-comments': '-3',
      },
    });
    expect(run.exitCode).toBe(1);
    expect(run.log).toContain(
      'setting `sandbox` = "yolo": must be one of "read-only", "workspace-write", "danger-full-access"',
    );
    expect(run.log).toContain(
      'setting `max-inline-comments` = "-3": must be a whole number from 0 to 1000',
    );
    expect(fake.requests).toHaveLength(0);
    expect(fs.readdirSync(emptyCache)).toEqual([]);
  });

  it('refuses codex-args that would switch off the sandbox, trust the PR or change the env policy, before anything runs', async () => {
    const { repo } = featureRepo();
    cleanups.push(() => repo.remove());
    // A hostile model would run this if the sandbox were off; it must never be asked.
    const fake = await fakeModel(() => ({
      kind: 'items',
      items: [shellCall('cat .git/config; env')],
    }));
    const emptyCache = fs.mkdtempSync(path.join(os.tmpdir(), 'codex-review-empty-cache-'));
    cleanups.push(() => fs.rmSync(emptyCache, { recursive: true, force: true }));
    for (const args of [
      '--dangerously-bypass-approvals-and-sandbox',
      '--trust',
      '-c shell_environment_policy.ignore_default_excludes=true',
      '["-c", "sandbox_mode=\\"danger-full-access\\""]',
    ]) {
      const run = await runAction({
        workspace: repo.dir,
        toolCache: emptyCache,
        inputs: {
          'openai-api-key': KEY,
          'openai-base-url': fake.url,
          'allow-users': 'octocat',
          'codex-args': args,
        },
      });
      expect(run.exitCode, args).toBe(1);
      expect(run.log, args).toContain('setting `codex-args`');
      expect(run.log, args).toMatch(/use the `[a-z-]+` setting instead|safety-strategy/);
    }
    expect(fake.requests).toHaveLength(0);
    expect(fs.readdirSync(emptyCache)).toEqual([]);
  });

  it('asks for the API key before installing Codex when none is set', async () => {
    const { repo } = featureRepo();
    cleanups.push(() => repo.remove());
    const emptyCache = fs.mkdtempSync(path.join(os.tmpdir(), 'codex-review-empty-cache-'));
    cleanups.push(() => fs.rmSync(emptyCache, { recursive: true, force: true }));
    const run = await runAction({
      workspace: repo.dir,
      toolCache: emptyCache,
      inputs: { 'allow-users': 'octocat' },
    });
    expect(run.exitCode).toBe(1);
    expect(run.log).toContain('::error::No OpenAI API key: set `openai-api-key`');
    expect(fs.readdirSync(emptyCache)).toEqual([]);
  });

  it('explains fetch-depth: 0 when a shallow clone has no merge base', async () => {
    const { repo } = featureRepo();
    cleanups.push(() => repo.remove());
    const shallow = GitRepo.clone(repo, ['--depth', '1', '--no-single-branch']);
    cleanups.push(() => shallow.remove());
    const fake = await fakeModel(() => ({ kind: 'items', items: [message('unreachable')] }));
    const run = await runAction({
      workspace: shallow.dir,
      inputs: {
        'openai-api-key': KEY,
        'openai-base-url': fake.url,
        post: 'none',
        'allow-users': 'octocat',
        base: 'origin/main',
      },
    });
    expect(run.exitCode).toBe(1);
    expect(run.log).toContain(
      'No merge base between `base` "origin/main" and HEAD because the clone is shallow',
    );
    expect(run.log).toContain('`fetch-depth: 0`');
    expect(fake.requests).toHaveLength(0);
  });
});
