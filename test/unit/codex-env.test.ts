// The environment Codex gets: an allowlist, not a denylist of names.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { codexEnvironment, readStoredLogin, withoutCredentials } from '../../src/core/codex/env.js';
import { RecordingLogger } from '../../src/core/logger.js';

/** What a GitHub or GitLab job's environment may hold, secrets under every kind of name. */
const JOB: NodeJS.ProcessEnv = {
  PATH: '/usr/local/bin:/usr/bin:/bin',
  HOME: '/home/runner',
  USER: 'runner',
  LOGNAME: 'runner',
  SHELL: '/bin/bash',
  LANG: 'C.UTF-8',
  LC_ALL: 'C.UTF-8',
  LC_CTYPE: 'C.UTF-8',
  TZ: 'UTC',
  TERM: 'xterm',
  CI: 'true',
  TMPDIR: '/home/runner/work/_temp',
  RUNNER_TEMP: '/home/runner/work/_temp',
  HTTPS_PROXY: 'http://corp:s3cret-proxy-pass@proxy.example.com:3128',
  http_proxy: 'http://proxy.example.com:3128',
  NO_PROXY: 'localhost,127.0.0.1,.internal',
  DATABASE_URL: 'postgres://app:db-password-123@db:5432/app',
  GH_PAT: 'ghp_personalAccessToken0123456789',
  SLACK_WEBHOOK_URL: 'https://hooks.slack.com/services/T000/B000/XXXXXXXX',
  SENTRY_DSN: 'https://abc123@o0.ingest.sentry.io/1',
  NPM_AUTH: 'npm_auth_value_0123456789',
  DOCKER_AUTH_CONFIG: '{"auths":{"registry":{"auth":"dXNlcjpwYXNz"}}}',
  MY_OIDC_ID_TOKEN: 'eyJhbGciOi.custom.id-token',
  'INPUT_OPENAI-API-KEY': 'sk-input-key',
  OPENAI_API_KEY: 'sk-openai-key',
  CODEX_API_KEY: 'sk-codex-key',
  CODEX_REVIEW_OPENAI_API_KEY: 'sk-cli-setting',
  CODEX_HOME: '/home/runner/.codex',
  CI_JOB_TOKEN: 'glcbt-job-token',
  CI_REPOSITORY_URL: 'https://gitlab-ci-token:glcbt-job-token@gitlab.example.com/g/p.git',
  GITHUB_TOKEN: 'ghs_token',
  ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'oidc',
  JAVA_HOME: '/usr/lib/jvm/java-17',
  GOPATH: '/home/runner/go',
};

const dirs = {
  codexHome: '/tmp/agent/codex-home',
  home: '/tmp/agent/home',
  tempDir: '/tmp/agent/tmp',
};
const build = (extra: Partial<Parameters<typeof codexEnvironment>[0]> = {}) => {
  const logger = new RecordingLogger();
  return { logger, env: codexEnvironment({ parent: JOB, ...dirs, logger, ...extra }) };
};

describe('codexEnvironment', () => {
  it('passes only what a toolchain needs, and sets HOME, CODEX_HOME and the temp directory', () => {
    const { env } = build();
    expect(env).toEqual({
      PATH: JOB.PATH,
      LANG: 'C.UTF-8',
      LC_ALL: 'C.UTF-8',
      LC_CTYPE: 'C.UTF-8',
      TZ: 'UTC',
      TERM: 'xterm',
      SHELL: '/bin/bash',
      CI: 'true',
      USER: 'runner',
      LOGNAME: 'runner',
      HTTPS_PROXY: 'http://proxy.example.com:3128',
      http_proxy: 'http://proxy.example.com:3128',
      NO_PROXY: 'localhost,127.0.0.1,.internal',
      HOME: dirs.home,
      CODEX_HOME: dirs.codexHome,
      TMPDIR: dirs.tempDir,
      TMP: dirs.tempDir,
      TEMP: dirs.tempDir,
    });
  });

  it('lets no secret through, whatever it is called', () => {
    const text = JSON.stringify(build().env);
    for (const secret of [
      'db-password-123',
      'ghp_personalAccessToken',
      'hooks.slack.com',
      'abc123@',
      'npm_auth_value',
      'dXNlcjpwYXNz',
      'custom.id-token',
      'sk-',
      'glcbt-job-token',
      'ghs_token',
      's3cret-proxy-pass',
      'oidc',
    ]) {
      expect(text).not.toContain(secret);
    }
  });

  it('says so when it strips a proxy credential, without printing it', () => {
    const { logger } = build();
    expect(logger.text()).toContain('The user and password in HTTPS_PROXY are not passed to Codex');
    expect(logger.text()).not.toContain('s3cret');
  });

  it('adds the variables the workflow names, as they are', () => {
    const { env } = build({ extraNames: ['JAVA_HOME', 'GOPATH', 'NOT_SET_ANYWHERE'] });
    expect(env.JAVA_HOME).toBe('/usr/lib/jvm/java-17');
    expect(env.GOPATH).toBe('/home/runner/go');
    expect('NOT_SET_ANYWHERE' in env).toBe(false);
  });

  it('names the user Codex runs as', () => {
    const { env } = build({ user: 'codex-review' });
    expect(env).toMatchObject({ USER: 'codex-review', LOGNAME: 'codex-review' });
  });

  it('refuses names that are not names, and the ones the product sets', () => {
    expect(() => build({ extraNames: ['JAVA_HOME=/x'] })).toThrow(
      'setting `codex-env`: "JAVA_HOME=/x" is not a variable name',
    );
    expect(() => build({ extraNames: ['HOME'] })).toThrow(/HOME cannot be passed to Codex/);
    expect(() => build({ extraNames: ['CODEX_API_KEY'] })).toThrow(
      /the API key never reaches Codex/,
    );
  });
});

describe('withoutCredentials', () => {
  it.each([
    ['http://user:pass@proxy:3128', 'http://proxy:3128'],
    ['http://token@proxy:3128/', 'http://proxy:3128/'],
    ['user:pass@proxy:3128', 'http://proxy:3128'],
    ['http://proxy:3128', 'http://proxy:3128'],
    ['localhost,.example.com', 'localhost,.example.com'],
  ])('%s → %s', (input, output) => {
    expect(withoutCredentials(input)).toBe(output);
  });
});

describe('readStoredLogin', () => {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'codex-review-login-'));
  afterAll(() => fs.rmSync(home, { recursive: true, force: true }));
  const write = (auth: unknown) =>
    fs.writeFileSync(path.join(home, 'auth.json'), JSON.stringify(auth));

  it('finds the key of `codex login --with-api-key`', () => {
    write({ auth_mode: 'apikey', OPENAI_API_KEY: 'sk-stored' });
    expect(readStoredLogin(home)).toMatchObject({ kind: 'api-key', apiKey: 'sk-stored' });
  });

  it('recognises a ChatGPT login, which cannot be forwarded', () => {
    write({ auth_mode: 'chatgpt', OPENAI_API_KEY: null, tokens: { access_token: 'x' } });
    expect(readStoredLogin(home).kind).toBe('chatgpt');
    write({ OPENAI_API_KEY: 'sk-exchanged', tokens: { access_token: 'x' } });
    expect(readStoredLogin(home).kind).toBe('chatgpt');
  });

  it('reports no login when there is no auth.json', () => {
    fs.rmSync(path.join(home, 'auth.json'));
    expect(readStoredLogin(home)).toEqual({ kind: 'none' });
  });
});
