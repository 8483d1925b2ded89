// decideTrigger, the check of who may make a run spend the API key, against the fake GitHub API
// for the actor's permission.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { RecordingLogger } from '../../src/core/logger.js';
import type { EventContext } from '../../src/github/context.js';
import { createOctokit } from '../../src/github/octokit.js';
import { decideTrigger, isFork } from '../../src/github/trust.js';
import { FakeGitHub } from '../fakes/github-api.js';
import { featureRepo, type GitRepo } from '../support/git-repo.js';

const TOKEN = 'ghs_trust_token_0123456789';
const REPO = { owner: 'octo', repo: 'demo' };

let repo: GitRepo;
beforeAll(() => {
  repo = featureRepo().repo;
});
afterAll(() => repo.remove());

let gh: FakeGitHub;
let logger: RecordingLogger;
beforeEach(async () => {
  gh = await new FakeGitHub({
    repoDir: repo.dir,
    ...REPO,
    tokens: { [TOKEN]: 'write' },
    permissions: {
      boss: 'admin',
      keeper: 'maintain',
      dev: 'write',
      helper: 'triage',
      reader: 'read',
      auditor: { custom: 'security-auditor', base: 'write' },
      watcher: { custom: 'release-watcher', base: 'read' },
    },
  }).start();
  logger = new RecordingLogger();
});
afterEach(() => gh.stop());

/** The action's own Octokit: the permission check only reads, so throttling costs nothing. */
const octokit = (token = TOKEN) =>
  createOctokit(token, logger, { GITHUB_API_URL: gh.url, CODEX_REVIEW_GITHUB_RETRY_BASE_MS: '1' });

function context(overrides: Partial<EventContext> & { fork?: boolean } = {}): EventContext {
  const { fork, ...rest } = overrides;
  return {
    eventName: 'pull_request',
    sha: 'abc',
    repository: REPO,
    serverUrl: 'https://github.com',
    runUrl: undefined,
    workflow: 'review',
    job: 'review',
    actor: 'dev',
    payload: {
      pull_request: {
        number: 3,
        base: { repo: { full_name: 'octo/demo' } },
        head: { repo: { full_name: fork ? 'stranger/demo' : 'Octo/Demo' } },
      },
    },
    ...rest,
  };
}

type TrustSettings = Parameters<typeof decideTrigger>[0]['settings'];
const settings: TrustSettings = {
  allowUsers: [],
  allowBots: [],
  allowUntrustedPullRequests: false,
  openaiApiKey: 'sk-test',
};

const decide = (
  ctx: EventContext,
  overrides: Partial<TrustSettings> = {},
  /** null: no token at all. */
  client: ReturnType<typeof octokit> | null = octokit(),
) =>
  decideTrigger({
    context: ctx,
    settings: { ...settings, ...overrides },
    octokit: client ?? undefined,
    logger,
  });

const permissionChecks = () =>
  gh.requests.filter((r) => r.path.includes('/collaborators/')).map((r) => r.path.split('/')[5]);

