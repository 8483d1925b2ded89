// A sharded job's part of the run (`shard: i/n`): which files are in scope (the changed files of a
// review, every tracked file of an `exec` audit), which of them are this job's slice, what Codex is
// told about it, and which findings it keeps. The partition itself is src/core/shard.ts.
import fs from 'node:fs';
import path from 'node:path';
import type { ReviewTarget } from '../codex/argv.js';
import { splitFileSections, readHeaders } from '../diff/git-headers.js';
import { ConfigurationError, errorMessage } from '../errors.js';
import { git, gitRaw, headSha, repositoryRoot, tryGit } from '../git.js';
import type { Logger } from '../logger.js';
import { choosePostTarget, type ResolvedPostTarget } from '../publish/target.js';
import type { Redactor } from '../redact.js';
import { writeFailedShardFile, type ShardRecord } from '../report/findings-file.js';
import type { Finding } from '../review/finding.js';
import { countBlocking } from '../review/gate.js';
import type { ReviewResult } from '../review/result.js';
import type { WriteScope } from '../safe-write.js';
import type { Settings } from '../settings.js';
import {
  isOwnFinding,
  ownership,
  partition,
  sliceInstructions,
  sliceListing,
  type ScopedFile,
  type ShardSpec,
  type Slice,
} from '../shard.js';

export interface ShardScope {
  spec: ShardSpec;
  slice: Slice;
  /** Every file in scope → the shard that owns it. */
  owner: Map<string, number>;
  /** Files in scope across all shards. */
  scopeFiles: number;
}

/** A shard of several posts nothing: the merge job (`mode: merge`) publishes the combined result. */
export function shardPostTarget(
  settings: Settings,
  venue: Parameters<typeof choosePostTarget>[1],
  logger: Logger,
): ResolvedPostTarget {
  const spec = settings.shard!;
  if (spec.total === 1) return choosePostTarget(settings.post, venue, logger);
  logger.info(
    `Shard ${spec.index}/${spec.total}: nothing is posted here; the merge job (\`mode: merge\`) publishes the combined result.`,
  );
  return 'none';
}

/** A shard that failed before it had a result: its findings file says so, with the reason. */
export async function recordFailedShard(
  input: { settings: Settings; findingsFile: string; redactor: Redactor; logger: Logger },
  error: unknown,
  scope: WriteScope,
): Promise<void> {
  const { settings } = input;
  try {
    writeFailedShardFile(
      input.findingsFile,
      {
        shard: settings.shard!,
        reason: errorMessage(error),
        mode: settings.mode,
        headSha: await headSha(settings.workingDirectory),
      },
      input.redactor,
      scope,
    );
    input.logger.info(
      `Recorded shard ${settings.shard!.index}/${settings.shard!.total} as failed in ${input.findingsFile}.`,
    );
  } catch (writeError) {
    input.logger.warning(`Could not record the failed shard: ${errorMessage(writeError)}`);
  }
}

/** A listing longer than this goes to a file: one argument of a command line is at most 128 KiB on Linux. */
const INLINE_LISTING_LIMIT = 32 * 1024;

export async function chooseShardScope(input: {
  settings: Settings;
  target: ReviewTarget | undefined;
  logger: Logger;
}): Promise<ShardScope | undefined> {
  const { settings, logger } = input;
  const spec = settings.shard;
  if (!spec) return undefined;
  const cwd = settings.workingDirectory;
  const files = input.target ? await changedFiles(cwd, input.target) : await trackedFiles(cwd);
  const part = partition(files, spec.total);
  const slice = part.slices[spec.index - 1]!;
  const kib = (n: number) => `${(n / 1024).toFixed(0)} KiB`;
  logger.info(
    `Shard ${spec.index}/${spec.total}: ${slice.files.length} of ${files.length} ${input.target ? 'changed ' : ''}file(s), ` +
      `${kib(slice.weight)} of ${kib(part.weight)} (${slice.units.length} director${slice.units.length === 1 ? 'y or file' : 'ies and files'}).`,
  );
  return { spec, slice, owner: ownership(part), scopeFiles: files.length };
}

/**
 * The settings Codex runs with: the slice described in the prompt (an `exec` prompt ends with it;
 * a review's instructions start with it — `codex exec review` takes no instructions beside
 * `--base`, so argv.ts then describes the target in the instructions). One shard of one needs
 * no description: everything is its own.
 */
export function shardedCodexSettings(
  settings: Settings,
  shard: ShardScope,
  listingDir: string,
): Settings {
  if (shard.spec.total === 1) return settings;
  let listing = sliceListing(shard.slice);
  if (listing.length > INLINE_LISTING_LIMIT) {
    const file = path.join(listingDir, 'codex-review-shard-files.txt');
    // `codex-home` may be a directory the user chose: never write through a link left there.
    fs.rmSync(file, { force: true });
    fs.writeFileSync(file, `${listing}\n`, { mode: 0o644, flag: 'wx' });
    listing = `(${shard.slice.units.length} entries: too many for this message. They are in the file ${file}, one per line; read it first.)`;
  }
  const mode = settings.mode === 'exec' ? 'exec' : 'review';
  const instructions = sliceInstructions({ mode, shard: shard.spec, slice: shard.slice, listing });
  const prompt =
    mode === 'exec'
      ? `${settings.prompt ?? ''}\n\n${instructions}`
      : settings.prompt
        ? `${instructions}\n\n${settings.prompt}`
        : instructions;
  return { ...settings, prompt };
}

