// Who may trigger a run: refusals happen before Codex is installed or the model is asked.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeGitHub } from '../fakes/github-api.js';
import { FakeResponsesApi, message } from '../fakes/responses-api.js';
import { FAKE_GITHUB_TOKEN, runAction } from '../support/action-runner.js';
import { featureRepo } from '../support/git-repo.js';

const KEY = 'sk-test-trust-0123456789abcdefghij';
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function setup() {
  const { repo, baseSha, headSha } = featureRepo();
  cleanups.push(() => repo.remove());
  const gh = await new FakeGitHub({
    repoDir: repo.dir,
    owner: 'octo',
    repo: 'demo',
    tokens: { [FAKE_GITHUB_TOKEN]: 'write' },
    permissions: { maintainer: 'maintain', reader: 'read' },
  }).start();
  cleanups.push(() => gh.stop());
  gh.setPullRequest({ number: 9, baseSha, headSha });
  const model = await new FakeResponsesApi(
    () => ({ kind: 'items', items: [message('No issues found.')] }),
    { apiKey: KEY },
  ).start();
  cleanups.push(() => model.stop());
  const emptyCache = fs.mkdtempSync(path.join(os.tmpdir(), 'codex-review-trust-cache-'));
  cleanups.push(() => fs.rmSync(emptyCache, { recursive: true, force: true }));
  const run = (options: {
    actor: string;
    eventName?: string;
    fork?: boolean;
    inputs?: Record<string, string>;
    warmCache?: boolean;
  }) =>
    runAction({
      workspace: repo.dir,
      eventName: options.eventName ?? 'pull_request',
      sha: headSha,
      ...(options.warmCache ? {} : { toolCache: emptyCache }),
      payload: {
        pull_request: {
          number: 9,
          base: { sha: baseSha, repo: { full_name: 'octo/demo' } },
          head: { sha: headSha, repo: { full_name: options.fork ? 'stranger/demo' : 'octo/demo' } },
        },
      },
      inputs: {
        'openai-api-key': KEY,
        'openai-base-url': model.url,
        post: 'none',
        ...(options.inputs ?? {}),
      },
      env: { GITHUB_API_URL: gh.url, GITHUB_ACTOR: options.actor },
    });
  return { run, model, emptyCache };
}

describe('who may trigger a review', () => {
  it('runs for an actor who can write (maintain)', async () => {
    const { run, model } = await setup();
    const result = await run({ actor: 'maintainer', warmCache: true });
    expect(result.exitCode, result.stdout).toBe(0);
    expect(model.requests.length).toBeGreaterThan(0);
  });

  it('skips, with a notice and before installing anything, for an actor who can only read', async () => {
    const { run, model, emptyCache } = await setup();
    const result = await run({ actor: 'reader' });
    expect(result.exitCode).toBe(0);
    expect(result.log).toContain('::notice::reader has "read" permission on this repository');
    expect(result.summary).toContain('Codex review skipped');
    expect(model.requests).toHaveLength(0);
    expect(fs.readdirSync(emptyCache)).toEqual([]);
  });

  it('runs for a reader listed in allow-users', async () => {
    const { run, model } = await setup();
    const result = await run({
      actor: 'reader',
      warmCache: true,
      inputs: { 'allow-users': 'someone, reader' },
    });
    expect(result.exitCode, result.stdout).toBe(0);
    expect(model.requests.length).toBeGreaterThan(0);
  });

  it('skips a bot unless it is listed in allow-bots', async () => {
    const { run, model } = await setup();
    const skipped = await run({ actor: 'dependabot[bot]' });
    expect(skipped.exitCode).toBe(0);
    expect(skipped.log).toContain(
      '::notice::The run was triggered by the bot dependabot[bot], which is not in `allow-bots`.',
    );
    expect(model.requests).toHaveLength(0);
    const allowed = await run({
      actor: 'dependabot[bot]',
      warmCache: true,
      inputs: { 'allow-bots': 'dependabot' },
    });
    expect(allowed.exitCode, allowed.stdout).toBe(0);
    expect(model.requests.length).toBeGreaterThan(0);
  });

  it('refuses a pull_request_target run on a fork unless the workflow opts in', async () => {
    const { run, model } = await setup();
    const refused = await run({
      actor: 'maintainer',
      eventName: 'pull_request_target',
      fork: true,
    });
    expect(refused.exitCode).toBe(1);
    expect(refused.log).toContain(
      "::error::This pull_request_target run would let Codex read a fork's code while holding your secrets.",
    );
    expect(model.requests).toHaveLength(0);
    const opted = await run({
      actor: 'maintainer',
      eventName: 'pull_request_target',
      fork: true,
      warmCache: true,
      inputs: { 'allow-untrusted-pull-requests': 'true' },
    });
    expect(opted.exitCode, opted.stdout).toBe(0);
    expect(opted.log).toContain('::warning::allow-untrusted-pull-requests is on');
  });

  it('ends a fork pull_request without secrets with a notice, not a failure', async () => {
    const { run, model } = await setup();
    const result = await run({ actor: 'stranger', fork: true, inputs: { 'openai-api-key': '' } });
    expect(result.exitCode).toBe(0);
    expect(result.log).toContain('::notice::Pull requests from forks get no secrets');
    expect(model.requests).toHaveLength(0);
  });

  it('does not check the actor of a scheduled run', async () => {
    const { run, model } = await setup();
    const result = await run({ actor: 'reader', eventName: 'schedule', warmCache: true });
    expect(result.exitCode, result.stdout).toBe(0);
    expect(model.requests.length).toBeGreaterThan(0);
  });
});
