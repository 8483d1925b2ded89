import type { Redactor } from '../redact.js';
import { writeFileSafely, type WriteScope } from '../safe-write.js';
import type { Finding } from '../review/finding.js';
import type { PlacementRecord } from '../state/placements.js';
import type { ReviewResult } from '../review/result.js';

export const FINDINGS_FILE_VERSION = 1;

/** What a sharded job (`shard: i/n`) records about itself, for the merge job to check. */
export interface ShardRecord {
  /** 1-based. */
  index: number;
  total: number;
  /** `failed`: the job did not finish its slice (Codex failed, the review was interrupted, …). */
  status: 'completed' | 'failed';
  reason: string | undefined;
  /** Files in this shard's slice. */
  files: number;
  /** Findings in other shards' files: kept here (placement `out-of-shard`), never published. */
  outOfShard: Finding[];
}

export interface FindingsFileOptions {
  placements?: Map<string, PlacementRecord>;
  /** More top-level fields (summary URL, incremental, …). */
  extra?: Record<string, unknown>;
  /**
   * Findings in paths the repository configuration excludes: not posted nor reported elsewhere,
   * but kept here with placement `excluded`, so the file stays complete.
   */
  excluded?: Finding[];
  /** A sharded job's record (its findings outside its slice are kept as `out-of-shard`). */
  shard?: ShardRecord;
}

function shardField(shard: ShardRecord | undefined) {
  if (!shard) return null;
  return {
    index: shard.index,
    total: shard.total,
    status: shard.status,
    reason: shard.reason ?? null,
    files: shard.files,
  };
}

export function writeFindingsFile(
  file: string,
  result: ReviewResult,
  redactor: Redactor,
  scope: WriteScope,
  options: FindingsFileOptions = {},
): void {
  const placements = options.placements ?? new Map<string, PlacementRecord>();
  const { shard } = options;
  const setAside = (f: Finding, placement: string, placementReason: string) => ({
    ...f,
    placement,
    placementReason,
    anchor: null,
  });
  const document = {
    version: FINDINGS_FILE_VERSION,
    mode: result.mode,
    shard: shardField(shard),
    target: result.target ?? null,
    headSha: result.headSha ?? null,
    threadId: result.threadId ?? null,
    verdict: result.verdict,
    source: result.source,
    incomplete: result.incomplete ?? null,
    findings: [
      ...result.findings.map((f) => {
        const record = placements.get(f.fingerprint);
        return {
          ...f,
          placement: record?.placement ?? 'not-posted',
          placementReason: record?.reason ?? null,
          anchor: record?.anchor ?? null,
        };
      }),
      ...(options.excluded ?? []).map((f) =>
        setAside(f, 'excluded', 'in a path the repository configuration excludes (`paths`)'),
      ),
      ...(shard?.outOfShard ?? []).map((f) =>
        setAside(
          f,
          'out-of-shard',
          `in another shard's files (this is shard ${shard!.index}/${shard!.total})`,
        ),
      ),
    ],
    blockingCount: result.blockingCount,
    usage: result.usage,
    codex: result.codex,
    structured: result.structured ?? null,
    finalMessage: result.finalMessage,
    ...options.extra,
  };
  write(file, document, redactor, scope);
}

/**
 * A shard that failed before it had a result (Codex did not start or crashed) still says so,
 * so the merge job names it as failed, with the reason, rather than as missing.
 */
export function writeFailedShardFile(
  file: string,
  input: {
    shard: { index: number; total: number };
    reason: string;
    mode: string;
    headSha: string | undefined;
  },
  redactor: Redactor,
  scope: WriteScope,
): void {
  write(
    file,
    {
      version: FINDINGS_FILE_VERSION,
      mode: input.mode,
      shard: { ...input.shard, status: 'failed', reason: input.reason, files: null },
      headSha: input.headSha ?? null,
      incomplete: input.reason,
      findings: [],
      usage: null,
    },
    redactor,
    scope,
  );
}

function write(
  file: string,
  document: Record<string, unknown>,
  redactor: Redactor,
  scope: WriteScope,
): void {
  writeFileSafely(
    file,
    `${JSON.stringify(redactor.redactValue(document), null, 2)}\n`,
    scope,
    'the findings file',
  );
}
