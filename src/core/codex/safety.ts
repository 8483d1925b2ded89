// safety-strategy: who Codex, and every command it runs, runs as.
// - drop-sudo (default): the agent gets neither sudo nor this job's user. In CI on Linux, when
//   this process is root or has passwordless sudo, Codex runs as a separate user of the
//   product's own (DEDICATED_USER), so the runner user's home (~/.git-credentials,
//   ~/.docker/config.json, ~/.npmrc, gh's hosts.yml, the global git config) and this process's
//   environment are out of its reach. Otherwise the old way: remove the runner user's sudo.
// - unprivileged-user: run Codex as the user named in `codex-user`.
// - unsafe: run as this user, with whatever rights it has.
import { execFile } from 'node:child_process';
import os from 'node:os';
import { promisify } from 'node:util';
import { ConfigurationError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Settings } from '../settings.js';

const execFileAsync = promisify(execFile);

/** The user the product creates for Codex: it owns nothing, so all its processes are ours. */
export const DEDICATED_USER = 'codex-review';

async function succeeds(command: string, args: string[]): Promise<boolean> {
  try {
    await execFileAsync(command, args, { timeout: 15_000 });
    return true;
  } catch {
    return false;
  }
}

/** How to start Codex: as this user, or as another one. */
export type RunAs = { kind: 'self' } | OtherUser;

export interface OtherUser {
  /** uid: this process is root and starts Codex as the user itself; sudo: through `sudo -n -u`. */
  kind: 'uid' | 'sudo';
  uid: number;
  gid: number;
  user: string;
  /** The product's own user: every process it has when the run ends is a leftover of the agent. */
  dedicated: boolean;
}

export interface Runner {
  root: boolean;
  user?: string;
  /** A CI job (CI=true): outside one, nothing on the machine is changed (users, sudo). */
  ci: boolean;
  platform?: NodeJS.Platform;
}

export function currentRunner(env: NodeJS.ProcessEnv = process.env): Runner {
  return {
    root: process.getuid?.() === 0,
    ci: ['true', '1'].includes((env.CI ?? '').toLowerCase()) || env.GITHUB_ACTIONS === 'true',
    platform: process.platform,
  };
}

export async function applySafetyStrategy(
  settings: Pick<Settings, 'safetyStrategy' | 'codexUser' | 'sandbox'>,
  logger: Logger,
  /** Who runs this job; tests pass other runners. */
  runner: Runner = currentRunner(),
): Promise<RunAs> {
  const platform = runner.platform ?? process.platform;
  if (settings.safetyStrategy === 'unsafe') {
    logger.warning(
      'safety-strategy is "unsafe": commands Codex runs keep every right of this job, including sudo where the runner has it, and can read its user\'s files.',
    );
    return { kind: 'self' };
  }
  if (platform === 'win32') {
    logger.info(
      `safety-strategy "${settings.safetyStrategy}" applies to Linux and macOS runners; nothing to do on Windows. ${sameUserNotice()}`,
    );
    return { kind: 'self' };
  }
  const root = runner.root;
  if (settings.safetyStrategy === 'unprivileged-user') {
    const user = settings.codexUser!;
    const ids = await userIds(user);
    if (!ids) {
      throw new ConfigurationError(
        `setting \`codex-user\` = "${user}": no such user on this runner. Create it first (e.g. \`sudo useradd -m ${user}\`).`,
      );
    }
    if (ids.uid === 0) {
      throw new ConfigurationError(
        `setting \`codex-user\` = "${user}": that is root; name an unprivileged user.`,
      );
    }
    if (root) return { kind: 'uid', ...ids, user, dedicated: false };
    if (await succeeds('sudo', ['-n', 'true']))
      return { kind: 'sudo', ...ids, user, dedicated: false };
    throw new ConfigurationError(
      '`safety-strategy: unprivileged-user` needs root or passwordless sudo to start Codex as another user, and this runner has neither. ' +
        'Use `drop-sudo`, or run on a runner with sudo.',
    );
  }

  // drop-sudo
  if (!runner.ci) {
    // A developer's machine: never create users or take sudo away from its owner.
    logger.info(`Not in CI, so nothing is changed on this machine. ${sameUserNotice()}`);
    return { kind: 'self' };
  }
  const sudo = !root && (await succeeds('sudo', ['-n', 'true']));
  if (platform === 'linux' && (root || sudo)) {
    const ids = await ensureDedicatedUser(sudo);
    if (ids) return { kind: root ? 'uid' : 'sudo', ...ids, user: DEDICATED_USER, dedicated: true };
    logger.warning(
      `Could not create the user \`${DEDICATED_USER}\` to run Codex as (neither useradd nor adduser worked).`,
    );
  }
  if (root) {
    logger.warning(
      'safety-strategy "drop-sudo": this job runs as root, so there is no sudo to drop and the commands Codex runs have root rights. ' +
        'Run the job as a regular user, or use `safety-strategy: unprivileged-user` with `codex-user`.',
    );
    return { kind: 'self' };
  }
  if (!sudo) {
    logger.info(
      `drop-sudo: this user has no passwordless sudo; nothing to drop, and no other user to run Codex as. ${sameUserNotice()}`,
    );
    return { kind: 'self' };
  }
  await dropSudo(runner.user);
  logger.info(
    `drop-sudo: sudo is removed for the rest of this job (later steps cannot use it). ${sameUserNotice()}`,
  );
  return { kind: 'self' };
}

