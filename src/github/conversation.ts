// Commands in comments, on GitHub: `review` hands the pull request (its head checked out) back
// to the normal run; a question gets one answer where it was asked (a reply in the review
// thread, or a pull request comment); `dismiss` resolves the finding's thread and records why.
// The author was checked before this runs (trust.ts).
import * as core from '@actions/core';
import path from 'node:path';
import type { Command } from '../core/conversation/command.js';
import { renderDismissal } from '../core/conversation/answer-comment.js';
import type { ThreadMessage } from '../core/conversation/prompt.js';
import { ConfigurationError } from '../core/errors.js';
import { mergeBase } from '../core/git.js';
import type { Logger } from '../core/logger.js';
import type { ChangeRequest } from '../core/platform.js';
import { answerQuestion } from '../core/pipeline/answer.js';
import type { Redactor } from '../core/redact.js';
import { markdownBlock } from '../core/render/markdown-escape.js';
import type { Settings } from '../core/settings.js';
import { believedState, changeScope } from '../core/state/markers.js';
import { StateKey } from '../core/state/state-key.js';
import type { CommentEvent } from './context.js';
import type { Octokit } from './octokit.js';
import type { GitHubPlatform } from './platform.js';
import { checkoutPullRequestHead } from './checkout.js';
import { GitHubSessionStore } from './session-cache.js';
import { GitHubToolCache } from './tool-cache.js';
import { isForbidden } from './threads.js';
import { refuseForkCommand } from './trust.js';

export interface CommandInput {
  command: Command;
  comment: CommentEvent & { author: NonNullable<CommentEvent['author']> };
  pullNumber: number;
  settings: Settings;
  octokit: Octokit;
  repository: { owner: string; repo: string };
  platform: GitHubPlatform;
  logger: Logger;
  redactor: Redactor;
  tempDir: string;
}

export type CommandOutcome =
  /** Answered, dismissed, or turned away with a notice: the step is over. */
  | { kind: 'done' }
  /** Review this pull request now; its head is checked out. */
  | { kind: 'review'; pr: ChangeRequest };

export async function runCommand(input: CommandInput): Promise<CommandOutcome> {
  const { command, logger } = input;
  const pull = await readPull(input);
  logger.info(
    `${describe(command)} by ${input.comment.author.login} on pull request #${pull.cr.number}.`,
  );
  if (command.kind === 'dismiss') return dismiss(input, pull.cr, command.reason);
  const fork = refuseForkCommand(pull.fork, input.settings);
  if (fork.kind !== 'run') {
    core.notice(fork.reason);
    return { kind: 'done' };
  }
  await checkoutPullRequestHead(input.settings.workingDirectory, pull.cr, logger);
  if (command.kind === 'review') return { kind: 'review', pr: pull.cr };
  await ask(input, pull, command.question);
  return { kind: 'done' };
}

function describe(command: Command): string {
  switch (command.kind) {
    case 'review':
      return 'Review requested';
    case 'dismiss':
      return 'Dismissal';
    case 'ask':
      return 'Question';
  }
}

interface Pull {
  cr: ChangeRequest;
  fork: boolean;
  title: string;
}

/** The pull request as it is now: the event's payload may be older than its head. */
async function readPull(input: CommandInput): Promise<Pull> {
  const { data } = await input.octokit.rest.pulls.get({
    ...input.repository,
    pull_number: input.pullNumber,
  });
  const head = data.head.repo?.full_name;
  return {
    cr: {
      number: data.number,
      url: data.html_url,
      baseSha: data.base.sha,
      headSha: data.head.sha,
    },
    // A deleted fork has no head repository: still someone else's code.
    fork: head === undefined || head.toLowerCase() !== data.base.repo.full_name.toLowerCase(),
    title: data.title,
  };
}

