// Every file a run leaves behind (findings file, outputs.json, SARIF, Code Quality) is written
// here, so a checkout cannot redirect a write: a pull request can commit `codex-review/` or
// `gl-codequality.json` as a symbolic link to anywhere, and another user of a shared /tmp can
// plant one where a default path points.
//
// The rules: the target must lie under one of the directories the run may write (the workspace,
// its temp directory); no directory between that root and the file may be a symbolic link; the
// content goes to a new file created with O_EXCL | O_NOFOLLOW in the target's directory and is
// renamed over the target, so a link at the target itself is replaced, never followed.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigurationError } from './errors.js';

export interface WriteScope {
  /** Directories the run may write under: the workspace and its temp directory. */
  roots: string[];
}

/** What names the path in an error message: "setting `sarif-file`", "--findings-file". */
export type PathOrigin = string;

export class UnsafePathError extends ConfigurationError {
  constructor(origin: PathOrigin, file: string, problem: string) {
    super(`${origin} = ${JSON.stringify(file)}: ${problem}`);
    this.name = 'UnsafePathError';
  }
}

function isInside(root: string, file: string): boolean {
  const relative = path.relative(root, file);
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
}

function realpathOrSelf(dir: string): string {
  try {
    return fs.realpathSync(dir);
  } catch {
    return dir;
  }
}

/**
 * The root `file` lies under, as the file's path spells it: the roots themselves are trusted (a
 * temp directory may be a link, as /tmp is on macOS), only what lies below them is checked.
 */
function rootOf(file: string, scope: WriteScope): string | undefined {
  const candidates = scope.roots
    .map((root) => path.resolve(root))
    .flatMap((root) => [root, realpathOrSelf(root)])
    .filter((root) => isInside(root, file))
    .sort((a, b) => b.length - a.length);
  return candidates[0];
}

function describeRoots(scope: WriteScope): string {
  return [...new Set(scope.roots.map((root) => path.resolve(root)))].join(', ');
}

/**
 * Checks where `file` would be written and creates the directories it needs, refusing a path
 * outside the scope or through a symbolic link. Returns the absolute path.
 */
export function prepareTarget(file: string, scope: WriteScope, origin: PathOrigin): string {
  const target = path.resolve(file);
  const root = rootOf(target, scope);
  if (!root) {
    throw new UnsafePathError(
      origin,
      file,
      `is outside the directories codex-review writes to (${describeRoots(scope)}); choose a path inside the workspace or its temp directory`,
    );
  }
  const parts = path.relative(root, target).split(path.sep);
  let dir = root;
  for (const part of parts.slice(0, -1)) {
    dir = path.join(dir, part);
    let stat = lstatOrUndefined(dir);
    if (!stat) {
      try {
        fs.mkdirSync(dir);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      stat = fs.lstatSync(dir);
    }
    if (stat.isSymbolicLink()) {
      throw new UnsafePathError(
        origin,
        file,
        `${dir} is a symbolic link; codex-review does not write through links (a checkout can commit one to make it write elsewhere)`,
      );
    }
    if (!stat.isDirectory()) throw new UnsafePathError(origin, file, `${dir} is not a directory`);
  }
  if (lstatOrUndefined(target)?.isDirectory()) {
    throw new UnsafePathError(origin, file, 'is a directory; give the path of a file');
  }
  return target;
}

/** Writes `content` to `file` under the rules above (a link at `file` is replaced, not followed). */
export function writeFileSafely(
  file: string,
  content: string,
  scope: WriteScope,
  origin: PathOrigin,
): string {
  const target = prepareTarget(file, scope, origin);
  const temporary = path.join(
    path.dirname(target),
    `.${path.basename(target)}.${crypto.randomBytes(6).toString('hex')}.tmp`,
  );
  const flags =
    fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW;
  const fd = fs.openSync(temporary, flags, 0o666);
  try {
    try {
      fs.writeFileSync(fd, content);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(temporary, target);
  } catch (error) {
    fs.rmSync(temporary, { force: true });
    throw error;
  }
  return target;
}

function lstatOrUndefined(p: string): fs.Stats | undefined {
  try {
    return fs.lstatSync(p);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * A directory only this user can use, for files the CLI keeps by default: `<tmpdir>/codex-review-
 * <uid>`, created 0700 and checked to be a real directory owned by this user that nobody else can
 * write. When another user got there first (a link, or a directory of theirs), a fresh private
 * directory is made instead and `problem` says why.
 */
export function userPrivateDirectory(tmpdir: string = os.tmpdir()): {
  dir: string;
  problem: string | undefined;
} {
  const uid = process.getuid?.();
  // Windows has per-user temp directories and no uid.
  if (uid === undefined) return { dir: path.join(tmpdir, 'codex-review'), problem: undefined };
  const dir = path.join(tmpdir, `codex-review-${uid}`);
  try {
    fs.mkdirSync(dir, { mode: 0o700 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const stat = fs.lstatSync(dir);
  const problem = stat.isSymbolicLink()
    ? 'it is a symbolic link'
    : !stat.isDirectory()
      ? 'it is not a directory'
      : stat.uid !== uid
        ? `it belongs to another user (uid ${stat.uid})`
        : (stat.mode & 0o077) !== 0
          ? `other users can use it (mode ${(stat.mode & 0o777).toString(8)})`
          : undefined;
  if (!problem) return { dir, problem: undefined };
  return {
    dir: fs.mkdtempSync(path.join(tmpdir, `codex-review-${uid}-`)),
    problem: `${dir} was not used because ${problem}`,
  };
}
