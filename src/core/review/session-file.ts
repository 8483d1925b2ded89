// Codex writes the structured review only into its session ("rollout") file:
// $CODEX_HOME/sessions/YYYY/MM/DD/rollout-*-<thread_id>.jsonl, as an item_completed event
// whose item is ExitedReviewMode. The rendered final message loses the priority and
// confidence fields, so this file is the preferred source.
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
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
  const root = path.join(codexHome, 'sessions');
  const suffix = `-${threadId}.jsonl`;
  const stack = [root];
  while (stack.length > 0) {
    const dir = stack.pop()!;
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const entry of entries) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) stack.push(full);
      else if (entry.name.startsWith('rollout-') && entry.name.endsWith(suffix)) return full;
    }
  }
  return undefined;
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
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    // Cheap filter first: session files can hold megabytes of tool output.
    if (!line.includes('ExitedReviewMode')) continue;
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
