// `codex-review local` from the built bundle, with the real Codex CLI and the fake model.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeResponsesApi, message, type Script } from '../fakes/responses-api.js';
import { runCli } from '../support/action-runner.js';
import { featureRepo } from '../support/git-repo.js';

const KEY = 'sk-test-local-0123456789abcdefghij';
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

const cli = runCli;

async function fakeModel(script: Script) {
  const fake = await new FakeResponsesApi(script, { apiKey: KEY }).start();
  cleanups.push(() => fake.stop());
  return fake;
}

describe('codex-review local', () => {
  it('reviews the current branch against the default branch and prints the findings', async () => {
    const { repo, baseSha } = featureRepo();
    cleanups.push(() => repo.remove());
    const review = {
      findings: [
        {
          title: '[P0] Empty input divides by zero',
          body: 'Guard `xs.length === 0`.',
          confidence_score: 0.7,
          priority: 0,
          code_location: {
            absolute_file_path: repo.path('app.js'),
            line_range: { start: 6, end: 6 },
          },
        },
      ],
      overall_correctness: 'patch is incorrect',
      overall_explanation: 'One crash.',
      overall_confidence_score: 0.7,
    };
    const fake = await fakeModel(() => ({
      kind: 'items',
      items: [message(JSON.stringify(review))],
    }));
    const findingsFile = path.join(repo.dir, '..', `${path.basename(repo.dir)}-findings.json`);
    cleanups.push(() => fs.rmSync(findingsFile, { force: true }));

    const run = await cli(
      ['local', '--openai-base-url', fake.url, '--findings-file', findingsFile],
      {
        cwd: repo.dir,
        env: { OPENAI_API_KEY: KEY },
      },
    );

    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('Verdict: patch is incorrect');
    expect(run.stdout).toContain('[P0] Empty input divides by zero');
    expect(run.stdout).toContain('app.js:6');
    expect(run.stdout).toContain(`Findings file: ${findingsFile}`);
    // Phases and progress go to stderr, so stdout stays the result.
    expect(run.stderr).toContain('▸ Install Codex');
    expect(run.stderr).toContain('Reviewing the changes since main');
    expect(fake.requests.map((r) => r.raw).join('\n')).toContain(baseSha);
    const file = JSON.parse(fs.readFileSync(findingsFile, 'utf8'));
    expect(file.findings).toMatchObject([{ path: 'app.js', priority: 0, placement: 'not-posted' }]);
    const outputs = JSON.parse(
      fs.readFileSync(path.join(path.dirname(findingsFile), 'outputs.json'), 'utf8'),
    );
    expect(outputs['findings-count']).toBe('1');
    expect(run.stdout + run.stderr).not.toContain(KEY);
  });

  it('takes settings from CODEX_REVIEW_* variables, with flags winning', async () => {
    const { repo } = featureRepo();
    cleanups.push(() => repo.remove());
    const run = await cli(['local', '--mode', 'exec'], {
      cwd: repo.dir,
      env: { OPENAI_API_KEY: KEY, CODEX_REVIEW_MODE: 'review', CODEX_REVIEW_SANDBOX: 'open' },
    });
    expect(run.code).toBe(1);
    // The flag won (exec without a prompt) and the env value was read (bad sandbox).
    expect(run.stderr).toContain('setting `prompt` = "": is required when `mode` is "exec"');
    expect(run.stderr).toContain('setting `sandbox` = "open": must be one of');
  });

  it('exits 1 with fail-on when a blocking finding exists', async () => {
    const { repo } = featureRepo();
    cleanups.push(() => repo.remove());
    const fake = await fakeModel(() => ({
      kind: 'items',
      items: [
        message(
          JSON.stringify({
            findings: [
              {
                title: 'Bad',
                body: 'b',
                confidence_score: 1,
                priority: 2,
                code_location: {
                  absolute_file_path: repo.path('app.js'),
                  line_range: { start: 1, end: 1 },
                },
              },
            ],
            overall_correctness: 'patch is incorrect',
            overall_explanation: 'x',
            overall_confidence_score: 1,
          }),
        ),
      ],
    }));
    const run = await cli(
      [
        'local',
        '--openai-base-url',
        fake.url,
        '--fail-on',
        'p2',
        '--findings-file',
        path.join(os.tmpdir(), `cr-${Date.now()}.json`),
      ],
      {
        cwd: repo.dir,
        env: { OPENAI_API_KEY: KEY },
      },
    );
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('1 finding(s) at or above `fail-on: p2`');
  });

  it('prints usage with every setting', async () => {
    const run = await cli(['--help'], { cwd: os.tmpdir() });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('codex-review local');
    expect(run.stdout).toContain('--timeout-minutes <value>');
    expect(run.stdout).toContain('env: CODEX_REVIEW_TIMEOUT_MINUTES');
  });

  it('rejects an unknown command', async () => {
    const run = await cli(['deploy'], { cwd: os.tmpdir() });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('unknown command "deploy"');
  });
});
