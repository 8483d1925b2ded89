// Spawning Codex safely: stdin closed (Codex reads stdin until EOF), its own process group
// (so a timeout or a cancelled job kills every command the agent started), and a wall-clock
// limit of our own (Codex can hang forever on a silent server or a missing merge base).
import { spawn } from 'node:child_process';
import readline from 'node:readline';

/**
 * Work that must happen even when the job is cancelled mid-run (SIGINT, then SIGTERM, from the
 * runner): stop the agent, then put back the credentials taken out of its reach. Hooks are
 * synchronous (a signal handler cannot wait) and run newest first, once.
 */
const exitHooks: Array<() => void> = [];
const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

export function onAbruptExit(hook: () => void): () => void {
  if (exitHooks.length === 0) {
    for (const signal of SIGNALS) process.on(signal, onSignal);
    process.on('exit', runExitHooks);
  }
  exitHooks.push(hook);
  return () => {
    const i = exitHooks.indexOf(hook);
    if (i >= 0) exitHooks.splice(i, 1);
    if (exitHooks.length === 0) uninstall();
  };
}

function uninstall(): void {
  for (const signal of SIGNALS) process.removeListener(signal, onSignal);
  process.removeListener('exit', runExitHooks);
}

function runExitHooks(): void {
  while (exitHooks.length > 0) {
    const hook = exitHooks.pop()!;
    try {
      hook();
    } catch {
      // The next hook still runs: one failed restore must not keep the others from theirs.
    }
  }
  uninstall();
}

function onSignal(signal: NodeJS.Signals): void {
  runExitHooks();
  // Die of the signal as if we had not caught it, so the runner sees the usual outcome.
  process.kill(process.pid, signal);
}

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
  /**
   * How to stop the process and everything it started, when signalling its group from here is
   * not enough (a process started through sudo as another user cannot be signalled by us).
   */
  kill?: (pid: number | undefined, signal: NodeJS.Signals) => void;
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

  const kill = options.kill ?? killGroup;
  const grace = options.killGraceMs ?? 5_000;
  let killTimer: NodeJS.Timeout | undefined;
  const terminate = () => {
    kill(child.pid, 'SIGTERM');
    killTimer = setTimeout(() => kill(child.pid, 'SIGKILL'), grace);
  };
  const timer = setTimeout(() => {
    timedOut = true;
    terminate();
  }, options.timeoutMs);
  // A cancelled job sends SIGINT/SIGTERM to us; take the agent's processes down with us.
  const forget = onAbruptExit(() => kill(child.pid, 'SIGKILL'));

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
        kill(child.pid, 'SIGKILL');
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
  forget();
  return {
    exitCode,
    signal,
    timedOut,
    stderrTail,
    durationMs: Date.now() - started,
    pid: child.pid,
  };
}
