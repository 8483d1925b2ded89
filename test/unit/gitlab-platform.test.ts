// GitLabPlatform against the HTTP fake of GitLab (GitLab's behaviour by default): positions
// GitLab accepts for every kind of line, one review per run, the summary note found again and
// edited in place, fixed threads resolved, and the files GitLab sends without a diff read from git.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DiffIndex } from '../../src/core/diff/diff-index.js';
import type { InlineAnchor } from '../../src/core/diff/placement.js';
import { RecordingLogger } from '../../src/core/logger.js';
import {
  PermissionDeniedError,
  type ChangeRequest,
  type InlineComment,
} from '../../src/core/platform.js';
import { findingMarker, SUMMARY_MARKER } from '../../src/core/state/markers.js';
import { GitLabClient } from '../../src/gitlab/client.js';
import { neutralizeQuickActions } from '../../src/core/render/markdown-escape.js';
import { GitLabPlatform, type GitLabMergeRequest } from '../../src/gitlab/platform.js';
import { FakeGitLab, type FakeGitLabOptions } from '../fakes/gitlab-api.js';
import { GitRepo } from '../support/git-repo.js';

const TOKEN = 'glpat-platform-test-0123456789';
const READ = 'glpat-platform-read-0123456789';
const IID = 4;
const WEB = 'https://gitlab.example.com/group/demo';
const numbered = (n: number, label = 'line') =>
  Array.from({ length: n }, (_, i) => `${label} ${i + 1}`);
const code = (file: string, oldPos: number, newPos: number) =>
  `${createHash('sha1').update(file).digest('hex')}_${oldPos}_${newPos}`;

/**
 * main → feature:
 * - app.js (30 lines): "inserted" after line 3 (new 4); line 20 changed (old 20 removed, new 21
 *   added). Hunks @@ -1,6 +1,7 @@ and @@ -17,7 +18,7 @@.
 * - big.js: 200 lines all changed, a patch far bigger than any other.
 * - gone.js: deleted. old-name.js → new-name.js with line 10 changed.
 * - zz-blank-end.js: line 8 changed; its last hunk ends on a blank line (and it sorts last).
 */
function mergeRequestRepo() {
  const repo = GitRepo.create('codex-review-gitlab-platform-');
  repo.write('app.js', `${numbered(30).join('\n')}\n`);
  repo.write('big.js', `${numbered(200, 'const before =').join('\n')}\n`);
  repo.write('gone.js', `${numbered(5).join('\n')}\n`);
  repo.write('old-name.js', `${numbered(20).join('\n')}\n`);
  repo.write('zz-blank-end.js', `${[...numbered(10), '', 'line 12'].join('\n')}\n`);
  const baseSha = repo.commit('base');
  repo.git('checkout', '-q', '-b', 'feature');
  const app = numbered(30);
  app[19] = 'line 20 changed';
  app.splice(3, 0, 'inserted');
  repo.write('app.js', `${app.join('\n')}\n`);
  repo.write('big.js', `${numbered(200, 'const after =').join('\n')}\n`);
  repo.git('rm', '-q', 'gone.js');
  repo.git('mv', 'old-name.js', 'new-name.js');
  const renamed = numbered(20);
  renamed[9] = 'line 10 changed';
  repo.write('new-name.js', `${renamed.join('\n')}\n`);
  const blank = [...numbered(10), '', 'line 12'];
  blank[7] = 'line 8 changed';
  repo.write('zz-blank-end.js', `${blank.join('\n')}\n`);
  const headSha = repo.commit('feature');
  return { repo, baseSha, headSha };
}

let fx: ReturnType<typeof mergeRequestRepo>;
beforeAll(() => {
  fx = mergeRequestRepo();
});
afterAll(() => fx.repo.remove());

let gl: FakeGitLab | undefined;
afterEach(async () => {
  await gl?.stop();
  gl = undefined;
});

