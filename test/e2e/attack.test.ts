// A model that repeats the key: it is redacted wherever the product writes. (The hunt for
// credentials by a hostile model is in attack-secrets.test.ts.)
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeResponsesApi, message } from '../fakes/responses-api.js';
import { FAKE_GITHUB_TOKEN, runAction } from '../support/action-runner.js';
import { featureRepo } from '../support/git-repo.js';

const KEY = 'sk-attack-0123456789abcdefghijklmnop';
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

describe('a final message that repeats the key', () => {
  it('is redacted in the outputs, the step summary and the findings file', async () => {
    const { repo, baseSha, headSha } = featureRepo();
    cleanups.push(() => repo.remove());
    const fake = await new FakeResponsesApi(() => ({
      kind: 'items',
      items: [
        message(
          JSON.stringify({
            findings: [
              {
                title: `Key is ${KEY}`,
                body: `token ${FAKE_GITHUB_TOKEN}`,
                confidence_score: 1,
                priority: 1,
                code_location: {
                  absolute_file_path: repo.path('app.js'),
                  line_range: { start: 1, end: 1 },
                },
              },
            ],
            overall_correctness: 'patch is incorrect',
            overall_explanation: `I found ${KEY}`,
            overall_confidence_score: 1,
          }),
        ),
      ],
    })).start();
    cleanups.push(() => fake.stop());
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
    expect(run.exitCode, run.stdout).toBe(0);
    const everything = [
      run.log,
      run.summary,
      JSON.stringify(run.outputs),
      fs.readFileSync(run.outputs['findings-file']!, 'utf8'),
    ].join('\n');
    expect(everything).toContain('Key is ***');
    expect(everything).not.toContain(KEY);
    expect(everything).not.toContain(FAKE_GITHUB_TOKEN);
    expect(path.isAbsolute(run.outputs['findings-file']!)).toBe(true);
  });
});
