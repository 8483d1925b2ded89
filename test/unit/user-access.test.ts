// Giving the user Codex runs as exactly the access it needs: the way to the checkout and the
// Codex installation through a closed home, and nothing else in it; all taken back afterwards.
// Needs root (to be another user) and setfacl.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { grantAccess, linkInstallation, readableBy } from '../../src/core/codex/user-access.js';
import { applySafetyStrategy, type OtherUser } from '../../src/core/codex/safety.js';
import { RecordingLogger } from '../../src/core/logger.js';

const asRoot = process.getuid?.() === 0;
const hasSetfacl = spawnSync('setfacl', ['--version']).status === 0;
const canRun = asRoot && hasSetfacl;

// CI runs as root and installs acl (.ci/run): there, a missing setfacl is a failure, not a skip.
it.runIf(asRoot && process.env.CI)(
  'has setfacl where CI runs (as a GitHub-hosted runner does)',
  () => {
    expect(hasSetfacl, 'setfacl is missing: install the `acl` package').toBe(true);
  },
);
const cleanups: Array<() => void> = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

async function dedicatedUser(): Promise<OtherUser> {
  const runAs = await applySafetyStrategy(
    { safetyStrategy: 'drop-sudo', codexUser: undefined, sandbox: 'read-only' },
    new RecordingLogger(),
    { root: true, ci: true, platform: 'linux' },
  );
  if (runAs.kind === 'self') throw new Error('expected another user');
  return runAs;
}

/** A runner's home (750), its credentials, RUNNER_TEMP, a tool cache and a checkout inside. */
function runnerHome() {
  const home = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'codex-review-acl-home-')));
  cleanups.push(() => fs.rmSync(home, { recursive: true, force: true }));
  const put = (file: string, content: string, mode: number) => {
    fs.mkdirSync(path.dirname(path.join(home, file)), { recursive: true });
    fs.writeFileSync(path.join(home, file), content, { mode });
    return path.join(home, file);
  };
  fs.chmodSync(home, 0o750);
  put('.gitconfig', '[url "https://token@github.com/"]\n', 0o644);
  put('.git-credentials', 'https://x:token@github.com\n', 0o600);
  put('work/_temp/git-credentials.config', '[http]\n\textraheader = x\n', 0o644);
  const binary = put('work/_tool/codex/bin/codex', '#!/bin/sh\necho codex\n', 0o755);
  put('work/demo/demo/private.js', 'secret-ish source\n', 0o600);
  put('work/demo/demo/src/public.js', 'public source\n', 0o644);
  return {
    home,
    checkout: path.join(home, 'work/demo/demo'),
    codexRoot: path.join(home, 'work/_tool/codex'),
    binary,
  };
}

function as(user: OtherUser, script: string): { ok: boolean; out: string } {
  const result = spawnSync('/bin/sh', ['-c', script], {
    uid: user.uid,
    gid: user.gid,
    cwd: '/',
    encoding: 'utf8',
  });
  return { ok: result.status === 0, out: `${result.stdout}${result.stderr}` };
}

const aclsUnder = (dir: string) =>
  spawnSync('getfacl', ['-R', '-s', '-p', dir], { encoding: 'utf8' }).stdout.trim();
const modes = (dir: string): string[] =>
  fs
    .readdirSync(dir, { recursive: true, withFileTypes: false })
    .map((f) => `${f}:${fs.statSync(path.join(dir, String(f))).mode.toString(8)}`)
    .sort();

describe.runIf(canRun)('grantAccess', () => {
  it('opens the way to the checkout and Codex through a closed home, and nothing else', async () => {
    const user = await dedicatedUser();
    const { home, checkout, codexRoot, binary } = runnerHome();
    const before = modes(home);
    expect(as(user, `cat "${checkout}/src/public.js"`).ok).toBe(false);

    const grant = await grantAccess(
      user,
      { readable: [checkout, codexRoot], writable: [] },
      new RecordingLogger(),
    );
    expect(as(user, `cat "${checkout}/private.js" "${checkout}/src/public.js"`)).toEqual({
      ok: true,
      out: 'secret-ish source\npublic source\n',
    });
    expect(as(user, `"${binary}"`).out).toBe('codex\n');
    // The rest of the home stays shut, world-readable files and RUNNER_TEMP included.
    for (const file of ['.gitconfig', '.git-credentials', 'work/_temp/git-credentials.config']) {
      expect(as(user, `cat "${home}/${file}"`).ok, file).toBe(false);
    }
    expect(as(user, `ls "${home}"`).ok).toBe(false);
    expect(as(user, `echo x > "${checkout}/new.txt"`).ok).toBe(false); // read-only

    grant.revoke();
    expect(aclsUnder(home)).toBe('');
    expect(modes(home)).toEqual(before);
    expect(as(user, `cat "${checkout}/src/public.js"`).ok).toBe(false);
  });

  it('lets the user write the checkout, and hands what it created back to the owner', async () => {
    const user = await dedicatedUser();
    const { home, checkout, codexRoot } = runnerHome();
    const grant = await grantAccess(
      user,
      { readable: [codexRoot], writable: [checkout] },
      new RecordingLogger(),
    );
    expect(as(user, `mkdir "${checkout}/build" && echo out > "${checkout}/build/out.txt"`).ok).toBe(
      true,
    );
    expect(fs.statSync(path.join(checkout, 'build/out.txt')).uid).toBe(user.uid);
    grant.revoke();
    for (const file of ['build', 'build/out.txt']) {
      expect(fs.statSync(path.join(checkout, file)).uid, file).toBe(0);
    }
    expect(aclsUnder(home)).toBe('');
  });

  it('links a Codex installation the user cannot reach into a place it can, leaving the original closed', async () => {
    const user = await dedicatedUser();
    const { home, codexRoot, binary } = runnerHome();
    expect(await readableBy(user, codexRoot)).toBe(false);
    const open = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'codex-review-acl-link-')));
    cleanups.push(() => fs.rmSync(open, { recursive: true, force: true }));
    fs.chmodSync(open, 0o755);
    const linked = linkInstallation(codexRoot, path.join(open, 'codex'));
    expect(await readableBy(user, linked)).toBe(true);
    expect(as(user, `"${path.join(linked, path.relative(codexRoot, binary))}"`).out).toBe(
      'codex\n',
    );
    expect(aclsUnder(home)).toBe('');
  });

  it('changes nothing where the user can already reach everything', async () => {
    const user = await dedicatedUser();
    const open = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'codex-review-acl-open-')));
    cleanups.push(() => fs.rmSync(open, { recursive: true, force: true }));
    fs.chmodSync(open, 0o755);
    fs.writeFileSync(path.join(open, 'a.js'), 'x\n', { mode: 0o644 });
    const grant = await grantAccess(
      user,
      { readable: [open], writable: [] },
      new RecordingLogger(),
    );
    expect(aclsUnder(open)).toBe('');
    grant.revoke();
  });
});
