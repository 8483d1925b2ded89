// Getting Codex ready (safety strategy, install, the user it runs as, its environment and
// CODEX_HOME) and running it once. Split in two so the orchestration can prepare Codex while it
// reads the change request, and start it the moment the review's scope is known.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigurationError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Settings } from '../settings.js';
import { buildCodexArgs, type CodexInvocation } from './argv.js';
import { hasStoredLogin } from './env.js';
import {
  installCodex,
  type CodexInstallation,
  type PackageFetcher,
  type ToolCache,
} from './install.js';
import { isolateCodexRun, type IsolatedRun } from './isolation.js';
import { runCodex, type CodexRunResult } from './run.js';
import { applySafetyStrategy } from './safety.js';

export interface PreparedCodex {
  installation: CodexInstallation;
  /** Who Codex runs as, its allowlisted environment, the key proxy, the hidden credentials. */
  isolated: IsolatedRun;
  /** CODEX_HOME of the run: its session files are read after the run. */
  codexHome: string;
  /** A directory Codex can read, for files the product hands it (the output schema). */
  filesDir: string;
  /**
   * Put every credential back, stop the proxy, remove the run's directories. Idempotent. The
   * caller calls `isolated.close()` as soon as its last Codex turn is done (credentials back,
   * proxy stopped) and close() at the very end.
   */
  close(): Promise<void>;
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
      'sandbox is "danger-full-access": commands Codex runs are not isolated: they have the network (and the model, through the key proxy) and can read every file and process of the user they run as; unless that is a separate user, this includes this process\'s environment, which holds the API key.',
    );
  }
}

export async function prepareCodex(options: PrepareOptions): Promise<PreparedCodex> {
  const { settings, logger } = options;
  const tempDir = fs.mkdtempSync(path.join(options.tempDir ?? os.tmpdir(), 'codex-review-'));
  let isolated: IsolatedRun | undefined;
  const close = async () => {
    await isolated?.close();
    isolated?.remove();
    fs.rmSync(tempDir, { recursive: true, force: true });
  };
  try {
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
    isolated = await isolateCodexRun({
      settings,
      runAs,
      codexRoot: installation.root,
      binary: installation.binary,
      parentEnv: options.env ?? process.env,
      logger,
      keySetting: options.keySetting,
      extraEnvNames: settings.codexEnv,
    });
    return {
      installation,
      isolated,
      codexHome: isolated.codexHome,
      filesDir: isolated.filesDir,
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

export async function runCodexSession(
  prepared: PreparedCodex,
  invocation: CodexInvocation,
  options: { settings: Settings; logger: Logger; keySetting: string },
): Promise<CodexRunResult> {
  const { settings, logger } = options;
  const run = prepared.isolated;
  const args = buildCodexArgs(settings, invocation, run.keyProxy);
  return logger.group('Run Codex', async () => {
    logger.info(`codex ${args.map(shellQuoteForLog).join(' ')}`);
    return runCodex({
      binary: run.binary,
      args,
      cwd: settings.workingDirectory,
      env: run.env,
      timeoutMs: settings.timeoutMs,
      logger,
      keySetting: options.keySetting,
      runAs: run.runAs,
      ...(run.keyProxy ? { keyProxy: run.keyProxy } : {}),
      ...(settings.openaiBaseUrl ? { baseUrl: settings.openaiBaseUrl } : {}),
    });
  });
}

function shellQuoteForLog(arg: string): string {
  const short = arg.length > 200 ? `${arg.slice(0, 200)}…` : arg;
  return /^[\w@%+=:,./-]+$/.test(short) ? short : `'${short.replace(/'/g, "'\\''")}'`;
}
