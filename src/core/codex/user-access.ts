// Giving the user Codex runs as (safety.ts decides who) exactly the access the run needs, and
// taking it back afterwards.
//
// Access is granted with POSIX ACLs naming the user, never by widening a mode: where a
// directory on the way to the checkout or the Codex binary is closed to the user (GitHub's
// /home/runner is 750), it gets traverse-only (--x) on that directory and an explicit "nothing"
// (---) on every other entry along the way, so ~/.git-credentials, ~/.gitconfig, RUNNER_TEMP
// and the rest of the home stay out of reach even when world-readable. Every ACL added is
// removed after the run, and files the agent created in the checkout are given back to the
// checkout's owner.
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Logger } from '../logger.js';
import type { OtherUser } from './safety.js';

const execFileAsync = promisify(execFile);
const BATCH = 200;

/** The reason the user could not be given access; the caller decides whether that is fatal. */
export class AccessError extends Error {}

export interface AccessGrant {
  /** Take every ACL back and return created files to their owner. Synchronous, idempotent. */
  revoke(): void;
}

interface Touched {
  file: string;
  recursive: boolean;
  /** It had an extended ACL before: remove only our entries instead of resetting it. */
  hadAcl: boolean;
}

export async function grantAccess(
  user: OtherUser,
  needs: {
    /** Directories the user must read entirely (the checkout, the Codex installation). */
    readable: string[];
    /** …and write (the checkout, outside the read-only sandbox). */
    writable: string[];
    /** Directories the user only needs to reach (its own, under the temp directory). */
    reachable?: string[];
  },
  logger: Logger,
): Promise<AccessGrant> {
  const touched: Touched[] = [];
  const owners: Array<{ dir: string; uid: number; gid: number }> = [];
  const revoke = () => {
    for (const { dir, uid, gid } of owners.splice(0)) {
      privilegedSync(user, 'find', [
        dir,
        '-xdev',
        '-user',
        String(user.uid),
        '-exec',
        'chown',
        '-h',
        `${uid}:${gid}`,
        '{}',
        '+',
      ]);
    }
    for (const t of touched.splice(0).reverse()) {
      const flags = t.recursive ? ['-R'] : [];
      if (!t.hadAcl) privilegedSync(user, 'setfacl', [...flags, '-b', t.file]);
      else privilegedSync(user, 'setfacl', [...flags, '-x', `u:${user.uid}`, t.file]);
    }
  };
  try {
    const targets = [
      ...new Set([...needs.readable, ...needs.writable].map((p) => fs.realpathSync(p))),
    ];
    const paths = [...targets, ...(needs.reachable ?? []).map((p) => fs.realpathSync(p))];
    const ancestors = [...new Set(paths.flatMap(ancestorsOf))].sort(
      (a, b) => a.split('/').length - b.split('/').length,
    );
    const under = (dir: string, file: string) =>
      file.startsWith(dir === '/' ? '/' : `${dir}/`) && file !== dir;
    const touchedFiles = new Set<string>();
    const acl = async (perms: string, files: string[]) => {
      const fresh = files.filter((f) => !touchedFiles.has(f));
      if (fresh.length === 0) return;
      const withAcl = await filesWithAcl(user, fresh, false);
      for (let i = 0; i < fresh.length; i += BATCH) {
        const batch = fresh.slice(i, i + BATCH);
        await setfacl(user, ['-m', `u:${user.uid}:${perms}`], batch);
        for (const file of batch) {
          touchedFiles.add(file);
          touched.push({ file, recursive: false, hadAcl: withAcl.has(file) });
        }
      }
    };
    /** Close every entry of `dir` that is not on the way to a path the user needs. */
    const closeAround = async (dir: string) => {
      const onPath = new Set(
        paths
          .filter((p) => under(dir, p))
          .map((p) => p.slice(dir.length).split('/').find(Boolean)!),
      );
      const others = (await entriesOf(user, dir))
        .filter((name) => !onPath.has(name))
        .map((name) => path.join(dir, name))
        .filter((file) => !isSymlink(file));
      await acl('---', others);
      return others.length;
    };
    // Top down: whether a directory can be passed is only known once its parents can be.
    for (let pending = ancestors; pending.length > 0;) {
      const closed = splitNul(
        await asUser(user, 'for d; do [ -x "$d" ] || printf "%s\\0" "$d"; done', pending),
      );
      const dir = closed[0];
      if (dir === undefined) break;
      await acl('--x', [dir]);
      // Everything below was out of reach until now: open the way only, at every level.
      let shut = 0;
      for (const inner of ancestors.filter((a) => a === dir || under(dir, a))) {
        shut += await closeAround(inner);
      }
      logger.debug(
        `${user.user} may pass through ${dir} to what it needs (${shut} other entries closed)`,
      );
      pending = closed.slice(1);
    }
    for (const target of targets) {
      const write = needs.writable.some((w) => fs.realpathSync(w) === target);
      const test = write ? '! -writable' : '\\( ! -readable -o \\( -type d ! -executable \\) \\)';
      const missing = await asUser(
        user,
        `find "$1" -xdev ${test} -print -quit 2>&1 || echo unreadable`,
        [target],
      ).catch(() => 'unreadable');
      if (write) {
        const stat = fs.statSync(target);
        owners.push({ dir: target, uid: stat.uid, gid: stat.gid });
      }
      if (missing.trim() === '') continue;
      const hadAcl = (await filesWithAcl(user, [target], true)).size > 0;
      const perms = write ? `u:${user.uid}:rwX,d:u:${user.uid}:rwX` : `u:${user.uid}:rX`;
      await setfacl(user, ['-R', '-m', perms], [target]);
      touched.push({ file: target, recursive: true, hadAcl });
      logger.debug(`${user.user} may ${write ? 'read and write' : 'read'} ${target}`);
    }
  } catch (error) {
    revoke();
    throw error instanceof AccessError ? error : new AccessError((error as Error).message);
  }
  return { revoke };
}

