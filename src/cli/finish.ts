// The end of a CLI run (local and gitlab): the terminal report, outputs.json beside the
// findings file, the exit code. The core has already written the files and posted. A run a skip
// rule ended writes nothing and exits 0.
import path from 'node:path';
import type { Logger } from '../core/logger.js';
import type { Redactor } from '../core/redact.js';
import { clipForLog } from '../core/render/fit.js';
import { renderTerminal } from '../core/render/terminal.js';
import { isSkipped, type RunOutcome, type SkippedRun } from '../core/pipeline/run.js';
import { writeFileSafely } from '../core/safe-write.js';

export function finishRun(input: {
  outcome: RunOutcome | SkippedRun;
  redactor: Redactor;
  logger: Logger;
  color: boolean;
}): number {
  const { outcome, redactor, logger } = input;
  if (isSkipped(outcome)) {
    // The core logged why; nothing ran, so no files and no failure.
    process.stdout.write(`${redactor.redact(outcome.skipped)}\n`);
    return 0;
  }
  const findingsFile = outcome.outputs['findings-file'];
  // The findings file's directory was checked when that file was written; outputs.json goes
  // through the same rules (a link planted under that name is replaced, not followed).
  writeFileSafely(
    path.join(path.dirname(findingsFile), 'outputs.json'),
    `${JSON.stringify(outcome.outputs, null, 2)}\n`,
    { roots: [path.dirname(findingsFile)] },
    'outputs.json',
  );
  // Model text cut for the terminal and the job log (GitLab keeps 4 MB of it); the file has it all.
  const report = clipForLog(outcome.result, `the findings file ${findingsFile}`);
  process.stdout.write(redactor.redact(renderTerminal(report, { color: input.color })));
  process.stdout.write(`\nFindings file: ${findingsFile}\n`);
  if (outcome.reviewUrl) process.stdout.write(`Posted: ${outcome.reviewUrl}\n`);
  if (outcome.permissionDenied && !outcome.failure)
    logger.warning(redactor.redact(`Findings were not posted: ${outcome.permissionDenied}`));
  if (outcome.failure) {
    logger.error(outcome.failure);
    return 1;
  }
  return 0;
}
