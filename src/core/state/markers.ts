// Hidden HTML comments that let a later run find its own comments again. The summary carries
// the state of the review (the head reviewed, the findings and their status) so that the next
// run can review incrementally, avoid duplicates and mark findings resolved.
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { z } from 'zod';

export const SUMMARY_MARKER = '<!-- codex-review:summary -->';
const STATE_PATTERN = /<!-- codex-review:state ([A-Za-z0-9+/=]+) -->/;
const FINDING_PATTERN = /<!-- codex-review:finding ([0-9a-f]{16}(?:-\d+)?) -->/g;

/** Keyed by workflow and job, so each scheduled audit keeps its own issue. */
export function auditMarker(key: string): string {
  return `<!-- codex-review:audit ${key.replace(/[^\w./@ -]/g, '_').replace(/--+/g, '-')} -->`;
}

export function findingMarker(fingerprint: string): string {
  return `<!-- codex-review:finding ${fingerprint} -->`;
}

export function fingerprintsIn(body: string): string[] {
  return [...body.matchAll(FINDING_PATTERN)].map((m) => m[1]!);
}

export const StoredFindingSchema = z.object({
  fingerprint: z.string(),
  title: z.string(),
  path: z.string().nullable(),
  startLine: z.number().nullable(),
  endLine: z.number().nullable(),
  priority: z.number().nullable(),
  status: z.enum(['open', 'resolved']),
  /** Where it was shown when last reported. */
  placement: z.string(),
});

export const SummaryStateSchema = z.object({
  version: z.literal(1),
  /** The head commit the last run reviewed: the base of the next incremental review. */
  reviewedHead: z.string(),
  findings: z.array(StoredFindingSchema),
  /** The Codex session of the review that wrote this state, for answers to resume. */
  session: z.object({ threadId: z.string(), digest: z.string().optional() }).optional(),
});

export type StoredFinding = z.infer<typeof StoredFindingSchema>;
export type SummaryState = z.infer<typeof SummaryStateSchema>;

/** Compressed, so that hundreds of findings still fit in a comment. */
export function encodeState(state: SummaryState): string {
  const data = deflateRawSync(Buffer.from(JSON.stringify(state))).toString('base64');
  return `<!-- codex-review:state ${data} -->`;
}

/**
 * Model-written text goes into comments next to our markers; an HTML comment opener in it is
 * neutralised so no finding can forge a marker or a state.
 */
export function neutralizeMarkers(text: string): string {
  return text.replace(/<!--/g, '&lt;!--');
}

export function decodeState(body: string | undefined): SummaryState | undefined {
  // The state is written last, after all model text; a forged one earlier is ignored.
  const match = body ? [...body.matchAll(new RegExp(STATE_PATTERN.source, 'g'))].at(-1) : undefined;
  if (!match) return undefined;
  try {
    const json = JSON.parse(
      inflateRawSync(Buffer.from(match[1]!, 'base64')).toString('utf8'),
    ) as unknown;
    const parsed = SummaryStateSchema.safeParse(json);
    return parsed.success ? parsed.data : undefined;
  } catch {
    // A summary edited by hand, or from an incompatible version: start afresh.
    return undefined;
  }
}
