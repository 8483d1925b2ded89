// Spawning Codex safely: stdin closed (Codex reads stdin until EOF), its own process group
// (so a timeout or a cancelled job kills every command the agent started), and a wall-clock
// limit of our own (Codex can hang forever on a silent server or a missing merge base).
import { spawn } from 'node:child_process';
import readline from 'node:readline';

export interface ProcessOptions {
  command: string;
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  timeoutMs: number;
  onStdoutLine(line: string): void;
  onStderrLine?(line: string): void;
  /** Grace period between SIGTERM and SIGKILL of the group. */
  killGraceMs?: number;
  /** Start the process as another user (needs root). */
  uid?: number;
  gid?: number;
}

export interface ProcessResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  /** The last lines of stderr, for error messages. */
  stderrTail: string[];
  durationMs: number;
  pid: number | undefined;
}

const STDERR_TAIL_LINES = 40;

export function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: the group is already gone.
  }
}

export async function runProcess(options: ProcessOptions): Promise<ProcessResult> {
  const started = Date.now();
  const child = spawn(options.command, options.args, {
    cwd: options.cwd,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: process.platform !== 'win32',
    ...(options.uid !== undefined ? { uid: options.uid } : {}),
    ...(options.gid !== undefined ? { gid: options.gid } : {}),
  });
  const stderrTail: string[] = [];
  let timedOut = false;

  const stdout = readline.createInterface({ input: child.stdout });
  stdout.on('line', (line) => options.onStdoutLine(line));
  const stderr = readline.createInterface({ input: child.stderr });
  stderr.on('line', (line) => {
    stderrTail.push(line);
    if (stderrTail.length > STDERR_TAIL_LINES) stderrTail.shift();
    options.onStderrLine?.(line);
  });

  const grace = options.killGraceMs ?? 5_000;
  let killTimer: NodeJS.Timeout | undefined;
  const terminate = () => {
    killGroup(child.pid, 'SIGTERM');
    killTimer = setTimeout(() => killGroup(child.pid, 'SIGKILL'), grace);
  };
  const timer = setTimeout(() => {
    timedOut = true;
    terminate();
  }, options.timeoutMs);
  // A cancelled job sends SIGTERM/SIGINT to us; take the agent's processes down with us.
  const onSignal = (signal: NodeJS.Signals) => {
    killGroup(child.pid, 'SIGKILL');
    process.kill(process.pid, signal);
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);

  let spawnError: Error | undefined;
  const exited = new Promise<{ exitCode: number | null; signal: NodeJS.Signals | null }>(
    (resolve) => {
      child.on('error', (error) => {
        spawnError = error;
        resolve({ exitCode: null, signal: null });
      });
      child.on('exit', (code, sig) => {
        // Whatever the agent left running in its group (background servers, watchers) goes
        // too; they would otherwise keep our pipes open and outlive the job.
        killGroup(child.pid, 'SIGKILL');
        resolve({ exitCode: code, signal: sig });
      });
    },
  );
  const closed = new Promise<void>((resolve) => child.on('close', () => resolve()));
  const { exitCode, signal } = await exited;
  await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, 2_000).unref())]);
  if (spawnError) stderrTail.push(`failed to start ${options.command}: ${spawnError.message}`);
  clearTimeout(timer);
  if (killTimer) clearTimeout(killTimer);
  process.removeListener('SIGTERM', onSignal);
  process.removeListener('SIGINT', onSignal);
  return {
    exitCode,
    signal,
    timedOut,
    stderrTail,
    durationMs: Date.now() - started,
    pid: child.pid,
  };
}
