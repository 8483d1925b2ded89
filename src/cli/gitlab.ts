// `codex-review gitlab`: inside a GitLab merge-request pipeline, review the merge request and
// post the findings on it; in other pipelines (schedules), review and write the reports.
import path from 'node:path';
import { headSha } from '../core/codex/git.js';
import { DirectoryToolCache, defaultCacheRoot } from '../core/codex/install.js';
import { ConfigurationError, errorMessage } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { runReview } from '../core/pipeline.js';
import type { ChangeRequest } from '../core/platform.js';
import { publishTrackingIssue } from '../core/publish/audit.js';
import { chooseReviewScope, type ReviewScope } from '../core/publish/incremental.js';
import { decodeState } from '../core/publish/markers.js';
import type { PlacementRecord } from '../core/publish/placements.js';
import { publishReview, type PublishOutcome } from '../core/publish/publish.js';
import { Redactor } from '../core/redact.js';
import { parseSettings, type Settings } from '../core/settings.js';
import { finishRun } from './finish.js';
import { TerminalLogger } from './terminal-logger.js';
import { parseCliOptions } from './options.js';
import { GitLabApiError, GitLabClient } from '../gitlab/client.js';
import { GitLabIssues } from '../gitlab/issues.js';
import { GitLabPlatform, type DiffRefs, type GitLabMergeRequest } from '../gitlab/platform.js';

const TOKEN_HELP =
  'Create a project access token (Settings → Access tokens) with the `api` scope and at least the Reporter role, ' +
  'store it as a masked CI/CD variable named GITLAB_TOKEN, and pass it as `gitlab-token` (CODEX_REVIEW_GITLAB_TOKEN) or GITLAB_TOKEN. ' +
  'CI_JOB_TOKEN cannot post notes or discussions.';

interface Version {
  head_commit_sha: string;
  base_commit_sha: string;
  start_commit_sha: string;
}

export async function runGitlab(
  argv: string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const options = parseCliOptions(argv, env);
  const raw = { ...options.raw };
  raw['openai-api-key'] ||= env.OPENAI_API_KEY;
  raw['gitlab-token'] ||= env.GITLAB_TOKEN;
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
  const target = postTarget(settings, iid, logger);

  if (target === 'issue' && !settings.gitlabToken) {
    throw new ConfigurationError(
      `No GitLab API token, so the tracking issue cannot be kept. ${TOKEN_HELP}`,
    );
  }
  let publishing: { platform: GitLabPlatform; cr: ChangeRequest } | undefined;
  let scope: ReviewScope | undefined;
  let defaults: { base?: string; commit?: string } = env.CI_COMMIT_SHA
    ? { commit: env.CI_COMMIT_SHA }
    : {};
  if ((target === 'review' || target === 'summary') && iid) {
    if (!settings.gitlabToken) {
      throw new ConfigurationError(
        `No GitLab API token, so the review cannot be posted on merge request !${iid}. ${TOKEN_HELP}`,
      );
    }
    const client = new GitLabClient({ baseUrl: apiUrl, token: settings.gitlabToken, logger });
    publishing = await logger.group('Read the merge request', () =>
      readMergeRequest(
        client,
        {
          projectId,
          iid,
          projectUrl: env.CI_PROJECT_URL,
          // In merged-results pipelines CI_COMMIT_SHA is a merge commit; the MR head is the source branch's.
          reviewed: env.CI_MERGE_REQUEST_SOURCE_BRANCH_SHA || env.CI_COMMIT_SHA,
          workspace: settings.workingDirectory,
        },
        logger,
      ),
    );
    const existing = await publishing.platform
      .loadExisting(publishing.cr)
      .catch((error: unknown) => {
        throw tokenError(error, iid);
      });
    if (settings.mode === 'review' && !settings.base && !settings.commit) {
      scope = await chooseReviewScope({
        prior: decodeState(existing.summary?.body),
        enabled: settings.incremental,
        fullBase: publishing.cr.baseSha,
        head: publishing.cr.headSha,
        checkedOut: await headSha(settings.workingDirectory),
        cwd: settings.workingDirectory,
        logger,
      });
      defaults = { base: scope.base };
    }
  } else if (iid && env.CI_MERGE_REQUEST_DIFF_BASE_SHA) {
    defaults = { base: env.CI_MERGE_REQUEST_DIFF_BASE_SHA };
  }

  const result = await runReview({
    settings,
    logger,
    toolCache: new DirectoryToolCache(defaultCacheRoot(env)),
    defaults,
    env,
    keySetting: 'openai-api-key / OPENAI_API_KEY',
  });

  let outcome: PublishOutcome | undefined;
  let publishError: string | undefined;
  const replyErrors = result.exec?.replyErrors ?? [];
  if (publishing && replyErrors.length === 0) {
    const { platform, cr } = publishing;
    outcome = await logger
      .group('Publish', () =>
        publishReview({
          result,
          platform,
          cr,
          target: target === 'summary' ? 'summary' : 'review',
          minPriority: settings.minPriority,
          maxInlineComments: settings.maxInlineComments,
          range: {
            base: scope?.base ?? cr.baseSha,
            head: cr.headSha,
            incremental: scope?.incremental ?? false,
          },
          changedLines: scope?.changedLines,
          redactor,
          logger,
          ...(env.CI_JOB_URL ? { runUrl: env.CI_JOB_URL } : {}),
        }),
      )
      .catch((error: unknown) => {
        publishError = errorMessage(error);
        return undefined;
      });
    if (outcome?.permissionDenied) publishError = outcome.permissionDenied;
  }
  let auditUrl: string | undefined;
  let auditPlacements: Map<string, PlacementRecord> | undefined;
  if (target === 'issue' && replyErrors.length === 0) {
    if (!settings.gitlabToken) {
      publishError = `No GitLab API token, so the tracking issue cannot be updated. ${TOKEN_HELP}`;
    } else {
      const client = new GitLabClient({ baseUrl: apiUrl, token: settings.gitlabToken, logger });
      const audit = await logger
        .group('Tracking issue', () =>
          publishTrackingIssue({
            result,
            tracker: new GitLabIssues(client, { id: projectId, webUrl: env.CI_PROJECT_URL ?? '' }),
            key: `${env.CI_PROJECT_PATH ?? projectId}/${env.CI_JOB_NAME ?? 'codex-review'}`,
            title: `Codex audit: ${env.CI_JOB_NAME ?? 'codex-review'}`,
            sha: result.headSha ?? env.CI_COMMIT_SHA ?? '',
            runUrl: env.CI_JOB_URL,
            date: new Date().toISOString().slice(0, 10),
            redactor,
            logger,
          }),
        )
        .catch((error: unknown) => {
          publishError = errorMessage(error);
          return undefined;
        });
      auditUrl = audit?.url;
      auditPlacements = audit?.placements;
      if (audit?.permissionDenied) publishError = audit.permissionDenied;
    }
  }
  const placements =
    auditPlacements ??
    outcome?.placements ??
    (publishError
      ? new Map<string, PlacementRecord>(
          result.findings.map((f) => [
            f.fingerprint,
            { placement: 'not-posted', reason: publishError },
          ]),
        )
      : undefined);
  return finishRun({
    result,
    settings,
    redactor,
    logger,
    findingsFile: path.resolve(workspace, options.findingsFile ?? 'codex-review-findings.json'),
    color: false,
    ...(placements ? { placements } : {}),
    ...((outcome?.reviewUrl ?? auditUrl) ? { reviewUrl: (outcome?.reviewUrl ?? auditUrl)! } : {}),
    ...(publishError ? { publishError } : {}),
  });
}

