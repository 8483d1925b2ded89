import fs from 'node:fs';
import path from 'node:path';
import type { Redactor } from '../redact.js';
import type { PlacementRecord } from '../state/placements.js';
import type { ReviewResult } from '../review/result.js';

export const FINDINGS_FILE_VERSION = 1;

export function writeFindingsFile(
  file: string,
  result: ReviewResult,
  redactor: Redactor,
  placements: Map<string, PlacementRecord> = new Map(),
  extra: Record<string, unknown> = {},
): void {
  const document = {
    version: FINDINGS_FILE_VERSION,
    mode: result.mode,
    target: result.target ?? null,
    headSha: result.headSha ?? null,
    threadId: result.threadId ?? null,
    verdict: result.verdict,
    source: result.source,
    incomplete: result.incomplete ?? null,
    findings: result.findings.map((f) => {
      const record = placements.get(f.fingerprint);
      return {
        ...f,
        placement: record?.placement ?? 'not-posted',
        placementReason: record?.reason ?? null,
        anchor: record?.anchor ?? null,
      };
    }),
    blockingCount: result.blockingCount,
    usage: result.usage,
    codex: result.codex,
    structured: result.structured ?? null,
    finalMessage: result.finalMessage,
    ...extra,
  };
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify(redactor.redactValue(document), null, 2)}\n`);
}
