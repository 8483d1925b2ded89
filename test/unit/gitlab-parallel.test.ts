// GitLab's `parallel: N` as `shard: i/n` when the shard setting is empty.
import fs from 'node:fs';
import path from 'node:path';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parallelShard } from '../../src/cli/gitlab.js';

describe('a GitLab job of parallel: N', () => {
  it('is shard CI_NODE_INDEX of CI_NODE_TOTAL (both 1-based)', () => {
    expect(parallelShard({ CI_NODE_INDEX: '2', CI_NODE_TOTAL: '4' })).toBe('2/4');
  });

  it('is not sharded outside parallel: (CI_NODE_TOTAL is 1, CI_NODE_INDEX unset)', () => {
    expect(parallelShard({ CI_NODE_TOTAL: '1' })).toBeUndefined();
    expect(parallelShard({})).toBeUndefined();
    expect(parallelShard({ CI_NODE_TOTAL: '3' })).toBeUndefined();
  });
});

describe("the README's sharded GitLab pipeline", () => {
  const root = path.resolve(import.meta.dirname, '..', '..');
  const blocks = [
    ...fs
      .readFileSync(path.join(root, 'README.md'), 'utf8')
      .matchAll(/^```ya?ml\n([\s\S]*?)^```/gm),
  ]
    .map((m) => m[1]!)
    .filter((text) => text.includes(' merge --merge-from '));

  it('is valid against GitLab CI schema, with a parallel job whose artifacts the merge job reads', () => {
    expect(blocks).toHaveLength(1);
    const schema = JSON.parse(
      fs.readFileSync(path.join(root, 'test', 'fixtures', 'schemas', 'gitlab-ci.json'), 'utf8'),
    ) as Record<string, unknown>;
    // The schema uses keywords (markdownDescription) that Ajv's strict mode rejects.
    const ajv = new Ajv({ allErrors: true, strict: false });
    addFormats.default(ajv);
    const validate = ajv.compile(schema);
    const pipeline = parse(blocks[0]!) as Record<
      string,
      { parallel?: number; needs?: string[]; artifacts: { paths: string[] }; script: string[] }
    >;
    expect(validate(pipeline), JSON.stringify(validate.errors)).toBe(true);
    const shards = pipeline['codex-audit']!;
    const merge = pipeline['codex-audit-merge']!;
    expect(shards.parallel).toBe(4);
    expect(merge.needs).toEqual(['codex-audit']);
    // The shards' default findings file names match what they upload and what the merge reads.
    expect(shards.artifacts.paths).toEqual(['codex-review-findings-*-of-*.json']);
    expect(merge.script.join('\n')).toContain("--merge-from 'codex-review-findings-*-of-*.json'");
  });
});
