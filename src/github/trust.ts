// Who may make this action spend an API key on their code. An AI reviewer reads untrusted
// text while holding secrets, so the triggering actor must be able to write to the repository
// (or be listed), and a pull_request_target run on a fork's code needs an explicit opt-in.
// Every refusal happens before Codex is installed or the model is asked anything.
import type { Logger } from '../core/logger.js';
import type { Settings } from '../core/settings.js';
import type { EventContext } from './context.js';
import type { Octokit } from './octokit.js';

export type TriggerDecision =
  | { kind: 'run' }
  /** Not this actor's or this event's run to make: the step ends with a notice, not a failure. */
  | { kind: 'skip'; reason: string }
  /** A workflow that must be changed: the step fails. */
  | { kind: 'refuse'; reason: string };

const WRITERS = new Set(['admin', 'write']);

interface PullPayload {
  head?: { repo?: { full_name?: string } | null };
  base?: { repo?: { full_name?: string } };
}

export function isFork(context: EventContext): boolean {
  const pr = context.payload.pull_request as PullPayload | undefined;
  const head = pr?.head?.repo?.full_name;
  const base = pr?.base?.repo?.full_name;
  return head !== undefined && base !== undefined && head.toLowerCase() !== base.toLowerCase();
}

export async function decideTrigger(input: {
  context: EventContext;
  settings: Pick<
    Settings,
    'allowUsers' | 'allowBots' | 'allowUntrustedPullRequests' | 'openaiApiKey'
  >;
  octokit: Octokit | undefined;
  logger: Logger;
  /** A command in a comment: its author is who must be allowed (see decideCommentTrigger). */
  commenter?: string;
}): Promise<TriggerDecision> {
  const { context, settings, logger } = input;
  if (input.commenter !== undefined)
    return decideCommentTrigger({ ...input, author: input.commenter });
  // Scheduled and manual runs are started by the repository's own workflow or its writers.
  if (context.eventName === 'schedule' || context.eventName === 'workflow_dispatch')
    return { kind: 'run' };

  if (
    context.eventName === 'pull_request_target' &&
    isFork(context) &&
    !settings.allowUntrustedPullRequests
  ) {
    return {
      kind: 'refuse',
      reason:
        "This pull_request_target run would let Codex read a fork's code while holding your secrets. " +
        'Use the pull_request event, or set `allow-untrusted-pull-requests: true` if you accept that risk.',
    };
  }
  if (context.eventName === 'pull_request_target' && isFork(context)) {
    logger.warning(
      'allow-untrusted-pull-requests is on: Codex reads code from a fork while this job holds secrets.',
    );
  }
  if (context.eventName === 'pull_request' && isFork(context) && !settings.openaiApiKey) {
    return {
      kind: 'skip',
      reason:
        'Pull requests from forks get no secrets, so there is no OpenAI API key: the review is skipped.',
    };
  }

  const actor = context.actor;
  if (!actor)
    return {
      kind: 'refuse',
      reason: 'GITHUB_ACTOR is not set: cannot tell who triggered this run.',
    };
  return decideActor({ ...input, actor });
}

/**
 * A command in a comment: its author must be able to write to the repository or be listed in
 * `allow-users` (bots were turned away before, whatever `allow-bots` says). A refusal is a
 * skip: the step ends with a notice, not a failure, and costs no model request.
 */
export async function decideCommentTrigger(input: {
  context: EventContext;
  author: string;
  settings: Pick<Settings, 'allowUsers' | 'allowBots'>;
  octokit: Octokit | undefined;
}): Promise<TriggerDecision> {
  return decideActor({ ...input, actor: input.author });
}

/**
 * A command on a fork's pull request runs Codex on the fork's code while this job holds the
 * API key: it needs the opt-in pull_request_target needs.
 */
export function refuseForkCommand(
  fork: boolean,
  settings: Pick<Settings, 'allowUntrustedPullRequests'>,
): TriggerDecision {
  if (!fork || settings.allowUntrustedPullRequests) return { kind: 'run' };
  return {
    kind: 'skip',
    reason:
      "This pull request comes from a fork: a command would let Codex read the fork's code while this job holds your secrets. " +
      'Set `allow-untrusted-pull-requests: true` to accept that risk for commands.',
  };
}

async function decideActor(input: {
  context: EventContext;
  actor: string;
  settings: Pick<Settings, 'allowUsers' | 'allowBots'>;
  octokit: Octokit | undefined;
}): Promise<TriggerDecision> {
  const { context, settings, actor } = input;
  const lower = actor.toLowerCase();
  if (settings.allowUsers.some((u) => u.toLowerCase() === lower)) return { kind: 'run' };
  if (lower.endsWith('[bot]')) {
    if (
      settings.allowBots.some(
        (b) => b.toLowerCase() === lower || `${b.toLowerCase()}[bot]` === lower,
      )
    )
      return { kind: 'run' };
    return {
      kind: 'skip',
      reason: `The run was triggered by the bot ${actor}, which is not in \`allow-bots\`.`,
    };
  }
  if (!input.octokit || !context.repository) {
    return {
      kind: 'refuse',
      reason: 'No `github-token`: cannot check the permission of the actor who triggered this run.',
    };
  }
  let permission: string | undefined;
  let role: string | undefined;
  try {
    const { data } = await input.octokit.rest.repos.getCollaboratorPermissionLevel({
      ...context.repository,
      username: actor,
    });
    // `permission` is the base role (maintain reads as write, triage as read); `role_name` may
    // name an organization's custom role, which says nothing about writing, so it only names
    // the role in the message.
    permission = data.permission;
    role = (data as { role_name?: string }).role_name;
  } catch (error) {
    if ((error as { status?: number }).status === 401) {
      return {
        kind: 'refuse',
        reason:
          'GitHub rejected `github-token` (401 Bad credentials). Leave it at its default (`${{ github.token }}`) or give a valid token.',
      };
    }
    return {
      kind: 'refuse',
      reason: `Could not check the repository permission of ${actor} (${(error as Error).message}); refusing to run for an unknown actor.`,
    };
  }
  if (permission && WRITERS.has(permission)) return { kind: 'run' };
  return {
    kind: 'skip',
    reason: `${actor} has "${role || permission || 'no'}" permission on this repository; codex-review runs for users who can write to it. Add them to \`allow-users\` to let them trigger reviews.`,
  };
}
