import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../src/core/errors.js';
import { userPrivateDirectory, writeFileSafely } from '../../src/core/safe-write.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});
function tempDir(): string {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'safe-write-')));
  dirs.push(dir);
  return dir;
}

/** A workspace, and a directory outside it that a planted link points to. */
function layout() {
  const workspace = tempDir();
  const outside = tempDir();
  fs.writeFileSync(path.join(outside, 'victim.json'), 'untouched');
  return { workspace, outside, scope: { roots: [workspace] } };
}

describe('writeFileSafely', () => {
  it('writes the file, creating the directories it needs', () => {
    const { workspace, scope } = layout();
    const file = path.join(workspace, 'reports', 'deep', 'codex.sarif');
    expect(writeFileSafely(file, '{}\n', scope, 'setting `sarif-file`')).toBe(file);
    expect(fs.readFileSync(file, 'utf8')).toBe('{}\n');
    expect(fs.readdirSync(path.dirname(file))).toEqual(['codex.sarif']);
  });

  it('replaces a link planted at the target instead of writing through it', () => {
    const { workspace, outside, scope } = layout();
    const file = path.join(workspace, 'gl-codequality.json');
    fs.symlinkSync(path.join(outside, 'victim.json'), file);
    writeFileSafely(file, '[]\n', scope, 'setting `codequality-file`');
    expect(fs.lstatSync(file).isSymbolicLink()).toBe(false);
    expect(fs.readFileSync(file, 'utf8')).toBe('[]\n');
    expect(fs.readFileSync(path.join(outside, 'victim.json'), 'utf8')).toBe('untouched');
  });

  it('refuses a directory on the way that is a link (a committed `codex-review/` symlink)', () => {
    const { workspace, outside, scope } = layout();
    fs.symlinkSync(outside, path.join(workspace, 'codex-review'));
    const file = path.join(workspace, 'codex-review', 'victim.json');
    expect(() => writeFileSafely(file, 'x', scope, 'the findings file')).toThrow(
      ConfigurationError,
    );
    expect(() => writeFileSafely(file, 'x', scope, 'the findings file')).toThrow(
      `the findings file = ${JSON.stringify(file)}: ${path.join(workspace, 'codex-review')} is a symbolic link`,
    );
    expect(fs.readdirSync(outside)).toEqual(['victim.json']);
    expect(fs.readFileSync(path.join(outside, 'victim.json'), 'utf8')).toBe('untouched');
  });

  it('refuses a path outside the workspace and its temp directory, naming both', () => {
    const { workspace, outside, scope } = layout();
    const file = path.join(workspace, '..', path.basename(outside), 'victim.json');
    expect(() => writeFileSafely(file, 'x', scope, 'setting `sarif-file`')).toThrow(
      /setting `sarif-file` = ".*victim\.json": is outside the directories codex-review writes to/,
    );
    expect(fs.readFileSync(path.join(outside, 'victim.json'), 'utf8')).toBe('untouched');
  });

  it('refuses a target that is a directory', () => {
    const { workspace, scope } = layout();
    fs.mkdirSync(path.join(workspace, 'findings.json'));
    expect(() =>
      writeFileSafely(path.join(workspace, 'findings.json'), 'x', scope, 'the findings file'),
    ).toThrow('is a directory');
  });

  it('accepts a root spelled through a link (macOS /tmp) and leaves no temporary file', () => {
    const real = tempDir();
    const alias = path.join(tempDir(), 'alias');
    fs.symlinkSync(real, alias);
    writeFileSafely(path.join(real, 'a', 'f.json'), '1', { roots: [alias] }, 'x');
    expect(fs.readdirSync(path.join(real, 'a'))).toEqual(['f.json']);
  });
});

describe('userPrivateDirectory', () => {
  const uid = process.getuid!();

  it('makes <tmpdir>/codex-review-<uid> with mode 0700 and reuses it', () => {
    const tmp = tempDir();
    const first = userPrivateDirectory(tmp);
    expect(first).toEqual({ dir: path.join(tmp, `codex-review-${uid}`), problem: undefined });
    expect(fs.statSync(first.dir).mode & 0o777).toBe(0o700);
    expect(userPrivateDirectory(tmp)).toEqual(first);
  });

  it('avoids a link another user planted at the path, using a fresh private directory', () => {
    const tmp = tempDir();
    const target = tempDir();
    fs.symlinkSync(target, path.join(tmp, `codex-review-${uid}`));
    const { dir, problem } = userPrivateDirectory(tmp);
    expect(problem).toContain('is a symbolic link');
    expect(path.dirname(dir)).toBe(tmp);
    expect(dir).not.toBe(path.join(tmp, `codex-review-${uid}`));
    expect(fs.lstatSync(dir).isDirectory()).toBe(true);
    expect(fs.statSync(dir).mode & 0o777).toBe(0o700);
    expect(fs.readdirSync(target)).toEqual([]);
  });

  it('avoids a directory other users can write to', () => {
    const tmp = tempDir();
    fs.mkdirSync(path.join(tmp, `codex-review-${uid}`), { mode: 0o777 });
    fs.chmodSync(path.join(tmp, `codex-review-${uid}`), 0o777);
    expect(userPrivateDirectory(tmp).problem).toContain('other users can use it (mode 777)');
  });

  it.runIf(uid === 0)('avoids a directory that belongs to another user', () => {
    const tmp = tempDir();
    const planted = path.join(tmp, `codex-review-${uid}`);
    fs.mkdirSync(planted, { mode: 0o700 });
    fs.chownSync(planted, 65534, 65534);
    expect(userPrivateDirectory(tmp).problem).toContain('belongs to another user (uid 65534)');
  });
});
