// Octokit with the retry plugin (5xx) and the throttling plugin (primary and secondary rate
// limits, honouring retry-after), against GITHUB_API_URL so GitHub Enterprise Server works.
import { getOctokit } from '@actions/github';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import Bottleneck from 'bottleneck/light.js';
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
        write: burstThenSpaced('codex-review-write', WRITE_BURST, 1_000),
        notifications: burstThenSpaced('codex-review-notifications', WRITE_BURST, 3_000),
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

/**
 * A normal run writes two or three times (the review, the summary, a resolution); the plugin's
 * default limiters space every write 1 s apart and every notifying write 3 s apart, which made
 * those writes wait seconds for nothing. GitHub's guidance against secondary limits is about
 * sustained writing, so: a burst of a few writes at once, then the plugin's spacing (a token
 * bucket refilled one write per interval).
 */
const WRITE_BURST = 3;

function burstThenSpaced(id: string, burst: number, intervalMs: number): Bottleneck.Group {
  return new Bottleneck.Group({
    id,
    maxConcurrent: 1,
    reservoir: burst,
    reservoirIncreaseAmount: 1,
    reservoirIncreaseInterval: intervalMs,
    reservoirIncreaseMaximum: burst,
  });
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
