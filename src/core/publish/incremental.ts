// Choosing what to review on a re-run: only the commits since the last reviewed head when
// that head is still an ancestor of the current one; after a force-push, the whole change.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Logger } from '../logger.js';
import type { SummaryState } from './markers.js';

const execFileAsync = promisify(execFile);

export interface ReviewScope {
  base: string;
  incremental: boolean;
  /** Files the incremental range touches (undefined for a full review). */
  changedFiles: Set<string> | undefined;
}

async function isAncestor(cwd: string, ancestor: string, head: string): Promise<boolean> {
  try {
    await execFileAsync('git', ['merge-base', '--is-ancestor', ancestor, head], { cwd });
    return true;
  } catch {
    return false;
  }
}

export async function chooseReviewScope(input: {
  prior: SummaryState | undefined;
  enabled: boolean;
  fullBase: string;
  head: string;
  cwd: string;
  logger: Logger;
}): Promise<ReviewScope> {
  const full: ReviewScope = { base: input.fullBase, incremental: false, changedFiles: undefined };
  const last = input.prior?.reviewedHead;
  if (!input.enabled || !last) return full;
  if (last === input.head) {
    input.logger.info(
      `${input.head.slice(0, 7)} was reviewed before; reviewing the whole change again.`,
    );
    return full;
  }
  if (!(await isAncestor(input.cwd, last, input.head))) {
    input.logger.info(
      `The last reviewed head ${last.slice(0, 7)} is no longer an ancestor (force-push?); reviewing the whole change.`,
    );
    return full;
  }
  const { stdout } = await execFileAsync('git', ['diff', '--name-only', '-z', last, input.head], {
    cwd: input.cwd,
    maxBuffer: 64 * 1024 * 1024,
  });
  const changedFiles = new Set(stdout.split('\0').filter(Boolean));
  input.logger.info(
    `Incremental review: the commits since ${last.slice(0, 7)} (${changedFiles.size} file(s) changed).`,
  );
  return { base: last, incremental: true, changedFiles };
}
