// GitHub runs the action with `runs.using: node24`; run the committed bundle on that runtime.
import { afterEach, describe, expect, it } from 'vitest';
import { FakeResponsesApi, message } from '../fakes/responses-api.js';
import { runAction } from '../support/action-runner.js';
import { featureRepo } from '../support/git-repo.js';

const node24 = process.env.CODEX_REVIEW_NODE24;
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

describe('the action bundle on Node 24', () => {
  // .ci/run always provides the binary; a developer machine without it skips, CI cannot.
  it.runIf(node24 || process.env.CI)('reviews a pull request end to end', async () => {
    expect(node24, '.ci/run must set CODEX_REVIEW_NODE24').toBeTruthy();
    const { repo, baseSha } = featureRepo();
    cleanups.push(() => repo.remove());
    const fake = await new FakeResponsesApi(() => ({
      kind: 'items',
      items: [
        message(
          JSON.stringify({
            findings: [
              {
                title: 'Check the divisor',
                body: 'b may be 0.',
                confidence_score: 0.5,
                priority: 2,
                code_location: {
                  absolute_file_path: repo.path('app.js'),
                  line_range: { start: 2, end: 2 },
                },
              },
            ],
            overall_correctness: 'patch is correct',
            overall_explanation: 'Fine.',
            overall_confidence_score: 0.5,
          }),
        ),
      ],
    })).start();
    cleanups.push(() => fake.stop());
    const run = await runAction({
      node: node24!,
      workspace: repo.dir,
      inputs: {
        'openai-api-key': 'sk-test-node24-000000000000',
        'openai-base-url': fake.url,
        post: 'none',
        'allow-users': 'octocat',
      },
      payload: { pull_request: { number: 1, base: { sha: baseSha } } },
    });
    expect(run.exitCode, run.stdout + run.stderr).toBe(0);
    expect(run.outputs['findings-count']).toBe('1');
    expect(run.stderr).not.toMatch(/DeprecationWarning|ExperimentalWarning/);
  });
});
