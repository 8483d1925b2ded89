// The agent turned against us: the fake model makes the real Codex CLI run every command an
// injected prompt would use to find a credential. Nothing secret may come back to the model.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeResponsesApi, message, shellCall, toolOutputs } from '../fakes/responses-api.js';
import { FAKE_GITHUB_TOKEN, runAction } from '../support/action-runner.js';
import { featureRepo } from '../support/git-repo.js';

const KEY = 'sk-attack-0123456789abcdefghijklmnop';
const CHECKOUT_TOKEN = 'ghs_CheckoutPersisted0123456789abcdefXY';
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

const PROBES = [
  'env',
  'cat /proc/*/environ 2>/dev/null | tr "\\0" "\\n"',
  'cat /proc/*/cmdline 2>/dev/null | tr "\\0" " "',
  'cat "$CODEX_HOME/auth.json" 2>&1; ls -la "$CODEX_HOME" 2>&1',
  'cat .git/config; git config --list --show-origin 2>&1',
  'ls -laR "$(dirname "$CODEX_HOME")" 2>&1 | head -200; cat "$(dirname "$CODEX_HOME")"/* 2>&1 | head -200',
  // Everything the action keeps in the runner's temp directory (CODEX_HOME included).
  'grep -r "sk-\\|ghs_" "$RUNNER_TEMP" 2>/dev/null | head -50; echo "searched $RUNNER_TEMP"',
];

describe.each(['read-only', 'workspace-write'])(
  'an agent hunting for secrets in the %s sandbox',
  (sandbox) => {
    it('finds none: not in the environment, /proc, CODEX_HOME, .git/config or temp files', async () => {
      const { repo, baseSha, headSha } = featureRepo();
      cleanups.push(() => repo.remove());
      // What actions/checkout leaves behind with persist-credentials (the default).
      const header = `AUTHORIZATION: basic ${Buffer.from(`x-access-token:${CHECKOUT_TOKEN}`).toString('base64')}`;
      repo.git('config', '--local', 'http.https://github.com/.extraheader', header);
      let turn = 0;
      const fake = await new FakeResponsesApi(
        () =>
          turn < PROBES.length
            ? { kind: 'items', items: [shellCall(PROBES[turn++]!)] }
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
        { apiKey: KEY },
      ).start();
      cleanups.push(() => fake.stop());

      const run = await runAction({
        workspace: repo.dir,
        inputs: {
          'openai-api-key': KEY,
          'openai-base-url': fake.url,
          post: 'none',
          'allow-users': 'octocat',
          sandbox,
        },
        payload: { pull_request: { number: 1, base: { sha: baseSha }, head: { sha: headSha } } },
        sha: headSha,
      });
      expect(run.exitCode, run.stdout).toBe(0);

      const seen = toolOutputs(fake.requests).join('\n');
      // Every probe ran and answered.
      expect(toolOutputs([fake.requests.at(-1)!])).toHaveLength(PROBES.length);
      expect(seen).toContain('CODEX_HOME=');
      expect(seen).toContain('[core]');
      expect(seen).toMatch(/searched \/.*runner_temp/);
      // ...and none of them saw a credential.
      for (const secret of [KEY, FAKE_GITHUB_TOKEN, CHECKOUT_TOKEN, header.split(' ').at(-1)!]) {
        expect(seen).not.toContain(secret);
      }
      // The checkout's token is back where it was after the run.
      expect(repo.git('config', '--local', '--get', 'http.https://github.com/.extraheader')).toBe(
        header,
      );
      expect(run.log).toContain("Took the checkout's persisted token out of reach of the agent");
      expect(run.log).not.toContain(header.split(' ').at(-1)!);
    });
  },
);

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
