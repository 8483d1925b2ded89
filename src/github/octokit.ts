// Octokit with the retry plugin (5xx) and the throttling plugin (primary and secondary rate
// limits, honouring retry-after), against GITHUB_API_URL so GitHub Enterprise Server works.
import { getOctokit } from '@actions/github';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import type { Logger } from '../core/logger.js';

export type Octokit = ReturnType<typeof getOctokit>;

const MAX_RATE_LIMIT_RETRIES = 3;

export function createOctokit(
  token: string,
  logger: Logger,
  env: NodeJS.ProcessEnv = process.env,
): Octokit {
  const retryBase = Number(env.CODEX_REVIEW_GITHUB_RETRY_BASE_MS);
  return getOctokit(
    token,
    {
      baseUrl: (env.GITHUB_API_URL || 'https://api.github.com').replace(/\/+$/, ''),
      throttle: {
        onRateLimit: onLimit('GitHub API rate limit hit', logger),
        onSecondaryRateLimit: onLimit('GitHub secondary rate limit', logger),
      },
      // Tests shorten the back-off; on a runner the plugin's default applies.
      ...(retryBase > 0 ? { retry: { retryAfterBaseValue: retryBase } } : {}),
    },
    retry,
    throttling,
  );
}

/** Both kinds of rate limit: say so, and wait and retry a few times (the plugin honours retry-after). */
function onLimit(what: string, logger: Logger) {
  return (
    retryAfter: number,
    options: { method: string; url: string },
    _octokit: unknown,
    retryCount: number,
  ) => {
    logger.warning(`${what} on ${options.method} ${options.url}; retrying in ${retryAfter} s`);
    return retryCount < MAX_RATE_LIMIT_RETRIES;
  };
}
