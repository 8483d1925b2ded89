// Finding identity: the fingerprint that recognises an already-posted comment on the next run,
// and the repo-relative paths it is built from.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  fingerprintOf,
  relativePath,
  toFindings,
  type Finding,
} from '../../src/core/review/finding.js';
import type { ReviewFinding } from '../../src/core/review/review-output.js';

const REPO = { repoRoot: '/repo', workingDirectory: '/repo' };

function item(
  title: string,
  file: string | null,
  start = 1,
  end = start,
  extra: Partial<ReviewFinding> = {},
): ReviewFinding {
  return {
    title,
    body: 'Body.',
    confidence_score: 0.5,
    priority: 1,
    code_location: file === null ? null : { absolute_file_path: file, line_range: { start, end } },
    ...extra,
  };
}

const one = (finding: ReviewFinding, options = REPO): Finding => toFindings([finding], options)[0]!;

describe('the fingerprint of a finding', () => {
  it('is a short hex digest', () => {
    expect(fingerprintOf('app.js', 'Guard against empty arrays')).toMatch(/^[0-9a-f]{16}$/);
  });

  it('stays the same when the same finding moves to other lines', () => {
    const before = one(item('Guard against empty arrays', '/repo/app.js', 5, 7));
    const after = one(item('Guard against empty arrays', '/repo/app.js', 42, 44));
    expect(after.startLine).toBe(42);
    expect(after.fingerprint).toBe(before.fingerprint);
  });

  it('ignores the [P1] tag, so a change of priority keeps the comment', () => {
    expect(fingerprintOf('app.js', '[P1] Guard against empty arrays')).toBe(
      fingerprintOf('app.js', 'Guard against empty arrays'),
    );
    const p1 = one(item('[P1] Guard against empty arrays', '/repo/app.js', 5, 5, { priority: 1 }));
    const p3 = one(item('[P3] Guard against empty arrays', '/repo/app.js', 5, 5, { priority: 3 }));
    expect([p1.priority, p3.priority]).toEqual([1, 3]);
    expect(p3.fingerprint).toBe(p1.fingerprint);
  });

  it('ignores differences of whitespace and case in the title', () => {
    expect(fingerprintOf('app.js', '  Guard  against\tEMPTY arrays \n')).toBe(
      fingerprintOf('app.js', 'guard against empty arrays'),
    );
  });

  it('ignores the body, the confidence and the priority field', () => {
    const a = one(item('Same title', '/repo/app.js', 1, 1, { body: 'one', confidence_score: 0.1 }));
    const b = one(item('Same title', '/repo/app.js', 1, 1, { body: 'two', confidence_score: 0.9 }));
    expect(b.fingerprint).toBe(a.fingerprint);
  });

  it('differs between files', () => {
    expect(fingerprintOf('src/a.js', 'Same title')).not.toBe(
      fingerprintOf('src/b.js', 'Same title'),
    );
    expect(fingerprintOf(null, 'Same title')).not.toBe(fingerprintOf('src/a.js', 'Same title'));
  });

  it('differs between titles', () => {
    expect(fingerprintOf('app.js', 'Guard against empty arrays')).not.toBe(
      fingerprintOf('app.js', 'Guard against sparse arrays'),
    );
  });

  it('keeps two findings with the same title in one file distinct', () => {
    const [first, second, elsewhere] = toFindings(
      [
        item('[P0] Division by zero', '/repo/app.js', 6),
        item('[P0] Division by zero', '/repo/app.js', 7),
        item('[P0] Division by zero', '/repo/lib.js', 7),
      ],
      REPO,
    );
    expect(first!.fingerprint).toBe(fingerprintOf('app.js', 'Division by zero'));
    expect(second!.fingerprint).toBe(`${first!.fingerprint}-2`);
    expect(elsewhere!.fingerprint).toBe(fingerprintOf('lib.js', 'Division by zero'));
  });

  it('tells same-title findings apart by the code they point at, so inserting one above does not swap them', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'codex-review-fp-'));
    const file = path.join(root, 'a.js');
    fs.writeFileSync(file, ['x();', 'y();', 'risky(a);', 'z();', 'risky(b);'].join('\n'));
    const options = { repoRoot: root, workingDirectory: root };
    const before = toFindings(
      [item('Missing null check', file, 3), item('Missing null check', file, 5)],
      options,
    );
    // A new occurrence appears above; the old ones move down two lines and are reported in another order.
    fs.writeFileSync(
      file,
      ['risky(c);', 'w();', 'x();', 'y();', 'risky(a);', 'z();', 'risky(b);'].join('\n'),
    );
    const after = toFindings(
      [
        item('Missing null check', file, 7),
        item('Missing null check', file, 1),
        item('Missing null check', file, 5),
      ],
      options,
    );
    expect(new Set(after.map((f) => f.fingerprint)).size).toBe(3);
    expect(after.find((f) => f.startLine === 5)!.fingerprint).toBe(
      before.find((f) => f.startLine === 3)!.fingerprint,
    );
    expect(after.find((f) => f.startLine === 7)!.fingerprint).toBe(
      before.find((f) => f.startLine === 5)!.fingerprint,
    );
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('is the same whether Codex reported the path absolute or relative to where it ran', () => {
    const absolute = one(item('Title', '/repo/pkg/src/a.ts'));
    const relative = one(item('Title', 'src/a.ts'), {
      repoRoot: '/repo',
      workingDirectory: '/repo/pkg',
    });
    expect(relative.path).toBe('pkg/src/a.ts');
    expect(relative.fingerprint).toBe(absolute.fingerprint);
  });
});

