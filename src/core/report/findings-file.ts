import fs from 'node:fs';
import path from 'node:path';
import type { Redactor } from '../redact.js';
import type { ReviewResult } from '../review/result.js';

/** Where each finding ended up. Until a platform posts it, a finding lives in the log and files. */
export type Placement = 'inline' | 'file' | 'summary' | 'not-posted';

export const FINDINGS_FILE_VERSION = 1;

export function writeFindingsFile(
  file: string,
  result: ReviewResult,
  redactor: Redactor,
  placements: Map<string, Placement> = new Map(),
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
    findings: result.findings.map((f) => ({
      ...f,
      placement: placements.get(f.fingerprint) ?? 'not-posted',
    })),
    blockingCount: result.blockingCount,
    usage: result.usage,
    codex: result.codex,
    structured: result.structured ?? null,
    finalMessage: result.finalMessage,
  };
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify(redactor.redactValue(document), null, 2)}\n`);
}
