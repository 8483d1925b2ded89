// Choosing what to review on a re-run: only the commits since the last reviewed head when
// that head is still an ancestor of the current one; after a force-push, the whole change.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { DiffIndex } from '../diff/diff-index.js';
import type { Logger } from '../logger.js';
import type { SummaryState } from './markers.js';

const execFileAsync = promisify(execFile);

export type ChangedLines = Map<string, Array<[number, number]>>;

export interface ReviewScope {
  base: string;
  incremental: boolean;
  /** Old-side line ranges the incremental range changed, by path (undefined for a full review). */
  changedLines: ChangedLines | undefined;
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
  /** HEAD of the working directory: Codex reviews it, so it must be the head for a partial review. */
  checkedOut: string | undefined;
  cwd: string;
  logger: Logger;
}): Promise<ReviewScope> {
  const full: ReviewScope = { base: input.fullBase, incremental: false, changedLines: undefined };
  const last = input.prior?.reviewedHead;
  if (!input.enabled || !last) return full;
  if (last === input.head) {
    input.logger.info(
      `${input.head.slice(0, 7)} was reviewed before; reviewing the whole change again.`,
    );
    return full;
  }
  if (input.checkedOut !== input.head) {
    input.logger.info(
      'The checkout is not the pull request head (a merge commit?); reviewing the whole change.',
    );
    return full;
  }
  if (!(await isAncestor(input.cwd, last, input.head))) {
    input.logger.info(
      `The last reviewed head ${last.slice(0, 7)} is no longer an ancestor (force-push?); reviewing the whole change.`,
    );
    return full;
  }
  // A merge (e.g. "Update branch") brings the base branch's changes into last..head: those
  // are not the author's, so only a full review against the base judges them right.
  const { stdout: merges } = await execFileAsync(
    'git',
    ['rev-list', '--merges', `${last}..${input.head}`],
    {
      cwd: input.cwd,
    },
  );
  if (merges.trim() !== '') {
    input.logger.info(
      `The commits since ${last.slice(0, 7)} include a merge; reviewing the whole change.`,
    );
    return full;
  }
  const { stdout } = await execFileAsync(
    'git',
    ['-c', 'core.quotePath=true', 'diff', '--no-color', '--no-ext-diff', '-U0', last, input.head],
    {
      cwd: input.cwd,
      maxBuffer: 256 * 1024 * 1024,
    },
  );
  const changedLines = changedLinesOf(stdout);
  input.logger.info(
    `Incremental review: the commits since ${last.slice(0, 7)} (${changedLines.size} file(s) changed).`,
  );
  return { base: last, incremental: true, changedLines };
}

/** Where a diff changed the old side of each file: findings of the last review point there. */
export function changedLinesOf(diff: string): ChangedLines {
  const changed: ChangedLines = new Map();
  for (const file of DiffIndex.parse(diff).files) {
    const ranges = file.hunks.map((h): [number, number] => [
      h.oldStart,
      h.oldStart + Math.max(h.oldLines, 1) - 1,
    ]);
    changed.set(
      file.oldPath ?? file.path,
      ranges.length > 0 ? ranges : [[1, Number.MAX_SAFE_INTEGER]],
    );
  }
  return changed;
}