describe('the path of a finding', () => {
  it('is made relative to the repository root, with forward slashes', () => {
    expect(one(item('T', '/repo/src/deep/a.ts'))).toMatchObject({
      path: 'src/deep/a.ts',
      inRepo: true,
    });
    expect(relativePath('/repo/./src/../src/a.ts', REPO)).toEqual({
      path: 'src/a.ts',
      inRepo: true,
    });
  });

  it('resolves a relative path against the directory Codex worked in', () => {
    expect(relativePath('a.ts', { repoRoot: '/repo', workingDirectory: '/repo/pkg' })).toEqual({
      path: 'pkg/a.ts',
      inRepo: true,
    });
  });

  it('keeps a file outside the repository as reported, marked as not in the repo', () => {
    const hosts = one(item('Hosts', '/etc/hosts', 1, 2));
    expect(hosts).toMatchObject({ path: '/etc/hosts', inRepo: false, startLine: 1, endLine: 2 });
    expect(relativePath('../other/x.ts', REPO)).toEqual({ path: '../other/x.ts', inRepo: false });
  });

  it('does not count a sibling directory that shares the prefix as inside', () => {
    expect(relativePath('/repository/x.ts', REPO)).toEqual({
      path: '/repository/x.ts',
      inRepo: false,
    });
  });

  it('counts a file whose name starts with two dots as inside', () => {
    expect(relativePath('/repo/..hidden/x.ts', REPO)).toEqual({
      path: '..hidden/x.ts',
      inRepo: true,
    });
  });

  it('is null, with no lines and not in the repo, when Codex gave no location', () => {
    expect(one(item('General remark', null))).toMatchObject({
      path: null,
      startLine: null,
      endLine: null,
      inRepo: false,
    });
    expect(one(item('Blank path', '  '))).toMatchObject({ path: null, inRepo: false });
  });
});

describe('the line range of a finding', () => {
  it('is put in order when Codex reports it reversed', () => {
    expect(one(item('T', '/repo/a.ts', 9, 3))).toMatchObject({ startLine: 3, endLine: 9 });
  });

  it('never starts before line 1', () => {
    expect(one(item('T', '/repo/a.ts', 0, 0))).toMatchObject({ startLine: 1, endLine: 1 });
  });
});
