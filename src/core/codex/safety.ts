// safety-strategy (as in openai/codex-action): take away what commands the agent runs could
// use to escape the sandbox's intent. drop-sudo removes the runner user's passwordless sudo for
// the rest of the job and checks it is gone; unprivileged-user runs Codex as another user.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { ConfigurationError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Settings } from '../settings.js';

const execFileAsync = promisify(execFile);

async function succeeds(command: string, args: string[]): Promise<boolean> {
  try {
    await execFileAsync(command, args, { timeout: 15_000 });
    return true;
  } catch {
    return false;
  }
}

/** How to start Codex: as this user, or as another one. */
export type RunAs =
  | { kind: 'self' }
  | { kind: 'uid'; uid: number; gid: number; user: string }
  | { kind: 'sudo'; user: string };

export async function applySafetyStrategy(
  settings: Pick<Settings, 'safetyStrategy' | 'codexUser' | 'sandbox'>,
  logger: Logger,
  /** Who runs this job; tests pass a non-root runner. */
  runner: { root: boolean; user?: string } = { root: process.getuid?.() === 0 },
): Promise<RunAs> {
  if (settings.safetyStrategy === 'unsafe') {
    logger.warning(
      'safety-strategy is "unsafe": commands Codex runs keep every right of this job, including sudo where the runner has it.',
    );
    return { kind: 'self' };
  }
  if (process.platform === 'win32') {
    logger.info(
      `safety-strategy "${settings.safetyStrategy}" applies to Linux and macOS runners; nothing to do on Windows.`,
    );
    return { kind: 'self' };
  }
  const root = runner.root;
  if (settings.safetyStrategy === 'unprivileged-user') {
    const user = settings.codexUser!;
    let uid: number;
    let gid: number;
    try {
      uid = Number((await execFileAsync('id', ['-u', user])).stdout.trim());
      gid = Number((await execFileAsync('id', ['-g', user])).stdout.trim());
    } catch {
      throw new ConfigurationError(
        `setting \`codex-user\` = "${user}": no such user on this runner. Create it first (e.g. \`sudo useradd -m ${user}\`).`,
      );
    }
    if (root) return { kind: 'uid', uid, gid, user };
    if (await succeeds('sudo', ['-n', 'true'])) return { kind: 'sudo', user };
    throw new ConfigurationError(
      '`safety-strategy: unprivileged-user` needs root or passwordless sudo to start Codex as another user, and this runner has neither. ' +
        'Use `drop-sudo`, or run on a runner with sudo.',
    );
  }
  // drop-sudo
  if (root) {
    logger.warning(
      'safety-strategy "drop-sudo": this job runs as root, so there is no sudo to drop and the commands Codex runs have root rights. ' +
        'Run the job as a regular user, or use `safety-strategy: unprivileged-user` with `codex-user`.',
    );
    return { kind: 'self' };
  }
  if (!(await succeeds('sudo', ['-n', 'true']))) {
    logger.info('drop-sudo: this user has no passwordless sudo; nothing to drop.');
    return { kind: 'self' };
  }
  const user =
    runner.user ?? process.env.USER ?? (await execFileAsync('id', ['-un'])).stdout.trim();
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
  logger.info('drop-sudo: sudo is removed for the rest of this job (later steps cannot use it).');
  return { kind: 'self' };
}