async function setup(
  options: Partial<FakeGitLabOptions> = {},
  { token = TOKEN, workspace = fx.repo.dir } = {},
) {
  gl = await new FakeGitLab({
    repoDir: fx.repo.dir,
    projectId: 42,
    projectPath: 'group/demo',
    tokens: { [TOKEN]: 'api', [READ]: 'read_api' },
    ...options,
  }).start();
  gl.setMergeRequest({ iid: IID, baseSha: fx.baseSha, headSha: fx.headSha });
  const logger = new RecordingLogger();
  const client = new GitLabClient({
    baseUrl: gl.url,
    token,
    logger,
    retries: 2,
    baseDelayMs: 1,
    sleep: async () => undefined,
  });
  const mr = await client.get<GitLabMergeRequest>(`/projects/42/merge_requests/${IID}`);
  const refs = mr.diff_refs!;
  const platform = new GitLabPlatform(client, { id: '42', webUrl: WEB }, refs, {
    logger,
    workspace,
    rewriteDelayMs: 0,
  });
  const cr: ChangeRequest = {
    number: IID,
    url: mr.web_url,
    baseSha: refs.base_sha,
    headSha: refs.head_sha,
  };
  return { gl, platform, cr, logger, refs };
}

let serial = 0;
function comment(anchor: Partial<InlineAnchor> & { path: string; line: number }): InlineComment {
  const fingerprint = (++serial).toString(16).padStart(16, '0');
  return {
    fingerprint,
    anchor: { side: 'RIGHT', startLine: anchor.line, clamped: false, ...anchor },
    body: `Finding ${serial} on ${anchor.path}:${anchor.line}\n\n${findingMarker(fingerprint)}`,
  };
}

/** The position GitLab stored for the thread of a comment. */
function storedPosition(c: InlineComment) {
  const thread = gl!.discussions(IID).find((d) => d.notes[0]!.body.includes(c.fingerprint));
  return thread?.notes[0]!.position;
}

/** Patch sizes as GitLab measures them, per path. */
async function patchSizes(): Promise<Record<string, number>> {
  const response = await fetch(`${gl!.url}/projects/42/merge_requests/${IID}/diffs`, {
    headers: { 'PRIVATE-TOKEN': TOKEN },
  });
  const files = (await response.json()) as Array<{ new_path: string; diff: string }>;
  return Object.fromEntries(files.map((f) => [f.new_path, Buffer.byteLength(f.diff)]));
}

describe('positions GitLab accepts', () => {
  it('an added line by new_line, an unchanged one by both numbers, a removed one by old_line', async () => {
    const { platform, cr } = await setup();
    await platform.loadDiff(cr);
    const added = comment({ path: 'app.js', line: 4 });
    const context = comment({ path: 'app.js', line: 19 });
    const removed = comment({ path: 'app.js', side: 'LEFT', line: 20 });
    const contextLeft = comment({ path: 'app.js', side: 'LEFT', line: 22 });
    const result = await platform.postReview(cr, [added, context, removed, contextLeft]);
    expect(result.rejected).toEqual([]);
    expect(result.posted).toEqual([added, context, removed, contextLeft]);
    expect(storedPosition(added)).toMatchObject({ new_line: 4, old_line: null });
    expect(storedPosition(context)).toMatchObject({ new_line: 19, old_line: 18 });
    expect(storedPosition(removed)).toMatchObject({ old_line: 20, new_line: null });
    expect(storedPosition(contextLeft)).toMatchObject({ old_line: 22, new_line: 23 });
    expect(storedPosition(added)).toMatchObject({
      position_type: 'text',
      old_path: 'app.js',
      new_path: 'app.js',
      base_sha: cr.baseSha,
      head_sha: cr.headSha,
    });
  });

  it('a range as line_range whose ends are lines of the diff with their line codes', async () => {
    // The strict fake checks every end against its own diff.
    const { platform, cr } = await setup({ lineRanges: 'checked' });
    await platform.loadDiff(cr);
    const range = comment({ path: 'app.js', startLine: 19, line: 21 });
    const result = await platform.postReview(cr, [range]);
    expect(result.rejected).toEqual([]);
    expect(storedPosition(range)).toEqual(
      expect.objectContaining({
        new_line: 21,
        old_line: null,
        line_range: {
          start: { line_code: code('app.js', 18, 19), type: null, old_line: 18, new_line: 19 },
          end: { line_code: code('app.js', 21, 21), type: 'new', old_line: null, new_line: 21 },
        },
      }),
    );
  });

  it('a renamed file by both paths, a deleted file on the old side, a whole file', async () => {
    const { platform, cr } = await setup({ filePositionPaths: 'changed' });
    await platform.loadDiff(cr);
    const renamed = comment({ path: 'new-name.js', line: 10 });
    const deleted = comment({ path: 'gone.js', side: 'LEFT', line: 2 });
    const file = comment({ path: 'new-name.js', side: 'FILE', line: 1 });
    const result = await platform.postReview(cr, [renamed, deleted, file]);
    expect(result.rejected).toEqual([]);
    expect(storedPosition(renamed)).toMatchObject({
      old_path: 'old-name.js',
      new_path: 'new-name.js',
      new_line: 10,
    });
    expect(storedPosition(deleted)).toMatchObject({
      old_path: 'gone.js',
      new_path: 'gone.js',
      old_line: 2,
      new_line: null,
    });
    expect(storedPosition(file)).toMatchObject({
      position_type: 'file',
      old_path: 'old-name.js',
      new_path: 'new-name.js',
      old_line: null,
      new_line: null,
    });
  });
});

