// A shard's scope from git: the changed files of each review target, the tracked files of an
// audit, and what Codex is told when the slice is too long for one command-line argument.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RecordingLogger } from '../../src/core/logger.js';
import { chooseShardScope, shardedCodexSettings } from '../../src/core/pipeline/shard-scope.js';
import { parseSettings, type Settings } from '../../src/core/settings.js';
import { GitRepo } from '../support/git-repo.js';

const repos: GitRepo[] = [];
afterEach(() => {
  while (repos.length) repos.pop()!.remove();
});

function repo(): GitRepo {
  const r = GitRepo.create();
  repos.push(r);
  r.write('a/one.js', 'one\n').write('b/two.js', 'two\n').write('c/three.js', 'three\n');
  return r;
}

const settingsFor = (dir: string, raw: Record<string, string>): Settings =>
  parseSettings({ 'openai-api-key': 'sk-x', ...raw }, { workspace: dir });

async function filesInScope(
  settings: Settings,
  target: Parameters<typeof chooseShardScope>[0]['target'],
): Promise<string[]> {
  const scope = await chooseShardScope({ settings, target, logger: new RecordingLogger() });
  return [...scope!.owner.keys()].sort();
}

describe('the files a shard splits', () => {
  it('an audit: every tracked file under the working directory, repository-relative', async () => {
    const r = repo();
    r.commit('initial');
    r.write('untracked.js', 'x\n');
    expect(
      await filesInScope(
        settingsFor(r.dir, { mode: 'exec', prompt: 'p', shard: '1/2' }),
        undefined,
      ),
    ).toEqual(['a/one.js', 'b/two.js', 'c/three.js']);
    expect(
      await filesInScope(
        settingsFor(r.dir, { mode: 'exec', prompt: 'p', shard: '1/2', 'working-directory': 'b' }),
        undefined,
      ),
    ).toEqual(['b/two.js']);
  });

  it('a review against a base: the files changed since the merge base, renames by their new path', async () => {
    const r = repo();
    const base = r.commit('initial');
    r.git('checkout', '-q', '-b', 'feature');
    r.write('a/one.js', 'one changed\n');
    r.git('mv', 'b/two.js', 'b/renamed.js');
    r.write('d/new.js', 'new\n');
    r.commit('change');
    const settings = settingsFor(r.dir, { shard: '2/2' });
    expect(await filesInScope(settings, { kind: 'base', base: 'main', mergeBase: base })).toEqual([
      'a/one.js',
      'b/renamed.js',
      'd/new.js',
    ]);
  });

  it('a commit: its own changes, the root commit included', async () => {
    const r = repo();
    const root = r.commit('initial');
    r.write('c/three.js', 'three changed\n');
    const second = r.commit('second');
    const settings = settingsFor(r.dir, { shard: '1/3' });
    expect(await filesInScope(settings, { kind: 'commit', sha: second })).toEqual(['c/three.js']);
    expect(await filesInScope(settings, { kind: 'commit', sha: root })).toEqual([
      'a/one.js',
      'b/two.js',
      'c/three.js',
    ]);
  });

  it('uncommitted changes: modified tracked files and untracked ones', async () => {
    const r = repo();
    r.commit('initial');
    r.write('a/one.js', 'edited\n').write('e/fresh.js', 'fresh\n');
    expect(
      await filesInScope(settingsFor(r.dir, { shard: '1/2' }), { kind: 'uncommitted' }),
    ).toEqual(['a/one.js', 'e/fresh.js']);
  });

  it('refuses an audit outside a git repository, naming the setting', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'codex-review-nogit-'));
    await expect(
      chooseShardScope({
        settings: settingsFor(dir, { mode: 'exec', prompt: 'p', shard: '1/2' }),
        target: undefined,
        logger: new RecordingLogger(),
      }),
    ).rejects.toThrow(/setting `shard`: .* is not a git repository/);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe('what Codex is told', () => {
  it('a review: the slice first, then the extra instructions; an exec prompt: the slice last', async () => {
    const r = repo();
    r.commit('initial');
    const review = settingsFor(r.dir, { shard: '1/2', prompt: 'Focus on security.' });
    const scope = (await chooseShardScope({
      settings: review,
      target: { kind: 'uncommitted' },
      logger: new RecordingLogger(),
    }))!;
    const prompt = shardedCodexSettings(review, scope, r.dir).prompt!;
    expect(prompt).toMatch(/^This review is shard 1 of 2/);
    expect(prompt).toMatch(/\n\nFocus on security\.$/);

    const exec = settingsFor(r.dir, { mode: 'exec', prompt: 'Audit it.', shard: '2/2' });
    const execScope = (await chooseShardScope({
      settings: exec,
      target: undefined,
      logger: new RecordingLogger(),
    }))!;
    expect(shardedCodexSettings(exec, execScope, r.dir).prompt).toMatch(
      /^Audit it\.\n\nThis task is shard 2 of 2/,
    );
  });

  it('a slice too long for the command line goes to a file the prompt names', async () => {
    const r = GitRepo.create();
    repos.push(r);
    // 2,000 files in 2,000 directories of one file each: a listing of about 80 KiB.
    for (let i = 0; i < 2_000; i++) r.write(`directory-with-a-long-name-${i}/f.js`, 'x\n');
    r.commit('many');
    const settings = settingsFor(r.dir, { mode: 'exec', prompt: 'Audit it.', shard: '1/2' });
    const scope = (await chooseShardScope({
      settings,
      target: undefined,
      logger: new RecordingLogger(),
    }))!;
    const listingDir = fs.mkdtempSync(path.join(os.tmpdir(), 'codex-review-listing-'));
    const prompt = shardedCodexSettings(settings, scope, listingDir).prompt!;
    expect(prompt.length).toBeLessThan(2_000);
    const file = path.join(listingDir, 'codex-review-shard-files.txt');
    expect(prompt).toContain(file);
    expect(fs.readFileSync(file, 'utf8').trim().split('\n')).toHaveLength(scope.slice.units.length);
    fs.rmSync(listingDir, { recursive: true, force: true });
  });

  it('one shard of one is told nothing: every file is its own', async () => {
    const r = repo();
    r.commit('initial');
    const settings = settingsFor(r.dir, { mode: 'exec', prompt: 'Audit it.', shard: '1/1' });
    const scope = (await chooseShardScope({
      settings,
      target: undefined,
      logger: new RecordingLogger(),
    }))!;
    expect(shardedCodexSettings(settings, scope, r.dir).prompt).toBe('Audit it.');
  });
});
