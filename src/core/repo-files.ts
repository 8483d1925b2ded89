// Reading the files that configure a review (the config file, prompt-file, output-schema-file,
// AGENTS.md) from the place review rules come from: on a pull/merge request its base commit,
// read out of git's object store, so the change under review cannot rewrite them and no file of
// the checkout is opened; otherwise the checkout on disk. Never through a symbolic link: a
// pull request can replace `prompt.md` by a link to `.git/config` (whose extraheader holds a
// token), and a link in the commit would be followed by anything that reads the checkout.
import fs from 'node:fs';
import path from 'node:path';
import { gitRaw, tryGit } from './git.js';

export interface RuleSource {
  /** The commit the rules are read from; undefined reads the checkout on disk. */
  commit: string | undefined;
  /** For messages: "the base commit 1a2b3c4 of pull request #3", "the checkout". */
  label: string;
  /** Absolute repository root; undefined outside a git repository. */
  repoRoot: string | undefined;
  /** Below the workspace no directory on the way to a file may be a link. */
  workspace: string;
}

export type RuleFile =
  | { kind: 'file'; text: string }
  | { kind: 'missing' }
  /** The file exists but may not be read (a link, a directory, a submodule), and why. */
  | { kind: 'refused'; reason: string };

interface TreeEntry {
  mode: string;
  oid: string;
}

const SYMLINK_MODE = '120000';
const SUBMODULE_MODE = '160000';
const TREE_MODE = '040000';
/** Links followed inside a commit's tree for AGENTS.md (AGENTS.md → CLAUDE.md is common). */
const MAX_LINKS = 5;

/** Whether `sha` is a commit this clone has (a shallow clone may lack a pull request's base). */
export async function hasCommit(cwd: string, sha: string): Promise<boolean> {
  return (await tryGit(cwd, ['cat-file', '-e', `${sha}^{commit}`])) !== undefined;
}

/** `file` relative to the repository root in POSIX form, or undefined when it lies outside. */
export function repoRelative(source: RuleSource, file: string): string | undefined {
  if (!source.repoRoot) return undefined;
  const relative = path.relative(source.repoRoot, path.resolve(file));
  if (relative === '' || relative.startsWith('..') || path.isAbsolute(relative)) return undefined;
  return relative.split(path.sep).join('/');
}

/**
 * The text of a file that configures the review. On a change request a file of the repository
 * is read from the source commit; a file outside the repository (one an earlier workflow step
 * wrote to the temp directory) and every file outside a change request from disk.
 */
export async function readRuleFile(
  source: RuleSource,
  file: string,
  options: { followLinksInRepo?: boolean } = {},
): Promise<RuleFile> {
  const relative = repoRelative(source, file);
  if (source.commit && relative !== undefined && source.repoRoot) {
    return readFromCommit(source.repoRoot, source.commit, relative, source.label, options);
  }
  return readFromDisk(source, path.resolve(file), options);
}

async function treeEntry(
  repoRoot: string,
  commit: string,
  relative: string,
): Promise<TreeEntry | undefined> {
  // -z: paths are not quoted; --full-tree: the path is from the root, whatever the cwd.
  const out = await gitRaw(repoRoot, ['ls-tree', '-z', '--full-tree', commit, '--', relative]);
  for (const record of out.split('\0')) {
    const match = /^(\d{6}) \w+ ([0-9a-f]+)\t(.*)$/s.exec(record);
    if (match && match[3] === relative) return { mode: match[1]!, oid: match[2]! };
  }
  return undefined;
}

