import type { InlineAnchor } from '../diff/placement.js';

/**
 * Where a finding ended up after publishing:
 * - inline: posted as an inline comment by this run;
 * - inline-earlier: an earlier run already posted it inline (same fingerprint, any line);
 * - file / summary: listed in the summary comment (file: in a changed file, outside the diff);
 * - issue: listed in the audit's tracking issue;
 * - not-posted: posting was impossible; the finding is in the log, step summary and file.
 * - dismissed: people dismissed it on the change request; not posted again.
 * - out-of-shard: a sharded job found it in another shard's files; only its findings file keeps it.
 * - excluded: in a path the repository configuration excludes; kept in the findings file only.
 */
export type FinalPlacement =
  | 'inline'
  | 'inline-earlier'
  | 'file'
  | 'summary'
  | 'issue'
  | 'not-posted'
  | 'out-of-shard'
  | 'excluded'
  | 'dismissed';

export interface PlacementRecord {
  placement: FinalPlacement;
  reason: string | undefined;
  anchor?: InlineAnchor;
}
