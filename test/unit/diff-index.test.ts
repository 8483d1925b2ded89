// The diff index: which lines of which files a platform accepts comments on, read from diffs
// that real git produced (and one as GitHub's API serves it).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DiffIndex, type DiffFile } from '../../src/core/diff/diff-index.js';
import { GitRepo } from '../support/git-repo.js';

const repos: GitRepo[] = [];
afterAll(() => repos.forEach((repo) => repo.remove()));

type Tree = Record<string, string | Buffer | null>;

/**
 * `git diff` between a commit of `before` and one of `after` (null deletes a file). The user's
 * own git configuration is kept out, so that the diff is git's default format.
 */
function gitDiff(
  before: Tree,
  after: Tree,
  options: { args?: string[]; config?: string[]; paths?: string[] } = {},
): string {
  const repo = GitRepo.create('codex-review-diff-');
  repos.push(repo);
  const apply = (tree: Tree) => {
    for (const [file, content] of Object.entries(tree)) {
      const full = repo.path(file);
      if (content === null) fs.rmSync(full, { force: true });
      else {
        fs.mkdirSync(path.dirname(full), { recursive: true });
        fs.writeFileSync(full, content);
      }
    }
  };
  apply(before);
  const base = repo.commit('before');
  apply(after);
  const head = repo.commit('after');
  const { args = [], config = [], paths = [] } = options;
  return run(repo, [...config, 'diff', '-M', ...args, base, head, '--', ...paths]);
}

function run(repo: GitRepo, args: string[]): string {
  return execFileSync('git', ['--no-pager', ...args], {
    cwd: repo.dir,
    encoding: 'utf8',
    env: { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' },
  });
}

const lines = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => `line ${from + i}`).join('\n') + '\n';

function only(diff: string): DiffFile {
  const files = DiffIndex.parse(diff).files;
  expect(files).toHaveLength(1);
  return files[0]!;
}