async function dismiss(
  input: CommandInput,
  cr: ChangeRequest,
  reason: string,
): Promise<CommandOutcome> {
  const { platform, comment, logger } = input;
  const found = await platform.threadOf(cr, comment.id);
  const fingerprint = found?.fingerprints[0];
  if (!found || !fingerprint) {
    core.notice('This thread is not the thread of a codex-review finding: nothing to dismiss.');
    return { kind: 'done' };
  }
  const root = found.thread.comments[0]!;
  // Resolved first: an acknowledgement in a thread left open would promise what is not so.
  if (!found.thread.isResolved) {
    await platform.resolveThread(found.thread.id).catch((error: unknown) => {
      throw new ConfigurationError(
        isForbidden(error)
          ? 'The token may not resolve the review thread: give the workflow `pull-requests: write`.'
          : `Could not resolve the review thread: ${(error as Error).message}`,
      );
    });
  }
  const body = input.redactor.redact(
    renderDismissal({ fingerprint, by: comment.author.login, reason }),
  );
  await platform.reply(cr, root.id, body);
  logger.info(`Dismissed the finding on ${found.thread.path}; later reviews will not raise it.`);
  await summary(`## Codex review: finding dismissed\n\nOn \`${found.thread.path}\`.\n`);
  return { kind: 'done' };
}

async function ask(input: CommandInput, pull: Pull, question: string): Promise<void> {
  const { platform, comment, settings, logger, redactor } = input;
  const { cr } = pull;
  const existing = await platform.loadExisting(cr);
  // Only a state we signed names the session an answer resumes: a forged one could plant it.
  const state = believedState(
    existing.summary?.body,
    { key: StateKey.fromSecret(settings.openaiApiKey), scope: changeScope(cr) },
    (m) => logger.info(m),
  );
  let finding: { body: string; path: string | null; line: number | null } | undefined;
  let thread: ThreadMessage[] = [];
  let post: (body: string) => Promise<{ url: string | undefined }>;
  if (comment.event === 'pull_request_review_comment') {
    const found = await platform.threadOf(cr, comment.id);
    if (!found) throw new Error(`Could not find the review thread of comment ${comment.id}.`);
    const [root, ...replies] = found.thread.comments;
    const ours = found.fingerprints.length > 0;
    if (ours) finding = { body: root!.body, path: found.thread.path, line: found.thread.line };
    const before = (ours ? replies : found.thread.comments).filter((c) => c.id < comment.id);
    thread = before.map((c) => ({ author: c.author?.login ?? 'ghost', body: c.body }));
    post = (body) => platform.reply(cr, root!.id, body);
  } else {
    // A question on the pull request: the review's summary is the context.
    if (existing.summary)
      thread = [
        {
          author: 'codex-review (summary of the review)',
          body: existing.summary.body.replace(/<!--[\s\S]*?-->/g, '').trim(),
        },
      ];
    post = (body) => platform.comment(cr, body);
  }
  const outcome = await answerQuestion({
    settings,
    logger,
    redactor,
    toolCache: new GitHubToolCache(logger),
    tempDir: input.tempDir,
    keySetting: 'openai-api-key',
    context: {
      question,
      asker: comment.author.login,
      change: {
        name: `pull request #${cr.number}`,
        title: pull.title,
        baseSha: cr.baseSha,
        headSha: cr.headSha,
        mergeBase: await mergeBase(settings.workingDirectory, cr.baseSha, cr.headSha),
      },
      finding,
      thread,
    },
    session: state?.session
      ? { threadId: state.session.threadId, digest: state.session.digest }
      : undefined,
    store: new GitHubSessionStore(
      { ...input.repository, pull: cr.number, codexVersion: settings.codexVersion },
      path.join(input.tempDir, 'codex-review-session'),
      logger,
    ),
    loadDiff: () => platform.loadDiff(cr),
    post,
    maxCommentLength: platform.maxCommentLength,
  });
  await logger.group('Answer', async () => {
    for (const line of outcome.answer.split('\n')) logger.info(line);
  });
  core.setOutput('final-message', outcome.answer);
  core.setOutput('thread-id', outcome.threadId ?? '');
  core.setOutput('usage', JSON.stringify(outcome.usage));
  core.setOutput('review-url', outcome.url ?? '');
  await summary(
    redactor.redact(
      `## Codex answer\n\n${markdownBlock(outcome.answer)}\n\n` +
        (outcome.url ? `[Posted on the pull request](${outcome.url})\n` : ''),
    ),
  );
}

async function summary(markdown: string): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) return;
  await core.summary.addRaw(markdown).write();
}
