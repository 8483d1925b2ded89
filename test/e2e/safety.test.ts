// safety-strategy on this runner (the tests run as root, like a container job).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeResponsesApi, message, shellCall, toolOutputs } from '../fakes/responses-api.js';
import { runAction } from '../support/action-runner.js';
import { featureRepo } from '../support/git-repo.js';

const KEY = 'sk-test-safety-0123456789abcdefghi';
const asRoot = process.getuid?.() === 0;
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function setup(
  script = () => ({ kind: 'items' as const, items: [message('No issues found.')] }),
) {
  const { repo, baseSha, headSha } = featureRepo();
  cleanups.push(() => repo.remove());
  const model = await new FakeResponsesApi(script, { apiKey: KEY }).start();
  cleanups.push(() => model.stop());
  const run = (inputs: Record<string, string>, toolCache?: string) =>
    runAction({
      workspace: repo.dir,
      ...(toolCache ? { toolCache } : {}),
      inputs: {
        'openai-api-key': KEY,
        'openai-base-url': model.url,
        post: 'none',
        'allow-users': 'octocat',
        ...inputs,
      },
      payload: { pull_request: { number: 1, base: { sha: baseSha }, head: { sha: headSha } } },
      sha: headSha,
    });
  return { repo, model, run };
}

describe('safety-strategy', () => {
  it.runIf(asRoot)(
    'drop-sudo on a root CI runner runs Codex, and the commands it runs, as its own user',
    async () => {
      let turn = 0;
      const { run, model } = await setup(() =>
        turn++ === 0
          ? { kind: 'items', items: [shellCall('id -un; sudo -n true 2>&1; echo "sudo=$?"')] }
          : { kind: 'items', items: [message('No issues found.')] },
      );
      // Nothing opened by hand: the product gives the user the access it needs.
      const result = await run({ 'timeout-minutes': '1' });
      expect(result.exitCode, result.stdout).toBe(0);
      expect(result.log).toContain('Codex runs as codex-review, a separate user');
      expect(result.log).not.toContain('there is no sudo to drop');
      const output = toolOutputs([model.requests.at(-1)!]).join('\n');
      expect(output).toMatch(/Output:\\ncodex-review/);
      expect(output).not.toContain('sudo=0');
    },
  );

  it('unsafe says what it leaves exposed', async () => {
    const { run } = await setup();
    const result = await run({ 'safety-strategy': 'unsafe' });
    expect(result.exitCode, result.stdout).toBe(0);
    expect(result.log).toContain(
      '::warning::safety-strategy is "unsafe": commands Codex runs keep every right of this job',
    );
  });

  it('refuses an unknown codex-user before installing Codex or asking the model', async () => {
    const { run, model } = await setup();
    const emptyCache = fs.mkdtempSync(path.join(os.tmpdir(), 'codex-review-safety-cache-'));
    cleanups.push(() => fs.rmSync(emptyCache, { recursive: true, force: true }));
    const result = await run(
      { 'safety-strategy': 'unprivileged-user', 'codex-user': 'no-such-user-here' },
      emptyCache,
    );
    expect(result.exitCode).toBe(1);
    expect(result.log).toContain(
      'setting `codex-user` = "no-such-user-here": no such user on this runner',
    );
    expect(model.requests).toHaveLength(0);
    expect(fs.readdirSync(emptyCache)).toEqual([]);
  });

  it.runIf(asRoot)(
    'unprivileged-user runs Codex, and the commands it runs, as that user',
    async () => {
      let turn = 0;
      const { run, model } = await setup(() =>
        turn++ === 0
          ? { kind: 'items', items: [shellCall('id -un')] }
          : { kind: 'items', items: [message('No issues found.')] },
      );
      const result = await run({
        'safety-strategy': 'unprivileged-user',
        'codex-user': 'nobody',
        'timeout-minutes': '1',
      });
      expect(result.exitCode, result.stdout).toBe(0);
      expect(result.log).toContain('Codex runs as nobody, a separate user');
      expect(toolOutputs([model.requests.at(-1)!]).join('\n')).toMatch(/Output:\\nnobody/);
    },
  );
});
