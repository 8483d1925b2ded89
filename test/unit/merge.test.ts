// Combining the shards' findings files (`mode: merge`): the files are written by the real
// findings-file writer and read back, so the writer and the merge cannot drift apart.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../src/core/errors.js';
import { combineShards, readShardFile, type ShardDocument } from '../../src/core/merge.js';
import { Redactor } from '../../src/core/redact.js';
import {
  writeFailedShardFile,
  writeFindingsFile,
  type ShardRecord,
} from '../../src/core/report/findings-file.js';
import { fingerprintOf, type Finding } from '../../src/core/review/finding.js';
import type { ReviewResult } from '../../src/core/review/result.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'codex-review-merge-'));
const SHA = 'a'.repeat(40);

function finding(title: string, file: string | null, priority = 1): Finding {
  return {
    title,
    body: `Why ${title}.`,
    priority,
    confidence: 0.8,
    path: file,
    startLine: file ? 3 : null,
    endLine: file ? 3 : null,
    inRepo: file !== null,
    fingerprint: fingerprintOf(file, title),
  };
}

function result(findings: Finding[], overrides: Partial<ReviewResult> = {}): ReviewResult {
  return {
    mode: 'exec',
    target: undefined,
    headSha: SHA,
    threadId: 't',
    finalMessage: 'done',
    findings,
    verdict: {
      correctness: findings.length ? 'patch is incorrect' : 'patch is correct',
      explanation: `${findings.length} problem(s).`,
      confidence: 0.7,
    },
    structured: undefined,
    source: 'exec-json',
    incomplete: undefined,
    usage: {
      input_tokens: 100,
      cached_input_tokens: 10,
      output_tokens: 20,
      reasoning_output_tokens: 5,
    },
    blockingCount: 0,
    codex: { version: '0.171.0', durationMs: 1000, fromCache: true },
    exec: { schema: 'built-in', replyErrors: [], findingsShaped: true },
    ...overrides,
  };
}

let counter = 0;
function shardFile(
  index: number,
  total: number,
  findings: Finding[],
  options: { outOfShard?: Finding[]; overrides?: Partial<ReviewResult> } = {},
): ShardDocument {
  const file = path.join(dir, `f${counter++}.json`);
  const record: ShardRecord = {
    index,
    total,
    status: options.overrides?.incomplete ? 'failed' : 'completed',
    reason: options.overrides?.incomplete,
    files: 10,
    outOfShard: options.outOfShard ?? [],
  };
  writeFindingsFile(
    file,
    result(findings, options.overrides),
    new Redactor(),
    { roots: [dir] },
    { shard: record },
  );
  return readShardFile(file, JSON.parse(fs.readFileSync(file, 'utf8')));
}

describe('combining the shards of one run', () => {
  it('keeps every shard’s own findings once, sums usage, and gives one verdict', () => {
    const shared = finding('No tests for the parser', null, 2);
    const merged = combineShards(
      [
        shardFile(1, 3, [finding('SQL injection', 'src/db.ts', 0), shared]),
        shardFile(2, 3, [], {
          // Shard 2 saw shard 1's problem too, in shard 1's file: set aside, not merged.
          outOfShard: [finding('Query built from user input', 'src/db.ts', 0)],
        }),
        shardFile(3, 3, [finding('Race in the cache', 'lib/cache.ts'), shared]),
      ],
      { failOn: 'p1' },
    );
    expect(merged.incomplete).toBeUndefined();
    expect(merged.result.findings.map((f) => f.title)).toEqual([
      'SQL injection',
      'Race in the cache',
      'No tests for the parser',
    ]);
    expect(merged.result.blockingCount).toBe(2);
    expect(merged.result.usage).toEqual({
      input_tokens: 300,
      cached_input_tokens: 30,
      output_tokens: 60,
      reasoning_output_tokens: 15,
    });
    expect(merged.result.verdict.correctness).toBe('patch is incorrect');
    expect(merged.result.verdict.explanation).toBe(
      'Shard 1/3: 2 problem(s).\n\nShard 2/3: 0 problem(s).\n\nShard 3/3: 2 problem(s).',
    );
    expect(merged.result.headSha).toBe(SHA);
    expect(merged.shards.map((s) => [s.index, s.status, s.findings, s.outOfShard])).toEqual([
      [1, 'completed', 2, 0],
      [2, 'completed', 0, 1],
      [3, 'completed', 2, 0],
    ]);
  });

  it('says "patch is correct" only when every shard does', () => {
    const merged = combineShards([shardFile(1, 2, []), shardFile(2, 2, [])], { failOn: 'none' });
    expect(merged.result.verdict.correctness).toBe('patch is correct');
  });

  it('names a missing shard and a failed one, and marks the result incomplete', () => {
    const failed = path.join(dir, 'failed.json');
    writeFailedShardFile(
      failed,
      {
        shard: { index: 3, total: 4 },
        reason: 'Codex exited with code 1',
        mode: 'exec',
        headSha: SHA,
      },
      new Redactor(),
      { roots: [dir] },
    );
    const merged = combineShards(
      [
        shardFile(1, 4, [finding('A', 'a.ts')]),
        shardFile(4, 4, []),
        readShardFile(failed, JSON.parse(fs.readFileSync(failed, 'utf8'))),
      ],
      { failOn: 'none' },
    );
    expect(merged.incomplete).toBe(
      'The merged result is incomplete: shard 2/4 is missing (no findings file of this shard matched `merge-from`); ' +
        'shard 3/4 failed (Codex exited with code 1).',
    );
    expect(merged.result.incomplete).toBe(merged.incomplete);
    expect(merged.result.findings).toHaveLength(1);
  });

  it('treats an interrupted shard as failed', () => {
    const merged = combineShards(
      [
        shardFile(1, 2, []),
        shardFile(2, 2, [], { overrides: { incomplete: 'Review was interrupted.' } }),
      ],
      { failOn: 'none' },
    );
    expect(merged.incomplete).toContain('shard 2/2 failed (Review was interrupted.)');
  });
});

describe('files that cannot be merged', () => {
  const expectError = (fn: () => unknown, message: RegExp) => {
    expect(fn).toThrow(ConfigurationError);
    expect(fn).toThrow(message);
  };

  it('refuses the findings file of a run that was not sharded, naming it', () => {
    const file = path.join(dir, 'whole.json');
    writeFindingsFile(file, result([]), new Redactor(), { roots: [dir] });
    expectError(
      () => readShardFile(file, JSON.parse(fs.readFileSync(file, 'utf8'))),
      /whole\.json was not written by a sharded job/,
    );
  });

  it('names the file and the key of a file that is not a findings file', () => {
    expectError(
      () => readShardFile('x.json', { version: 1, mode: 'exec', findings: 'none' }),
      /x\.json is not a codex-review findings file .*`findings`/,
    );
  });

  it('refuses files of different runs: other n, the same shard twice, other commits', () => {
    expectError(
      () => combineShards([shardFile(1, 2, []), shardFile(2, 3, [])], { failOn: 'none' }),
      /not from one sharded run: .* is shard 1\/2, .* is shard 2\/3/,
    );
    expectError(
      () => combineShards([shardFile(1, 2, []), shardFile(1, 2, [])], { failOn: 'none' }),
      /Two findings files for shard 1\/2/,
    );
    expectError(
      () =>
        combineShards(
          [shardFile(1, 2, []), shardFile(2, 2, [], { overrides: { headSha: 'b'.repeat(40) } })],
          { failOn: 'none' },
        ),
      /reviewed different commits: aaaaaaaaaaaa .*, bbbbbbbbbbbb/,
    );
  });
});
