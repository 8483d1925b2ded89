// What every front door writes at the end of a run: the findings file, the report files, and
// the outputs (redacted), so the action and the CLI cannot drift apart.
import { repositoryRoot } from '../git.js';
import type { Logger } from '../logger.js';
import { buildOutputs, type OutputName } from '../outputs.js';
import type { PlacementRecord } from '../state/placements.js';
import type { Redactor } from '../redact.js';
import type { ReviewResult } from '../review/result.js';
import type { Settings } from '../settings.js';
import { writeFindingsFile } from './findings-file.js';
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
}): Promise<Record<OutputName, string>> {
  const { result, settings, redactor, logger, findingsFile } = input;
  writeFindingsFile(findingsFile, result, redactor, input.placements, {
    reviewUrl: input.reviewUrl ?? null,
    ...(input.extra ?? {}),
  });
  const reports = writeReports({
    result,
    settings,
    repoRoot: (await repositoryRoot(settings.workingDirectory)) ?? settings.workingDirectory,
    redactor,
    logger,
  });
  const { outputs, notes } = buildOutputs(result, {
    findingsFile,
    ...(reports.sarifFile ? { sarifFile: reports.sarifFile } : {}),
    ...(input.reviewUrl ? { reviewUrl: input.reviewUrl } : {}),
  });
  for (const note of notes) logger.info(redactor.redact(note));
  return redactor.redactValue(outputs);
}