describe('one review per run', () => {
  it('creates drafts and publishes them at once: one notification, the merge request as URL', async () => {
    const { gl, platform, cr } = await setup();
    await platform.loadDiff(cr);
    const comments = [comment({ path: 'app.js', line: 4 }), comment({ path: 'app.js', line: 21 })];
    const result = await platform.postReview(cr, comments);
    expect(result.url).toBe(cr.url);
    expect(gl.drafts(IID)).toEqual([]);
    const threads = gl.discussions(IID);
    expect(threads).toHaveLength(2);
    expect(gl.notifications()).toEqual([
      { kind: 'review', iid: IID, noteIds: threads.map((t) => t.notes[0]!.id) },
    ]);
  });

  it('sends a draft GitLab drops at publish back to the summary, with the others published', async () => {
    const { gl, platform, cr } = await setup();
    await platform.loadDiff(cr);
    // Line 12 is outside the hunks: GitLab takes the draft, then cannot place its note.
    const lost = comment({ path: 'app.js', line: 12 });
    const kept = comment({ path: 'app.js', line: 4 });
    const result = await platform.postReview(cr, [lost, kept]);
    expect(result.posted).toEqual([kept]);
    expect(result.rejected).toEqual([
      {
        comment: lost,
        reason: 'GitLab dropped the comment when publishing (it did not accept the position)',
      },
    ]);
    expect(gl.discussions(IID)).toHaveLength(1);
    expect(gl.drafts(IID)).toEqual([]);
  });

  it('returns a draft refused at creation with GitLab’s words, and publishes nothing when all are', async () => {
    const { gl, platform, cr } = await setup({ draftPositions: 'reject-on-create' });
    await platform.loadDiff(cr);
    const refused = comment({ path: 'app.js', line: 12 });
    const result = await platform.postReview(cr, [refused]);
    expect(result).toEqual({
      url: undefined,
      posted: [],
      rejected: [
        {
          comment: refused,
          reason: `400 Bad request - Note {:line_code=>["can't be blank", "must be a valid line code"]}`,
        },
      ],
    });
    expect(gl.writes.map((w) => w.path)).not.toContainEqual(expect.stringMatching(/bulk_publish/));
  });

  it('deletes drafts a failed run of ours left, so they are not published with this review', async () => {
    const { gl, platform, cr } = await setup();
    await platform.loadDiff(cr);
    const stale = comment({ path: 'app.js', line: 4 });
    await fetch(`${gl.url}/projects/42/merge_requests/${IID}/draft_notes`, {
      method: 'POST',
      headers: { 'PRIVATE-TOKEN': TOKEN, 'content-type': 'application/json' },
      body: JSON.stringify({ note: `stale ${findingMarker('00000000deadbeef')}` }),
    });
    await platform.postReview(cr, [stale]);
    expect(gl.notes(IID).map((n) => n.body)).toEqual([stale.body]);
  });

  it('publishes one by one, leaving them alone, when the token’s user has drafts of their own', async () => {
    const { gl, platform, cr, logger } = await setup();
    await platform.loadDiff(cr);
    await fetch(`${gl.url}/projects/42/merge_requests/${IID}/draft_notes`, {
      method: 'POST',
      headers: { 'PRIVATE-TOKEN': TOKEN, 'content-type': 'application/json' },
      body: JSON.stringify({ note: 'my unfinished thought' }),
    });
    const comments = [comment({ path: 'app.js', line: 4 }), comment({ path: 'app.js', line: 21 })];
    const result = await platform.postReview(cr, comments);
    expect(result.posted).toEqual(comments);
    expect(gl.drafts(IID).map((d) => d.note)).toEqual(['my unfinished thought']);
    expect(gl.notifications().map((n) => n.kind)).toEqual(['note', 'note']);
    expect(logger.text()).toContain('1 unpublished draft(s) of their own');
  });

  it('does not create a draft twice when GitLab answers 502 after creating it', async () => {
    const { gl, platform, cr, logger } = await setup();
    await platform.loadDiff(cr);
    gl.inject({ method: 'POST', path: /draft_notes$/, status: 502, afterHandler: true });
    gl.inject({ method: 'POST', path: /draft_notes$/, status: 502 });
    const landedAnyway = comment({ path: 'app.js', line: 4 });
    const lostThenRetried = comment({ path: 'app.js', line: 21 });
    const result = await platform.postReview(cr, [landedAnyway, lostThenRetried]);
    expect(result.posted).toEqual([landedAnyway, lostThenRetried]);
    expect(gl.notes(IID).map((n) => n.body)).toEqual([landedAnyway.body, lostThenRetried.body]);
    expect(logger.text()).toContain('it did not land, trying again (1/3)');
  });

  it('accepts a bulk publish answered with 502 when nothing is left in draft', async () => {
    const { gl, platform, cr, logger } = await setup();
    await platform.loadDiff(cr);
    gl.inject({ method: 'POST', path: /bulk_publish$/, status: 502, afterHandler: true });
    const c = comment({ path: 'app.js', line: 4 });
    expect((await platform.postReview(cr, [c])).posted).toEqual([c]);
    expect(logger.text()).toContain('but the drafts went out');
  });

  it('fails, cleaning its drafts, when the bulk publish fails and nothing went out', async () => {
    const { gl, platform, cr } = await setup();
    await platform.loadDiff(cr);
    gl.inject({ method: 'POST', path: /bulk_publish$/, status: 500 });
    await expect(platform.postReview(cr, [comment({ path: 'app.js', line: 4 })])).rejects.toThrow(
      /bulk_publish → 500/,
    );
    expect(gl.drafts(IID)).toEqual([]);
    expect(gl.discussions(IID)).toEqual([]);
  });

  it('says which token to use when it may not write (read_api: 403)', async () => {
    const { platform, cr } = await setup({}, { token: READ });
    await platform.loadDiff(cr);
    const error = await platform
      .postReview(cr, [comment({ path: 'app.js', line: 4 })])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PermissionDeniedError);
    expect((error as Error).message).toContain('cannot create draft notes (403');
    expect((error as Error).message).toContain('`api` scope');
  });

  it('escapes quick actions in what it posts, inside fences too (GitLab versions disagree on fences)', () => {
    expect(neutralizeQuickActions('fine\n/merge\n  /label ~x\n```\n/keep\n```')).toBe(
      'fine\n\\/merge\n  \\/label ~x\n```\n\\/keep\n```',
    );
  });
});

