// `codex-review gitlab`: the GitLab CI job's glue. CI_* variables → settings and a Venue (the
// merge request, a platform, a tracker); the core's runReview does the rest; finishRun reports.
import path from 'node:path';
import { DirectoryToolCache, defaultCacheRoot } from '../core/codex/install.js';
import { ConfigurationError } from '../core/errors.js';
import type { ChangeRequest } from '../core/platform.js';
import { Redactor } from '../core/redact.js';
import { runMerge } from '../core/pipeline/merge.js';
import { runReview } from '../core/pipeline/run.js';
import { parseSettings } from '../core/settings.js';
import { GitLabClient } from '../gitlab/client.js';
import { GitLabIssues } from '../gitlab/issues.js';
import { readMergeRequest, TOKEN_HELP, tokenError } from '../gitlab/merge-request.js';
import { GitLabPlatform } from '../gitlab/platform.js';
import { finishRun } from './finish.js';
import { parseCliOptions } from './options.js';
import { TerminalLogger } from './terminal-logger.js';

export async function runGitlab(
  argv: string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const options = parseCliOptions(argv, env);
  const raw = { ...options.raw };
  raw['openai-api-key'] ||= env.OPENAI_API_KEY;
  raw['gitlab-token'] ||= env.GITLAB_TOKEN;
  raw.shard ||= parallelShard(env);
  const redactor = new Redactor();
  for (const secret of [raw['openai-api-key'], raw['gitlab-token'], env.CI_JOB_TOKEN])
    redactor.add(secret);
  const logger = new TerminalLogger(redactor, { verbose: options.verbose, color: false });

  const apiUrl = env.CI_API_V4_URL;
  const projectId = env.CI_PROJECT_ID;
  if (!apiUrl || !projectId) {
    throw new ConfigurationError(
      '`codex-review gitlab` runs inside a GitLab CI/CD job (CI_API_V4_URL and CI_PROJECT_ID are not set). Use `codex-review local` elsewhere.',
    );
  }
  const workspace = env.CI_PROJECT_DIR ?? process.cwd();
  const settings = parseSettings(raw, { workspace });
  const iid = Number(env.CI_MERGE_REQUEST_IID) || undefined;
  const wantsMergeRequest = settings.post !== 'none' && settings.post !== 'issue' && iid;
  // A token this run needs but does not have is a configuration error, before anything runs.
  if ((wantsMergeRequest || settings.post === 'issue') && !settings.gitlabToken) {
    throw new ConfigurationError(
      settings.post === 'issue'
        ? `No GitLab API token, so the tracking issue cannot be kept. ${TOKEN_HELP}`
        : `No GitLab API token, so the review cannot be posted on merge request !${iid}. ${TOKEN_HELP}`,
    );
  }
  const client = settings.gitlabToken
    ? new GitLabClient({ baseUrl: apiUrl, token: settings.gitlabToken, logger })
    : undefined;
  const project = { id: projectId, webUrl: env.CI_PROJECT_URL ?? '' };

  let changeRequest: ChangeRequest | undefined;
  let platform: GitLabPlatform | undefined;
  if (iid && client && wantsMergeRequest) {
    const mr = await logger.group('Read the merge request', () =>
      readMergeRequest(
        client,
        {
          projectId,
          iid,
          projectUrl: env.CI_PROJECT_URL,
          // In merged-results pipelines CI_COMMIT_SHA is a merge commit; the MR head is the source branch's.
          reviewed: env.CI_MERGE_REQUEST_SOURCE_BRANCH_SHA || env.CI_COMMIT_SHA,
        },
        logger,
      ),
    );
    changeRequest = mr.cr;
    platform = new GitLabPlatform(client, { id: projectId, webUrl: mr.webUrl }, mr.refs, {
      logger,
      workspace: settings.workingDirectory,
    });
  }
  // Without reading the merge request (posting nothing), the CI variables still say it is one:
  // review rules come from its base and its skip rules apply.
  const unreadChange = changeRequest ? undefined : mergeRequestFromVariables(iid, env);
  // Outside a merge request (or posting nothing there): a push or schedule reviews its commit;
  // an MR pipeline without posting reviews against the MR's diff base.
  const defaults =
    iid && env.CI_MERGE_REQUEST_DIFF_BASE_SHA
      ? { base: env.CI_MERGE_REQUEST_DIFF_BASE_SHA }
      : env.CI_COMMIT_SHA
        ? { commit: env.CI_COMMIT_SHA }
        : {};
  const jobName = env.CI_JOB_NAME ?? 'codex-review';
  const run = settings.mode === 'merge' ? runMerge : runReview;
  const outcome = await run({
    settings,
    logger,
    redactor,
    toolCache: new DirectoryToolCache(defaultCacheRoot(env)),
    env,
    keySetting: 'openai-api-key / OPENAI_API_KEY',
    findingsFile: path.resolve(
      workspace,
      options.findingsFile ?? defaultFindingsFile(settings.shard),
    ),
    venue: {
      noun: 'merge request',
      name: (cr) => `Merge request !${cr.number}`,
      explainReadError: (error, cr) => tokenError(error, cr.number),
      changeRequest: changeRequest && withVariables(changeRequest, env),
      unreadChange,
      platform,
      tracker: client ? new GitLabIssues(client, project) : undefined,
      audit: {
        key: `${env.CI_PROJECT_PATH ?? projectId}/${jobName}`,
        title: `Codex audit: ${jobName}`,
        sha: env.CI_COMMIT_SHA,
      },
      defaults,
      runUrl: env.CI_JOB_URL,
      onPermissionDenied: 'fail',
    },
  });
  return finishRun({ outcome, redactor, logger, color: false });
}