/** Said once per run when the agent's commands run as this job's user. */
export function sameUserNotice(): string {
  const user = os.userInfo().username;
  return (
    `Codex runs as ${user}, this job's user: the commands it runs can read the files ${user} can, ` +
    `such as ~/.git-credentials, ~/.docker/config.json, ~/.npmrc and ~/.config/gh/hosts.yml (their HOME is a fresh directory, ` +
    'which only keeps tools from using them). Run the job as root or with passwordless sudo to have Codex run as a separate user.'
  );
}

async function userIds(user: string): Promise<{ uid: number; gid: number } | undefined> {
  try {
    const uid = Number((await execFileAsync('id', ['-u', user])).stdout.trim());
    const gid = Number((await execFileAsync('id', ['-g', user])).stdout.trim());
    return { uid, gid };
  } catch {
    return undefined;
  }
}

/** A system user with no home, no shell and no sudo; created once per machine. */
async function ensureDedicatedUser(
  sudo: boolean,
): Promise<{ uid: number; gid: number } | undefined> {
  const existing = await userIds(DEDICATED_USER);
  if (existing) return existing.uid === 0 ? undefined : existing;
  const run = (command: string, args: string[]) =>
    sudo ? succeeds('sudo', ['-n', command, ...args]) : succeeds(command, args);
  if (
    !(await run('useradd', [
      '--system',
      '--user-group',
      '--no-create-home',
      '--home-dir',
      '/nonexistent',
      '--shell',
      '/usr/sbin/nologin',
      DEDICATED_USER,
    ]))
  ) {
    // BusyBox (Alpine images); or another job on this machine created it meanwhile.
    await run('adduser', [
      '-S',
      '-D',
      '-H',
      '-h',
      '/nonexistent',
      '-s',
      '/sbin/nologin',
      DEDICATED_USER,
    ]);
  }
  const ids = await userIds(DEDICATED_USER);
  return ids && ids.uid !== 0 ? ids : undefined;
}

async function dropSudo(runnerUser: string | undefined): Promise<void> {
  const user = runnerUser ?? process.env.USER ?? (await execFileAsync('id', ['-un'])).stdout.trim();
  // GitHub's hosted runners grant sudo through /etc/sudoers.d; group membership may too.
  await succeeds('sudo', ['-n', 'sh', '-c', `rm -f /etc/sudoers.d/${user} /etc/sudoers.d/runner`]);
  await succeeds('sudo', ['-n', 'gpasswd', '-d', user, 'sudo']);
  await succeeds('sudo', ['-n', 'dseditgroup', '-o', 'edit', '-d', user, '-t', 'user', 'admin']);
  if (await succeeds('sudo', ['-n', 'true'])) {
    throw new ConfigurationError(
      'safety-strategy "drop-sudo" could not remove sudo from this runner user; refusing to run Codex with sudo available. ' +
        'Use `safety-strategy: unprivileged-user`, or `unsafe` if you accept the risk.',
    );
  }
}
