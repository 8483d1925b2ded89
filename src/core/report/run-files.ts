// What every front door writes at the end of a run: the findings file, the report files, and
// the outputs (redacted), so the action and the CLI cannot drift apart.
import { repositoryRoot } from '../git.js';
import type { Logger } from '../logger.js';
import { buildOutputs, type OutputName } from '../outputs.js';
import type { PlacementRecord } from '../state/placements.js';
import type { Redactor } from '../redact.js';
import type { Finding } from '../review/finding.js';
import type { WriteScope } from '../safe-write.js';
import type { ReviewResult } from '../review/result.js';
import type { Settings } from '../settings.js';
import { writeFindingsFile, type ShardRecord } from './findings-file.js';
import { writeReports } from './reports.js';

export async function writeRunFiles(input: {
  result: ReviewResult;
  settings: Settings;
  redactor: Redactor;
  logger: Logger;
  findingsFile: string;
  placements: Map<string, PlacementRecord> | undefined;
  reviewUrl: string | undefined;
  /** More fields for the findings file (summary URL, incremental, …). */
  extra?: Record<string, unknown>;
  /** A sharded job's record (`shard: i/n`). */
  shard?: ShardRecord;
  /** Findings in excluded paths: only in the findings file (placement `excluded`). */
  excluded?: Finding[];
  /** Where files may be written: the workspace and the run's temp directory. */
  scope: WriteScope;
}): Promise<Record<OutputName, string>> {
  const { result, settings, redactor, logger, findingsFile, scope } = input;
  writeFindingsFile(findingsFile, result, redactor, scope, {
    ...(input.placements ? { placements: input.placements } : {}),
    ...(input.excluded ? { excluded: input.excluded } : {}),
    ...(input.shard ? { shard: input.shard } : {}),
    extra: { reviewUrl: input.reviewUrl ?? null, ...(input.extra ?? {}) },
  });
  const reports = writeReports({
    result,
    settings,
    repoRoot: (await repositoryRoot(settings.workingDirectory)) ?? settings.workingDirectory,
    redactor,
    logger,
    scope,
  });
  const { outputs, notes } = buildOutputs(result, {
    findingsFile,
    ...(reports.sarifFile ? { sarifFile: reports.sarifFile } : {}),
    ...(input.reviewUrl ? { reviewUrl: input.reviewUrl } : {}),
  });
  for (const note of notes) logger.info(redactor.redact(note));
  return redactor.redactValue(outputs);
}
