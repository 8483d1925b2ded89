// The report files a run writes besides the findings file (SARIF today), with the same rules
// for both front doors.
import type { Logger } from '../logger.js';
import type { Redactor } from '../redact.js';
import type { ReviewResult } from '../review/result.js';
import type { Settings } from '../settings.js';
import { VERSION } from '../../version.js';
import { writeSarifFile } from './sarif.js';

export interface WrittenReports {
  sarifFile: string | undefined;
}

export function writeReports(input: {
  result: ReviewResult;
  settings: Pick<Settings, 'sarifFile'>;
  repoRoot: string;
  redactor: Redactor;
  logger: Logger;
}): WrittenReports {
  const { result, settings, logger } = input;
  if (!settings.sarifFile) return { sarifFile: undefined };
  // An upload with zero results closes every open alert as fixed: write nothing rather than a
  // result Codex did not finish.
  const unfinished =
    result.incomplete ??
    (result.exec?.replyErrors.length ? 'the reply did not match the schema' : undefined);
  if (unfinished) {
    logger.warning(
      `No SARIF file written (${unfinished}); uploading an empty one would close open alerts.`,
    );
    return { sarifFile: undefined };
  }
  writeSarifFile(settings.sarifFile, result, input.redactor, {
    toolVersion: VERSION,
    repoRoot: input.repoRoot,
  });
  logger.info(`SARIF with ${result.findings.length} result(s): ${settings.sarifFile}`);
  return { sarifFile: settings.sarifFile };
}
