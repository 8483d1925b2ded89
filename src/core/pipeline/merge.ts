// `mode: merge` / `codex-review merge`: no Codex, no model request. The shards' findings files
// named by `merge-from` → one result (src/core/merge.ts) → the same publishing path as a run
// (one review + summary, or one tracking issue; findings file, SARIF, Code Quality, outputs).
import fs from 'node:fs';
import path from 'node:path';
import { glob } from 'tinyglobby';
import { ConfigurationError, errorMessage } from '../errors.js';
import { combineShards, readShardFile, type ShardDocument, type ShardStatus } from '../merge.js';
import { choosePostTarget } from '../publish/target.js';
import { checkWriteTargets, writeScopeOf } from './rules.js';
import { publishAndReport, type RunInput, type RunOutcome } from './run.js';

export type MergeInput = Pick<
  RunInput,
  'settings' | 'venue' | 'logger' | 'redactor' | 'findingsFile' | 'tempDir'
>;

export async function runMerge(input: MergeInput): Promise<RunOutcome> {
  const { settings, venue, logger } = input;
  const writeScope = writeScopeOf(settings, input.tempDir);
  checkWriteTargets(settings, input.findingsFile, writeScope);
  const post = choosePostTarget(settings.post, venue, logger);
  const posting =
    (post === 'review' || post === 'summary') && venue.changeRequest && venue.platform
      ? { platform: venue.platform, cr: venue.changeRequest }
      : undefined;

  const merged = await logger.group('Merge the shards', async () => {
    const docs = await readShardFiles(input);
    const combined = combineShards(docs, { failOn: settings.failOn });
    for (const shard of combined.shards) logger.info(describeShard(shard));
    logger.info(
      `${combined.result.findings.length} finding(s) after merging (deduplicated by fingerprint).`,
    );
    if (combined.incomplete) logger.warning(combined.incomplete);
    return combined;
  });
  const { result } = merged;
  if (posting && result.headSha && result.headSha !== posting.cr.headSha) {
    logger.warning(
      `The shards reviewed ${result.headSha.slice(0, 12)}, but the ${venue.noun} head is now ${posting.cr.headSha.slice(0, 12)}: ` +
        'comments are placed on the head, where lines may have moved.',
    );
  }
  const outcome = await publishAndReport(input, {
    result,
    excluded: [],
    writeScope,
    post,
    posting,
    scope: undefined,
    diff: undefined,
  });
  if (!merged.incomplete) return outcome;
  // An incomplete merge fails the job, whatever else happened: the missing findings are unknown.
  const consequence =
    "No SARIF or Code Quality report was written and a tracking issue was left as it was, because they would mark the missing shard's findings fixed. Re-run the failed shard, then the merge.";
  const failure = [input.redactor.redact(`${merged.incomplete} ${consequence}`), outcome.failure]
    .filter(Boolean)
    .join('\n');
  return { ...outcome, failure };
}

function describeShard(s: ShardStatus): string {
  const name = `Shard ${s.index}/${s.total}`;
  if (s.status === 'missing') return `${name}: missing (${s.reason}).`;
  const counts = `${s.findings} finding(s)${s.outOfShard ? `, ${s.outOfShard} set aside as out-of-shard` : ''}`;
  if (s.status === 'failed')
    return `${name}: FAILED (${s.reason ?? 'no reason given'}); ${counts}; ${s.file}`;
  return `${name}: completed, ${counts}; ${s.file}`;
}

async function readShardFiles(input: MergeInput): Promise<ShardDocument[]> {
  const { pattern, cwd } = input.settings.mergeFrom!;
  const own = path.resolve(input.findingsFile);
  const matches = (
    await glob(pattern, {
      cwd,
      absolute: true,
      onlyFiles: true,
      dot: true,
      followSymbolicLinks: false,
    })
  )
    .map((f) => path.resolve(f))
    // The merge's own findings file may sit beside the shards' (a re-run of the merge job).
    .filter((f) => f !== own)
    .sort();
  if (matches.length === 0) {
    throw new ConfigurationError(
      `setting \`merge-from\` = ${JSON.stringify(pattern)}: no file matches in ${cwd}. ` +
        "Download the shards' findings files first (GitHub: actions/download-artifact; GitLab: the shard jobs' artifacts).",
    );
  }
  return matches.map((file) => {
    // Never read through a symlink (the file, or a directory on the way from the workspace): it
    // could point at anything on the runner.
    const link = symlinkOnTheWay(file, cwd);
    if (link) {
      throw new ConfigurationError(
        `setting \`merge-from\`: ${link} is a symbolic link; refusing to read ${file} through it.`,
      );
    }
    let json: unknown;
    try {
      json = JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch (error) {
      throw new ConfigurationError(
        `setting \`merge-from\`: ${file} is not valid JSON (${errorMessage(error)}).`,
      );
    }
    return readShardFile(file, json);
  });
}

/** The first symlink among the file and the directories between `cwd` and it, if any. */
function symlinkOnTheWay(file: string, cwd: string): string | undefined {
  const base = path.resolve(cwd);
  const relative = path.relative(base, file);
  const inside = relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
  const parts = inside ? relative.split(path.sep) : [];
  const candidates = inside
    ? parts.map((_, i) => path.join(base, ...parts.slice(0, i + 1)))
    : [file];
  return candidates.find((p) => fs.lstatSync(p).isSymbolicLink());
}
