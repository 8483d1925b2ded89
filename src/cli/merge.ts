// `codex-review merge`: combine the findings files of sharded jobs (`shard: i/n`) into one result.
// In a GitLab CI/CD job it publishes like `codex-review gitlab` (one summary note and review on
// the merge request, or one tracking issue; Code Quality); elsewhere it prints the result and
// writes the files like `codex-review local`. No Codex is installed and no model request is made.
import { ConfigurationError } from '../core/errors.js';
import { runGitlab } from './gitlab.js';
import { runLocal } from './local.js';
import { envName } from './options.js';

export async function runMergeCommand(
  argv: string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const modeFlag = argv.findIndex((a) => a === '--mode' || a.startsWith('--mode='));
  if (modeFlag >= 0) {
    const value = argv[modeFlag]!.includes('=')
      ? argv[modeFlag]!.slice('--mode='.length)
      : argv[modeFlag + 1];
    if (value !== 'merge') {
      throw new ConfigurationError(
        `\`codex-review merge\` always runs with \`mode: merge\` (got --mode ${JSON.stringify(value ?? '')}). Use \`codex-review gitlab\` or \`codex-review local\` for a review.`,
      );
    }
  }
  const withMode = { ...env, [envName('mode')]: 'merge' };
  const inGitLab = Boolean(env.GITLAB_CI && env.CI_API_V4_URL && env.CI_PROJECT_ID);
  return inGitLab ? runGitlab(argv, withMode) : runLocal(argv, withMode);
}