/** Whether the user can reach `dir` and read everything in it. */
export async function readableBy(user: OtherUser, dir: string): Promise<boolean> {
  const out = await asUser(
    user,
    'for d; do [ -x "$d" ] || { echo closed; exit 0; }; done; ' +
      'find "$0" -xdev \\( ! -readable -o \\( -type d ! -executable \\) \\) -print -quit 2>&1 || echo unreadable',
    ancestorsOf(dir).reverse(),
    dir,
  ).catch(() => 'unreadable');
  return out.trim() === '';
}

/** Hard links (a copy across file systems) of a directory tree, readable as the original. */
export function linkInstallation(from: string, to: string): string {
  fs.mkdirSync(to, { recursive: true, mode: 0o755 });
  const target = path.join(to, path.basename(from));
  try {
    execFileSync('cp', ['-al', from, target], { stdio: 'ignore' });
  } catch {
    fs.rmSync(target, { recursive: true, force: true });
    fs.cpSync(from, target, { recursive: true, preserveTimestamps: true });
  }
  return target;
}

/** Make `dir` and everything in it the user's (root: chown; otherwise through sudo). */
export async function giveTo(user: OtherUser, dir: string): Promise<void> {
  await privileged(user, 'chown', ['-R', `${user.uid}:${user.gid}`, dir]);
}

/** And back to this process's user, so the run's files can be read and removed. */
export function takeBack(user: OtherUser, dir: string): void {
  const uid = process.getuid?.() ?? 0;
  const gid = process.getgid?.() ?? 0;
  privilegedSync(user, 'chown', ['-R', `${uid}:${gid}`, dir]);
}

function ancestorsOf(target: string): string[] {
  const list: string[] = [];
  for (let dir = path.dirname(target); ; dir = path.dirname(dir)) {
    list.push(dir);
    if (dir === path.dirname(dir)) break;
  }
  return list;
}

async function entriesOf(user: OtherUser, dir: string): Promise<string[]> {
  try {
    return fs.readdirSync(dir);
  } catch {
    return splitNul(
      await privileged(user, 'find', [dir, '-mindepth', '1', '-maxdepth', '1', '-printf', '%f\\0']),
    );
  }
}

async function filesWithAcl(
  user: OtherUser,
  files: string[],
  recursive: boolean,
): Promise<Set<string>> {
  const found = new Set<string>();
  for (let i = 0; i < files.length; i += BATCH) {
    const out = await privileged(user, 'getfacl', [
      ...(recursive ? ['-R'] : []),
      '--skip-base',
      '--absolute-names',
      '--',
      ...files.slice(i, i + BATCH),
    ]);
    for (const match of out.matchAll(/^# file: (.*)$/gm)) found.add(match[1]!);
  }
  return found;
}

async function setfacl(user: OtherUser, args: string[], files: string[]): Promise<void> {
  try {
    await privileged(user, 'setfacl', [...args, '--', ...files]);
  } catch (error) {
    const detail =
      (error as { code?: string; stderr?: string }).code === 'ENOENT'
        ? 'setfacl is not installed (package `acl`)'
        : ((error as { stderr?: string }).stderr ?? (error as Error).message).trim();
    throw new AccessError(`could not give ${user.user} access to ${files[0]}: ${detail}`);
  }
}

async function asUser(
  user: OtherUser,
  script: string,
  args: string[],
  name = 'sh',
): Promise<string> {
  const { stdout } =
    user.kind === 'uid'
      ? await execFileAsync('/bin/sh', ['-c', script, name, ...args], {
          uid: user.uid,
          gid: user.gid,
          cwd: '/',
          maxBuffer: 16 * 1024 * 1024,
        })
      : await execFileAsync(
          'sudo',
          ['-n', '-u', user.user, '--', '/bin/sh', '-c', script, name, ...args],
          {
            cwd: '/',
            maxBuffer: 16 * 1024 * 1024,
          },
        );
  return stdout;
}

async function privileged(user: OtherUser, command: string, args: string[]): Promise<string> {
  const { stdout } =
    user.kind === 'uid'
      ? await execFileAsync(command, args, { maxBuffer: 64 * 1024 * 1024 })
      : await execFileAsync('sudo', ['-n', command, ...args], { maxBuffer: 64 * 1024 * 1024 });
  return stdout;
}

function privilegedSync(user: OtherUser, command: string, args: string[]): void {
  if (user.kind === 'uid') spawnSync(command, args, { stdio: 'ignore' });
  else spawnSync('sudo', ['-n', command, ...args], { stdio: 'ignore' });
}

function splitNul(text: string): string[] {
  return text.split('\0').filter(Boolean);
}

function isSymlink(file: string): boolean {
  try {
    return fs.lstatSync(file).isSymbolicLink();
  } catch {
    return true; // gone: nothing to close
  }
}
