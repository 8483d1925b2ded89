// Credentials that git and CI tools leave in the checkout, where any command the agent runs can
// read them: actions/checkout's `http.<url>.extraheader` (in .git/config, in every submodule's
// .git/modules/<name>/config, or in an included credentials file), GitLab Runner's
// `https://gitlab-ci-token:<token>@host/…` remote URL, `url.<url with token>.insteadOf` rules and
// credential helpers, and the includes that point at credentials files. They are taken out for the duration of the Codex run and put back byte for
// byte afterwards: also when Codex fails, and when the job is cancelled (see onAbruptExit).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gitRaw } from '../git.js';
import type { Logger } from '../logger.js';
import { onAbruptExit } from './process.js';

export interface HiddenCredentials {
  /** What was taken out, for the log (never the values). */
  places: string[];
  /** Put every file back as it was (bytes, mode, owner). Synchronous, idempotent. */
  restore(): void;
}

interface Saved {
  file: string;
  content: Buffer;
  mode: number;
  uid: number;
  gid: number;
}

const EXTRAHEADER = /^http\.(.+\.)?extraheader$/;
const HELPER = /^credential\.(.+\.)?helper$/;
const INSTEAD_OF = /^url\.(.+)\.(insteadof|pushinsteadof)$/;
const INCLUDE = /^(include|includeif\..+)\.path$/;
/** A URL whose user part can hold a token: git's http(s) transports. ssh's `git@` is a name. */
const URL_WITH_USERINFO = /^(https?|ftps?):\/\/[^/@\s]*@/i;

export async function hideCredentials(options: {
  cwd: string;
  logger: Logger;
  /** Where `~/` in an include path points (this process's home). */
  home?: string;
}): Promise<HiddenCredentials> {
  const { logger } = options;
  const home = options.home ?? os.homedir();
  const saved = new Map<string, Saved>();
  const places: string[] = [];
  const restore = () => {
    for (const entry of saved.values()) putBack(entry);
    saved.clear();
  };
  // Registered before the first change, so a cancellation in the middle still restores.
  const forget = onAbruptExit(restore);

  const save = (file: string) => {
    if (saved.has(file)) return;
    const stat = fs.statSync(file);
    saved.set(file, {
      file,
      content: fs.readFileSync(file),
      mode: stat.mode & 0o7777,
      uid: stat.uid,
      gid: stat.gid,
    });
  };

  try {
    const queue = await repositoryConfigFiles(options.cwd);
    const seen = new Set<string>();
    while (queue.length > 0) {
      const file = queue.shift()!;
      const real = realpathOrUndefined(file);
      if (!real || seen.has(real)) continue;
      seen.add(real);
      const label = displayName(real, options.cwd);
      for (const [key, value] of await readConfig(real)) {
        if (INCLUDE.test(key)) {
          const target = resolveInclude(value, path.dirname(real), home);
          queue.push(target);
          // Out for the run too: git dies on an include it cannot read, and the file (under
          // RUNNER_TEMP, say) may be closed to the user Codex runs as; it also tells the agent
          // where a credentials file lives.
          save(real);
          await git(['config', '--file', real, '--unset-all', key]);
          places.push(`the include of ${target} in ${label}`);
          continue;
        }
        const secret = secretOf(key, value);
        if (!secret) continue;
        for (const s of secret.values) logger.setSecret(s);
        save(real);
        if (secret.action === 'remove') {
          await git(['config', '--file', real, '--unset-all', key]);
        } else {
          await git([
            'config',
            '--file',
            real,
            '--replace-all',
            key,
            secret.replacement,
            `^${escapeRegExp(value)}$`,
          ]);
        }
        places.push(`${secret.what} in ${label}`);
      }
    }
  } catch (error) {
    restore();
    forget();
    throw error;
  }

  if (places.length > 0) {
    logger.info(
      `Took credentials out of reach of the agent for this run, to be put back afterwards: ${[...new Set(places)].join('; ')}.` +
        (places.some((p) => p.startsWith('the extraheader'))
          ? ' Set `persist-credentials: false` on actions/checkout to avoid the checkout token altogether.'
          : ''),
    );
  }
  return {
    places,
    restore() {
      restore();
      forget();
    },
  };
}

