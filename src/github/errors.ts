// Reading Octokit's errors, and what a failed write means for the user.
import { PermissionDeniedError } from '../core/platform.js';
import { encodePath, lineFragment } from '../core/render/links.js';

interface RequestError {
  status?: number;
  message?: string;
  response?: { data?: { message?: string; errors?: unknown[] } };
}

export function statusOf(error: unknown): number | undefined {
  return (error as RequestError)?.status;
}

export function detailOf(error: unknown): string {
  const e = error as RequestError;
  const data = e.response?.data;
  const errors = Array.isArray(data?.errors)
    ? data.errors.map((x) =>
        typeof x === 'string' ? x : ((x as { message?: string }).message ?? JSON.stringify(x)),
      )
    : [];
  return [data?.message ?? e.message ?? String(error), ...errors].join(': ');
}

/** 403/404 on a write: the token may not write here (a fork's pull request); 401: a bad token. */
export function guardWrite(error: unknown, what: string): never {
  const status = statusOf(error);
  // A rate limit that outlasted the throttling plugin's retries is not a permission problem.
  const rateLimited = /rate limit/i.test(detailOf(error));
  if ((status === 403 && !rateLimited) || status === 404) {
    throw new PermissionDeniedError(
      `The GitHub token cannot ${what} (${status}: ${detailOf(error)}). A pull request from a fork gets a read-only token; ` +
        'otherwise grant the permission in the workflow (`pull-requests: write`, `issues: write`).',
    );
  }
  if (status === 401)
    throw new Error(
      `GitHub rejected the token (401) while trying to ${what}. Check \`github-token\`.`,
    );
  throw error;
}

export function blobUrl(
  serverUrl: string,
  repo: { owner: string; repo: string },
  sha: string,
  path: string,
  startLine: number | null,
  endLine: number | null,
): string {
  return `${serverUrl}/${repo.owner}/${repo.repo}/blob/${sha}/${encodePath(path)}${lineFragment(startLine, endLine, 'github')}`;
}
