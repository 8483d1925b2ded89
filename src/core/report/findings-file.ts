import fs from 'node:fs';
import path from 'node:path';
import type { Redactor } from '../redact.js';
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
  placements: Map<string, PlacementRecord> = new Map(),
  extra: Record<string, unknown> = {},
  shard?: ShardRecord,
): void {
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
      ...(shard?.outOfShard ?? []).map((f) => ({
        ...f,
        placement: 'out-of-shard',
        placementReason: `in another shard's files (this is shard ${shard!.index}/${shard!.total})`,
        anchor: null,
      })),
    ],
    blockingCount: result.blockingCount,
    usage: result.usage,
    codex: result.codex,
    structured: result.structured ?? null,
    finalMessage: result.finalMessage,
    ...extra,
  };
  write(file, document, redactor);
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
  );
}

function write(file: string, document: Record<string, unknown>, redactor: Redactor): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify(redactor.redactValue(document), null, 2)}\n`);
}
