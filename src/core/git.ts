// Every git call of the product goes through execGit() (actions/checkout's habit): one place
// that sets the options all calls need, and one seam for tests and logs.
import { execFile } from 'node:child_process';
import type { ReviewTarget } from './codex/argv.js';
import { ConfigurationError } from './errors.js';

/** A diff of a large pull request can be hundreds of megabytes. */
const MAX_BUFFER = 512 * 1024 * 1024;

export class GitError extends Error {
  constructor(
    readonly args: string[],
    readonly exitCode: number | null,
    readonly stderr: string,
  ) {
    super(`git ${args.join(' ')} failed (exit ${exitCode}): ${stderr.trim().slice(0, 500)}`);
    this.name = 'GitError';
  }
}

function execGit(cwd: string, args: string[], options: { trim?: boolean } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      'git',
      args,
      { cwd, maxBuffer: MAX_BUFFER, encoding: 'utf8' },
      (error, stdout, stderr) => {
        if (error) {
          const code = typeof error.code === 'number' ? error.code : null;
          reject(new GitError(args, code, stderr || error.message));
        } else resolve(options.trim === false ? stdout : stdout.trim());
      },
    );
  });
}

/** Run git; the trimmed stdout, or a GitError. */
export function git(cwd: string, args: string[]): Promise<string> {
  return execGit(cwd, args);
}

/** Run git; undefined when it fails (a missing ref, no match). */
export async function tryGit(cwd: string, args: string[]): Promise<string | undefined> {
  try {
    return await execGit(cwd, args);
  } catch {
    return undefined;
  }
}

/** Run git and keep stdout exactly (diffs and file contents end in meaningful newlines). */
export function gitRaw(cwd: string, args: string[]): Promise<string> {
  return execGit(cwd, args, { trim: false });
}

export function repositoryRoot(cwd: string): Promise<string | undefined> {
  return tryGit(cwd, ['rev-parse', '--show-toplevel']);
}

export function headSha(cwd: string): Promise<string | undefined> {
  return tryGit(cwd, ['rev-parse', 'HEAD']);
}

export function resolveCommit(cwd: string, ref: string): Promise<string | undefined> {
  return tryGit(cwd, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]);
}

export async function isAncestor(cwd: string, ancestor: string, head: string): Promise<boolean> {
  return (await tryGit(cwd, ['merge-base', '--is-ancestor', ancestor, head])) !== undefined;
}

export function mergeBase(cwd: string, a: string, b: string): Promise<string | undefined> {
  return tryGit(cwd, ['merge-base', a, b]);
}

export async function isShallow(cwd: string): Promise<boolean> {
  return (await tryGit(cwd, ['rev-parse', '--is-shallow-repository'])) === 'true';
}

/** A file's content at a commit, byte for byte (no textconv, no filters); undefined if absent. */
export async function fileAtCommit(
  cwd: string,
  sha: string,
  repoPath: string,
): Promise<string | undefined> {
  try {
    return await gitRaw(cwd, ['cat-file', 'blob', `${sha}:${repoPath}`]);
  } catch {
    return undefined;
  }
}

export function commitSubject(cwd: string, sha: string): Promise<string | undefined> {
  return tryGit(cwd, ['log', '-1', '--format=%s', sha]);
}

/** Merge commits in from..to (a merge brings in changes that are not the author's). */
export async function mergesBetween(cwd: string, from: string, to: string): Promise<string[]> {
  return (await git(cwd, ['rev-list', '--merges', `${from}..${to}`])).split('\n').filter(Boolean);
}

/**
 * A unified diff as the platforms show it: quoted paths, no colour, no external diff drivers
 * or textconv filters (a checkout's .gitattributes must not run programs here).
 */
export function unifiedDiff(
  cwd: string,
  from: string,
  to: string,
  options: { context?: number; paths?: string[] } = {},
): Promise<string> {
  return gitRaw(cwd, [
    '-c',
    'core.quotePath=true',
    'diff',
    '--no-color',
    '--no-ext-diff',
    '--no-textconv',
    ...(options.context !== undefined ? [`-U${options.context}`] : []),
    from,
    to,
    ...(options.paths ? ['--', ...options.paths] : []),
  ]);
}

const FETCH_HINT =
  'On GitHub, check out with `actions/checkout` and `fetch-depth: 0` (a shallow clone has no merge base); ' +
  'on GitLab set `GIT_DEPTH: 0`; locally run `git fetch origin`.';

/**
 * Check what a review needs before Codex starts: a base that resolves and has a merge base
 * with HEAD (without one Codex hangs: shallow clones are the usual cause), or a commit.
 */
export async function resolveReviewTarget(
  cwd: string,
  request: { base?: string; commit?: string },
): Promise<ReviewTarget> {
  if (!(await repositoryRoot(cwd))) {
    throw new ConfigurationError(
      `Review mode needs a git repository, but ${cwd} is not one. Check out the repository first (actions/checkout), or set \`working-directory\`.`,
    );
  }
  if (request.commit) {
    const sha = await resolveCommit(cwd, request.commit);
    if (!sha) {
      throw new ConfigurationError(
        `setting \`commit\` = "${request.commit}": no such commit in ${cwd}. ${FETCH_HINT}`,
      );
    }
    const title = await commitSubject(cwd, sha);
    return { kind: 'commit', sha, ...(title ? { title } : {}) };
  }
  if (request.base) {
    const baseSha = await resolveCommit(cwd, request.base);
    if (!baseSha) {
      throw new ConfigurationError(
        `setting \`base\` = "${request.base}": it does not resolve to a commit in ${cwd}. ` +
          `Use a SHA or a fetched ref such as origin/main. ${FETCH_HINT}`,
      );
    }
    const base = await mergeBase(cwd, baseSha, 'HEAD');
    if (!base) {
      throw new ConfigurationError(
        `No merge base between \`base\` "${request.base}" and HEAD` +
          ((await isShallow(cwd)) ? ' because the clone is shallow' : '') +
          `, so Codex cannot tell which changes to review. ${FETCH_HINT}`,
      );
    }
    return { kind: 'base', base: request.base, mergeBase: base };
  }
  return { kind: 'uncommitted' };
}
