// safety-strategy on runners of every kind, with a stand-in `sudo` that keeps its sudoers state
// in a file (the suite itself runs as root; what the stand-in does not fake, it runs for real).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applySafetyStrategy, DEDICATED_USER, type Runner } from '../../src/core/codex/safety.js';
import { ConfigurationError } from '../../src/core/errors.js';
import { RecordingLogger } from '../../src/core/logger.js';

let dir: string;
let originalPath: string | undefined;

function fakeSudo(options: { stubborn: boolean }) {
  // `sudo -n true` succeeds while the grant exists; `sudo -n sh -c 'rm -f …/runner'` removes it
  // unless the runner is stubborn (sudo granted another way that cannot be removed).
  const grant = path.join(dir, 'sudoers-runner');
  fs.writeFileSync(grant, 'runner ALL=(ALL) NOPASSWD:ALL\n');
  fs.writeFileSync(
    path.join(dir, 'sudo'),
    `#!/bin/sh
shift # -n
if [ "$1" = "true" ]; then [ -f "${grant}" ]; exit $?; fi
if [ "$1" = "sh" ] && echo "$3" | grep -q "sudoers.d/runner"; then ${options.stubborn ? 'exit 0' : `rm -f "${grant}"`}; exit 0; fi
if [ "$1" = "gpasswd" ] || [ "$1" = "dseditgroup" ]; then exit 0; fi
[ -f "${grant}" ] || exit 1
exec "$@"
`,
    { mode: 0o755 },
  );
  return grant;
}

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'codex-review-sudo-'));
  originalPath = process.env.PATH;
  process.env.PATH = `${dir}:${process.env.PATH}`;
});
afterEach(() => {
  process.env.PATH = originalPath;
  fs.rmSync(dir, { recursive: true, force: true });
});

const settings = {
  safetyStrategy: 'drop-sudo' as const,
  codexUser: undefined,
  sandbox: 'read-only' as const,
};
const macRunner: Runner = { root: false, user: 'runner', ci: true, platform: 'darwin' };
const linuxRunner: Runner = { root: false, user: 'runner', ci: true, platform: 'linux' };
const asRoot = process.getuid?.() === 0;

describe('drop-sudo on a Linux CI runner that can start another user', () => {
  it.runIf(asRoot)(
    "runs Codex as the product's own user through sudo, and leaves the runner its sudo",
    async () => {
      const grant = fakeSudo({ stubborn: false });
      const runAs = await applySafetyStrategy(settings, new RecordingLogger(), linuxRunner);
      expect(runAs).toMatchObject({ kind: 'sudo', user: DEDICATED_USER, dedicated: true });
      expect(runAs.kind !== 'self' && runAs.uid).toBeGreaterThan(0);
      expect(fs.existsSync(grant)).toBe(true);
    },
  );

  it.runIf(asRoot)('as root, starts Codex as that user directly', async () => {
    const runAs = await applySafetyStrategy(settings, new RecordingLogger(), {
      root: true,
      ci: true,
      platform: 'linux',
    });
    expect(runAs).toMatchObject({ kind: 'uid', user: DEDICATED_USER, dedicated: true });
  });

  it('changes nothing outside CI: no user is created and sudo stays', async () => {
    const grant = fakeSudo({ stubborn: false });
    const logger = new RecordingLogger();
    const runAs = await applySafetyStrategy(settings, logger, { ...linuxRunner, ci: false });
    expect(runAs).toEqual({ kind: 'self' });
    expect(fs.existsSync(grant)).toBe(true);
    expect(logger.text()).toContain('Not in CI, so nothing is changed on this machine.');
    expect(logger.text()).toContain('the commands it runs can read the files');
  });

  it('says once that the runner home is readable when there is neither root nor sudo', async () => {
    const grant = fakeSudo({ stubborn: false });
    fs.rmSync(grant);
    const logger = new RecordingLogger();
    expect(await applySafetyStrategy(settings, logger, linuxRunner)).toEqual({ kind: 'self' });
    expect(logger.text().match(/can read the files/g)).toHaveLength(1);
    expect(logger.text()).toContain('~/.git-credentials');
  });
});

describe('drop-sudo on a macOS runner user with passwordless sudo', () => {
  it('removes the grant and checks that sudo is gone', async () => {
    const grant = fakeSudo({ stubborn: false });
    const logger = new RecordingLogger();
    expect(await applySafetyStrategy(settings, logger, macRunner)).toEqual({
      kind: 'self',
    });
    expect(fs.existsSync(grant)).toBe(false);
    expect(logger.text()).toContain('drop-sudo: sudo is removed for the rest of this job');
  });

  it('refuses to run Codex when sudo cannot be removed', async () => {
    fakeSudo({ stubborn: true });
    await expect(applySafetyStrategy(settings, new RecordingLogger(), macRunner)).rejects.toThrow(
      ConfigurationError,
    );
  });

  it('says there is nothing to drop when the user has no passwordless sudo', async () => {
    const grant = fakeSudo({ stubborn: false });
    fs.rmSync(grant);
    const logger = new RecordingLogger();
    await applySafetyStrategy(settings, logger, macRunner);
    expect(logger.text()).toContain('this user has no passwordless sudo; nothing to drop');
  });

  it('refuses unprivileged-user without root or sudo, before anything runs', async () => {
    const grant = fakeSudo({ stubborn: false });
    fs.rmSync(grant);
    await expect(
      applySafetyStrategy(
        { safetyStrategy: 'unprivileged-user', codexUser: 'nobody', sandbox: 'read-only' },
        new RecordingLogger(),
        linuxRunner,
      ),
    ).rejects.toThrow(/needs root or passwordless sudo/);
  });

  it('refuses root as codex-user', async () => {
    await expect(
      applySafetyStrategy(
        { safetyStrategy: 'unprivileged-user', codexUser: 'root', sandbox: 'read-only' },
        new RecordingLogger(),
        linuxRunner,
      ),
    ).rejects.toThrow('setting `codex-user` = "root": that is root');
  });
});
