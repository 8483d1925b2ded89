// Splitting the files in scope into n disjoint slices, one per job of a CI matrix (`shard: i/n`).
// Pure and deterministic: every job of the matrix computes the same partition on its own, from
// the same files, with no coordination between them.
//
// The algorithm keeps directories whole while that keeps the slices balanced by size:
//   1. Start with one unit, the root directory.
//   2. While the slices are not balanced, split the largest directory unit into its
//      subdirectories and files. A unit heavier than the balance limit is split at once; once
//      every splittable unit is lighter, units are dealt to slices by LPT (heaviest unit first, to
//      the lightest slice) and the largest directory is split only if that deal is unbalanced.
//   3. Stop when balanced, or when every unit is a single file. "Balanced" is every slice at most
//      (1 + BALANCE_TOLERANCE) times the mean, or at most the heaviest file when that is more.
// Balance bound (test/unit/shard.test.ts checks it as a property): with W the total weight and
// n slices, the heaviest slice weighs at most max((1 + BALANCE_TOLERANCE) · W / n, W / n + w),
// where w is the heaviest single file: either the loop stopped balanced, or every unit is a file
// and list scheduling puts at most one more unit on a slice that was at or below the mean.
// A file's weight is its size in bytes plus one, so empty files still count and a partition of
// only empty files is balanced by count.

/** A file in scope, with the size that stands for the work it costs (bytes). */
export interface ScopedFile {
  /** Repository-relative POSIX path. */
  path: string;
  size: number;
}

export interface ShardSpec {
  /** 1-based. */
  index: number;
  total: number;
}

/** The largest `n` of `shard: i/n` (a GitHub matrix has at most 256 jobs; GitLab's `parallel` 200). */
export const MAX_SHARDS = 256;

/** A slice may weigh this much more than the mean before a directory is split for balance. */
export const BALANCE_TOLERANCE = 0.1;

/** A whole directory (path ends in "/") or one file, kept in one slice. */
export interface ShardUnit {
  path: string;
  kind: 'dir' | 'file';
  weight: number;
  files: string[];
}

export interface Slice {
  /** 1-based, as in `shard: i/n`. */
  index: number;
  units: ShardUnit[];
  /** Sorted. */
  files: string[];
  weight: number;
}

export interface Partition {
  total: number;
  slices: Slice[];
  weight: number;
}

/** `i/n` → { index, total }, or why it is not one. */
export function parseShardSpec(text: string): ShardSpec | string {
  const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  if (!match) return 'must be "i/n" (this job\'s slice i of n), for example "2/4"';
  const index = Number(match[1]);
  const total = Number(match[2]);
  if (total < 1 || total > MAX_SHARDS)
    return `n must be a whole number from 1 to ${MAX_SHARDS} (got ${total})`;
  if (index < 1 || index > total)
    return `i must be a whole number from 1 to n = ${total} (got ${index})`;
  return { index, total };
}

export const weightOf = (file: ScopedFile) => Math.max(0, Math.floor(file.size)) + 1;

interface DirNode {
  path: string;
  dirs: Map<string, DirNode>;
  files: ScopedFile[];
  weight: number;
  fileCount: number;
}

/** Code-unit order: the same on every machine, whatever its locale. */
const byPath = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function buildTree(files: ScopedFile[]): DirNode {
  const root: DirNode = { path: '', dirs: new Map(), files: [], weight: 0, fileCount: 0 };
  for (const file of files) {
    const parts = file.path.split('/');
    let node = root;
    node.weight += weightOf(file);
    node.fileCount++;
    for (const part of parts.slice(0, -1)) {
      let child = node.dirs.get(part);
      if (!child) {
        child = {
          path: `${node.path}${part}/`,
          dirs: new Map(),
          files: [],
          weight: 0,
          fileCount: 0,
        };
        node.dirs.set(part, child);
      }
      child.weight += weightOf(file);
      child.fileCount++;
      node = child;
    }
    node.files.push(file);
  }
  return root;
}