/** The repository's config, its worktrees' and every submodule's, at any depth. */
async function repositoryConfigFiles(cwd: string): Promise<string[]> {
  let commonDir: string;
  let gitDir: string;
  try {
    [commonDir, gitDir] = (
      await git(['rev-parse', '--path-format=absolute', '--git-common-dir', '--git-dir'], cwd)
    ).split('\n') as [string, string];
  } catch {
    return []; // not a repository (exec mode may review a plain directory)
  }
  const files = [path.join(commonDir, 'config'), path.join(gitDir, 'config.worktree')];
  for (const worktree of readdir(path.join(commonDir, 'worktrees'))) {
    files.push(path.join(commonDir, 'worktrees', worktree, 'config.worktree'));
  }
  // Submodule git directories live in <git dir>/modules/<name>, nested ones under theirs; a
  // name may contain slashes, so every directory that looks like a git directory counts.
  const stack = [path.join(commonDir, 'modules')];
  while (stack.length > 0) {
    const dir = stack.pop()!;
    for (const entry of readdir(dir)) {
      const full = path.join(dir, entry);
      if (!isDirectory(full)) continue;
      if (fs.existsSync(path.join(full, 'HEAD')) && fs.existsSync(path.join(full, 'config'))) {
        files.push(path.join(full, 'config'), path.join(full, 'config.worktree'));
        stack.push(path.join(full, 'modules'));
      } else {
        stack.push(full);
      }
    }
  }
  return files.filter((f) => fs.existsSync(f));
}

type Finding =
  | { action: 'remove'; what: string; values: string[] }
  | { action: 'rewrite'; what: string; values: string[]; replacement: string };

/** Whether one config entry is a credential, and what to do about it. */
export function secretOf(key: string, value: string): Finding | undefined {
  if (EXTRAHEADER.test(key)) {
    // "AUTHORIZATION: basic <base64 of x-access-token:TOKEN>": mask both forms.
    const encoded = value.split(/\s+/).at(-1) ?? '';
    const decoded = Buffer.from(encoded, 'base64').toString('utf8');
    const token = decoded.includes(':') ? decoded.slice(decoded.indexOf(':') + 1) : '';
    return {
      action: 'remove',
      what: `the extraheader (${key})`,
      values: [encoded, token].filter((v) => v.length >= 8),
    };
  }
  if (HELPER.test(key))
    return { action: 'remove', what: `the credential helper (${key})`, values: [] };
  const insteadOf = INSTEAD_OF.exec(key);
  if (insteadOf && URL_WITH_USERINFO.test(insteadOf[1]!)) {
    return {
      action: 'remove',
      what: 'a url.<…>.insteadOf rule with a token',
      values: userinfoSecrets(insteadOf[1]!),
    };
  }
  if (URL_WITH_USERINFO.test(value)) {
    return {
      action: 'rewrite',
      what: `the token in ${key}`,
      values: userinfoSecrets(value),
      replacement: value.replace(/^([a-z]+:\/\/)[^/@\s]*@/i, '$1'),
    };
  }
  return undefined;
}

/** The password, or a token given as the user name (https://<token>@github.com/…). */
function userinfoSecrets(url: string): string[] {
  const userinfo = /^[a-z]+:\/\/([^/@\s]*)@/i.exec(url)?.[1] ?? '';
  const [user = '', password = ''] = userinfo.split(/:(.*)/s);
  return [password || user, decodeURIComponentSafe(password || user)].filter((v) => v.length >= 8);
}

function decodeURIComponentSafe(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

function putBack(entry: Saved): void {
  fs.writeFileSync(entry.file, entry.content);
  fs.chmodSync(entry.file, entry.mode);
  // git writes a new file (config.lock renamed over it), owned by whoever ran git; as root,
  // hand it back to its owner.
  const stat = fs.statSync(entry.file);
  if (stat.uid !== entry.uid || stat.gid !== entry.gid) {
    try {
      fs.chownSync(entry.file, entry.uid, entry.gid);
    } catch {
      // not root: git could only have written it as its owner anyway
    }
  }
}

async function readConfig(file: string): Promise<Array<[string, string]>> {
  let text: string;
  try {
    text = await git(['config', '--file', file, '--no-includes', '--null', '--list']);
  } catch {
    return []; // unreadable or not a config file: git ignores it too
  }
  return text
    .split('\0')
    .filter(Boolean)
    .map((entry) => {
      const i = entry.indexOf('\n');
      return i < 0 ? [entry, ''] : [entry.slice(0, i), entry.slice(i + 1)];
    });
}

/** As git resolves include paths: `~/` is the home, relative is relative to the including file. */
function resolveInclude(value: string, dir: string, home: string): string {
  if (value.startsWith('~/')) return path.join(home, value.slice(2));
  return path.resolve(dir, value);
}

function displayName(file: string, cwd: string): string {
  const relative = path.relative(cwd, file);
  return relative.startsWith('..') ? file : relative;
}

/** `git config --file` calls need no repository; the output keeps everything but its last newline. */
async function git(args: string[], cwd: string = process.cwd()): Promise<string> {
  return (await gitRaw(cwd, args)).replace(/\n$/, '');
}

function readdir(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}

function isDirectory(file: string): boolean {
  try {
    return fs.lstatSync(file).isDirectory();
  } catch {
    return false;
  }
}

function realpathOrUndefined(file: string): string | undefined {
  try {
    return fs.realpathSync(file);
  } catch {
    return undefined;
  }
}

function escapeRegExp(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
