// GitHubPlatform's review threads (GraphQL) against the fake GitHub: which threads are ours,
// dismissals, and resolving the threads of fixed findings — with an installation token (a bot,
// named `name` in GraphQL and `name[bot]` in REST) and with a personal token (a user).
import { getOctokit } from '@actions/github';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { dismissalMarker } from '../../src/core/conversation/markers.js';
import { RecordingLogger } from '../../src/core/logger.js';
import type { ChangeRequest } from '../../src/core/platform.js';
import { findingMarker } from '../../src/core/state/markers.js';
import { GitHubPlatform } from '../../src/github/platform.js';
import { FakeGitHub } from '../fakes/github-api.js';
import type { GitRepo } from '../support/git-repo.js';
import { prRepo } from '../support/pr-repo.js';

const TOKEN = 'ghs_threads_token_0123456789';
const READ = 'ghs_threads_read_0123456789';
const PR = 6;
const FP = ['0123456789abcdef', '1123456789abcdef', '2123456789abcdef', '3123456789abcdef'];

let fixture: { repo: GitRepo; baseSha: string; headSha: string };
beforeAll(() => {
  fixture = prRepo();
});
afterAll(() => fixture.repo.remove());
const stops: FakeGitHub[] = [];
afterEach(async () => {
  for (const gh of stops.splice(0)) await gh.stop();
});

async function setup(login: string) {
  const gh = await new FakeGitHub({
    repoDir: fixture.repo.dir,
    owner: 'octo',
    repo: 'demo',
    login,
    tokens: { [TOKEN]: 'write', [READ]: 'read' },
  }).start();
  stops.push(gh);
  gh.setPullRequest({ number: PR, baseSha: fixture.baseSha, headSha: fixture.headSha });
  const logger = new RecordingLogger();
  const platform = (token = TOKEN) =>
    new GitHubPlatform(
      getOctokit(token, { baseUrl: gh.url }),
      { owner: 'octo', repo: 'demo' },
      { serverUrl: 'https://github.com', workspace: fixture.repo.dir, logger },
    );
  const cr: ChangeRequest = {
    number: PR,
    url: undefined,
    baseSha: fixture.baseSha,
    headSha: fixture.headSha,
  };
  // Four findings of ours, in one review (each comment opens a thread).
  await getOctokit(TOKEN, { baseUrl: gh.url }).rest.pulls.createReview({
    owner: 'octo',
    repo: 'demo',
    pull_number: PR,
    commit_id: fixture.headSha,
    event: 'COMMENT',
    comments: FP.map((fp, i) => ({
      path: 'app.js',
      line: [4, 21, 22, 23][i]!,
      side: 'RIGHT' as const,
      body: `**P1 · Finding ${i}**\n\n${findingMarker(fp)}`,
    })),
  });
  const roots = gh.reviewComments();
  return { gh, platform, cr, logger, roots };
}

describe.each([
  ['an installation token', 'github-actions[bot]'],
  ['a personal token', 'codex-user'],
])('review threads with %s', (_name, login) => {
  it('reads dismissals: resolved by a person, or a dismiss we acknowledged; not what we resolved', async () => {
    const { gh, platform, cr, roots } = await setup(login);
    // 0: a person resolved it, saying why. 1: we resolved it (fixed). 2: dismissed by command.
    // 3: open.
    gh.seedReviewReply(roots[0]!.id, 'Intended: the parser is lenient.', 'alice');
    gh.setThreadResolution(roots[0]!.id, true, 'alice');
    gh.setThreadResolution(roots[1]!.id, true, login);
    gh.seedReviewReply(
      roots[2]!.id,
      `Dismissed.\n${dismissalMarker({ fingerprint: FP[2]!, by: 'bob', reason: 'not our code' })}`,
      login,
    );
    gh.setThreadResolution(roots[2]!.id, true, login);
    const { dismissed } = await platform().loadExisting(cr);
    expect([...dismissed!.keys()].sort()).toEqual([FP[0], FP[2]]);
    expect(dismissed!.get(FP[0]!)).toMatchObject({
      by: 'alice',
      reason: 'Intended: the parser is lenient.',
      title: 'P1 · Finding 0',
      path: 'app.js',
      line: 4,
    });
    expect(dismissed!.get(FP[2]!)).toMatchObject({ by: 'bob', reason: 'not our code' });
  });

  it('believes no dismissal planted by someone else, and none in a reopened thread', async () => {
    const { gh, platform, cr, roots } = await setup(login);
    gh.seedReviewReply(
      roots[0]!.id,
      dismissalMarker({ fingerprint: FP[0]!, by: 'mallory', reason: 'trust me' }),
      'mallory',
    );
    gh.setThreadResolution(roots[0]!.id, true, login);
    gh.seedReviewReply(
      roots[1]!.id,
      `ok\n${dismissalMarker({ fingerprint: FP[1]!, reason: 'x' })}`,
      login,
    );
    gh.setThreadResolution(roots[1]!.id, true, login);
    gh.setThreadResolution(roots[1]!.id, false, 'alice');
    const { dismissed } = await platform().loadExisting(cr);
    expect(dismissed!.size).toBe(0);
  });

  it('resolves the threads of fixed findings, but not one a person replied in', async () => {
    const { gh, platform, cr, roots } = await setup(login);
    gh.seedReviewReply(roots[1]!.id, 'Will fix later', 'alice');
    gh.seedReviewReply(roots[2]!.id, 'An answer of ours', login);
    const count = await platform().resolveFixed(cr, [FP[0]!, FP[1]!, FP[2]!]);
    expect(count).toBe(2);
    expect(gh.threads(PR).map((t) => t.resolved)).toEqual([true, false, true, false]);
  });

  it('warns, and resolves nothing, when the token may not resolve threads', async () => {
    const { gh, platform, cr, logger } = await setup(login);
    expect(await platform(READ).resolveFixed(cr, [FP[0]!])).toBe(0);
    expect(logger.text()).toContain('may not resolve review threads');
    expect(gh.threads(PR).every((t) => !t.resolved)).toBe(true);
  });
});