describe('DiffIndex.parse on git diffs', () => {
  it('an empty diff has no files', () => {
    const index = DiffIndex.parse(
      gitDiff({ 'a.txt': 'same\n' }, { 'b.txt': 'new\n' }, { paths: ['a.txt'] }),
    );
    expect(index.files).toEqual([]);
    expect(index.file('a.txt')).toBeUndefined();
    expect(DiffIndex.parse('').files).toEqual([]);
  });

  it('an added file has every line on the right side and nothing on the left', () => {
    const file = only(gitDiff({ 'keep.txt': 'k\n' }, { 'src/new.ts': 'a\nb\nc\n' }));
    expect(file).toMatchObject({
      path: 'src/new.ts',
      oldPath: null,
      status: 'added',
      binary: false,
      hunks: [
        {
          oldStart: 0,
          oldLines: 0,
          newStart: 1,
          newLines: 3,
          right: [1, 2, 3],
          left: [],
          added: [1, 2, 3],
          deleted: [],
        },
      ],
    });
  });

  it('a modified file has added and context lines on the right, deleted and context on the left', () => {
    const file = only(
      gitDiff({ 'keep.txt': 'one\ntwo\nthree\n' }, { 'keep.txt': 'one\nTWO\nthree\nfour\n' }),
    );
    expect(file.status).toBe('modified');
    expect(file.oldPath).toBeNull();
    expect(file.hunks).toMatchObject([
      {
        oldStart: 1,
        oldLines: 3,
        newStart: 1,
        newLines: 4,
        right: [1, 2, 3, 4],
        left: [1, 2, 3],
        added: [2, 4],
        deleted: [2],
      },
    ]);
  });

  it('a deleted file is found by the path it had, with its lines on the left only', () => {
    const index = DiffIndex.parse(
      gitDiff({ 'gone.txt': 'x\ny\n', 'k.txt': 'k\n' }, { 'gone.txt': null }),
    );
    const file = index.file('gone.txt');
    expect(file).toMatchObject({ path: 'gone.txt', oldPath: null, status: 'deleted' });
    expect(file!.hunks.map((h) => [h.right, h.left, h.deleted])).toEqual([[[], [1, 2], [1, 2]]]);
  });

  it('a file with several changes has one hunk per change, each with its own lines', () => {
    const before = lines(1, 20);
    const after = before.replace('line 2\n', 'line two\n').replace('line 18\n', 'line eighteen\n');
    const file = only(gitDiff({ 'f.txt': before }, { 'f.txt': after }));
    expect(file.hunks.map((h) => ({ right: h.right, added: h.added, deleted: h.deleted }))).toEqual(
      [
        { right: [1, 2, 3, 4, 5], added: [2], deleted: [2] },
        { right: [15, 16, 17, 18, 19, 20], added: [18], deleted: [18] },
      ],
    );
  });

  it('line numbers on the two sides drift apart after an insertion', () => {
    const before = lines(1, 12);
    const after = before
      .replace('line 2\n', 'line 2\nnew a\nnew b\n')
      .replace('line 11\n', 'line eleven\n');
    const [first, second] = only(gitDiff({ 'f.txt': before }, { 'f.txt': after })).hunks;
    expect(first).toMatchObject({
      right: [1, 2, 3, 4, 5, 6, 7],
      left: [1, 2, 3, 4, 5],
      added: [3, 4],
    });
    expect(second).toMatchObject({
      right: [10, 11, 12, 13, 14],
      left: [8, 9, 10, 11, 12],
      added: [13],
      deleted: [11],
    });
  });

  it('a pure rename names both paths and has no hunks', () => {
    const file = only(
      gitDiff({ 'old/name.ts': lines(1, 5) }, { 'old/name.ts': null, 'new/name.ts': lines(1, 5) }),
    );
    expect(file).toEqual({
      path: 'new/name.ts',
      oldPath: 'old/name.ts',
      status: 'renamed',
      binary: false,
      hunks: [],
    });
  });

  it('a rename with an edit has hunks numbered on the new file', () => {
    const index = DiffIndex.parse(
      gitDiff(
        { 'r.txt': lines(1, 6) },
        { 'r.txt': null, 'r2.txt': lines(1, 6).replace('line 4\n', 'line four\n') },
      ),
    );
    expect(index.file('r.txt')).toBeUndefined();
    expect(index.file('r2.txt')).toMatchObject({
      oldPath: 'r.txt',
      status: 'renamed',
      hunks: [{ right: [1, 2, 3, 4, 5, 6], added: [4], deleted: [4] }],
    });
  });

  it('a pure rename between paths with spaces and " b/" in them keeps both paths whole', () => {
    // Its `diff --git` line, "a/x b/old.txt b/y b/new.txt", splits at any of three " b/";
    // parse-diff takes the last one.
    const file = only(
      gitDiff({ 'x b/old.txt': lines(1, 4) }, { 'x b/old.txt': null, 'y b/new.txt': lines(1, 4) }),
    );
    expect(file).toMatchObject({ path: 'y b/new.txt', oldPath: 'x b/old.txt', status: 'renamed' });
  });

  it('a copy is an added file with no old path', () => {
    const diff = gitDiff(
      { 'src.txt': lines(1, 9) },
      { 'copy.txt': lines(1, 9).replace('line 9\n', 'line nine\n') },
      { args: ['-C', '--find-copies-harder'] },
    );
    expect(diff).toContain('copy from src.txt');
    expect(only(diff)).toMatchObject({
      path: 'copy.txt',
      oldPath: null,
      status: 'added',
      hunks: [{ added: [9] }],
    });
  });

  it('a modified binary file is marked binary and has no hunks', () => {
    const file = only(
      gitDiff({ 'logo.png': Buffer.from([0, 1, 2, 3]) }, { 'logo.png': Buffer.from([0, 9, 9]) }),
    );
    expect(file).toEqual({
      path: 'logo.png',
      oldPath: null,
      status: 'modified',
      binary: true,
      hunks: [],
    });
  });

  it('an added binary file is marked binary, also with --binary patches', () => {
    const plain = only(gitDiff({ 'k.txt': 'k\n' }, { 'img/a b/c.bin': Buffer.from([0, 1]) }));
    expect(plain).toMatchObject({
      path: 'img/a b/c.bin',
      status: 'added',
      binary: true,
      hunks: [],
    });
    const patch = only(
      gitDiff({ 'k.txt': 'k\n' }, { 'img/a b/c.bin': Buffer.from([0, 1]) }, { args: ['--binary'] }),
    );
    expect(patch).toMatchObject({
      path: 'img/a b/c.bin',
      status: 'added',
      binary: true,
      hunks: [],
    });
  });

  it('a mode-only change is a modified file without hunks', () => {
    const repo = GitRepo.create('codex-review-diff-');
    repos.push(repo);
    repo.write('run.sh', 'echo hi\n');
    const base = repo.commit('before');
    fs.chmodSync(repo.path('run.sh'), 0o755);
    const diff = run(repo, ['diff', base]);
    expect(diff).toContain('new mode 100755');
    expect(only(diff)).toEqual({
      path: 'run.sh',
      oldPath: null,
      status: 'modified',
      binary: false,
      hunks: [],
    });
  });

  it('an added empty file has no ---/+++ lines and is still named', () => {
    const file = only(gitDiff({ 'k.txt': 'k\n' }, { 'docs/empty file.md': '' }));
    expect(file).toEqual({
      path: 'docs/empty file.md',
      oldPath: null,
      status: 'added',
      binary: false,
      hunks: [],
    });
  });

  it('non-ASCII paths quoted with octal escapes (core.quotePath) are decoded', () => {
    const diff = gitDiff(
      { 'k.txt': 'k\n', 'été.txt': 'e\n' },
      { 'été.txt': 'E\n', 'dossier/nouveau é.txt': 'n\n', 'vide é.txt': '' },
      { config: ['-c', 'core.quotepath=true'] },
    );
    expect(diff).toContain('"a/\\303\\251t\\303\\251.txt"');
    const index = DiffIndex.parse(diff);
    expect(index.files.map((f) => [f.path, f.status])).toEqual([
      ['dossier/nouveau é.txt', 'added'],
      ['vide é.txt', 'added'],
      ['été.txt', 'modified'],
    ]);
    expect(index.file('été.txt')?.hunks[0]?.added).toEqual([1]);
  });

  it('non-ASCII paths left unquoted (core.quotePath=false) are read as they are', () => {
    const diff = gitDiff(
      { 'k.txt': 'k\n', 'été.txt': 'e\n' },
      { 'été.txt': 'E\n' },
      { config: ['-c', 'core.quotepath=false'] },
    );
    expect(diff).toContain('a/été.txt');
    expect(DiffIndex.parse(diff).file('été.txt')?.status).toBe('modified');
  });

  it('quotes, backslashes and tabs in paths are unescaped', () => {
    const names = ['say "hi".txt', 'back\\slash.txt', 'tab\there.txt'];
    const diff = gitDiff({ 'k.txt': 'k\n' }, Object.fromEntries(names.map((n) => [n, 'x\n'])));
    expect(diff).toContain('"b/say \\"hi\\".txt"');
    expect(diff).toContain('"b/tab\\there.txt"');
    expect(
      DiffIndex.parse(diff)
        .files.map((f) => f.path)
        .sort(),
    ).toEqual([...names].sort());
  });

  it('a path with spaces is read without the tab git appends to it', () => {
    const diff = gitDiff({ 'my file.txt': 'q\n' }, { 'my file.txt': 'Q\n' });
    expect(diff).toContain('+++ b/my file.txt\t');
    expect(only(diff)).toMatchObject({
      path: 'my file.txt',
      status: 'modified',
      hunks: [{ added: [1] }],
    });
  });

  it('CRLF content keeps the same line numbers as LF content', () => {
    const diff = gitDiff({ 'win.txt': 'a\r\nb\r\nc\r\n' }, { 'win.txt': 'a\r\nB\r\nc\r\nd\r\n' });
    expect(diff).toContain('+B\r\n');
    expect(only(diff).hunks).toMatchObject([
      { right: [1, 2, 3, 4], left: [1, 2, 3], added: [2, 4], deleted: [2] },
    ]);
  });

  it('"\\ No newline at end of file" is a marker, not another line', () => {
    const diff = gitDiff({ 'n.txt': 'a\nlast' }, { 'n.txt': 'a\nLAST' });
    expect(diff).toContain('\\ No newline at end of file');
    expect(only(diff).hunks).toMatchObject([
      {
        oldStart: 1,
        oldLines: 2,
        newStart: 1,
        newLines: 2,
        right: [1, 2],
        left: [1, 2],
        added: [2],
        deleted: [2],
      },
    ]);
  });

  it('a file whose last line gains a newline has that line on both sides once', () => {
    const diff = gitDiff({ 'n.txt': 'a\nb' }, { 'n.txt': 'a\nb\nc\n' });
    expect(only(diff).hunks).toMatchObject([
      { right: [1, 2, 3], left: [1, 2], added: [2, 3], deleted: [2] },
    ]);
  });

  it('a symlink replaced by a file is found as the file that is there now', () => {
    const repo = GitRepo.create('codex-review-diff-');
    repos.push(repo);
    repo.write('target.txt', 't\n');
    fs.symlinkSync('target.txt', repo.path('link'));
    const base = repo.commit('before');
    fs.rmSync(repo.path('link'));
    repo.write('link', 'now a file\n');
    const head = repo.commit('after');
    const index = DiffIndex.parse(run(repo, ['diff', base, head]));
    expect(index.files.map((f) => f.status)).toEqual(['deleted', 'added']);
    expect(index.file('link')).toMatchObject({ status: 'added', hunks: [{ added: [1] }] });
  });
});