describe('decideTrigger: the actor', () => {
  it('runs for those who can write: admin, maintain, write', async () => {
    for (const actor of ['boss', 'keeper', 'dev']) {
      expect(await decide(context({ actor }))).toEqual({ kind: 'run' });
    }
    expect(permissionChecks()).toEqual(['boss', 'keeper', 'dev']);
  });

  it('decides a custom role by the base role it is built on, naming it', async () => {
    expect(await decide(context({ actor: 'auditor' }))).toEqual({ kind: 'run' });
    expect(await decide(context({ actor: 'watcher' }))).toMatchObject({
      kind: 'skip',
      reason: expect.stringContaining('watcher has "release-watcher" permission'),
    });
  });

  it('skips, naming the permission, for triage, read and strangers', async () => {
    expect(await decide(context({ actor: 'helper' }))).toEqual({
      kind: 'skip',
      reason:
        'helper has "triage" permission on this repository; codex-review runs for users who can write to it. Add them to `allow-users` to let them trigger reviews.',
    });
    expect(await decide(context({ actor: 'reader' }))).toMatchObject({
      kind: 'skip',
      reason: expect.stringContaining('reader has "read" permission'),
    });
    expect(await decide(context({ actor: 'passer-by' }))).toMatchObject({
      kind: 'skip',
      reason: expect.stringContaining('passer-by has "read" permission'),
    });
  });

  it('runs for a listed user without asking GitHub, whatever the case', async () => {
    expect(
      await decide(context({ actor: 'Reader' }), { allowUsers: ['someone', 'reader'] }),
    ).toEqual({ kind: 'run' });
    expect(permissionChecks()).toEqual([]);
  });

  it('skips a bot unless allow-bots lists it, with or without [bot]', async () => {
    const bot = context({ actor: 'dependabot[bot]' });
    expect(await decide(bot)).toEqual({
      kind: 'skip',
      reason: 'The run was triggered by the bot dependabot[bot], which is not in `allow-bots`.',
    });
    expect(await decide(bot, { allowBots: ['Dependabot'] })).toEqual({ kind: 'run' });
    expect(await decide(bot, { allowBots: ['dependabot[bot]'] })).toEqual({ kind: 'run' });
    expect(await decide(bot, { allowBots: ['renovate'] })).toMatchObject({ kind: 'skip' });
    expect(permissionChecks()).toEqual([]);
  });

  it('refuses when it cannot tell who triggered the run or cannot ask', async () => {
    expect(await decide(context({ actor: undefined }))).toEqual({
      kind: 'refuse',
      reason: 'GITHUB_ACTOR is not set: cannot tell who triggered this run.',
    });
    expect(await decide(context(), {}, null)).toMatchObject({
      kind: 'refuse',
      reason: expect.stringContaining('No `github-token`'),
    });
    expect(await decide(context({ repository: undefined }))).toMatchObject({ kind: 'refuse' });
  });

  it('refuses on a bad token, saying so', async () => {
    expect(await decide(context(), {}, octokit('ghs_wrong_token_0123456789'))).toEqual({
      kind: 'refuse',
      reason:
        'GitHub rejected `github-token` (401 Bad credentials). Leave it at its default (`${{ github.token }}`) or give a valid token.',
    });
  });

  it('refuses when the permission cannot be read', async () => {
    gh.inject({ path: /\/permission$/, status: 403, body: { message: 'Must have push access' } });
    expect(await decide(context())).toMatchObject({
      kind: 'refuse',
      reason: expect.stringMatching(
        /^Could not check the repository permission of dev \(Must have push access.*\); refusing to run for an unknown actor\.$/,
      ),
    });
  });
});

describe('decideTrigger: the event', () => {
  it('runs scheduled and manual runs without asking GitHub', async () => {
    for (const eventName of ['schedule', 'workflow_dispatch']) {
      expect(await decide(context({ eventName, actor: 'passer-by' }))).toEqual({ kind: 'run' });
    }
    expect(gh.requests).toEqual([]);
  });

  it("refuses a pull_request_target run on a fork's code unless the workflow opts in", async () => {
    const target = context({ eventName: 'pull_request_target', fork: true });
    expect(await decide(target)).toMatchObject({
      kind: 'refuse',
      reason: expect.stringContaining(
        "would let Codex read a fork's code while holding your secrets",
      ),
    });
    expect(gh.requests).toEqual([]);
    expect(await decide(target, { allowUntrustedPullRequests: true })).toEqual({ kind: 'run' });
    expect(logger.text()).toContain('allow-untrusted-pull-requests is on');
    // The opt-in does not skip the actor check.
    expect(
      await decide({ ...target, actor: 'reader' }, { allowUntrustedPullRequests: true }),
    ).toMatchObject({ kind: 'skip' });
  });

  it('runs pull_request_target on a branch of the repository itself (names compared ignoring case)', async () => {
    const target = context({ eventName: 'pull_request_target' });
    expect(isFork(target)).toBe(false);
    expect(await decide(target)).toEqual({ kind: 'run' });
  });

  it("skips a fork's pull_request run, which gets no secrets, when there is no API key", async () => {
    expect(await decide(context({ fork: true }), { openaiApiKey: undefined })).toEqual({
      kind: 'skip',
      reason:
        'Pull requests from forks get no secrets, so there is no OpenAI API key: the review is skipped.',
    });
    // With a key (a repository that shares one), the actor decides.
    expect(await decide(context({ fork: true }))).toEqual({ kind: 'run' });
  });
});
