// Credentials left in a checkout by actions/checkout and GitLab Runner are out of reach during
// the run and exactly back afterwards, also when the job is cancelled mid-run.
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { hideCredentials, secretOf } from '../../src/core/codex/credentials.js';
import { RecordingLogger } from '../../src/core/logger.js';
import { GitRepo } from '../support/git-repo.js';

const CHECKOUT_TOKEN = 'ghs_CheckoutToken0123456789abcdefABCD';
const SUBMODULE_TOKEN = 'ghs_SubmoduleToken0123456789abcdefAB';
const INCLUDED_TOKEN = 'ghs_IncludedFileToken0123456789abcdef';
const JOB_TOKEN = 'glcbt-64_JobToken0123456789abcdef';
const INSTEAD_TOKEN = 'ghp_InsteadOfToken0123456789abcdefAB';
const SUBMODULE_URL_TOKEN = 'glpat-SubmoduleUrl0123456789ab';
const SECRETS = [
  CHECKOUT_TOKEN,
  SUBMODULE_TOKEN,
  INCLUDED_TOKEN,
  JOB_TOKEN,
  INSTEAD_TOKEN,
  SUBMODULE_URL_TOKEN,
];

const basic = (token: string) =>
  `AUTHORIZATION: basic ${Buffer.from(`x-access-token:${token}`).toString('base64')}`;
const encoded = (token: string) => basic(token).split(' ').at(-1)!;

const cleanups: Array<() => void> = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

/** A checkout as actions/checkout (submodules, persisted token) and GitLab Runner leave it. */
function hostileCheckout() {
  const sub = GitRepo.create('codex-review-sub-');
  sub.write('lib.js', 'export const x = 1;\n').commit('lib');
  const repo = GitRepo.create();
  repo.write('app.js', 'console.log(1);\n').commit('app');
  repo.git('-c', 'protocol.file.allow=always', 'submodule', '-q', 'add', `file://${sub.dir}`, 'x');
  repo.commit('add submodule');
  const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'codex-review-runner-temp-'));
  cleanups.push(() => {
    repo.remove();
    sub.remove();
    fs.rmSync(temp, { recursive: true, force: true });
  });
  // actions/checkout with persist-credentials: the header in .git/config and, for the
  // submodule, in .git/modules/x/config; v6 keeps it in an included file under RUNNER_TEMP.
  repo.git('config', '--local', 'http.https://github.com/.extraheader', basic(CHECKOUT_TOKEN));
  execFileSync(
    'git',
    ['config', '--local', 'http.https://github.com/.extraheader', basic(SUBMODULE_TOKEN)],
    {
      cwd: repo.path('x'),
    },
  );
  const included = path.join(temp, 'git-credentials-1234.config');
  fs.writeFileSync(
    included,
    `[http "https://github.com/"]\n\textraheader = ${basic(INCLUDED_TOKEN)}\n`,
  );
  repo.git('config', '--local', `includeIf.gitdir:${repo.path('.git')}/.path`, included);
  // GitLab Runner: the job token in the remote URL; a token in a url.insteadOf rule and in a
  // submodule URL; a credential helper.
  repo.git(
    'remote',
    'add',
    'origin',
    `https://gitlab-ci-token:${JOB_TOKEN}@gitlab.example.com/g/p.git`,
  );
  repo.git(
    'config',
    '--local',
    `url.https://x-access-token:${INSTEAD_TOKEN}@github.com/.insteadOf`,
    'https://github.com/',
  );
  repo.git(
    'config',
    '--local',
    'submodule.x.url',
    `https://oauth2:${SUBMODULE_URL_TOKEN}@gitlab.example.com/g/x.git`,
  );
  repo.git('config', '--local', 'credential.helper', 'store --file=/nonexistent/creds');
  const files = [repo.path('.git/config'), repo.path('.git/modules/x/config'), included];
  const snapshot = () =>
    files.map((f) => ({ file: f, bytes: fs.readFileSync(f), mode: fs.statSync(f).mode }));
  return { repo, files, snapshot, included };
}

/** Everything git tells a command in the checkout or the submodule about its configuration. */
function whatTheAgentSees(repo: GitRepo, files: string[]): string {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'codex-review-empty-home-'));
  cleanups.push(() => fs.rmSync(home, { recursive: true, force: true }));
  const env = { PATH: process.env.PATH, HOME: home, GIT_TERMINAL_PROMPT: '0' };
  const run = (cwd: string, args: string[]) =>
    execFileSync('git', args, { cwd, env, encoding: 'utf8' });
  return [
    run(repo.dir, ['config', '-l', '--show-origin']),
    run(repo.dir, ['remote', '-v']),
    run(repo.path('x'), ['config', '-l', '--show-origin']),
    ...files.map((f) => fs.readFileSync(f, 'utf8')),
  ].join('\n');
}

