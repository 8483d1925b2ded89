// The isolation around one Codex run, as this user (the other-user parts are in run-as.test.ts
// and the attack suite): where the key comes from, what Codex's home holds, what is undone.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isolateCodexRun, type IsolationSettings } from '../../src/core/codex/isolation.js';
import { ConfigurationError } from '../../src/core/errors.js';
import { RecordingLogger } from '../../src/core/logger.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

function temp(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function codexHome(auth: unknown): string {
  const home = temp('codex-review-login-');
  fs.writeFileSync(path.join(home, 'auth.json'), JSON.stringify(auth), { mode: 0o600 });
  fs.writeFileSync(path.join(home, 'config.toml'), 'model = "gpt-test"\n');
  fs.writeFileSync(path.join(home, 'AGENTS.md'), 'Operator guidance.\n');
  fs.writeFileSync(path.join(home, 'history.jsonl'), '{"private":"history"}\n');
  return home;
}

async function isolate(settings: Partial<IsolationSettings>) {
  const logger = new RecordingLogger();
  const run = await isolateCodexRun({
    settings: {
      openaiApiKey: undefined,
      openaiBaseUrl: undefined,
      codexHome: undefined,
      workingDirectory: temp('codex-review-work-'),
      sandbox: 'read-only',
      ...settings,
    },
    runAs: { kind: 'self' },
    codexRoot: '/nonexistent',
    binary: '/nonexistent/bin/codex',
    parentEnv: { PATH: '/usr/bin:/bin', SECRET_THING: 'x', OPENAI_API_KEY: 'sk-env' },
    logger,
  });
  cleanups.push(async () => {
    await run.close();
    run.remove();
  });
  return { run, logger };
}

describe('isolateCodexRun', () => {
  it('gives Codex a fresh, private home, the proxy, and an environment without the key', async () => {
    const { run } = await isolate({ openaiApiKey: 'sk-setting-key-0123456789' });
    expect(run.keyProxy?.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
    expect(run.env.CODEX_HOME).toBe(run.codexHome);
    expect(fs.readdirSync(run.codexHome)).toEqual([]);
    expect(fs.statSync(path.dirname(run.codexHome)).mode & 0o777).toBe(0o700);
    expect(run.env.HOME).not.toBe(os.homedir());
    expect(JSON.stringify(run.env)).not.toMatch(/sk-|SECRET_THING/);
  });

  it('forwards the key of a logged-in codex-home and hides its auth.json until the run is over', async () => {
    const home = codexHome({ auth_mode: 'apikey', OPENAI_API_KEY: 'sk-stored-key-0123456789' });
    const auth = fs.readFileSync(path.join(home, 'auth.json'));
    const { run, logger } = await isolate({ codexHome: home });
    expect(run.keyProxy).toBeDefined();
    expect(logger.secrets).toContain('sk-stored-key-0123456789');
    expect(fs.existsSync(path.join(home, 'auth.json'))).toBe(false);
    // The operator's configuration comes along; the login and the history do not.
    expect(fs.readdirSync(run.codexHome).sort()).toEqual(['AGENTS.md', 'config.toml']);
    await run.close();
    expect(fs.readFileSync(path.join(home, 'auth.json'))).toEqual(auth);
    expect(fs.statSync(path.join(home, 'auth.json')).mode & 0o777).toBe(0o600);
  });

  it('uses a ChatGPT login as it is, says that it cannot keep it from the agent, and copies refreshed tokens back', async () => {
    const home = codexHome({ auth_mode: 'chatgpt', tokens: { access_token: 'old' } });
    const { run, logger } = await isolate({ codexHome: home });
    expect(run.keyProxy).toBeUndefined();
    expect(logger.text()).toMatch(/ChatGPT login .* cannot be forwarded/);
    const copy = path.join(run.codexHome, 'auth.json');
    expect(fs.existsSync(copy)).toBe(true);
    fs.writeFileSync(
      copy,
      JSON.stringify({ auth_mode: 'chatgpt', tokens: { access_token: 'new' } }),
    );
    await run.close();
    expect(fs.readFileSync(path.join(home, 'auth.json'), 'utf8')).toContain('"new"');
  });

  it('refuses to run without a key or a login', async () => {
    await expect(isolate({})).rejects.toThrow(ConfigurationError);
  });

  it('removes its directories, and only when asked', async () => {
    const { run } = await isolate({ openaiApiKey: 'sk-setting-key-0123456789' });
    await run.close();
    expect(fs.existsSync(run.codexHome)).toBe(true);
    run.remove();
    expect(fs.existsSync(path.dirname(run.codexHome))).toBe(false);
  });
});
