// Hidden markers of the conversation: an answer, and the acknowledgement of a `dismiss`
// command, which carries the dismissal (who, why) for later reviews to read. Like every
// marker, these are believed only in comments verified as the product's own.
import { z } from 'zod';

export const ANSWER_MARKER = '<!-- codex-review:answer -->';
const DISMISSAL_PATTERN = /<!-- codex-review:dismissal ([A-Za-z0-9+/=]+) -->/g;
/** Any marker of the product: a comment carrying one is never a command. */
const ANY_MARKER = /<!-- codex-review:[a-z]+[ -]/;

const DismissalRecordSchema = z.object({
  fingerprint: z.string().regex(/^[0-9a-f]{16}(?:-\d+)?$/),
  by: z.string().max(100).optional(),
  reason: z.string().max(10_000),
});

export type DismissalRecord = z.infer<typeof DismissalRecordSchema>;

export function dismissalMarker(record: DismissalRecord): string {
  const data = Buffer.from(JSON.stringify(record), 'utf8').toString('base64');
  return `<!-- codex-review:dismissal ${data} -->`;
}

/** The dismissals recorded in a comment of ours (the last one wins). */
export function dismissalIn(body: string): DismissalRecord | undefined {
  const match = [...body.matchAll(DISMISSAL_PATTERN)].at(-1);
  if (!match) return undefined;
  try {
    const parsed = DismissalRecordSchema.safeParse(
      JSON.parse(Buffer.from(match[1]!, 'base64').toString('utf8')),
    );
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** The body carries a marker only the product writes (a summary, finding, answer...). */
export function hasProductMarker(body: string): boolean {
  return ANY_MARKER.test(body);
}
