// Starting Codex as another user (safety.ts decides who; user-access.ts gives it access), and
// stopping whatever the agent left running when the run ends.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import { killGroup } from './process.js';
import type { OtherUser } from './safety.js';

/** Set in Codex's environment; every process the agent starts inherits it. */
export const RUN_MARKER = 'CODEX_REVIEW_RUN';

/**
 * Stop what the agent left running. With the product's own user and no other run on this
 * machine, every process of that user goes (however detached, whatever its environment);
 * with another run going on, only the processes carrying this run's marker.
 */
export function killAllOf(
  user: OtherUser,
  marker: string,
  signal: NodeJS.Signals = 'SIGKILL',
): void {
  if (!user.dedicated) return;
  const sig = signal.replace(/^SIG/, '');
  // Run as the user: `kill -1` reaches exactly its processes, and it may read their environ.
  const script = otherRunsActive()
    ? `for p in /proc/[0-9]*; do tr '\\0' '\\n' < "$p/environ" 2>/dev/null | grep -qx "$1" && kill -s ${sig} "\${p#/proc/}" 2>/dev/null; done; exit 0`
    : `kill -s ${sig} -1 2>/dev/null; exit 0`;
  const args = ['-c', script, 'sh', `${RUN_MARKER}=${marker}`];
  if (user.kind === 'uid') {
    spawnSync('/bin/sh', args, { uid: user.uid, gid: user.gid, cwd: '/', stdio: 'ignore' });
  } else {
    spawnSync('sudo', ['-n', '-u', user.user, '--', '/bin/sh', ...args], {
      cwd: '/',
      stdio: 'ignore',
    });
  }
}

/** The temp directory of a run: its name carries the pid of the process that owns it. */
export function agentRootPrefix(pid = process.pid): string {
  return `codex-review-agent-${pid}-`;
}

/** Another codex-review process on this machine with a run going on (a second job). */
function otherRunsActive(): boolean {
  for (const name of readdirSafe(os.tmpdir())) {
    const pid = Number(/^codex-review-agent-(\d+)-/.exec(name)?.[1]);
    if (!pid || pid === process.pid) continue;
    try {
      process.kill(pid, 0);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EPERM') return true;
    }
  }
  return false;
}

function readdirSafe(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}

/** How to start Codex as `user`: with its environment only, nothing inherited from this job. */
export function spawnAs(
  user: OtherUser,
  binary: string,
  args: string[],
  env: NodeJS.ProcessEnv,
): {
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  uid?: number;
  gid?: number;
  kill: (pid: number | undefined, signal: NodeJS.Signals) => void;
} {
  if (user.kind === 'uid') {
    return {
      command: binary,
      args,
      env,
      uid: user.uid,
      gid: user.gid,
      kill: (pid, signal) => {
        killGroup(pid, signal);
        if (signal === 'SIGKILL') killAllOf(user, env[RUN_MARKER] ?? '');
      },
    };
  }
  // `env -i` instead of `sudo -E`: sudoers' env_reset would keep or drop variables as it likes.
  const assignments = Object.entries(env)
    .filter((e): e is [string, string] => e[1] !== undefined)
    .map(([k, v]) => `${k}=${v}`);
  return {
    command: 'sudo',
    args: ['-n', '-u', user.user, '--', '/usr/bin/env', '-i', ...assignments, binary, ...args],
    env: { PATH: env.PATH },
    kill: (pid, signal) => {
      // sudo relays SIGTERM to Codex; what the agent started runs as the user, not as us.
      killGroup(pid, signal);
      if (user.dedicated) killAllOf(user, env[RUN_MARKER] ?? '', signal);
      else if (pid !== undefined)
        spawnSync('sudo', ['-n', 'kill', '-s', signal.replace(/^SIG/, ''), '--', `-${pid}`], {
          stdio: 'ignore',
        });
    },
  };
}
