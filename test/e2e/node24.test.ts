// GitHub runs the action with `runs.using: node24`. The one test of the committed dist/ bundle
// (every other e2e test runs the fresh build of src/): it must load and review on that runtime.
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeResponsesApi, message } from '../fakes/responses-api.js';
import { COMMITTED_DIST, runAction } from '../support/action-runner.js';
import { featureRepo } from '../support/git-repo.js';
import { NODE24_UNAVAILABLE, node24 } from '../support/node24.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

describe('the committed action bundle (dist/) on Node 24', () => {
  // The first run on a machine downloads Node 24 from the npm registry (then cached).
  it('reviews a pull request end to end', { timeout: 300_000 }, async ({ skip }) => {
    skip(NODE24_UNAVAILABLE !== undefined, NODE24_UNAVAILABLE);
    const node = await node24();
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
      node,
      entry: path.join(COMMITTED_DIST, 'action', 'index.js'),
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
