// A GitHub comment event → the command it carries, or why it carries none.
import { describe, expect, it } from 'vitest';
import { readCommentCommand } from '../../src/github/commands.js';
import type { EventContext } from '../../src/github/context.js';

const PHRASE = '@codex-review';

function event(
  eventName: string,
  comment: Record<string, unknown>,
  extra: Record<string, unknown> = {},
): EventContext {
  const payload =
    eventName === 'issue_comment'
      ? { action: 'created', issue: { number: 3, pull_request: { url: 'x' } }, comment, ...extra }
      : { action: 'created', pull_request: { number: 3 }, comment, ...extra };
  return {
    eventName,
    sha: undefined,
    repository: { owner: 'o', repo: 'r' },
    serverUrl: 'https://github.com',
    runUrl: undefined,
    workflow: 'w',
    job: 'j',
    actor: 'alice',
    payload,
  };
}

const alice = { login: 'alice', type: 'User' };

describe('readCommentCommand', () => {
  it('is undefined for events that are not comments', () => {
    expect(readCommentCommand({ ...event('issue_comment', {}), eventName: 'push' }, PHRASE)).toBe(
      undefined,
    );
  });

  it('reads a command in a pull request comment and in a review-thread reply', () => {
    expect(
      readCommentCommand(
        event('issue_comment', { id: 1, body: '@codex-review review', user: alice }),
        PHRASE,
      ),
    ).toMatchObject({ kind: 'command', command: { kind: 'review' }, pullNumber: 3 });
    expect(
      readCommentCommand(
        event('pull_request_review_comment', {
          id: 2,
          body: '@codex-review dismiss not a bug',
          user: alice,
          in_reply_to_id: 1,
        }),
        PHRASE,
      ),
    ).toMatchObject({
      kind: 'command',
      command: { kind: 'dismiss', reason: 'not a bug' },
      comment: { inReplyTo: 1, author: alice },
    });
  });

  it('ignores what is no command, saying why', () => {
    const reason = (context: EventContext) => {
      const decision = readCommentCommand(context, PHRASE);
      return decision?.kind === 'ignore' ? decision.reason : decision?.kind;
    };
    expect(
      reason(
        event(
          'issue_comment',
          { id: 1, body: '@codex-review review', user: alice },
          { action: 'edited' },
        ),
      ),
    ).toMatch(/edited; only new comments/);
    expect(
      reason(
        event(
          'issue_comment',
          { id: 1, body: '@codex-review review', user: alice },
          {
            issue: { number: 3 },
          },
        ),
      ),
    ).toMatch(/on an issue, not a pull request/);
    expect(reason(event('issue_comment', { id: 1, body: 'nice', user: alice }))).toMatch(
      /does not start with `@codex-review`/,
    );
    expect(
      reason(
        event('issue_comment', {
          id: 1,
          body: '@codex-review review',
          user: { login: 'renovate[bot]', type: 'Bot' },
        }),
      ),
    ).toMatch(/bots \(renovate\[bot\]\) are never commands/);
    expect(
      reason(
        event('issue_comment', {
          id: 1,
          body: '@codex-review why?\n<!-- codex-review:answer -->',
          user: alice,
        }),
      ),
    ).toMatch(/codex-review's own/);
    expect(
      reason(event('issue_comment', { id: 1, body: '@codex-review dismiss', user: alice })),
    ).toMatch(/works as a reply in the review thread of a finding/);
  });
});
