// Unified diff → per-file index of the lines a platform accepts review comments on.
import parseDiff from 'parse-diff';
import { hasGitHeaders, readHeaders, splitFileSections } from './git-headers.js';

export interface DiffHunk {
  oldStart: number;
  oldLines: number;
  newStart: number;
  newLines: number;
  /** New-side lines GitHub accepts a RIGHT comment on: added + context, contiguous newStart..newEnd. */
  right: number[];
  /** Old-side lines accepting a LEFT comment: deleted lines (and context on the old side). */
  left: number[];
  added: number[];
  deleted: number[];
  /**
   * Every line in order with both positions, as GitLab counts them (an added line's old
   * position is where it sits in the old file): GitLab positions name both sides.
   */
  lines: DiffLine[];
}

export interface DiffLine {
  type: 'add' | 'del' | 'context';
  oldLine: number;
  newLine: number;
}

export type FileStatus = 'added' | 'modified' | 'renamed' | 'deleted';

export interface DiffFile {
  /** Repo-relative POSIX path; for a deleted file, the path it had. */
  path: string;
  /** previous path for renames, else null */
  oldPath: string | null;
  status: FileStatus;
  binary: boolean;
  hunks: DiffHunk[];
}

export interface HunkOverlap {
  hunk: DiffHunk;
  /** The part of the asked-for range that lies on this side of the hunk. */
  start: number;
  end: number;
}

export class DiffIndex {
  readonly #files: DiffFile[];
  readonly #byPath = new Map<string, DiffFile>();

  private constructor(files: DiffFile[]) {
    this.#files = files;
    for (const file of files) {
      // A type change (symlink → file) is a deletion and an addition of one path; a finding
      // refers to what is there now.
      const known = this.#byPath.get(file.path);
      if (!known || known.status === 'deleted') this.#byPath.set(file.path, file);
    }
  }

  /** Read `git diff` output or GitHub's `.diff` media type. */
  static parse(unifiedDiff: string): DiffIndex {
    if (!hasGitHeaders(unifiedDiff)) return new DiffIndex(parseDiff(unifiedDiff).map(plainFile));
    return new DiffIndex(
      splitFileSections(unifiedDiff).map((section) => {
        const header = readHeaders(section.header);
        const chunks = header.binary ? [] : parseDiff(section.text).flatMap((f) => f.chunks);
        return { ...header, hunks: chunks.map(toHunk) };
      }),
    );
  }

  get files(): DiffFile[] {
    return [...this.#files];
  }

  /** By new path, or by the old path for a deleted file. */
  file(path: string): DiffFile | undefined {
    return this.#byPath.get(path);
  }

  /** The hunk whose right side overlaps [start,end] most, with the overlap; undefined when none overlaps. */
  rightHunk(path: string, start: number, end: number): HunkOverlap | undefined {
    return largestOverlap(this.file(path)?.hunks ?? [], 'right', start, end);
  }

  /** The hunk whose left (old) side overlaps [start,end] most, with the overlap. */
  leftHunk(path: string, start: number, end: number): HunkOverlap | undefined {
    return largestOverlap(this.file(path)?.hunks ?? [], 'left', start, end);
  }
}

function largestOverlap(
  hunks: DiffHunk[],
  side: 'right' | 'left',
  from: number,
  to: number,
): HunkOverlap | undefined {
  const [low, high] = from <= to ? [from, to] : [to, from];
  let best: HunkOverlap | undefined;
  for (const hunk of hunks) {
    const lines = hunk[side];
    if (lines.length === 0) continue;
    // Each side of a hunk is contiguous, so its ends bound it.
    const start = Math.max(low, lines[0]!);
    const end = Math.min(high, lines[lines.length - 1]!);
    if (start > end) continue;
    if (!best || end - start > best.end - best.start) best = { hunk, start, end };
  }
  return best;
}

function toHunk(chunk: parseDiff.Chunk): DiffHunk {
  const hunk: DiffHunk = {
    oldStart: chunk.oldStart,
    oldLines: chunk.oldLines,
    newStart: chunk.newStart,
    newLines: chunk.newLines,
    right: [],
    left: [],
    added: [],
    deleted: [],
    lines: [],
  };
  let oldPos = chunk.oldStart;
  let newPos = chunk.newStart;
  for (const change of chunk.changes) {
    // parse-diff records "\ No newline at end of file" as a second copy of the line before it;
    // it is a marker, not a line.
    if (change.content.startsWith('\\')) continue;
    if (change.type === 'add') {
      hunk.added.push(change.ln);
      hunk.right.push(change.ln);
      hunk.lines.push({ type: 'add', oldLine: oldPos, newLine: change.ln });
      newPos = change.ln + 1;
    } else if (change.type === 'del') {
      hunk.deleted.push(change.ln);
      hunk.left.push(change.ln);
      hunk.lines.push({ type: 'del', oldLine: change.ln, newLine: newPos });
      oldPos = change.ln + 1;
    } else {
      hunk.right.push(change.ln2);
      hunk.left.push(change.ln1);
      hunk.lines.push({ type: 'context', oldLine: change.ln1, newLine: change.ln2 });
      oldPos = change.ln1 + 1;
      newPos = change.ln2 + 1;
    }
  }
  return hunk;
}

/** A diff without `diff --git` headers (plain `diff -u`): parse-diff's names are all there is. */
function plainFile(file: parseDiff.File): DiffFile {
  const from = file.from === '/dev/null' ? undefined : file.from;
  const to = file.to === '/dev/null' ? undefined : file.to;
  const status: FileStatus =
    from === undefined
      ? 'added'
      : to === undefined
        ? 'deleted'
        : from !== to
          ? 'renamed'
          : 'modified';
  return {
    path: to ?? from ?? '',
    oldPath: status === 'renamed' ? (from ?? null) : null,
    status,
    binary: false,
    hunks: file.chunks.map(toHunk),
  };
}
