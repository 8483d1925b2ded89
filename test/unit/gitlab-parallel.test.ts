// GitLab's `parallel: N` as `shard: i/n` when the shard setting is empty.
import { describe, expect, it } from 'vitest';
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
