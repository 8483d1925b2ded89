// Runs the action bundle the way the GitHub runner does: every declared input default as an
// INPUT_* variable (expressions evaluated), GITHUB_* context, an event file, and the
// GITHUB_OUTPUT / GITHUB_STEP_SUMMARY files, in a child process on the action's runtime.
// The bundles are the ones test/global-setup.ts builds from src/ for this test run.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { ROOT } from './codex.js';

/** The committed bundles, which only the Node 24 smoke test (test/e2e/node24.test.ts) runs. */
export const COMMITTED_DIST = path.join(ROOT, 'dist');
/** Set by test/global-setup.ts to the directory it built the bundles into. */
const BUNDLE_DIR_VARIABLE = 'CODEX_REVIEW_TEST_BUNDLE_DIR';

/**
 * Where the bundles under test are. Under vitest, only the fresh build of src/: a test that ran
 * the committed dist/ instead would pass with a source change that was never rebuilt.
 * Outside vitest (`npm run bench`), the committed dist/.
 */
export function bundleDir(): string {
  const built = process.env[BUNDLE_DIR_VARIABLE];
  if (built) return built;
  if (process.env.VITEST) {
    throw new Error(
      `${BUNDLE_DIR_VARIABLE} is not set: test/global-setup.ts builds the bundles from src/; ` +
        'run the tests with vitest.config.ts (`npm test`, `npx vitest run <file>`).',
    );
  }
  return COMMITTED_DIST;
}

export const ACTION_ENTRY = path.join(bundleDir(), 'action', 'index.js');
export const CLI_ENTRY = path.join(bundleDir(), 'cli', 'index.js');
export const FAKE_GITHUB_TOKEN = 'ghs_FakeRunnerToken0123456789abcdefABCD';

interface ActionYaml {
  inputs: Record<string, { default?: string }>;
}

export interface ActionRun {
  exitCode: number | null;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  summary: string;
  /** stdout without the runner's ::add-mask:: commands (which carry the secret by design). */
  log: string;
  tempDir: string;
}

export interface ActionRunOptions {
  workspace: string;
  inputs?: Record<string, string>;
  eventName?: string;
  payload?: Record<string, unknown>;
  sha?: string;
  toolCache?: string;
  env?: Record<string, string>;
  /** Node binary to run the bundle with (GitHub uses node24). */
  node?: string;
  /** The action bundle to run; the fresh build of src/ unless given. */
  entry?: string;
  timeoutMs?: number;
}

function evaluateDefault(value: string): string {
  return value.replace(/\$\{\{\s*github\.token\s*\}\}/g, FAKE_GITHUB_TOKEN);
}

export function declaredInputs(): Record<string, string> {
  const action = parseYaml(fs.readFileSync(path.join(ROOT, 'action.yml'), 'utf8')) as ActionYaml;
  const inputs: Record<string, string> = {};
  for (const [name, spec] of Object.entries(action.inputs))
    inputs[name] = evaluateDefault(spec.default ?? '');
  return inputs;
}

/** The environment of a child process, without this test process's own variables. */
export function baseEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of ['PATH', 'HOME', 'LANG', 'TERM', 'USER', 'SHELL']) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  return env;
}

export async function runAction(options: ActionRunOptions): Promise<ActionRun> {
  const tempDir = fs.mkdtempSync(path.join(os.tmpdir(), 'codex-review-runner-'));
  const outputFile = path.join(tempDir, 'github_output');
  const summaryFile = path.join(tempDir, 'step_summary.md');
  const eventFile = path.join(tempDir, 'event.json');
  fs.writeFileSync(outputFile, '');
  fs.writeFileSync(summaryFile, '');
  fs.writeFileSync(eventFile, JSON.stringify(options.payload ?? {}));
  const runnerTemp = path.join(tempDir, 'runner_temp');
  fs.mkdirSync(runnerTemp);

  const env: Record<string, string> = {
    ...baseEnv(),
    GITHUB_ACTIONS: 'true',
    CI: 'true',
    RUNNER_OS: 'Linux',
    RUNNER_ARCH: 'X64',
    RUNNER_TEMP: runnerTemp,
    RUNNER_TOOL_CACHE: options.toolCache ?? process.env.CODEX_REVIEW_TEST_TOOL_CACHE!,
    GITHUB_WORKSPACE: options.workspace,
    GITHUB_EVENT_NAME: options.eventName ?? 'pull_request',
    GITHUB_EVENT_PATH: eventFile,
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    GITHUB_REPOSITORY: 'octo/demo',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_API_URL: 'https://api.github.com',
    GITHUB_RUN_ID: '1',
    GITHUB_ACTOR: 'octocat',
    GITHUB_TOKEN: FAKE_GITHUB_TOKEN,
  };
  if (options.sha) env.GITHUB_SHA = options.sha;
  const inputs = { ...declaredInputs(), ...(options.inputs ?? {}) };
  for (const [name, value] of Object.entries(inputs))
    env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value;
  Object.assign(env, options.env ?? {});

  const child = spawn(options.node ?? process.execPath, [options.entry ?? ACTION_ENTRY], {
    cwd: options.workspace,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
  const exitCode = await new Promise<number | null>((resolve) =>
    child.on('close', (code) => resolve(code)),
  );
  clearTimeout(timer);
  return {
    exitCode,
    stdout,
    stderr,
    outputs: parseOutputFile(fs.readFileSync(outputFile, 'utf8')),
    summary: fs.readFileSync(summaryFile, 'utf8'),
    log: stdout
      .split('\n')
      .filter((l) => !l.startsWith('::add-mask::'))
      .join('\n'),
    tempDir,
  };
}

/** The GITHUB_OUTPUT file format written by @actions/core: name<<DELIM\nvalue\nDELIM. */
export function parseOutputFile(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const match = /^([^<=]+)<<(.+)$/.exec(lines[i]!);
    if (match) {
      const [, name, delimiter] = match;
      const value: string[] = [];
      i++;
      while (i < lines.length && lines[i] !== delimiter) value.push(lines[i++]!);
      outputs[name!] = value.join('\n');
    } else if (lines[i]!.includes('=')) {
      const [name, ...rest] = lines[i]!.split('=');
      outputs[name!] = rest.join('=');
    }
  }
  return outputs;
}

/** Pids of live processes whose working directory is inside `dir` (left-behind agents). */
export function processesIn(dir: string): number[] {
  const pids: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cwd = fs.readlinkSync(`/proc/${entry}/cwd`);
      if (cwd === dir || cwd.startsWith(`${dir}/`)) pids.push(Number(entry));
    } catch {
      // gone, or not ours
    }
  }
  return pids;
}

/** The `codex-review` CLI built from src/, run as a user runs it, with the seeded Codex cache. */
export async function runCli(
  args: string[],
  options: { cwd: string; env?: Record<string, string> },
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [CLI_ENTRY, ...args], {
    cwd: options.cwd,
    env: {
      ...baseEnv(),
      CODEX_REVIEW_CACHE_DIR: process.env.CODEX_REVIEW_TEST_TOOL_CACHE!,
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  return { code, stdout, stderr };
}
