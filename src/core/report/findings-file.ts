import type { Redactor } from '../redact.js';
import { writeFileSafely, type WriteScope } from '../safe-write.js';
import type { Finding } from '../review/finding.js';
import type { PlacementRecord } from '../state/placements.js';
import type { ReviewResult } from '../review/result.js';

export const FINDINGS_FILE_VERSION = 1;

export interface FindingsFileOptions {
  placements?: Map<string, PlacementRecord>;
  /** More top-level fields (summary URL, incremental, …). */
  extra?: Record<string, unknown>;
  /**
   * Findings in paths the repository configuration excludes: not posted nor reported elsewhere,
   * but kept here with placement `excluded`, so the file stays complete.
   */
  excluded?: Finding[];
}

export function writeFindingsFile(
  file: string,
  result: ReviewResult,
  redactor: Redactor,
  scope: WriteScope,
  options: FindingsFileOptions = {},
): void {
  const placements = options.placements ?? new Map<string, PlacementRecord>();
  const excluded = (options.excluded ?? []).map((f) => ({
    ...f,
    placement: 'excluded' as const,
    placementReason: 'in a path the repository configuration excludes (`paths`)',
    anchor: null,
  }));
  const document = {
    version: FINDINGS_FILE_VERSION,
    mode: result.mode,
    target: result.target ?? null,
    headSha: result.headSha ?? null,
    threadId: result.threadId ?? null,
    verdict: result.verdict,
    source: result.source,
    incomplete: result.incomplete ?? null,
    findings: result.findings
      .map((f) => {
        const record = placements.get(f.fingerprint);
        return {
          ...f,
          placement: record?.placement ?? 'not-posted',
          placementReason: record?.reason ?? null,
          anchor: record?.anchor ?? null,
        };
      })
      .concat(excluded),
    blockingCount: result.blockingCount,
    usage: result.usage,
    codex: result.codex,
    structured: result.structured ?? null,
    finalMessage: result.finalMessage,
    ...options.extra,
  };
  writeFileSafely(
    file,
    `${JSON.stringify(redactor.redactValue(document), null, 2)}\n`,
    scope,
    'the findings file',
  );
}