type Unit = { kind: 'dir'; node: DirNode } | { kind: 'file'; file: ScopedFile };

const unitPath = (u: Unit) => (u.kind === 'dir' ? u.node.path : u.file.path);
const unitWeight = (u: Unit) => (u.kind === 'dir' ? u.node.weight : weightOf(u.file));
/** A directory of one file is that file: splitting it changes nothing but the name. */
const splittable = (u: Unit) => u.kind === 'dir' && u.node.fileCount > 1;

function childrenOf(node: DirNode): Unit[] {
  return [
    ...[...node.dirs.values()].map((d): Unit => ({ kind: 'dir', node: d })),
    ...node.files.map((f): Unit => ({ kind: 'file', file: f })),
  ];
}

/** Heaviest first, then by path; each to the lightest slice (lowest index on a tie). */
function deal(units: Unit[], total: number): { bins: Unit[][]; loads: number[] } {
  const order = [...units].sort(
    (a, b) => unitWeight(b) - unitWeight(a) || byPath(unitPath(a), unitPath(b)),
  );
  const bins: Unit[][] = Array.from({ length: total }, () => []);
  const loads = new Array<number>(total).fill(0);
  const heap = new SliceHeap(total);
  for (const unit of order) {
    const lightest = heap.popLightest(loads);
    bins[lightest]!.push(unit);
    loads[lightest]! += unitWeight(unit);
    heap.push(lightest, loads);
  }
  return { bins, loads };
}

/** A binary min-heap of slice indexes by (load, index): the lightest slice in O(log n). */
class SliceHeap {
  private readonly items: number[];
  constructor(total: number) {
    this.items = Array.from({ length: total }, (_, i) => i);
  }
  private less(a: number, b: number, loads: number[]): boolean {
    return loads[a]! < loads[b]! || (loads[a] === loads[b] && a < b);
  }
  popLightest(loads: number[]): number {
    const top = this.items[0]!;
    const last = this.items.pop()!;
    if (this.items.length > 0) {
      this.items[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < this.items.length && this.less(this.items[l]!, this.items[m]!, loads)) m = l;
        if (r < this.items.length && this.less(this.items[r]!, this.items[m]!, loads)) m = r;
        if (m === i) break;
        [this.items[i], this.items[m]] = [this.items[m]!, this.items[i]!];
        i = m;
      }
    }
    return top;
  }
  push(slice: number, loads: number[]): void {
    this.items.push(slice);
    let i = this.items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(this.items[i]!, this.items[parent]!, loads)) break;
      [this.items[i], this.items[parent]] = [this.items[parent]!, this.items[i]!];
      i = parent;
    }
  }
}

export function partition(files: ScopedFile[], total: number): Partition {
  if (!Number.isInteger(total) || total < 1)
    throw new RangeError(`total must be ≥ 1 (got ${total})`);
  const unique = new Map<string, ScopedFile>();
  for (const file of files) if (!unique.has(file.path)) unique.set(file.path, file);
  const sorted = [...unique.values()].sort((a, b) => byPath(a.path, b.path));
  const root = buildTree(sorted);
  // No partition can do better than its heaviest file: aiming lower would only tear every
  // directory apart to no effect.
  const heaviestFile = sorted.reduce((max, f) => Math.max(max, weightOf(f)), 0);
  const limit = Math.max(((1 + BALANCE_TOLERANCE) * root.weight) / total, heaviestFile);

  let units: Unit[] = root.fileCount > 0 ? [{ kind: 'dir', node: root }] : [];
  let dealt = deal(units, total);
  for (;;) {
    const candidates = units.filter(splittable);
    if (candidates.length === 0) break;
    const largest = candidates.reduce((best, u) =>
      unitWeight(u) > unitWeight(best) ||
      (unitWeight(u) === unitWeight(best) && byPath(unitPath(u), unitPath(best)) < 0)
        ? u
        : best,
    );
    // A unit heavier than the limit makes any deal unbalanced: split it without dealing.
    if (unitWeight(largest) <= limit) {
      dealt = deal(units, total);
      if (Math.max(...dealt.loads) <= limit) break;
    }
    units = units.flatMap((u) => (u === largest ? childrenOf((u as { node: DirNode }).node) : [u]));
  }
  dealt = deal(units, total);

  const slices = dealt.bins.map((bin, i): Slice => {
    const shardUnits = bin.map(toShardUnit).sort((a, b) => byPath(a.path, b.path));
    return {
      index: i + 1,
      units: shardUnits,
      files: shardUnits.flatMap((u) => u.files).sort(byPath),
      weight: dealt.loads[i]!,
    };
  });
  return { total, slices, weight: root.weight };
}

