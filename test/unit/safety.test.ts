// drop-sudo on a runner user with passwordless sudo, with a stand-in `sudo` that keeps its
// sudoers state in a file (the suite itself runs as root, where there is nothing to drop).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applySafetyStrategy } from '../../src/core/codex/safety.js';
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
exit 0
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

describe('drop-sudo on a runner user with passwordless sudo', () => {
  it('removes the grant and checks that sudo is gone', async () => {
    const grant = fakeSudo({ stubborn: false });
    const logger = new RecordingLogger();
    expect(await applySafetyStrategy(settings, logger, { root: false, user: 'runner' })).toEqual({
      kind: 'self',
    });
    expect(fs.existsSync(grant)).toBe(false);
    expect(logger.text()).toContain('drop-sudo: sudo is removed for the rest of this job');
  });

  it('refuses to run Codex when sudo cannot be removed', async () => {
    fakeSudo({ stubborn: true });
    await expect(
      applySafetyStrategy(settings, new RecordingLogger(), { root: false, user: 'runner' }),
    ).rejects.toThrow(ConfigurationError);
  });

  it('says there is nothing to drop when the user has no passwordless sudo', async () => {
    const grant = fakeSudo({ stubborn: false });
    fs.rmSync(grant);
    const logger = new RecordingLogger();
    await applySafetyStrategy(settings, logger, { root: false, user: 'runner' });
    expect(logger.text()).toContain('this user has no passwordless sudo; nothing to drop');
  });

  it('refuses unprivileged-user without root or sudo, before anything runs', async () => {
    const grant = fakeSudo({ stubborn: false });
    fs.rmSync(grant);
    await expect(
      applySafetyStrategy(
        { safetyStrategy: 'unprivileged-user', codexUser: 'nobody', sandbox: 'read-only' },
        new RecordingLogger(),
        { root: false },
      ),
    ).rejects.toThrow(/needs root or passwordless sudo/);
  });
});