describe('hideCredentials', () => {
  it('takes out every credential of the checkout, its submodule and its included file', async () => {
    const { repo, files, snapshot } = hostileCheckout();
    const before = snapshot();
    expect(whatTheAgentSees(repo, files)).toContain(JOB_TOKEN); // the test can see them at all

    const logger = new RecordingLogger();
    const hidden = await hideCredentials({ cwd: repo.dir, logger });
    const seen = whatTheAgentSees(repo, files);
    for (const secret of SECRETS) {
      expect(seen).not.toContain(secret);
      expect(seen).not.toContain(encoded(secret));
    }
    // What the review needs still works: the remote, without its token.
    expect(repo.git('remote', 'get-url', 'origin')).toBe('https://gitlab.example.com/g/p.git');
    expect(repo.git('config', '--get', 'submodule.x.url')).toBe(
      'https://gitlab.example.com/g/x.git',
    );
    expect(seen).not.toMatch(/extraheader|credential\.helper|insteadof/i);
    expect(logger.text()).toContain('Took credentials out of reach of the agent for this run');
    for (const secret of SECRETS) expect(logger.text()).not.toContain(secret);
    for (const secret of [CHECKOUT_TOKEN, JOB_TOKEN, INSTEAD_TOKEN, encoded(SUBMODULE_TOKEN)]) {
      expect(logger.secrets).toContain(secret);
    }

    hidden.restore();
    expect(snapshot()).toEqual(before);
    hidden.restore(); // twice is harmless
    expect(snapshot()).toEqual(before);
  });

  it('finds nothing to do in a clean checkout or outside a repository', async () => {
    const repo = GitRepo.create();
    repo.write('a', '1').commit('a');
    cleanups.push(() => repo.remove());
    const config = fs.readFileSync(repo.path('.git/config'));
    const logger = new RecordingLogger();
    const hidden = await hideCredentials({ cwd: repo.dir, logger });
    expect(hidden.places).toEqual([]);
    expect(fs.readFileSync(repo.path('.git/config'))).toEqual(config);
    expect(logger.text()).toBe('');
    const plain = fs.mkdtempSync(path.join(os.tmpdir(), 'codex-review-plain-'));
    cleanups.push(() => fs.rmSync(plain, { recursive: true, force: true }));
    expect((await hideCredentials({ cwd: plain, logger })).places).toEqual([]);
  });

  it('puts everything back when the job is cancelled mid-run (SIGTERM)', async () => {
    const { repo, files, snapshot } = hostileCheckout();
    const before = snapshot();
    const script = path.join(repo.dir, '..', `hide-${path.basename(repo.dir)}.mts`);
    fs.writeFileSync(
      script,
      `import { hideCredentials } from ${JSON.stringify(path.resolve('src/core/codex/credentials.ts'))};
import { RecordingLogger } from ${JSON.stringify(path.resolve('src/core/logger.ts'))};
await hideCredentials({ cwd: ${JSON.stringify(repo.dir)}, logger: new RecordingLogger() });
console.log('hidden');
setInterval(() => undefined, 1000);
`,
    );
    cleanups.push(() => fs.rmSync(script, { force: true }));
    const child = spawn(process.execPath, ['--import', 'tsx', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise<void>((resolve) =>
      child.stdout.on('data', (d: Buffer) => d.toString().includes('hidden') && resolve()),
    );
    expect(whatTheAgentSees(repo, files)).not.toContain(JOB_TOKEN);
    child.kill('SIGTERM');
    const [, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
      child.on('exit', (code, sig) => resolve([code, sig])),
    );
    expect(signal).toBe('SIGTERM');
    expect(snapshot()).toEqual(before);
  });
});

describe('secretOf', () => {
  it.each([
    ['http.https://github.com/.extraheader', basic(CHECKOUT_TOKEN), 'remove'],
    ['http.extraheader', 'AUTHORIZATION: bearer xyz', 'remove'],
    ['credential.helper', 'store', 'remove'],
    ['credential.https://gitlab.example.com.helper', '!f() { echo password=$T; }; f', 'remove'],
    [
      `url.https://oauth2:${JOB_TOKEN}@gitlab.example.com/.insteadof`,
      'https://gitlab.example.com/',
      'remove',
    ],
    ['remote.origin.url', `https://${INSTEAD_TOKEN}@github.com/o/r.git`, 'rewrite'],
    ['http.proxy', 'http://user:pass@proxy:3128', 'rewrite'],
  ])('%s is a credential (%s)', (key, value, action) => {
    expect(secretOf(key, value)?.action).toBe(action);
  });

  it.each([
    ['remote.origin.url', 'git@github.com:o/r.git'],
    ['remote.origin.url', 'ssh://git@github.com/o/r.git'],
    ['remote.origin.url', 'https://github.com/o/r.git'],
    ['url.https://github.com/.insteadof', 'git@github.com:'],
    ['user.email', 'dev@example.com'],
    ['credential.username', 'dev'],
  ])('%s = %s is left alone', (key, value) => {
    expect(secretOf(key, value)).toBeUndefined();
  });
});