function toShardUnit(unit: Unit): ShardUnit {
  if (unit.kind === 'file')
    return {
      path: unit.file.path,
      kind: 'file',
      weight: weightOf(unit.file),
      files: [unit.file.path],
    };
  const files: string[] = [];
  const walk = (node: DirNode) => {
    for (const f of node.files) files.push(f.path);
    for (const d of node.dirs.values()) walk(d);
  };
  walk(unit.node);
  // The root directory as a unit (everything in one slice) is named "./" rather than "".
  return { path: unit.node.path || './', kind: 'dir', weight: unit.node.weight, files };
}

/** Which shard (1-based) owns each file in scope. */
export function ownership(part: Partition): Map<string, number> {
  const owner = new Map<string, number>();
  for (const slice of part.slices) for (const file of slice.files) owner.set(file, slice.index);
  return owner;
}

/**
 * Is a finding's path this shard's own? A path in another shard's slice is not. A path no shard
 * has (outside the scope: an unchanged file a review points at, an untracked file, a path outside
 * the repository, no path at all) is kept by whichever shard reported it: dropping it would lose
 * it, and the merge dedupes what several shards report alike by fingerprint.
 */
export function isOwnFinding(
  finding: { path: string | null; inRepo: boolean },
  owner: Map<string, number>,
  index: number,
): boolean {
  if (!finding.path || !finding.inRepo) return true;
  const shard = owner.get(finding.path);
  return shard === undefined || shard === index;
}

/** A path as the model should read it: plain when plain, JSON-quoted otherwise. */
function listedPath(p: string): string {
  return /^[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?$/.test(p) && !p.startsWith('"')
    ? p
    : JSON.stringify(p);
}

/** The slice as a list for the model: whole directories end in "/". One entry per line. */
export function sliceListing(slice: Slice): string {
  return slice.units.map((u) => `- ${listedPath(u.path)}`).join('\n');
}

/**
 * What the model is told about its slice. `listing` is the list itself, or a sentence naming the
 * file that holds it (when it would make the command line too long).
 */
export function sliceInstructions(input: {
  mode: 'review' | 'exec';
  shard: ShardSpec;
  slice: Slice;
  listing: string;
}): string {
  const { shard, slice } = input;
  const count = `${slice.files.length} file${slice.files.length === 1 ? '' : 's'}`;
  const head =
    input.mode === 'review'
      ? `This review is shard ${shard.index} of ${shard.total}: the changed files are split into ${shard.total} disjoint parts, each reviewed by its own job. ` +
        `Review only the changes to your part, the ${count} below (an entry ending in "/" stands for every changed file below that directory). ` +
        'Report findings only in these files. Read the rest of the change and of the repository for context only: the other jobs report on it.'
      : `This task is shard ${shard.index} of ${shard.total}: the repository's files are split into ${shard.total} disjoint parts, each handled by its own job. ` +
        `Your part is the ${count} below (an entry ending in "/" stands for every file below that directory). ` +
        'Report findings only in these files. Read other files for context only: the other jobs report on them.';
  return `${head}\n\nYour files (paths relative to the repository root):\n${input.listing}`;
}
