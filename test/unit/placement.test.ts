// Where each finding goes: inline on the diff, on a changed file, or in the summary. The diff is
// made by real git, so the hunks are the ones a platform would show.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { DiffIndex } from '../../src/core/diff/diff-index.js';
import { isRange, placeFindings, type PlacedFinding } from '../../src/core/diff/placement.js';
import type { Finding } from '../../src/core/review/finding.js';
import { GitRepo } from '../support/git-repo.js';

const lines = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => `line ${from + i}`).join('\n') + '\n';

const repo = GitRepo.create('codex-review-placement-');
afterAll(() => repo.remove());

// app.ts changes on lines 5 and 25 of 30, so its hunks show lines 2–8 and 22–28.
repo.write('app.ts', lines(1, 30));
repo.write('untouched.ts', lines(1, 10));
repo.write('gone.ts', lines(1, 5));
repo.write('emptied.ts', lines(1, 3));
repo.write('old-name.ts', lines(1, 8));
fs.writeFileSync(repo.path('logo.png'), Buffer.from([0, 1, 2]));
const base = repo.commit('before');
repo.write(
  'app.ts',
  lines(1, 30).replace('line 5\n', 'line five\n').replace('line 25\n', 'line twenty-five\n'),
);
fs.rmSync(repo.path('gone.ts'));
repo.write('emptied.ts', '');
fs.renameSync(repo.path('old-name.ts'), repo.path('new-name.ts'));
repo.write('new-name.ts', lines(1, 8).replace('line 7\n', 'line seven\n'));
fs.writeFileSync(repo.path('logo.png'), Buffer.from([0, 9]));
const head = repo.commit('after');
const index = DiffIndex.parse(
  execFileSync('git', ['diff', '-M', base, head], {
    cwd: repo.dir,
    encoding: 'utf8',
    env: { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' },
  }),
);

let count = 0;
function finding(
  path: string | null,
  startLine: number | null,
  endLine: number | null = startLine,
  extra: Partial<Finding> = {},
): Finding {
  count++;
  return {
    title: `Finding ${count}`,
    body: 'Body.',
    priority: 1,
    confidence: 0.8,
    path,
    startLine,
    endLine,
    inRepo: path !== null,
    fingerprint: `fp-${count}`,
    ...extra,
  };
}

const OPTIONS = { minPriority: 2, maxInlineComments: 25 };
const place = (f: Finding, options = OPTIONS): PlacedFinding =>
  placeFindings([f], index, options)[0]!;

describe('placing a finding on the diff', () => {
  it('a finding on an added line is posted inline on that line', () => {
    const f = finding('app.ts', 5);
    expect(place(f)).toEqual({
      finding: f,
      placement: 'inline',
      reason: undefined,
      anchor: { path: 'app.ts', side: 'RIGHT', startLine: 5, line: 5, clamped: false },
    });
  });

  it('a multi-line range inside one hunk is posted as a range', () => {
    const { anchor } = place(finding('app.ts', 4, 7));
    expect(anchor).toEqual({
      path: 'app.ts',
      side: 'RIGHT',
      startLine: 4,
      line: 7,
      clamped: false,
    });
    expect(isRange(anchor!)).toBe(true);
  });

  it('a finding without an end line covers its start line only', () => {
    const { anchor } = place(finding('app.ts', 6, null));
    expect(anchor).toMatchObject({ startLine: 6, line: 6, clamped: false });
    expect(isRange(anchor!)).toBe(false);
  });

  it('a finding on a context line is posted inline', () => {
    expect(place(finding('app.ts', 3))).toMatchObject({
      placement: 'inline',
      anchor: { side: 'RIGHT', startLine: 3, line: 3, clamped: false },
    });
  });

  it('a range reaching past the hunk is narrowed to the part inside it', () => {
    expect(place(finding('app.ts', 6, 12))).toMatchObject({
      placement: 'inline',
      anchor: { side: 'RIGHT', startLine: 6, line: 8, clamped: true },
    });
  });

  it('a range across two hunks is narrowed to the one it overlaps most', () => {
    expect(place(finding('app.ts', 7, 24)).anchor).toMatchObject({
      startLine: 22,
      line: 24,
      clamped: true,
    });
    expect(place(finding('app.ts', 2, 23)).anchor).toMatchObject({
      startLine: 2,
      line: 8,
      clamped: true,
    });
  });

  it('a finding in a changed file but outside every hunk goes on the file', () => {
    expect(place(finding('app.ts', 15, 16))).toEqual(
      expect.objectContaining({
        placement: 'file',
        reason: 'outside the changed lines',
        anchor: undefined,
      }),
    );
  });

  it('a finding about a whole changed file (no lines) goes on the file', () => {
    expect(place(finding('app.ts', null))).toMatchObject({ placement: 'file', anchor: undefined });
  });

  it('a finding in a file the change does not touch goes to the summary', () => {
    expect(place(finding('untouched.ts', 5))).toMatchObject({
      placement: 'summary',
      reason: 'file not changed in this pull request',
      anchor: undefined,
    });
  });

  it('a finding on a path outside the repository goes to the summary', () => {
    // The diff names no such file either way; inRepo alone must keep it out.
    const outside = finding('app.ts', 5, 5, { inRepo: false });
    expect(place(outside)).toMatchObject({
      placement: 'summary',
      reason: 'path outside the repository',
      anchor: undefined,
    });
  });

  it('a finding without a path goes to the summary', () => {
    expect(place(finding(null, null))).toMatchObject({ placement: 'summary', anchor: undefined });
  });

  it('a finding in a renamed file is found by its new path, not its old one', () => {
    expect(place(finding('new-name.ts', 7)).anchor).toMatchObject({ path: 'new-name.ts', line: 7 });
    expect(place(finding('old-name.ts', 7)).placement).toBe('summary');
  });

  it('a finding in a binary file goes on the file', () => {
    expect(place(finding('logo.png', 1))).toMatchObject({
      placement: 'file',
      reason: 'binary file',
      anchor: undefined,
    });
  });
});

describe('placing a finding on removed code', () => {
  it('a finding in a deleted file is posted on the old side', () => {
    expect(place(finding('gone.ts', 2, 3)).anchor).toEqual({
      path: 'gone.ts',
      side: 'LEFT',
      startLine: 2,
      line: 3,
      clamped: false,
    });
  });

  it('a finding in a deleted file past its old end goes on the file', () => {
    expect(place(finding('gone.ts', 40))).toMatchObject({
      placement: 'file',
      reason: 'outside the changed lines',
    });
  });

  it('a finding on the removed lines of a file left empty is posted on the old side', () => {
    expect(place(finding('emptied.ts', 2, 9)).anchor).toEqual({
      path: 'emptied.ts',
      side: 'LEFT',
      startLine: 2,
      line: 3,
      clamped: true,
    });
  });
});

describe('min-priority', () => {
  it('a finding less severe than min-priority goes to the summary instead of inline', () => {
    expect(place(finding('app.ts', 5, 5, { priority: 3 }))).toMatchObject({
      placement: 'summary',
      reason: 'below min-priority (P2)',
      anchor: undefined,
    });
  });

  it('a finding exactly at min-priority stays inline', () => {
    expect(place(finding('app.ts', 5, 5, { priority: 2 })).placement).toBe('inline');
  });

  it('a finding without a priority goes to the summary', () => {
    expect(place(finding('app.ts', 5, 5, { priority: null })).reason).toBe(
      'below min-priority (P2)',
    );
  });

  it('names the min-priority in force', () => {
    const placed = place(finding('app.ts', 5, 5, { priority: 1 }), {
      minPriority: 0,
      maxInlineComments: 25,
    });
    expect(placed).toMatchObject({ placement: 'summary', reason: 'below min-priority (P0)' });
  });

  it('does not move a finding that is not inline anyway', () => {
    expect(place(finding('app.ts', 15, 15, { priority: 3 })).placement).toBe('file');
  });
});

describe('max-inline-comments', () => {
  it('keeps the most severe findings inline and sends the rest to the summary, in input order', () => {
    const findings = [
      finding('app.ts', 3, 3, { priority: 2, title: 'p2' }),
      finding('app.ts', 4, 4, { priority: 0, title: 'p0 a' }),
      finding('app.ts', 5, 5, { priority: 1, title: 'p1' }),
      finding('app.ts', 22, 22, { priority: 0, title: 'p0 b' }),
      finding('untouched.ts', 1, 1, { priority: 0, title: 'elsewhere' }),
    ];
    const placed = placeFindings(findings, index, { minPriority: 2, maxInlineComments: 2 });
    expect(placed.map((p) => [p.finding.title, p.placement, p.reason])).toEqual([
      ['p2', 'summary', 'over max-inline-comments (2)'],
      ['p0 a', 'inline', undefined],
      ['p1', 'summary', 'over max-inline-comments (2)'],
      ['p0 b', 'inline', undefined],
      ['elsewhere', 'summary', 'file not changed in this pull request'],
    ]);
    expect(placed[0]!.anchor).toBeUndefined();
  });

  it('among findings of equal priority, keeps the first by path and then by line', () => {
    const findings = [
      finding('new-name.ts', 7, 7, { title: 'later path' }),
      finding('app.ts', 25, 25, { title: 'later line' }),
      finding('app.ts', 5, 5, { title: 'first' }),
    ];
    const placed = placeFindings(findings, index, { minPriority: 2, maxInlineComments: 1 });
    expect(placed.map((p) => p.placement)).toEqual(['summary', 'summary', 'inline']);
  });

  it('zero means nothing is posted inline', () => {
    const placed = placeFindings([finding('app.ts', 5)], index, {
      minPriority: 3,
      maxInlineComments: 0,
    });
    expect(placed[0]).toMatchObject({
      placement: 'summary',
      reason: 'over max-inline-comments (0)',
    });
  });

  it('findings below min-priority do not use up the cap', () => {
    const findings = [
      finding('app.ts', 4, 4, { priority: 3 }),
      finding('app.ts', 5, 5, { priority: 1 }),
    ];
    const placed = placeFindings(findings, index, { minPriority: 2, maxInlineComments: 1 });
    expect(placed.map((p) => p.placement)).toEqual(['summary', 'inline']);
  });
});