async function readFromCommit(
  repoRoot: string,
  commit: string,
  relative: string,
  label: string,
  options: { followLinksInRepo?: boolean },
): Promise<RuleFile> {
  let current = relative;
  for (let hops = 0; ; hops++) {
    const entry = await treeEntry(repoRoot, commit, current);
    if (!entry)
      return (await linkedParent(repoRoot, commit, current, label)) ?? { kind: 'missing' };
    if (entry.mode === SYMLINK_MODE) {
      if (!options.followLinksInRepo)
        return { kind: 'refused', reason: `${current} is a symbolic link in ${label}` };
      const target = await gitRaw(repoRoot, ['cat-file', 'blob', entry.oid]);
      const next = path.posix.normalize(path.posix.join(path.posix.dirname(current), target));
      if (path.posix.isAbsolute(target) || next.startsWith('..') || hops >= MAX_LINKS) {
        return {
          kind: 'refused',
          reason: `${current} is a symbolic link in ${label} that leads out of the repository`,
        };
      }
      current = next;
      continue;
    }
    if (entry.mode === SUBMODULE_MODE)
      return { kind: 'refused', reason: `${current} is a submodule in ${label}` };
    if (entry.mode === TREE_MODE)
      return { kind: 'refused', reason: `${current} is a directory in ${label}` };
    return { kind: 'file', text: await gitRaw(repoRoot, ['cat-file', 'blob', entry.oid]) };
  }
}

/** A missing path whose directory is a link in the commit says so, rather than "missing". */
async function linkedParent(
  repoRoot: string,
  commit: string,
  relative: string,
  label: string,
): Promise<RuleFile | undefined> {
  const parts = relative.split('/');
  for (let i = 1; i < parts.length; i++) {
    const prefix = parts.slice(0, i).join('/');
    const entry = await treeEntry(repoRoot, commit, prefix);
    if (!entry) return undefined;
    if (entry.mode === SYMLINK_MODE)
      return { kind: 'refused', reason: `${prefix} is a symbolic link in ${label}` };
  }
  return undefined;
}

function readFromDisk(
  source: RuleSource,
  file: string,
  options: { followLinksInRepo?: boolean },
): RuleFile {
  // Below the workspace (or the repository) the checkout decides what is a link; above it the
  // runner does (a temp directory may be one), so the walk starts there.
  const root = [source.workspace, source.repoRoot]
    .filter((r): r is string => r !== undefined)
    .map((r) => path.resolve(r))
    .find((r) => {
      const rel = path.relative(r, file);
      return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
    });
  if (root) {
    let dir = root;
    for (const part of path.relative(root, file).split(path.sep).slice(0, -1)) {
      dir = path.join(dir, part);
      const stat = lstat(dir);
      if (!stat) return { kind: 'missing' };
      if (stat.isSymbolicLink()) return { kind: 'refused', reason: `${dir} is a symbolic link` };
      if (!stat.isDirectory()) return { kind: 'missing' };
    }
  }
  let target = file;
  const stat = lstat(file);
  if (!stat) return { kind: 'missing' };
  if (stat.isSymbolicLink()) {
    const inside = options.followLinksInRepo ? linkInside(file, source.repoRoot) : undefined;
    if (!inside) return { kind: 'refused', reason: `${file} is a symbolic link` };
    target = inside;
  }
  // O_NOFOLLOW: a link swapped in after the check above is refused by the kernel, not followed.
  const noFollow = target === file ? (fs.constants.O_NOFOLLOW ?? 0) : 0;
  let fd: number;
  try {
    fd = fs.openSync(target, fs.constants.O_RDONLY | noFollow);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') return { kind: 'refused', reason: `${file} is a symbolic link` };
    if (code === 'ENOENT') return { kind: 'missing' };
    throw error;
  }
  try {
    if (!fs.fstatSync(fd).isFile()) return { kind: 'refused', reason: `${file} is not a file` };
    return { kind: 'file', text: fs.readFileSync(fd, 'utf8') };
  } finally {
    fs.closeSync(fd);
  }
}

/** Where a link on disk leads, when that is a file inside the repository. */
function linkInside(link: string, repoRoot: string | undefined): string | undefined {
  if (!repoRoot) return undefined;
  let real: string;
  try {
    real = fs.realpathSync(link);
  } catch {
    return undefined;
  }
  const rel = path.relative(fs.realpathSync(repoRoot), real);
  if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) return undefined;
  if (rel.split(path.sep)[0] === '.git') return undefined;
  return real;
}

function lstat(p: string): fs.Stats | undefined {
  try {
    return fs.lstatSync(p);
  } catch {
    return undefined;
  }
}
