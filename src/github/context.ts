// What the triggering event says: the pull request, if any, and what to review by default.
import fs from 'node:fs';
import type { ChangeRequest } from '../core/platform.js';

export interface EventContext {
  eventName: string;
  sha: string | undefined;
  repository: { owner: string; repo: string } | undefined;
  serverUrl: string;
  runUrl: string | undefined;
  /** Workflow name and job id: the key of a scheduled audit's tracking issue. */
  workflow: string;
  job: string;
  /** The login that triggered the run. */
  actor: string | undefined;
  payload: Record<string, unknown>;
}

export function readEventContext(env: NodeJS.ProcessEnv = process.env): EventContext {
  let payload: Record<string, unknown> = {};
  const file = env.GITHUB_EVENT_PATH;
  if (file && fs.existsSync(file))
    payload = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  const [owner, repo] = (env.GITHUB_REPOSITORY ?? '').split('/');
  const serverUrl = (env.GITHUB_SERVER_URL || 'https://github.com').replace(/\/+$/, '');
  return {
    eventName: env.GITHUB_EVENT_NAME ?? '',
    sha: env.GITHUB_SHA,
    repository: owner && repo ? { owner, repo } : undefined,
    serverUrl,
    runUrl:
      env.GITHUB_REPOSITORY && env.GITHUB_RUN_ID
        ? `${serverUrl}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}`
        : undefined,
    workflow: env.GITHUB_WORKFLOW ?? 'workflow',
    job: env.GITHUB_JOB ?? 'job',
    actor: env.GITHUB_TRIGGERING_ACTOR || env.GITHUB_ACTOR || undefined,
    payload,
  };
}

interface PullRequestPayload {
  number?: number;
  html_url?: string;
  base?: { sha?: string };
  head?: { sha?: string };
  draft?: boolean;
  labels?: Array<{ name?: string }>;
  user?: { login?: string };
}

/** The pull request of a pull_request / pull_request_target event. */
export function pullRequestOf(context: EventContext): ChangeRequest | undefined {
  const pr = context.payload.pull_request as PullRequestPayload | undefined;
  if (!pr?.number || !pr.base?.sha || !pr.head?.sha) return undefined;
  return {
    number: pr.number,
    url: pr.html_url,
    baseSha: pr.base.sha,
    headSha: pr.head.sha,
    // What the repository configuration's skip rules look at (the event payload has them all).
    ...(typeof pr.draft === 'boolean' ? { draft: pr.draft } : {}),
    ...(Array.isArray(pr.labels)
      ? { labels: pr.labels.map((l) => l.name).filter((n): n is string => !!n) }
      : {}),
    ...(pr.user?.login ? { author: pr.user.login } : {}),
  };
}

export function reviewDefaults(context: EventContext): { base?: string; commit?: string } {
  const pr = pullRequestOf(context);
  if (pr) return { base: pr.baseSha };
  // A push, a schedule or a manual run: the newest commit.
  return context.sha ? { commit: context.sha } : {};
}

/** A comment that may carry a command (issue_comment, pull_request_review_comment). */
export interface CommentEvent {
  event: 'issue_comment' | 'pull_request_review_comment';
  /** created, edited, deleted. */
  action: string;
  /** The pull request the comment is on; undefined for a comment on a plain issue. */
  pullNumber: number | undefined;
  id: number;
  body: string;
  author: { login: string; type: 'Bot' | 'User' } | undefined;
  url: string | undefined;
  /** In a review thread: the comment it replies to (GitHub: the thread's first). */
  inReplyTo: number | undefined;
}

interface CommentPayload {
  action?: string;
  issue?: { number?: number; pull_request?: unknown };
  pull_request?: { number?: number };
  comment?: {
    id?: number;
    body?: string | null;
    html_url?: string;
    in_reply_to_id?: number;
    user?: { login?: string; type?: string } | null;
  };
}

export function commentOf(context: EventContext): CommentEvent | undefined {
  const event = context.eventName;
  if (event !== 'issue_comment' && event !== 'pull_request_review_comment') return undefined;
  const payload = context.payload as CommentPayload;
  const comment = payload.comment;
  if (!comment?.id) return undefined;
  const pullNumber =
    event === 'issue_comment'
      ? payload.issue?.pull_request
        ? payload.issue.number
        : undefined
      : payload.pull_request?.number;
  const login = comment.user?.login;
  return {
    event,
    action: payload.action ?? 'created',
    pullNumber,
    id: comment.id,
    body: comment.body ?? '',
    author: login
      ? {
          login,
          type: comment.user?.type === 'Bot' || login.endsWith('[bot]') ? 'Bot' : 'User',
        }
      : undefined,
    url: comment.html_url,
    inReplyTo: comment.in_reply_to_id ?? undefined,
  };
}