describe('DiffIndex.parse on GitHub diffs', () => {
  // As `GET /repos/{owner}/{repo}/pulls/{n}` with `Accept: application/vnd.github.diff` serves it.
  const GITHUB_DIFF = [
    'diff --git a/src/app.ts b/src/app.ts',
    'index 3b18e51..a9c3f2d 100644',
    '--- a/src/app.ts',
    '+++ b/src/app.ts',
    '@@ -10,6 +10,8 @@ export function ratio(a: number, b: number) {',
    '   const x = 1;',
    '   const y = 2;',
    '   const z = 3;',
    '+  if (b === 0) throw new Error("b");',
    '+  // guard',
    '   return a / b;',
    ' }',
    ' ',
    'diff --git a/docs/old.md b/docs/new.md',
    'similarity index 90%',
    'rename from docs/old.md',
    'rename to docs/new.md',
    'index 1111111..2222222 100644',
    '--- a/docs/old.md',
    '+++ b/docs/new.md',
    '@@ -1,2 +1,2 @@',
    '-# Old',
    '+# New',
    ' text',
    'diff --git a/assets/logo.png b/assets/logo.png',
    'new file mode 100644',
    'index 0000000..3333333',
    'Binary files /dev/null and b/assets/logo.png differ',
    '',
  ].join('\n');

  it('reads files, statuses and line sets', () => {
    const index = DiffIndex.parse(GITHUB_DIFF);
    expect(index.files.map((f) => [f.path, f.oldPath, f.status, f.binary])).toEqual([
      ['src/app.ts', null, 'modified', false],
      ['docs/new.md', 'docs/old.md', 'renamed', false],
      ['assets/logo.png', null, 'added', true],
    ]);
    expect(index.file('src/app.ts')?.hunks).toMatchObject([
      {
        oldStart: 10,
        oldLines: 6,
        newStart: 10,
        newLines: 8,
        right: [10, 11, 12, 13, 14, 15, 16, 17],
        left: [10, 11, 12, 13, 14, 15],
        added: [13, 14],
        deleted: [],
      },
    ]);
  });
});

