// The end of a CLI run (local and gitlab): files, outputs, the terminal report, the exit code.
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from '../core/logger.js';
import type { PlacementRecord } from '../core/publish/placements.js';
import type { Redactor } from '../core/redact.js';
import { writeRunFiles } from '../core/report/run-files.js';
import { renderTerminal } from '../core/render/terminal.js';
import type { ReviewResult } from '../core/review/result.js';
import type { Settings } from '../core/settings.js';

export async function finishRun(input: {
  result: ReviewResult;
  settings: Settings;
  redactor: Redactor;
  logger: Logger;
  findingsFile: string;
  color: boolean;
  placements?: Map<string, PlacementRecord>;
  reviewUrl?: string;
  /** Posting failed: reported, and the run fails, after everything is written. */
  publishError?: string;
}): Promise<number> {
  const { result, settings, redactor, logger, findingsFile } = input;
  const outputs = await writeRunFiles({
    result,
    settings,
    redactor,
    logger,
    findingsFile,
    placements: input.placements,
    reviewUrl: input.reviewUrl,
  });
  fs.writeFileSync(
    path.join(path.dirname(findingsFile), 'outputs.json'),
    `${JSON.stringify(outputs, null, 2)}\n`,
  );
  process.stdout.write(redactor.redact(renderTerminal(result, { color: input.color })));
  process.stdout.write(`\nFindings file: ${findingsFile}\n`);
  if (input.reviewUrl) process.stdout.write(`Posted: ${input.reviewUrl}\n`);
  if (input.publishError) {
    logger.error(
      redactor.redact(
        `Posting the results failed: ${input.publishError}. Every finding is in the findings file.`,
      ),
    );
    return 1;
  }
  const replyErrors = result.exec?.replyErrors ?? [];
  if (replyErrors.length > 0) {
    logger.error(
      `Codex's reply does not match the output schema:\n${replyErrors.map((e) => `  - ${e}`).join('\n')}`,
    );
    return 1;
  }
  if (result.blockingCount > 0) {
    logger.error(`${result.blockingCount} finding(s) at or above fail-on ${settings.failOn}`);
    return 1;
  }
  return 0;
}