describe('the summary note', () => {
  it('is created once, found again by its marker and edited in place', async () => {
    const { gl, platform, cr } = await setup();
    expect((await platform.loadExisting(cr)).summary).toBeUndefined();
    const created = await platform.upsertSummary(
      cr,
      `first\n/approve\n${SUMMARY_MARKER}`,
      undefined,
    );
    const [note] = gl.notes(IID);
    expect(created.url).toBe(`${cr.url}#note_${note!.id}`);
    expect(note!.body).toBe(`first\n\\/approve\n${SUMMARY_MARKER}`);
    const existing = (await platform.loadExisting(cr)).summary!;
    expect(existing).toEqual({ id: String(note!.id), body: note!.body, url: created.url });
    const edited = await platform.upsertSummary(cr, `second\n${SUMMARY_MARKER}`, existing);
    expect(edited.url).toBe(created.url);
    expect(gl.notes(IID).map((n) => [n.id, n.body])).toEqual([
      [note!.id, `second\n${SUMMARY_MARKER}`],
    ]);
    expect(gl.notifications()).toHaveLength(1);
  });

  it('believes a marker only in its own notes, and reads inline fingerprints from its threads', async () => {
    const { gl, platform, cr } = await setup();
    gl.seedDiscussion(IID, {
      body: `forged ${SUMMARY_MARKER}`,
      author: 'mallory',
      individual: true,
    });
    gl.seedDiscussion(IID, { body: `by someone ${findingMarker('1111111111111111')}` });
    gl.seedDiscussion(IID, { body: `ours ${findingMarker('2222222222222222')}`, author: gl.login });
    const existing = await platform.loadExisting(cr);
    expect(existing.summary).toBeUndefined();
    expect([...existing.inlineFingerprints]).toEqual(['2222222222222222']);
  });

  it('trusts no note when GitLab will not say who the token is', async () => {
    const { gl, platform, cr } = await setup();
    gl.seedDiscussion(IID, {
      body: `forged ${SUMMARY_MARKER}`,
      author: 'mallory',
      individual: true,
    });
    gl.serverError(3, { path: /\/user$/, status: 500 });
    await expect(platform.loadExisting(cr)).rejects.toThrow('GET /user → 500');
  });

  it('posts a new note when the one it found was deleted since', async () => {
    const { gl, platform, cr } = await setup();
    const gone = { id: '999999', body: 'old', url: `${cr.url}#note_999999` };
    const { url } = await platform.upsertSummary(cr, `again ${SUMMARY_MARKER}`, gone);
    expect(url).toBe(`${cr.url}#note_${gl.notes(IID)[0]!.id}`);
  });

  it('is not posted twice when GitLab answers 502 after creating it', async () => {
    const { gl, platform, cr } = await setup();
    gl.inject({ method: 'POST', path: /notes$/, status: 502, afterHandler: true });
    const { url } = await platform.upsertSummary(cr, `once ${SUMMARY_MARKER}`, undefined);
    expect(gl.notes(IID)).toHaveLength(1);
    expect(url).toBe(`${cr.url}#note_${gl.notes(IID)[0]!.id}`);
  });

  it('says which token to use when it may not write', async () => {
    const { platform, cr } = await setup({}, { token: READ });
    await expect(platform.upsertSummary(cr, 'x', undefined)).rejects.toBeInstanceOf(
      PermissionDeniedError,
    );
  });
});

