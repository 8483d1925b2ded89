// A pull request's review threads, which only GitHub's GraphQL API shows with their state
// (resolved, by whom) and can resolve. GraphQL names a bot `name` where REST says
// `name[bot]`; authors are turned into REST's form here so one identity check serves both.
import type { Octokit } from './octokit.js';

export interface ThreadAuthor {
  /** As REST spells it: `github-actions[bot]` for a bot. */
  login: string;
  type: 'Bot' | 'User';
}

export interface ThreadComment {
  id: number;
  body: string;
  author: ThreadAuthor | undefined;
  url: string;
}

export interface ReviewThread {
  /** GraphQL node id, for resolveReviewThread. */
  id: string;
  isResolved: boolean;
  /** Login of the user who resolved it; undefined when unresolved or resolved by a bot. */
  resolvedBy: string | undefined;
  path: string;
  line: number | null;
  /** Oldest first; the first one opened the thread. */
  comments: ThreadComment[];
  /** More comments than were read (over 100): treated as a discussion people joined. */
  truncated: boolean;
}

const THREADS_QUERY = `
query($owner: String!, $repo: String!, $number: Int!, $cursor: String) {
  repository(owner: $owner, name: $repo) {
    pullRequest(number: $number) {
      reviewThreads(first: 100, after: $cursor) {
        pageInfo { hasNextPage endCursor }
        nodes {
          id
          isResolved
          path
          line
          resolvedBy { login }
          comments(first: 100) {
            totalCount
            nodes { databaseId body url author { __typename login } }
          }
        }
      }
    }
  }
}`;

const RESOLVE_MUTATION = `
mutation($threadId: ID!) {
  resolveReviewThread(input: { threadId: $threadId }) { thread { id isResolved } }
}`;

interface ThreadsPage {
  repository: {
    pullRequest: {
      reviewThreads: {
        pageInfo: { hasNextPage: boolean; endCursor: string | null };
        nodes: Array<{
          id: string;
          isResolved: boolean;
          path: string;
          line: number | null;
          resolvedBy: { login: string } | null;
          comments: {
            totalCount: number;
            nodes: Array<{
              databaseId: number | null;
              body: string;
              url: string;
              author: { __typename: string; login: string } | null;
            }>;
          };
        }>;
      };
    } | null;
  } | null;
}

function restAuthor(
  author: { __typename: string; login: string } | null,
): ThreadAuthor | undefined {
  if (!author) return undefined;
  return author.__typename === 'Bot'
    ? { login: `${author.login}[bot]`, type: 'Bot' }
    : { login: author.login, type: 'User' };
}

export async function loadReviewThreads(
  octokit: Octokit,
  repo: { owner: string; repo: string },
  number: number,
): Promise<ReviewThread[]> {
  const threads: ReviewThread[] = [];
  let cursor: string | null = null;
  // A pull request with thousands of threads would be read for minutes; 50 pages is plenty.
  for (let page = 0; page < 50; page++) {
    const data: ThreadsPage = await octokit.graphql<ThreadsPage>(THREADS_QUERY, {
      owner: repo.owner,
      repo: repo.repo,
      number,
      cursor,
    });
    const connection = data.repository?.pullRequest?.reviewThreads;
    if (!connection) break;
    for (const t of connection.nodes) {
      threads.push({
        id: t.id,
        isResolved: t.isResolved,
        resolvedBy: t.resolvedBy?.login,
        path: t.path,
        line: t.line,
        comments: t.comments.nodes.map((c) => ({
          id: c.databaseId ?? 0,
          body: c.body,
          author: restAuthor(c.author),
          url: c.url,
        })),
        truncated: t.comments.totalCount > t.comments.nodes.length,
      });
    }
    if (!connection.pageInfo.hasNextPage) break;
    cursor = connection.pageInfo.endCursor;
  }
  return threads;
}

export async function resolveReviewThread(octokit: Octokit, threadId: string): Promise<void> {
  await octokit.graphql(RESOLVE_MUTATION, { threadId });
}

/** GraphQL answers 200 with `errors`; a token that may not write gets type FORBIDDEN. */
export function isForbidden(error: unknown): boolean {
  const errors = (error as { errors?: Array<{ type?: string }> }).errors;
  return (
    (error as { status?: number }).status === 403 ||
    (Array.isArray(errors) && errors.some((e) => e.type === 'FORBIDDEN'))
  );
}
