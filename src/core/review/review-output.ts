// The structured review Codex produces in review mode (and the built-in exec schema's shape).
import { z } from 'zod';

export const ReviewFindingSchema = z.object({
  title: z.string(),
  body: z.string().default(''),
  confidence_score: z.number().nullish(),
  priority: z.number().int().nullish(),
  code_location: z
    .object({
      absolute_file_path: z.string(),
      line_range: z.object({ start: z.number().int(), end: z.number().int() }).nullish(),
    })
    .nullish(),
  /** exec's built-in schema: a replacement of exactly the finding's lines (unchecked). */
  suggestion: z.string().nullish(),
});

export const ReviewOutputSchema = z.object({
  findings: z.array(ReviewFindingSchema).default([]),
  overall_correctness: z.string().nullish(),
  overall_explanation: z.string().nullish(),
  overall_confidence_score: z.number().nullish(),
});

export type ReviewFinding = z.infer<typeof ReviewFindingSchema>;
export type ReviewOutput = z.infer<typeof ReviewOutputSchema>;

/** Where a review result came from; recorded in the findings file for trust and debugging. */
export type ReviewSource = 'session-file' | 'rendered-text' | 'exec-json' | 'none';

/** Texts Codex renders instead of a review when the review did not complete. */
export const INTERRUPTED_TEXT =
  'Review was interrupted. Please re-run /review and wait for it to complete.';
export const NO_RESPONSE_TEXT = 'Reviewer failed to output a response.';
