// The partition behind `shard: i/n`: properties that must hold for any repository (fast-check
// generates the repositories), and the cases a user would recognise.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BALANCE_TOLERANCE,
  isOwnFinding,
  MAX_SHARDS,
  ownership,
  parseShardSpec,
  partition,
  sliceInstructions,
  sliceListing,
  weightOf,
  type ScopedFile,
} from '../../src/core/shard.js';

const segment = fc.constantFrom('src', 'lib', 'a', 'b', 'core', 'x y', 'é', 'deep');
const fileName = fc.stringMatching(/^[a-z]{1,6}\.(ts|md)$/);
const size = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: 0, max: 5_000 }) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 500_000 }) },
);
const repository = fc.uniqueArray(
  fc.record({
    path: fc
      .tuple(fc.array(segment, { maxLength: 4 }), fileName)
      .map(([dirs, name]) => [...dirs, name].join('/')),
    size,
  }),
  { selector: (f) => f.path, maxLength: 300 },
);
const shards = fc.integer({ min: 1, max: 12 });

function shuffle<T>(items: T[], seed: number): T[] {
  const out = [...items];
  let s = Math.abs(seed) % 2 ** 31 || 1;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

describe('partition properties', () => {
  it('gives n slices, numbered 1..n', () => {
    fc.assert(
      fc.property(repository, shards, (files, n) => {
        expect(partition(files, n).slices.map((s) => s.index)).toEqual(
          Array.from({ length: n }, (_, i) => i + 1),
        );
      }),
    );
  });

  it('is disjoint and complete: every file in exactly one slice', () => {
    fc.assert(
      fc.property(repository, shards, (files, n) => {
        const seen = partition(files, n).slices.flatMap((s) => s.files);
        expect(new Set(seen).size).toBe(seen.length);
        expect([...seen].sort()).toEqual(files.map((f) => f.path).sort());
      }),
    );
  });

  it('is deterministic: the same slices whatever order the files are listed in', () => {
    fc.assert(
      fc.property(repository, shards, fc.integer(), (files, n, seed) => {
        expect(partition(shuffle(files, seed), n)).toEqual(partition(files, n));
      }),
    );
  });

  it(`is balanced: no slice above max((1 + ${BALANCE_TOLERANCE}) · W/n, W/n + the heaviest file)`, () => {
    fc.assert(
      fc.property(repository, shards, (files, n) => {
        const part = partition(files, n);
        const total = files.reduce((s, f) => s + weightOf(f), 0);
        const heaviest = Math.max(0, ...files.map(weightOf));
        expect(part.weight).toBe(total);
        const bound = Math.max(((1 + BALANCE_TOLERANCE) * total) / n, total / n + heaviest);
        for (const slice of part.slices) expect(slice.weight).toBeLessThanOrEqual(bound + 1e-9);
        expect(part.slices.reduce((s, x) => s + x.weight, 0)).toBe(total);
      }),
    );
  });

  it('keeps a directory unit whole: no file below it is in another slice', () => {
    fc.assert(
      fc.property(repository, shards, (files, n) => {
        const part = partition(files, n);
        for (const slice of part.slices) {
          for (const unit of slice.units.filter((u) => u.kind === 'dir' && u.path !== './')) {
            const below = files.filter((f) => f.path.startsWith(unit.path)).map((f) => f.path);
            expect([...unit.files].sort()).toEqual(below.sort());
            for (const file of below) expect(slice.files).toContain(file);
          }
        }
      }),
    );
  });
});

describe('partition of a repository a user would recognise', () => {
  const repo: ScopedFile[] = [
    { path: 'docs/a.md', size: 100 },
    { path: 'docs/b.md', size: 100 },
    { path: 'src/api/a.ts', size: 1_000 },
    { path: 'src/api/b.ts', size: 1_000 },
    { path: 'src/db/a.ts', size: 1_000 },
    { path: 'src/db/b.ts', size: 900 },
    { path: 'README.md', size: 150 },
  ];

  it('puts everything in one slice for 1/1', () => {
    const [only] = partition(repo, 1).slices;
    expect(only!.units).toEqual([expect.objectContaining({ path: './', kind: 'dir' })]);
    expect(only!.files).toHaveLength(repo.length);
  });

  it('keeps directories together when that balances: src/api and src/db apart, docs whole', () => {
    const part = partition(repo, 2);
    const units = part.slices.map((s) => s.units.map((u) => u.path));
    expect(units.flat()).toContain('src/api/');
    expect(units.flat()).toContain('src/db/');
    expect(units.flat()).toContain('docs/');
    const [one, two] = part.slices;
    expect(Math.abs(one!.weight - two!.weight)).toBeLessThan(300);
  });

  it('splits a directory when whole directories cannot be balanced (three equal ones in two slices)', () => {
    const files: ScopedFile[] = ['a', 'b', 'c'].flatMap((dir) =>
      Array.from({ length: 10 }, (_, i) => ({ path: `${dir}/f${i}.ts`, size: 100 })),
    );
    const part = partition(files, 2);
    expect(part.slices.map((s) => s.weight)).toEqual([1515, 1515]);
    // Two directories stay whole; only one is split.
    expect(part.slices.flatMap((s) => s.units.filter((u) => u.kind === 'dir'))).toHaveLength(2);
  });

  it('splits by size, not count: one large file weighs as much as many small ones', () => {
    const files: ScopedFile[] = [
      { path: 'big/huge.ts', size: 10_000 },
      ...Array.from({ length: 10 }, (_, i) => ({ path: `small/f${i}.ts`, size: 1_000 })),
    ];
    const part = partition(files, 2);
    expect(part.slices.map((s) => s.files.length).sort()).toEqual([1, 10]);
  });

  it('leaves slices empty when there are fewer files than shards', () => {
    const part = partition([{ path: 'a.ts', size: 5 }], 3);
    expect(part.slices.map((s) => s.files)).toEqual([['a.ts'], [], []]);
  });
});

describe('shard: i/n', () => {
  it('accepts i/n with 1 ≤ i ≤ n ≤ the maximum', () => {
    expect(parseShardSpec('2/4')).toEqual({ index: 2, total: 4 });
    expect(parseShardSpec(' 1 / 1 ')).toEqual({ index: 1, total: 1 });
    expect(parseShardSpec(`${MAX_SHARDS}/${MAX_SHARDS}`)).toEqual({
      index: MAX_SHARDS,
      total: MAX_SHARDS,
    });
  });

  it.each([
    ['0/4', /i must be a whole number from 1 to n = 4/],
    ['5/4', /i must be a whole number from 1 to n = 4 \(got 5\)/],
    ['1/0', /n must be a whole number from 1 to 256/],
    [`1/${MAX_SHARDS + 1}`, /n must be a whole number from 1 to 256/],
    ['2', /must be "i\/n"/],
    ['a/b', /must be "i\/n"/],
    ['-1/4', /must be "i\/n"/],
  ])('refuses %s', (text, message) => {
    expect(parseShardSpec(text)).toMatch(message);
  });
});

describe('which findings are a shard’s own', () => {
  const part = partition(
    [
      { path: 'a/x.ts', size: 10 },
      { path: 'b/y.ts', size: 10 },
    ],
    2,
  );
  const owner = ownership(part);
  const mine = part.slices.find((s) => s.files.includes('a/x.ts'))!.index;
  const other = mine === 1 ? 2 : 1;

  it('keeps findings in its own files and sets aside those in another slice', () => {
    expect(isOwnFinding({ path: 'a/x.ts', inRepo: true }, owner, mine)).toBe(true);
    expect(isOwnFinding({ path: 'b/y.ts', inRepo: true }, owner, mine)).toBe(false);
    expect(isOwnFinding({ path: 'a/x.ts', inRepo: true }, owner, other)).toBe(false);
  });

  it('keeps findings no shard owns: outside the scope, outside the repository, without a path', () => {
    expect(isOwnFinding({ path: 'c/unchanged.ts', inRepo: true }, owner, mine)).toBe(true);
    expect(isOwnFinding({ path: '/etc/passwd', inRepo: false }, owner, mine)).toBe(true);
    expect(isOwnFinding({ path: null, inRepo: false }, owner, mine)).toBe(true);
  });
});

describe('what the model is told', () => {
  it('lists whole directories with a trailing slash and quotes paths that are not plain', () => {
    const part = partition(
      [
        { path: 'src/a.ts', size: 10 },
        { path: 'src/b.ts', size: 10 },
        { path: 'odd\nname.ts', size: 5000 },
      ],
      2,
    );
    const listings = part.slices.map(sliceListing);
    expect(listings).toContain('- src/');
    expect(listings).toContain('- "odd\\nname.ts"');
  });

  it('names the shard, the count and the rule for both modes', () => {
    const [slice] = partition([{ path: 'a.ts', size: 1 }], 1).slices;
    const review = sliceInstructions({
      mode: 'review',
      shard: { index: 2, total: 3 },
      slice: slice!,
      listing: '- a.ts',
    });
    expect(review).toContain('shard 2 of 3');
    expect(review).toContain('the 1 file below');
    expect(review).toContain('Report findings only in these files');
    expect(review).toMatch(/- a\.ts$/);
    const exec = sliceInstructions({
      mode: 'exec',
      shard: { index: 1, total: 2 },
      slice: slice!,
      listing: '- a.ts',
    });
    expect(exec).toContain("the repository's files are split into 2 disjoint parts");
  });
});
