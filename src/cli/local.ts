// `codex-review local`: review the current checkout and print the result; never posts.
import os from 'node:os';
import path from 'node:path';
import { tryGit } from '../core/git.js';
import { DirectoryToolCache, defaultCacheRoot } from '../core/codex/install.js';
import { runMerge } from '../core/pipeline/merge.js';
import { runReview } from '../core/pipeline/run.js';
import { Redactor } from '../core/redact.js';
import type { Logger } from '../core/logger.js';
import { userPrivateDirectory } from '../core/safe-write.js';
import { parseSettings } from '../core/settings.js';
import { finishRun } from './finish.js';
import { TerminalLogger } from './terminal-logger.js';
import { parseCliOptions } from './options.js';

export async function runLocal(
  argv: string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const options = parseCliOptions(argv, env);
  const raw = { ...options.raw };
  // The CLI also takes the key from the variable every OpenAI tool uses.
  raw['openai-api-key'] ||= env.OPENAI_API_KEY;
  const redactor = new Redactor();
  redactor.add(raw['openai-api-key']);
  const color = process.stdout.isTTY === true && !env.NO_COLOR;
  const logger = new TerminalLogger(redactor, {
    verbose: options.verbose,
    color: process.stderr.isTTY === true && !env.NO_COLOR,
  });
  const cwd = process.cwd();
  // Without a key, use the user's own Codex login (~/.codex) unless told otherwise.
  if (!raw['openai-api-key'] && !raw['codex-home']) {
    raw['codex-home'] = env.CODEX_HOME || path.join(os.homedir(), '.codex');
  }
  const settings = parseSettings(raw, { workspace: cwd });
  const defaults =
    settings.mode === 'review' && !settings.base && !settings.commit
      ? await localDefaults(settings.workingDirectory)
      : {};

  const findingsFile = path.resolve(options.findingsFile ?? defaultFindingsFile(logger));
  const run = settings.mode === 'merge' ? runMerge : runReview;
  const outcome = await run({
    settings,
    logger,
    redactor,
    toolCache: new DirectoryToolCache(defaultCacheRoot(env)),
    env,
    keySetting: '--openai-api-key / OPENAI_API_KEY',
    findingsFile,
    venue: {
      noun: 'pull request',
      name: (cr) => `#${cr.number}`,
      explainReadError: (error) => (error instanceof Error ? error : new Error(String(error))),
      changeRequest: undefined,
      platform: undefined,
      tracker: undefined,
      audit: { key: 'local', title: 'Codex audit', sha: undefined },
      defaults,
      runUrl: undefined,
      onPermissionDenied: 'fail',
    },
  });
  return finishRun({ outcome, redactor, logger, color });
}

/**
 * Review the current branch against the repository's default branch; on the default branch
 * itself (or with nothing to compare against), review the uncommitted changes.
 */
async function localDefaults(cwd: string): Promise<{ base?: string }> {
  const originHead = await tryGit(cwd, ['rev-parse', '--abbrev-ref', 'origin/HEAD']);
  const candidates = [originHead, 'origin/main', 'origin/master', 'main', 'master'].filter(
    (c): c is string => !!c && c !== 'origin/HEAD',
  );
  const head = await tryGit(cwd, ['rev-parse', 'HEAD']);
  for (const candidate of candidates) {
    const sha = await tryGit(cwd, ['rev-parse', '--verify', '--quiet', `${candidate}^{commit}`]);
    if (sha && sha !== head) return { base: candidate };
    if (sha && sha === head) return {};
  }
  return {};
}

/**
 * In a directory only this user can use: a fixed path in a shared /tmp could be planted as a
 * link by another local user, redirecting the write.
 */
function defaultFindingsFile(logger: Logger): string {
  const { dir, problem } = userPrivateDirectory();
  if (problem) logger.warning(`${problem}; writing to ${dir} instead.`);
  return path.join(dir, 'findings.json');
}
