// Getting Codex ready (safety strategy, install, the user it runs as, its environment and
// CODEX_HOME) and running it once. Split in two so the orchestration can prepare Codex while it
// reads the change request, and start it the moment the review's scope is known.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigurationError } from '../errors.js';
import { repositoryRoot } from '../git.js';
import type { Logger } from '../logger.js';
import type { Settings } from '../settings.js';
import { buildCodexArgs, type CodexInvocation } from './argv.js';
import { hidePersistedCredentials } from './credentials.js';
import { codexEnvironment, hasStoredLogin } from './env.js';
import {
  installCodex,
  type CodexInstallation,
  type PackageFetcher,
  type ToolCache,
} from './install.js';
import { runProcess } from './process.js';
import { runCodex, type CodexRunResult } from './run.js';
import { applySafetyStrategy, type RunAs } from './safety.js';

export interface PreparedCodex {
  installation: CodexInstallation;
  runAs: RunAs;
  env: NodeJS.ProcessEnv;
  codexHome: string;
  /** Private temporary directory of this run (schema files); removed by close(). */
  tempDir: string;
  close(): void;
}

export interface PrepareOptions {
  settings: Settings;
  logger: Logger;
  toolCache: ToolCache;
  fetcher?: PackageFetcher;
  /** Environment Codex inherits (minus credentials); defaults to process.env. */
  env?: NodeJS.ProcessEnv;
  /** Parent of the run's temporary directory (RUNNER_TEMP on GitHub). */
  tempDir?: string;
  /** The setting that holds the key, for messages. */
  keySetting: string;
}

/** Checks that need no Codex: they run before anything is installed or any request is made. */
export function checkCredentials(options: PrepareOptions): void {
  const { settings, logger } = options;
  // Without `codex-home` the run's CODEX_HOME is a fresh directory: nobody is logged in there.
  if (!settings.openaiApiKey && !(settings.codexHome && hasStoredLogin(settings.codexHome))) {
    throw new ConfigurationError(
      `No OpenAI API key: set \`${options.keySetting}\` (e.g. \`openai-api-key: \${{ secrets.OPENAI_API_KEY }}\`), ` +
        'or point `codex-home` at a directory where Codex is already logged in.',
    );
  }
  if (settings.sandbox === 'danger-full-access') {
    logger.warning(
      'sandbox is "danger-full-access": commands Codex runs are not isolated: they can read every file and process of this job, including the Codex process environment that holds the API key.',
    );
  }
}

export async function prepareCodex(options: PrepareOptions): Promise<PreparedCodex> {
  const { settings, logger } = options;
  const tempDir = fs.mkdtempSync(path.join(options.tempDir ?? os.tmpdir(), 'codex-review-'));
  const cleanups: Array<() => void> = [() => fs.rmSync(tempDir, { recursive: true, force: true })];
  const close = () => {
    for (const cleanup of cleanups.splice(0)) cleanup();
  };
  try {
    let codexHome = settings.codexHome ?? path.join(tempDir, 'codex-home');
    fs.mkdirSync(codexHome, { recursive: true });
    // Before anything is installed: a runner that cannot honour the strategy stops here.
    const runAs = await logger.group('Safety', () => applySafetyStrategy(settings, logger));
    const installation = await logger.group('Install Codex', () =>
      installCodex({
        version: settings.codexVersion,
        cache: options.toolCache,
        logger,
        ...(options.fetcher ? { fetcher: options.fetcher } : {}),
      }),
    );
    if (runAs.kind !== 'self') {
      // The other user needs a CODEX_HOME of its own that it can reach: the runner's temp
      // directory usually is private to this user.
      if (!settings.codexHome) {
        const home = fs.mkdtempSync(path.join(os.tmpdir(), 'codex-review-home-'));
        cleanups.push(() => fs.rmSync(home, { recursive: true, force: true }));
        codexHome = home;
      }
      if (runAs.kind === 'uid') chownTree(codexHome, runAs.uid, runAs.gid);
      else fs.chmodSync(codexHome, 0o777);
      logger.info(`Codex runs as ${runAs.user}.`);
    }
    const env = codexEnvironment({
      parent: options.env ?? process.env,
      codexHome,
      apiKey: settings.openaiApiKey,
    });
    if (runAs.kind !== 'self') {
      // Another user: git refuses a checkout it does not own ("dubious ownership") unless told
      // it is safe, and this user's HOME is not readable to it.
      const repoRoot =
        (await repositoryRoot(settings.workingDirectory)) ?? settings.workingDirectory;
      Object.assign(env, {
        HOME: codexHome,
        GIT_CONFIG_COUNT: '1',
        GIT_CONFIG_KEY_0: 'safe.directory',
        GIT_CONFIG_VALUE_0: repoRoot,
      });
    }
    if (!settings.openaiApiKey)
      await checkStoredLogin(installation.binary, env, settings.workingDirectory, codexHome);
    return { installation, runAs, env, codexHome, tempDir, close };
  } catch (error) {
    close();
    throw error;
  }
}

export async function runCodexSession(
  prepared: PreparedCodex,
  invocation: CodexInvocation,
  options: { settings: Settings; logger: Logger; keySetting: string },
): Promise<CodexRunResult> {
  const { settings, logger } = options;
  const args = buildCodexArgs(settings, invocation);
  return logger.group('Run Codex', async () => {
    logger.info(`codex ${args.map(shellQuoteForLog).join(' ')}`);
    const restore = await hidePersistedCredentials(settings.workingDirectory, logger);
    try {
      return await runCodex({
        binary: prepared.installation.binary,
        args,
        cwd: settings.workingDirectory,
        env: prepared.env,
        timeoutMs: settings.timeoutMs,
        logger,
        keySetting: options.keySetting,
        runAs: prepared.runAs,
        ...(settings.openaiBaseUrl ? { baseUrl: settings.openaiBaseUrl } : {}),
      });
    } finally {
      await restore();
    }
  });
}

async function checkStoredLogin(
  binary: string,
  env: NodeJS.ProcessEnv,
  cwd: string,
  codexHome: string,
) {
  const status = await runProcess({
    command: binary,
    args: ['login', 'status'],
    cwd,
    env,
    timeoutMs: 30_000,
    onStdoutLine: () => undefined,
  });
  if (status.exitCode !== 0) {
    throw new ConfigurationError(
      `No OpenAI API key was given and Codex is not logged in under ${codexHome} (\`codex login status\` failed). Set \`openai-api-key\`.`,
    );
  }
}

function shellQuoteForLog(arg: string): string {
  const short = arg.length > 200 ? `${arg.slice(0, 200)}…` : arg;
  return /^[\w@%+=:,./-]+$/.test(short) ? short : `'${short.replace(/'/g, "'\\''")}'`;
}

function chownTree(dir: string, uid: number, gid: number): void {
  fs.chownSync(dir, uid, gid);
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) chownTree(full, uid, gid);
    else fs.chownSync(full, uid, gid);
  }
}
