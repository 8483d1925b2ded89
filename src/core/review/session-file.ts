// Codex writes the structured review only into its session ("rollout") file:
// $CODEX_HOME/sessions/YYYY/MM/DD/rollout-*-<thread_id>.jsonl, as an item_completed event
// whose item is ExitedReviewMode. The rendered final message loses the priority and
// confidence fields, so this file is the preferred source.
import { z } from 'zod';
import { linesStartingWith } from '../codex/session-lines.js';
import { isThreadFile, listSessionFiles } from '../codex/session-files.js';
import { ReviewOutputSchema, type ReviewOutput } from './review-output.js';

const ExitedReviewLine = z.object({
  payload: z.object({
    type: z.literal('item_completed'),
    item: z.object({
      type: z.literal('ExitedReviewMode'),
      review_output: z.unknown().nullable(),
    }),
  }),
});

export type SessionReview =
  | { kind: 'found'; review: ReviewOutput; file: string }
  /** The review ended without output (interrupted). */
  | { kind: 'empty'; file: string }
  | { kind: 'missing'; reason: string };

export function findSessionFile(codexHome: string, threadId: string): string | undefined {
  return listSessionFiles(codexHome).find((file) => isThreadFile(file, threadId));
}

export function readSessionReview(codexHome: string, threadId: string | undefined): SessionReview {
  if (!threadId) return { kind: 'missing', reason: 'Codex reported no thread id' };
  const file = findSessionFile(codexHome, threadId);
  if (!file)
    return {
      kind: 'missing',
      reason: `no session file for thread ${threadId} under ${codexHome}/sessions`,
    };
  let last: SessionReview = { kind: 'missing', reason: `no ExitedReviewMode item in ${file}` };
  // Streamed, only the review's lines kept: session files hold every reply in full.
  for (const line of linesStartingWith(file, 'ExitedReviewMode')) {
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      continue;
    }
    const parsed = ExitedReviewLine.safeParse(json);
    if (!parsed.success) continue;
    const output = parsed.data.payload.item.review_output;
    if (output === null || output === undefined) {
      last = { kind: 'empty', file };
      continue;
    }
    const review = ReviewOutputSchema.safeParse(output);
    last = review.success
      ? { kind: 'found', review: review.data, file }
      : {
          kind: 'missing',
          reason: `unexpected review_output shape in ${file}: ${review.error.message}`,
        };
  }
  return last;
}
