// The report files a run writes besides the findings file (SARIF, GitLab Code Quality), with
// the same rules for every front door.
import type { Logger } from '../logger.js';
import type { Redactor } from '../redact.js';
import type { WriteScope } from '../safe-write.js';
import type { ReviewResult } from '../review/result.js';
import type { Settings } from '../settings.js';
import { VERSION } from '../version.js';
import { writeCodeQualityFile } from './codequality.js';
import { writeSarifFile } from './sarif.js';

export interface WrittenReports {
  sarifFile: string | undefined;
  codequalityFile: string | undefined;
}

export function writeReports(input: {
  result: ReviewResult;
  settings: Pick<Settings, 'sarifFile' | 'codequalityFile'>;
  repoRoot: string;
  redactor: Redactor;
  logger: Logger;
  scope: WriteScope;
}): WrittenReports {
  const { result, settings, logger } = input;
  const written: WrittenReports = { sarifFile: undefined, codequalityFile: undefined };
  if (!settings.sarifFile && !settings.codequalityFile) return written;
  // An empty report marks every earlier finding fixed (code scanning closes the alerts, the
  // merge request widget shows them resolved): write nothing for a run that did not finish.
  const unfinished =
    result.incomplete ??
    (result.exec?.replyErrors.length ? 'the reply did not match the schema' : undefined);
  if (unfinished) {
    logger.warning(
      `No report files written (${unfinished}): an empty report would mark every finding fixed.`,
    );
    return written;
  }
  if (settings.sarifFile) {
    writeSarifFile(
      settings.sarifFile,
      result,
      input.redactor,
      {
        toolVersion: VERSION,
        repoRoot: input.repoRoot,
      },
      input.scope,
    );
    logger.info(`SARIF with ${result.findings.length} result(s): ${settings.sarifFile}`);
    written.sarifFile = settings.sarifFile;
  }
  if (settings.codequalityFile) {
    const report = writeCodeQualityFile(
      settings.codequalityFile,
      result,
      input.redactor,
      input.scope,
    );
    logger.info(
      `Code Quality report with ${report.issues.length} issue(s): ${settings.codequalityFile}`,
    );
    for (const skipped of report.skipped)
      logger.info(`  not in the Code Quality report: "${skipped.title}" (${skipped.reason})`);
    written.codequalityFile = settings.codequalityFile;
  }
  return written;
}
