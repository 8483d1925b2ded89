// Turning what Codex left behind into a ReviewOutput, from the best source available.
import type { Logger } from '../logger.js';
import { parseRenderedReview } from './rendered-text.js';
import {
  INTERRUPTED_TEXT,
  NO_RESPONSE_TEXT,
  ReviewOutputSchema,
  type ReviewOutput,
  type ReviewSource,
} from './review-output.js';
import { readSessionReview } from './session-file.js';

export interface ExtractedReview {
  review: ReviewOutput;
  source: ReviewSource;
  /** Why the review is incomplete, when it is. */
  incomplete: string | undefined;
}

export function extractReview(input: {
  codexHome: string;
  threadId: string | undefined;
  finalMessage: string;
  logger: Logger;
}): ExtractedReview {
  const session = readSessionReview(input.codexHome, input.threadId);
  if (session.kind === 'found') {
    input.logger.debug(`Structured review read from ${session.file}`);
    return {
      review: session.review,
      source: 'session-file',
      incomplete: incompleteReview(session.review),
    };
  }
  if (session.kind === 'empty') {
    // review_output null: the review was interrupted, whatever the final message says.
    input.logger.debug(`The review in ${session.file} ended without output`);
    return {
      review: { findings: [], overall_explanation: INTERRUPTED_TEXT },
      source: 'session-file',
      incomplete: INTERRUPTED_TEXT,
    };
  }
  if (session.kind === 'missing') {
    input.logger.warning(
      `Structured review not available (${session.reason}); parsing the rendered review instead.`,
    );
  }
  const rendered = parseRenderedReview(input.finalMessage);
  if (rendered.kind !== 'review') {
    return {
      review: { findings: [], overall_explanation: rendered.message },
      source: 'rendered-text',
      incomplete: rendered.message,
    };
  }
  return { review: rendered.review, source: 'rendered-text', incomplete: undefined };
}

function incompleteReview(review: ReviewOutput): string | undefined {
  if (review.findings.length > 0) return undefined;
  // Nothing at all: Codex itself renders "Reviewer failed to output a response.".
  if (!review.overall_explanation?.trim()) return NO_RESPONSE_TEXT;
  // Codex sets overall_correctness to "" when it could not parse the model's reply.
  return review.overall_correctness === ''
    ? 'The model reply could not be parsed as a review; its text is kept as the explanation.'
    : undefined;
}

export type ExecReply =
  | { kind: 'findings'; review: ReviewOutput; value: unknown }
  | { kind: 'other'; value: unknown }
  | { kind: 'not-json'; error: string };

/** exec mode: a JSON reply carrying a `findings` array of the review shape feeds findings. */
export function parseExecReply(message: string): ExecReply {
  let value: unknown;
  try {
    value = JSON.parse(message);
  } catch (error) {
    return { kind: 'not-json', error: (error as Error).message };
  }
  const items =
    value && typeof value === 'object' ? (value as { findings?: unknown }).findings : undefined;
  // Only the review shape counts: every item has a title and a code_location. A custom
  // schema's own `findings` array (other fields) stays a structured answer.
  const reviewShaped =
    Array.isArray(items) &&
    items.every(
      (i) =>
        i &&
        typeof i === 'object' &&
        typeof (i as { title?: unknown }).title === 'string' &&
        'code_location' in i,
    );
  if (reviewShaped) {
    const review = ReviewOutputSchema.safeParse(value);
    if (review.success) return { kind: 'findings', review: review.data, value };
  }
  return { kind: 'other', value };
}
