// The merge request of a GitLab CI job: its diff refs from the newest MR version (the refs
// positions must use), checked against the commit this pipeline runs for.
import { ConfigurationError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { ChangeRequest } from '../core/platform.js';
import { GitLabApiError, type GitLabClient } from './client.js';
import type { DiffRefs, GitLabMergeRequest } from './platform.js';

export const TOKEN_HELP =
  'Create a project access token (Settings → Access tokens) with the `api` scope and at least the Reporter role, ' +
  'store it as a masked CI/CD variable named GITLAB_TOKEN, and pass it as `gitlab-token` (CODEX_REVIEW_GITLAB_TOKEN) or GITLAB_TOKEN. ' +
  'CI_JOB_TOKEN cannot post notes or discussions.';

interface Version {
  head_commit_sha: string;
  base_commit_sha: string;
  start_commit_sha: string;
}

export async function readMergeRequest(
  client: GitLabClient,
  input: {
    projectId: string;
    iid: number;
    projectUrl: string | undefined;
    reviewed: string | undefined;
  },
  logger: Logger,
): Promise<{ refs: DiffRefs; webUrl: string; cr: ChangeRequest }> {
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
    // What the repository configuration's skip rules look at.
    ...(typeof mr.draft === 'boolean' ? { draft: mr.draft } : {}),
    ...(Array.isArray(mr.labels)
      ? { labels: mr.labels.filter((l): l is string => typeof l === 'string') }
      : {}),
    ...(mr.author?.username ? { author: mr.author.username } : {}),
  };
  logger.info(
    `Merge request !${input.iid}: ${refs.base_sha.slice(0, 8)}..${refs.head_sha.slice(0, 8)}`,
  );
  return { refs, webUrl, cr };
}

export function tokenError(error: unknown, iid: number): Error {
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
