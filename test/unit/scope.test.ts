// What a run reviews, decided before Codex starts, on real git repositories.
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../src/core/errors.js';
import { RecordingLogger } from '../../src/core/logger.js';
import { chooseScope, type ScopeInput } from '../../src/core/pipeline/scope.js';
import type { SummaryState } from '../../src/core/state/markers.js';
import { featureRepo, type GitRepo } from '../support/git-repo.js';

const repos: GitRepo[] = [];
afterEach(() => {
  while (repos.length) repos.pop()!.remove();
});

function setup() {
  const made = featureRepo();
  repos.push(made.repo);
  return made;
}

const state = (reviewedHead: string): SummaryState => ({
  version: 2,
  reviewedHead,
  findings: [],
});

function input(repo: GitRepo, over: Partial<ScopeInput> = {}): ScopeInput {
  return {
    cwd: repo.dir,
    base: undefined,
    commit: undefined,
    change: undefined,
    defaults: {},
    logger: new RecordingLogger(),
    ...over,
  };
}

const cr = (baseSha: string, headSha: string) => ({
  number: 1,
  url: undefined,
  baseSha,
  headSha,
});

describe('chooseScope', () => {
  it('reviews an explicit commit, with its subject as the title', async () => {
    const { repo, headSha } = setup();
    const scope = await chooseScope(input(repo, { commit: headSha }));
    expect(scope.target).toEqual({ kind: 'commit', sha: headSha, title: 'add mean' });
    expect(scope.incremental).toBe(false);
  });

  it('lets an explicit base win over the change request', async () => {
    const { repo, baseSha, headSha } = setup();
    const scope = await chooseScope(
      input(repo, {
        base: 'main',
        change: {
          cr: cr(baseSha, headSha),
          noun: 'pull request',
          prior: undefined,
          incremental: true,
        },
      }),
    );
    expect(scope.target).toMatchObject({ kind: 'base', base: 'main', mergeBase: baseSha });
  });

  it('uses the front door default outside a change request (a push: its commit)', async () => {
    const { repo, headSha } = setup();
    const scope = await chooseScope(input(repo, { defaults: { commit: headSha } }));
    expect(scope.target).toMatchObject({ kind: 'commit', sha: headSha });
  });

  it('reviews the whole change request the first time', async () => {
    const { repo, baseSha, headSha } = setup();
    const scope = await chooseScope(
      input(repo, {
        change: {
          cr: cr(baseSha, headSha),
          noun: 'pull request',
          prior: undefined,
          incremental: true,
        },
      }),
    );
    expect(scope).toMatchObject({ base: baseSha, incremental: false, changedLines: undefined });
    expect(scope.target).toMatchObject({ kind: 'base', base: baseSha });
  });

  it('reviews only the commits since the last reviewed head, with the lines they changed', async () => {
    const { repo, baseSha, headSha } = setup();
    repo.write('app.js', `${repo.git('show', 'HEAD:app.js')}\nexport const more = 1;\n`);
    const newHead = repo.commit('more');
    const logger = new RecordingLogger();
    const scope = await chooseScope(
      input(repo, {
        logger,
        change: {
          cr: cr(baseSha, newHead),
          noun: 'pull request',
          prior: state(headSha),
          incremental: true,
        },
      }),
    );
    expect(scope.incremental).toBe(true);
    expect(scope.base).toBe(headSha);
    expect(scope.target).toMatchObject({ kind: 'base', base: headSha, mergeBase: headSha });
    expect([...scope.changedLines!.keys()]).toEqual(['app.js']);
    expect(logger.text()).toContain(`the commits since ${headSha.slice(0, 7)}`);
  });

  it('reviews the whole change when incremental review is off', async () => {
    const { repo, baseSha, headSha } = setup();
    repo.write('b.js', 'x\n');
    const newHead = repo.commit('b');
    const scope = await chooseScope(
      input(repo, {
        change: {
          cr: cr(baseSha, newHead),
          noun: 'pull request',
          prior: state(headSha),
          incremental: false,
        },
      }),
    );
    expect(scope.incremental).toBe(false);
    expect(scope.base).toBe(baseSha);
  });

  it('reviews the whole change after a force-push (the last head is no longer an ancestor)', async () => {
    const { repo, baseSha, headSha } = setup();
    repo.git('reset', '-q', '--hard', baseSha);
    repo.write('c.js', 'rewritten\n');
    const rewritten = repo.commit('rewritten');
    const logger = new RecordingLogger();
    const scope = await chooseScope(
      input(repo, {
        logger,
        change: {
          cr: cr(baseSha, rewritten),
          noun: 'pull request',
          prior: state(headSha),
          incremental: true,
        },
      }),
    );
    expect(scope.incremental).toBe(false);
    expect(logger.text()).toContain('no longer an ancestor');
  });

  it('reviews the whole change when the new commits include a merge', async () => {
    const { repo, baseSha, headSha } = setup();
    repo.git('checkout', '-q', 'main');
    repo.write('main.txt', 'main moved\n');
    repo.commit('main moves');
    repo.git('checkout', '-q', 'feature');
    repo.git('merge', '-q', '--no-edit', 'main');
    const merged = repo.git('rev-parse', 'HEAD');
    const scope = await chooseScope(
      input(repo, {
        change: {
          cr: cr(baseSha, merged),
          noun: 'pull request',
          prior: state(headSha),
          incremental: true,
        },
      }),
    );
    expect(scope.incremental).toBe(false);
  });

  it('refuses a checkout that does not contain the head, naming what to check out', async () => {
    const { repo, baseSha, headSha } = setup();
    repo.git('checkout', '-q', 'main');
    const error = await chooseScope(
      input(repo, {
        change: {
          cr: cr(baseSha, headSha),
          noun: 'merge request',
          prior: undefined,
          incremental: true,
        },
      }),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as Error).message).toContain('does not contain the merge request head');
  });

  it('accepts a merge commit that contains the head, and then reviews the whole change', async () => {
    const { repo, baseSha, headSha } = setup();
    repo.git('checkout', '-q', '-b', 'merged', 'main');
    repo.git('merge', '-q', '--no-ff', '--no-edit', 'feature');
    const logger = new RecordingLogger();
    const scope = await chooseScope(
      input(repo, {
        logger,
        change: {
          cr: cr(baseSha, headSha),
          noun: 'pull request',
          prior: state(baseSha),
          incremental: true,
        },
      }),
    );
    expect(scope.incremental).toBe(false);
    expect(logger.text()).toContain('not the pull request head');
  });
});
