// A comment event → the command it carries, or why it carries none. Every comment on every
// pull request starts the workflow, so "not a command" is the common case: it ends the step
// quietly, before anything is installed, asked or posted. Who wrote it is checked next
// (trust.ts), then the command runs (conversation.ts).
import { parseCommand, type Command } from '../core/conversation/command.js';
import { hasProductMarker } from '../core/conversation/markers.js';
import type { CommentEvent, EventContext } from './context.js';
import { commentOf } from './context.js';

export type CommentDecision =
  /** Not a command for this product: the step ends with a line in the log, nothing else. */
  | { kind: 'ignore'; reason: string }
  | {
      kind: 'command';
      command: Command;
      comment: CommentEvent & { author: NonNullable<CommentEvent['author']> };
      pullNumber: number;
    };

/** The decision for a comment event; undefined for any other event. */
export function readCommentCommand(
  context: EventContext,
  triggerPhrase: string,
): CommentDecision | undefined {
  const comment = commentOf(context);
  if (!comment) return undefined;
  const ignore = (reason: string): CommentDecision => ({ kind: 'ignore', reason });
  if (comment.action !== 'created')
    return ignore(`The comment was ${comment.action}; only new comments are commands.`);
  if (comment.pullNumber === undefined)
    return ignore('The comment is on an issue, not a pull request: nothing to review.');
  const command = parseCommand(comment.body, triggerPhrase);
  if (!command)
    return ignore(`The comment does not start with \`${triggerPhrase}\` and a command.`);
  // The product's own comments, and bots (which could answer each other forever), never command.
  if (hasProductMarker(comment.body))
    return ignore("The comment is codex-review's own; it is not a command.");
  if (!comment.author) return ignore('The comment has no author (a deleted account).');
  if (comment.author.type === 'Bot')
    return ignore(`Comments by bots (${comment.author.login}) are never commands.`);
  if (command.kind === 'dismiss' && comment.inReplyTo === undefined) {
    return ignore(
      `\`${triggerPhrase} dismiss\` works as a reply in the review thread of a finding; this comment is not in one.`,
    );
  }
  return {
    kind: 'command',
    command,
    comment: { ...comment, author: comment.author },
    pullNumber: comment.pullNumber,
  };
}
