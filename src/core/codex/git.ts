// Git checks that must pass before Codex starts: a review against a base needs the base to
// resolve and a merge base to exist, or Codex hangs (shallow clones are the usual cause).
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { ConfigurationError } from '../errors.js';
import type { ReviewTarget } from './argv.js';

const execFileAsync = promisify(execFile);

export async function git(cwd: string, args: string[]): Promise<string> {
  const { stdout } = await execFileAsync('git', args, { cwd, maxBuffer: 64 * 1024 * 1024 });
  return stdout.trim();
}

async function tryGit(cwd: string, args: string[]): Promise<string | undefined> {
  try {
    return await git(cwd, args);
  } catch {
    return undefined;
  }
}

export async function repositoryRoot(cwd: string): Promise<string | undefined> {
  return tryGit(cwd, ['rev-parse', '--show-toplevel']);
}

export async function headSha(cwd: string): Promise<string | undefined> {
  return tryGit(cwd, ['rev-parse', 'HEAD']);
}

const FETCH_HINT =
  'On GitHub, check out with `actions/checkout` and `fetch-depth: 0` (a shallow clone has no merge base); ' +
  'on GitLab set `GIT_DEPTH: 0`; locally run `git fetch origin`.';

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
    const sha = await tryGit(cwd, [
      'rev-parse',
      '--verify',
      '--quiet',
      `${request.commit}^{commit}`,
    ]);
    if (!sha) {
      throw new ConfigurationError(
        `setting \`commit\` = "${request.commit}": no such commit in ${cwd}. ${FETCH_HINT}`,
      );
    }
    const title = await tryGit(cwd, ['log', '-1', '--format=%s', sha]);
    return { kind: 'commit', sha, ...(title ? { title } : {}) };
  }
  if (request.base) {
    const baseSha = await tryGit(cwd, [
      'rev-parse',
      '--verify',
      '--quiet',
      `${request.base}^{commit}`,
    ]);
    if (!baseSha) {
      throw new ConfigurationError(
        `setting \`base\` = "${request.base}": it does not resolve to a commit in ${cwd}. ` +
          `Use a SHA or a fetched ref such as origin/main. ${FETCH_HINT}`,
      );
    }
    const mergeBase = await tryGit(cwd, ['merge-base', baseSha, 'HEAD']);
    if (!mergeBase) {
      const shallow = (await tryGit(cwd, ['rev-parse', '--is-shallow-repository'])) === 'true';
      throw new ConfigurationError(
        `No merge base between \`base\` "${request.base}" and HEAD` +
          (shallow ? ' because the clone is shallow' : '') +
          `, so Codex cannot tell which changes to review. ${FETCH_HINT}`,
      );
    }
    return { kind: 'base', base: request.base, mergeBase };
  }
  return { kind: 'uncommitted' };
}