function postTarget(
  settings: Settings,
  iid: number | undefined,
  logger: Logger,
): 'review' | 'summary' | 'issue' | 'none' {
  switch (settings.post) {
    case 'none':
      return 'none';
    case 'auto':
      if (!iid)
        logger.info(
          'Not a merge request pipeline (CI_MERGE_REQUEST_IID is not set): nothing is posted; the reports are written.',
        );
      return iid ? 'review' : 'none';
    case 'review':
    case 'summary':
      if (iid) return settings.post;
      logger.warning(
        `post: ${settings.post} needs a merge request pipeline (CI_MERGE_REQUEST_IID is not set); nothing is posted.`,
      );
      return 'none';
    case 'issue':
      return 'issue';
  }
}

async function readMergeRequest(
  client: GitLabClient,
  input: {
    projectId: string;
    iid: number;
    projectUrl: string | undefined;
    reviewed: string | undefined;
    workspace: string;
  },
  logger: Logger,
): Promise<{ platform: GitLabPlatform; cr: ChangeRequest }> {
  const base = `/projects/${encodeURIComponent(input.projectId)}/merge_requests/${input.iid}`;
  const mr = await client.get<GitLabMergeRequest>(base).catch((error: unknown) => {
    throw tokenError(error, input.iid);
  });
  // Right after a merge request is created its versions list can still be empty.
  let versions: Version[] = [];
  for (let attempt = 0; attempt < 5; attempt++) {
    versions = await client.get<Version[]>(`${base}/versions`);
    if (versions.length > 0) break;
    logger.info('The merge request has no diff version yet; waiting for GitLab to compute it…');
    await new Promise((resolve) => setTimeout(resolve, 1_000 * (attempt + 1)));
  }
  const newest = versions[0];
  const refs: DiffRefs | undefined = newest
    ? {
        base_sha: newest.base_commit_sha,
        start_sha: newest.start_commit_sha,
        head_sha: newest.head_commit_sha,
      }
    : (mr.diff_refs ?? undefined);
  if (!refs)
    throw new Error(
      `GitLab has no diff for merge request !${input.iid} yet; re-run the job in a minute.`,
    );
  if (input.reviewed && refs.head_sha !== input.reviewed) {
    throw new ConfigurationError(
      `Merge request !${input.iid} moved to ${refs.head_sha.slice(0, 8)} after this pipeline started at ${input.reviewed.slice(0, 8)}: ` +
        'comments would land on the wrong lines. The pipeline of the new commit reviews it.',
    );
  }
  const webUrl = input.projectUrl ?? mr.web_url.replace(/\/-\/merge_requests\/\d+.*$/, '');
  const cr: ChangeRequest = {
    number: input.iid,
    url: mr.web_url,
    baseSha: refs.base_sha,
    headSha: refs.head_sha,
  };
  logger.info(
    `Merge request !${input.iid}: ${refs.base_sha.slice(0, 8)}..${refs.head_sha.slice(0, 8)}`,
  );
  return {
    platform: new GitLabPlatform(client, { id: input.projectId, webUrl }, refs, {
      logger,
      workspace: input.workspace,
    }),
    cr,
  };
}

function tokenError(error: unknown, iid: number): Error {
  if (error instanceof GitLabApiError && error.status === 401) {
    return new ConfigurationError(
      `GitLab rejected the API token (401 Unauthorized). ${TOKEN_HELP}`,
    );
  }
  if (error instanceof GitLabApiError && (error.status === 403 || error.status === 404)) {
    return new ConfigurationError(
      `The GitLab token cannot read merge request !${iid} (${error.status}). It needs access to this project. ${TOKEN_HELP}`,
    );
  }
  return error instanceof Error ? error : new Error(String(error));
}