/**
 * A job of `parallel: N` is one shard of N (CI_NODE_INDEX is 1-based; CI_NODE_TOTAL is 1 outside
 * `parallel:`). `shard: 1/1` turns this off for a job that is parallel for another reason.
 */
export function parallelShard(env: NodeJS.ProcessEnv): string | undefined {
  const total = Number(env.CI_NODE_TOTAL);
  const index = Number(env.CI_NODE_INDEX);
  if (!Number.isInteger(total) || total < 2 || !Number.isInteger(index)) return undefined;
  return `${index}/${total}`;
}

/** The shards of a parallel job need distinct names: the merge job unpacks all their artifacts in one place. */
function defaultFindingsFile(shard: { index: number; total: number } | undefined): string {
  return shard && shard.total > 1
    ? `codex-review-findings-${shard.index}-of-${shard.total}.json`
    : 'codex-review-findings.json';
}

/** Draft and labels from the CI variables (CI_MERGE_REQUEST_DRAFT: GitLab 17.10+). */
function factsFromVariables(env: NodeJS.ProcessEnv): Pick<ChangeRequest, 'draft' | 'labels'> {
  const draft = env.CI_MERGE_REQUEST_DRAFT;
  const labels = env.CI_MERGE_REQUEST_LABELS;
  return {
    ...(draft === 'true' || draft === 'false' ? { draft: draft === 'true' } : {}),
    ...(labels !== undefined
      ? {
          labels: labels
            .split(',')
            .map((l) => l.trim())
            .filter(Boolean),
        }
      : {}),
  };
}

/** The merge request as read from the API, with what only the CI variables said filled in. */
function withVariables(cr: ChangeRequest, env: NodeJS.ProcessEnv): ChangeRequest {
  return { ...factsFromVariables(env), ...cr };
}

function mergeRequestFromVariables(
  iid: number | undefined,
  env: NodeJS.ProcessEnv,
): ChangeRequest | undefined {
  if (!iid) return undefined;
  const baseSha = env.CI_MERGE_REQUEST_DIFF_BASE_SHA;
  if (!baseSha) {
    throw new ConfigurationError(
      `Merge request !${iid} without CI_MERGE_REQUEST_DIFF_BASE_SHA: codex-review cannot tell its base commit, which review rules are read from. Run the job in a merge request pipeline.`,
    );
  }
  return {
    number: iid,
    url: undefined,
    baseSha,
    headSha: env.CI_MERGE_REQUEST_SOURCE_BRANCH_SHA || env.CI_COMMIT_SHA || '',
    ...factsFromVariables(env),
  };
}