describe('DiffIndex.parse on diffs without git headers', () => {
  it('reads a plain `diff -u` with the names parse-diff finds', () => {
    const diff = [
      '--- a/notes.txt\t2024-05-01 10:00:00.000000000 +0000',
      '+++ b/notes.txt\t2024-05-02 10:00:00.000000000 +0000',
      '@@ -1,2 +1,2 @@',
      ' keep',
      '-old',
      '+new',
      '',
    ].join('\n');
    expect(DiffIndex.parse(diff).files).toMatchObject([
      {
        path: 'notes.txt',
        oldPath: null,
        status: 'modified',
        binary: false,
        hunks: [
          {
            oldStart: 1,
            oldLines: 2,
            newStart: 1,
            newLines: 2,
            right: [1, 2],
            left: [1, 2],
            added: [2],
            deleted: [2],
          },
        ],
      },
    ]);
  });
});

describe('DiffIndex hunk lookup', () => {
  const before = lines(1, 30);
  const after = before
    .replace('line 5\n', 'line five\n')
    .replace('line 25\n', 'line twenty-five\n');
  const index = DiffIndex.parse(
    gitDiff({ 'f.txt': before, 'gone.txt': lines(1, 3) }, { 'f.txt': after, 'gone.txt': null }),
  );

  it('finds the hunk a range lies in, with the range unchanged', () => {
    const found = index.rightHunk('f.txt', 4, 6);
    expect(found).toMatchObject({ start: 4, end: 6, hunk: { newStart: 2 } });
  });

  it('narrows a range that leaves the hunk to the part inside it', () => {
    expect(index.rightHunk('f.txt', 6, 14)).toMatchObject({
      start: 6,
      end: 8,
      hunk: { newStart: 2 },
    });
  });

  it('picks the hunk with the larger overlap for a range spanning two', () => {
    expect(index.rightHunk('f.txt', 7, 25)).toMatchObject({
      start: 22,
      end: 25,
      hunk: { newStart: 22 },
    });
    expect(index.rightHunk('f.txt', 3, 23)).toMatchObject({
      start: 3,
      end: 8,
      hunk: { newStart: 2 },
    });
  });

  it('finds nothing between hunks, in unknown files or on the right of a deleted file', () => {
    expect(index.rightHunk('f.txt', 12, 18)).toBeUndefined();
    expect(index.rightHunk('nope.txt', 1, 1)).toBeUndefined();
    expect(index.rightHunk('gone.txt', 1, 3)).toBeUndefined();
  });

  it('finds the old side of a deleted file on the left', () => {
    expect(index.leftHunk('gone.txt', 2, 9)).toMatchObject({
      start: 2,
      end: 3,
      hunk: { oldStart: 1 },
    });
  });
});

describe('DiffLine positions (what GitLab positions name)', () => {
  it('gives every line both positions: added lines keep the old position they sit at', () => {
    const diff = [
      'diff --git a/a.txt b/a.txt',
      '--- a/a.txt',
      '+++ b/a.txt',
      '@@ -1,4 +1,4 @@',
      ' one',
      '-two',
      '+TWO',
      '+two and a half',
      ' three',
      '-four',
      '',
    ].join('\n');
    expect(DiffIndex.parse(diff).file('a.txt')!.hunks[0]!.lines).toEqual([
      { type: 'context', oldLine: 1, newLine: 1 },
      { type: 'del', oldLine: 2, newLine: 2 },
      { type: 'add', oldLine: 3, newLine: 2 },
      { type: 'add', oldLine: 3, newLine: 3 },
      { type: 'context', oldLine: 3, newLine: 4 },
      { type: 'del', oldLine: 4, newLine: 5 },
    ]);
  });
});