/** This shard's findings, and those it found in other shards' files (kept aside, never published). */
export function keepOwnFindings(
  result: ReviewResult,
  shard: ShardScope,
  settings: Pick<Settings, 'failOn'>,
  logger: Logger,
): { result: ReviewResult; outOfShard: Finding[] } {
  const own: Finding[] = [];
  const outOfShard: Finding[] = [];
  for (const f of result.findings)
    (isOwnFinding(f, shard.owner, shard.spec.index) ? own : outOfShard).push(f);
  if (outOfShard.length > 0) {
    logger.info(
      `${outOfShard.length} finding(s) in other shards' files set aside (in the findings file as out-of-shard).`,
    );
  }
  return {
    result: { ...result, findings: own, blockingCount: countBlocking(own, settings.failOn) },
    outOfShard,
  };
}

export function shardRecord(
  shard: ShardScope,
  result: ReviewResult,
  outOfShard: Finding[],
): ShardRecord {
  const replyErrors = result.exec?.replyErrors ?? [];
  const reason =
    result.incomplete ??
    (replyErrors.length > 0 ? 'the reply did not match the output schema' : undefined);
  return {
    index: shard.spec.index,
    total: shard.spec.total,
    status: reason ? 'failed' : 'completed',
    reason,
    files: shard.slice.files.length,
    outOfShard,
  };
}

/** A slice with no files has nothing to review: its result, without a Codex run. */
export function emptySliceResult(
  settings: Settings,
  target: ReviewTarget | undefined,
  headSha: string | undefined,
): ReviewResult {
  return {
    mode: settings.mode,
    target,
    headSha,
    threadId: undefined,
    finalMessage: '',
    findings: [],
    verdict: {
      correctness: null,
      explanation: `Shard ${settings.shard!.index}/${settings.shard!.total} has no files.`,
      confidence: null,
    },
    structured: undefined,
    source: 'none',
    incomplete: undefined,
    usage: {
      input_tokens: 0,
      cached_input_tokens: 0,
      output_tokens: 0,
      reasoning_output_tokens: 0,
    },
    blockingCount: 0,
    codex: { version: settings.codexVersion, durationMs: 0, fromCache: true },
    exec:
      settings.mode === 'exec'
        ? {
            schema: settings.outputSchema ? 'custom' : 'built-in',
            replyErrors: [],
            findingsShaped: false,
          }
        : undefined,
  };
}

/** An audit's scope: every tracked file under the working directory, repository-relative. */
async function trackedFiles(cwd: string): Promise<ScopedFile[]> {
  const root = await repositoryRoot(cwd);
  if (!root) {
    throw new ConfigurationError(
      `setting \`shard\`: the files to split come from git, but ${cwd} is not a git repository. Check out the repository, or leave \`shard\` empty.`,
    );
  }
  const listed = (await git(cwd, ['ls-files', '-z', '--full-name'])).split('\0').filter(Boolean);
  return listed.map((p) => ({ path: p, size: sizeOf(path.join(root, p)) }));
}

/** A review's scope: the changed files, each weighing as much as its diff. */
async function changedFiles(cwd: string, target: ReviewTarget): Promise<ScopedFile[]> {
  const diffArgs = [
    '-c',
    'core.quotePath=true',
    'diff',
    '--no-color',
    '--no-ext-diff',
    '--no-textconv',
  ];
  let diff: string;
  const extra: ScopedFile[] = [];
  switch (target.kind) {
    case 'base':
      // What Codex is told to read: `git diff <merge base>` (the working tree against it).
      diff = await gitRaw(cwd, [...diffArgs, target.mergeBase]);
      break;
    case 'commit': {
      const parent =
        (await tryGit(cwd, ['rev-parse', '--verify', '--quiet', `${target.sha}^`])) ??
        (await git(cwd, ['hash-object', '-t', 'tree', '/dev/null']));
      diff = await gitRaw(cwd, [...diffArgs, parent, target.sha]);
      break;
    }
    case 'uncommitted': {
      diff = (await tryGit(cwd, ['rev-parse', '--verify', '--quiet', 'HEAD']))
        ? await gitRaw(cwd, [...diffArgs, 'HEAD'])
        : '';
      const root = (await repositoryRoot(cwd)) ?? cwd;
      const untracked = (
        await git(cwd, ['ls-files', '-z', '--others', '--exclude-standard', '--full-name'])
      )
        .split('\0')
        .filter(Boolean);
      for (const p of untracked) extra.push({ path: p, size: sizeOf(path.join(root, p)) });
      break;
    }
  }
  const files = new Map<string, number>();
  for (const section of splitFileSections(diff)) {
    const { path: file } = readHeaders(section.header);
    if (file) files.set(file, (files.get(file) ?? 0) + Buffer.byteLength(section.text));
  }
  for (const f of extra) if (!files.has(f.path)) files.set(f.path, f.size);
  return [...files].map(([p, size]) => ({ path: p, size }));
}

function sizeOf(file: string): number {
  try {
    const stat = fs.lstatSync(file);
    return stat.isFile() || stat.isSymbolicLink() ? stat.size : 0;
  } catch {
    return 0;
  }
}