describe('resolveFixed', () => {
  it('resolves its own open threads of the fixed findings, and nothing else', async () => {
    const { gl, platform, cr } = await setup();
    const fixed = findingMarker('aaaaaaaaaaaaaaaa');
    const open = gl.seedDiscussion(IID, { body: `fixed ${fixed}`, author: gl.login });
    const already = gl.seedDiscussion(IID, {
      body: `fixed too ${fixed}`,
      author: gl.login,
      resolved: true,
    });
    const other = gl.seedDiscussion(IID, {
      body: `still ${findingMarker('bbbbbbbbbbbbbbbb')}`,
      author: gl.login,
    });
    const theirs = gl.seedDiscussion(IID, { body: `quoted ${fixed}`, author: 'bob' });
    expect(await platform.resolveFixed(cr, ['aaaaaaaaaaaaaaaa'])).toBe(1);
    const resolved = Object.fromEntries(
      gl.discussions(IID).map((d) => [d.id, d.notes[0]!.resolved]),
    );
    expect(resolved).toEqual({
      [open.id]: true,
      [already.id]: true,
      [other.id]: false,
      [theirs.id]: false,
    });
  });
});

describe('files GitLab sends without a diff', () => {
  it('reads collapsed files from git: the diff is the one GitLab would have sent expanded', async () => {
    const expanded = await (async () => {
      const { platform, cr } = await setup();
      return platform.loadDiff(cr);
    })();
    await gl!.stop();
    const big = (
      await (async () => {
        await setup();
        return patchSizes();
      })()
    )['big.js']!;
    await gl!.stop();
    const { platform, cr, logger } = await setup({ collapseDiffs: true, maxPatchBytes: big * 2 });
    const text = await platform.loadDiff(cr);
    expect(logger.text()).toContain(
      'GitLab sent 1 file(s) without their diff (collapsed); read 1 from git',
    );
    expect(text).toBe(expanded);
    // GitLab places lines on a collapsed file: the comment lands inline.
    const onBig = comment({ path: 'big.js', line: 100 });
    expect((await platform.postReview(cr, [onBig])).posted).toEqual([onBig]);
  });

  it('reads every file from git on a GitLab that does not say why a diff is empty, blank last lines kept', async () => {
    const { platform: expandedPlatform, cr: expandedCr } = await setup();
    const expanded = await expandedPlatform.loadDiff(expandedCr);
    await gl!.stop();
    // Every patch over the limit, and no flags: GitLab before 18.4 sends them all empty.
    const { platform, cr, logger } = await setup({ diffFlags: false, maxPatchBytes: 1 });
    const text = await platform.loadDiff(cr);
    expect(text).toBe(expanded);
    expect(logger.text()).toContain('GitLab sent 5 file(s) without their diff; read 5 from git.');
    const last = DiffIndex.parse(text).file('zz-blank-end.js')!.hunks.at(-1)!.lines.at(-1);
    expect(last).toEqual({ type: 'context', oldLine: 11, newLine: 11 });
    // Too large after all: GitLab drops a line comment there at publish; the core is told.
    const c = comment({ path: 'app.js', line: 4 });
    const result = await platform.postReview(cr, [c]);
    expect(result.posted).toEqual([]);
    expect(result.rejected[0]!.reason).toContain('GitLab dropped the comment');
  });

  it('leaves a too-large file without hunks, so findings there go on the file, which GitLab accepts', async () => {
    const big = (
      await (async () => {
        await setup();
        return patchSizes();
      })()
    )['big.js']!;
    await gl!.stop();
    const { platform, cr, logger } = await setup({ maxPatchBytes: big });
    const text = await platform.loadDiff(cr);
    const index = DiffIndex.parse(text);
    expect(index.file('big.js')).toMatchObject({ status: 'modified', hunks: [] });
    expect(index.file('app.js')!.hunks).toHaveLength(2);
    expect(logger.text()).toContain('over its patch size limit (big.js)');
    expect(logger.text()).not.toContain('from git');
    const onFile = comment({ path: 'big.js', side: 'FILE', line: 1 });
    expect((await platform.postReview(cr, [onFile])).posted).toEqual([onFile]);
  });

  it('leaves a file GitLab marks both collapsed and too large to file comments', async () => {
    const { gl, platform, cr, logger } = await setup();
    // As GitLab can answer for a patch it collapsed after measuring it over the hard limit.
    gl.inject({
      method: 'GET',
      path: /diffs$/,
      status: 200,
      body: [
        {
          diff: '',
          collapsed: true,
          too_large: true,
          new_path: 'big.js',
          old_path: 'big.js',
          a_mode: '100644',
          b_mode: '100644',
          new_file: false,
          renamed_file: false,
          deleted_file: false,
          generated_file: false,
        },
      ],
    });
    const index = DiffIndex.parse(await platform.loadDiff(cr));
    expect(index.file('big.js')!.hunks).toEqual([]);
    expect(logger.text()).not.toContain('from git');
  });

  it('keeps GitLab’s empty diff and says what to fix when git cannot supply it', async () => {
    const elsewhere = fs.mkdtempSync(path.join(os.tmpdir(), 'codex-review-not-a-repo-'));
    try {
      const { platform, cr, logger } = await setup(
        { diffFlags: false, maxPatchBytes: 1 },
        { workspace: elsewhere },
      );
      const index = DiffIndex.parse(await platform.loadDiff(cr));
      expect(index.file('app.js')!.hunks).toEqual([]);
      expect(logger.text()).toContain('git could not supply it (warning: Not a git repository');
      expect(logger.text()).toContain('GIT_DEPTH: 0');
    } finally {
      fs.rmSync(elsewhere, { recursive: true, force: true });
    }
  });
});

describe('links', () => {
  it('points at the file at the reviewed commit, with GitLab’s line fragment', async () => {
    const { platform, cr, refs } = await setup();
    expect(platform.fileUrl(cr, 'dir/a b.js', 3, 5)).toBe(
      `${WEB}/-/blob/${refs.head_sha}/dir/a%20b.js#L3-5`,
    );
    expect(platform.fileUrl(cr, 'x.js', null, null)).toBe(`${WEB}/-/blob/${refs.head_sha}/x.js`);
  });
});
