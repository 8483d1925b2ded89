// The loopback fake of the GitLab REST API must refuse what GitLab refuses: every rule it models
// has a test that shows the refusal and one that shows the acceptance.
import { createHash } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  FakeGitLab,
  GITLAB_ERRORS,
  MAX_NOTE_CHARACTERS,
  NOTE_ERRORS,
  noteError,
  type FakeGitLabOptions,
} from '../fakes/gitlab-api.js';
import { GitRepo } from '../support/git-repo.js';

const PROJECT_ID = 42;
const PROJECT_PATH = 'group/demo';
const API = 'glpat-api-0123456789';
const READ = 'glpat-read-0123456789';
const JOB = 'glcbt-job-0123456789';
const MR = 7;

const numbered = (n: number) => Array.from({ length: n }, (_, i) => `line ${i + 1}`);
const lineCode = (path: string, oldPos: number, newPos: number) =>
  `${createHash('sha1').update(path).digest('hex')}_${oldPos}_${newPos}`;

/**
 * main: app.js (30 lines), legacy.txt (8 lines). feature: app.js changes line 3 (hunk 1), drops
 * line 20 and adds two lines after line 25 (hunk 2); legacy.txt is renamed to renamed.txt with
 * line 5 changed. A second push changes line 30. main then moves on (other.txt), so start_sha is
 * not the merge base.
 *
 * Hunk 2 of app.js, old → new: 17-19 unchanged, -20, 21..25 → 20..24, +25 "added A",
 * +26 "added B", 26..28 → 27..29.
 */
function mergeRequestRepo() {
  const repo = GitRepo.create('codex-review-fake-gitlab-');
  repo.write('app.js', numbered(30).join('\n') + '\n');
  repo.write('legacy.txt', 'alpha\nbeta\ngamma\ndelta\nepsilon\nzeta\neta\ntheta\n');
  const forkPoint = repo.commit('initial');
  repo.git('checkout', '-q', '-b', 'feature');
  const head = numbered(30);
  head[2] = 'line 3 changed';
  head.splice(19, 1);
  head.splice(24, 0, 'added A', 'added B');
  repo.write('app.js', head.join('\n') + '\n');
  repo.git('mv', 'legacy.txt', 'renamed.txt');
  repo.write('renamed.txt', 'alpha\nbeta\ngamma\ndelta\nEPSILON\nzeta\neta\ntheta\n');
  const headSha = repo.commit('feature work');
  head[head.length - 1] = 'line 30 changed';
  repo.write('app.js', head.join('\n') + '\n');
  const secondHead = repo.commit('second push');
  repo.git('checkout', '-q', 'main');
  repo.write('other.txt', 'main moved on\n');
  const mainSha = repo.commit('main moves on');
  return { repo, forkPoint, mainSha, headSha, secondHead };
}

let fixture: ReturnType<typeof mergeRequestRepo>;
beforeAll(() => {
  fixture = mergeRequestRepo();
});
afterAll(() => fixture.repo.remove());

let gl: FakeGitLab;
async function startFake(extra: Partial<FakeGitLabOptions> = {}) {
  await gl?.stop();
  gl = await new FakeGitLab({
    repoDir: fixture.repo.dir,
    projectId: PROJECT_ID,
    projectPath: PROJECT_PATH,
    tokens: { [API]: 'api', [READ]: 'read_api' },
    jobToken: JOB,
    ...extra,
  }).start();
  gl.setMergeRequest({ iid: MR, baseSha: fixture.mainSha, headSha: fixture.headSha });
  return gl;
}
beforeEach(() => startFake());
afterEach(() => gl.stop());

interface CallOptions {
  method?: string;
  /** PRIVATE-TOKEN by default; null for none. */
  token?: string | null;
  bearer?: string;
  jobToken?: string;
  body?: unknown;
  form?: Record<string, string>;
}

async function call(path: string, options: CallOptions = {}) {
  const headers: Record<string, string> = {};
  if (options.bearer !== undefined) headers.authorization = `Bearer ${options.bearer}`;
  else if (options.jobToken !== undefined) headers['job-token'] = options.jobToken;
  else if (options.token !== null) headers['private-token'] = options.token ?? API;
  let body: string | undefined;
  if (options.form !== undefined) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(options.form).toString();
  } else if (options.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.body);
  }
  const response = await fetch(`${gl.url}${path}`, {
    method: options.method ?? 'GET',
    headers,
    body,
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  // Tests read GitLab's JSON loosely, as a client would.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return { status: response.status, headers: response.headers, text, json: json as any };
}

const project = (rest: string) => `/projects/${PROJECT_ID}${rest}`;
const mr = (rest = '') => project(`/merge_requests/${MR}${rest}`);

/** The merge request's current diff refs, as a client reads them before posting. */
async function diffRefs() {
  const response = await call(mr());
  return response.json.diff_refs as { base_sha: string; start_sha: string; head_sha: string };
}

async function position(extra: Record<string, unknown>) {
  return { position_type: 'text', ...(await diffRefs()), ...extra };
}

const app = (lines: Record<string, unknown>) => ({
  old_path: 'app.js',
  new_path: 'app.js',
  ...lines,
});

const postDiscussion = async (extra: Record<string, unknown>, token?: string) =>
  call(mr('/discussions'), {
    method: 'POST',
    token,
    body: { body: 'finding', position: await position(extra) },
  });

function expectRefused(
  response: Awaited<ReturnType<typeof call>>,
  inspected: string = NOTE_ERRORS.lineCode,
) {
  expect(response.status).toBe(400);
  expect(response.json).toEqual(noteError(inspected));
  expect(gl.discussions(MR)).toEqual([]);
  expect(gl.notes(MR)).toEqual([]);
}

describe('authentication', () => {
  it('accepts PRIVATE-TOKEN and Authorization: Bearer', async () => {
    expect((await call(mr())).status).toBe(200);
    expect((await call(mr(), { bearer: API })).status).toBe(200);
  });

  it('answers 401 to a token it does not know, even where anonymous access would do', async () => {
    const response = await call(mr(), { token: 'glpat-revoked' });
    expect(response.status).toBe(401);
    expect(response.json).toEqual({ message: '401 Unauthorized' });
    expect((await call(mr(), { bearer: 'glpat-revoked' })).status).toBe(401);
    expect((await call(mr(), { jobToken: 'glcbt-stale' })).status).toBe(401);
  });

  it('answers 401 to no token on notes, discussions and draft notes, reads included', async () => {
    for (const path of ['/notes', '/discussions', '/draft_notes']) {
      const response = await call(mr(path), { token: null });
      expect(response.status).toBe(401);
      expect(response.json).toEqual(GITLAB_ERRORS.unauthorized);
    }
    const write = await call(mr('/notes'), { method: 'POST', token: null, body: { body: 'x' } });
    expect(write.status).toBe(401);
    expect(gl.notes(MR)).toEqual([]);
  });

  it('hides a private project from an anonymous reader and shows a public one', async () => {
    const hidden = await call(mr(), { token: null });
    expect(hidden.status).toBe(404);
    expect(hidden.json).toEqual({ message: '404 Project Not Found' });
    await startFake({ visibility: 'public' });
    expect((await call(mr(), { token: null })).status).toBe(200);
    expect((await call(mr('/discussions'), { token: null })).status).toBe(401);
  });

  it('lets a read_api token read but answers 403 insufficient_scope to its every write', async () => {
    expect((await call(mr('/discussions'), { token: READ })).status).toBe(200);
    const note = await call(mr('/notes'), { method: 'POST', token: READ, body: { body: 'x' } });
    expect(note.status).toBe(403);
    expect(note.json).toEqual({
      error: 'insufficient_scope',
      error_description:
        'The request requires higher privileges than provided by the access token.',
      scope: 'api',
    });
    expect((await postDiscussion(app({ new_line: 25 }), READ)).status).toBe(403);
    const draft = await call(mr('/draft_notes'), {
      method: 'POST',
      token: READ,
      body: { note: 'x' },
    });
    expect(draft.status).toBe(403);
    expect(gl.notes(MR)).toEqual([]);
    expect(gl.drafts(MR)).toEqual([]);
  });

  it('answers GET /user for an access token, not for a job token', async () => {
    expect((await call('/user')).json).toMatchObject({ username: 'codex-bot' });
    expect((await call('/user', { jobToken: JOB })).status).toBe(401);
  });
});

describe('CI job token', () => {
  it('reads the project (200) but every write to notes, discussions and drafts is 401', async () => {
    expect((await call(mr(), { jobToken: JOB })).status).toBe(200);
    expect((await call(mr('/discussions'), { jobToken: JOB })).status).toBe(200);
    expect((await call(mr('/notes'), { jobToken: JOB })).status).toBe(200);
    const refs = await diffRefs();
    const writes = [
      call(mr('/notes'), { method: 'POST', jobToken: JOB, body: { body: 'x' } }),
      call(mr('/discussions'), {
        method: 'POST',
        jobToken: JOB,
        body: { body: 'x', position: { position_type: 'text', ...refs, ...app({ new_line: 25 }) } },
      }),
      call(mr('/draft_notes'), { method: 'POST', jobToken: JOB, body: { note: 'x' } }),
      call(mr('/draft_notes/bulk_publish'), { method: 'POST', jobToken: JOB }),
    ];
    for (const response of await Promise.all(writes)) {
      expect(response.status).toBe(401);
      expect(response.json).toEqual({ message: '401 Unauthorized' });
    }
    expect(gl.notes(MR)).toEqual([]);
    expect(gl.drafts(MR)).toEqual([]);
  });

  it('answers 403 {"message":"403 Forbidden"} to writes when told to', async () => {
    await startFake({ jobTokenAccess: { writes: 'forbidden' } });
    const response = await call(mr('/notes'), {
      method: 'POST',
      jobToken: JOB,
      body: { body: 'x' },
    });
    expect(response.status).toBe(403);
    expect(response.json).toEqual({ message: '403 Forbidden' });
    expect((await call(mr('/notes'), { jobToken: JOB })).status).toBe(200);
  });

  it('is ignored on reads too when modelling older GitLab', async () => {
    await startFake({ jobTokenAccess: { reads: 'ignored' } });
    expect((await call(mr('/discussions'), { jobToken: JOB })).status).toBe(401);
    expect((await call(mr(), { jobToken: JOB })).status).toBe(404);
  });
});

describe('routing and projects', () => {
  it('addresses the project by id or by URL-encoded path', async () => {
    const byPath = await call(`/projects/group%2Fdemo/merge_requests/${MR}`);
    expect(byPath.status).toBe(200);
    expect(byPath.json.iid).toBe(MR);
    expect((await call(`/projects/GROUP%2FDemo/merge_requests/${MR}`)).status).toBe(200);
    expect((await call(`/projects/group/demo/merge_requests/${MR}`)).json).toEqual({
      error: '404 Not Found',
    });
  });

  it('answers 404 for another project, an unknown merge request or route', async () => {
    const other = await call(`/projects/43/merge_requests/${MR}`);
    expect(other.status).toBe(404);
    expect(other.json).toEqual({ message: '404 Project Not Found' });
    const missing = await call(project('/merge_requests/999'));
    expect(missing.status).toBe(404);
    expect(missing.json).toEqual({ message: '404 Not found' });
    expect((await call(mr('/nonsense'))).status).toBe(404);
  });
});

describe('merge request, versions and diffs', () => {
  it('returns the merge request with its diff refs', async () => {
    const response = await call(mr());
    expect(response.status).toBe(200);
    const base = fixture.forkPoint;
    expect(response.json).toMatchObject({
      iid: MR,
      project_id: PROJECT_ID,
      state: 'opened',
      sha: fixture.headSha,
      web_url: `https://gitlab.example.com/${PROJECT_PATH}/-/merge_requests/${MR}`,
      author: { username: 'alice' },
      diff_refs: { base_sha: base, head_sha: fixture.headSha, start_sha: fixture.mainSha },
    });
  });

  it('lists versions newest first, empty for the first N calls when asked', async () => {
    gl.setMergeRequest({
      iid: 8,
      baseSha: fixture.mainSha,
      headSha: fixture.headSha,
      emptyVersionsFirst: 2,
    });
    const versions = (n: number) => call(project(`/merge_requests/${n}/versions`));
    expect((await versions(8)).json).toEqual([]);
    expect((await versions(8)).json).toEqual([]);
    const first = await versions(8);
    expect(first.json).toHaveLength(1);
    expect(first.json[0]).toMatchObject({
      head_commit_sha: fixture.headSha,
      base_commit_sha: fixture.forkPoint,
      start_commit_sha: fixture.mainSha,
      state: 'collected',
      real_size: '2',
    });
    gl.setMergeRequest({ iid: 8, baseSha: fixture.mainSha, headSha: fixture.secondHead });
    const second = await versions(8);
    expect(second.json.map((v: { head_commit_sha: string }) => v.head_commit_sha)).toEqual([
      fixture.secondHead,
      fixture.headSha,
    ]);
    expect(second.json[0].id).toBeGreaterThan(second.json[1].id);
  });

  it('serves the diffs git computes, hunks only, the rename as a rename', async () => {
    const response = await call(mr('/diffs'));
    expect(response.status).toBe(200);
    const [appJs, renamed] = response.json;
    expect(appJs).toMatchObject({
      old_path: 'app.js',
      new_path: 'app.js',
      a_mode: '100644',
      b_mode: '100644',
      new_file: false,
      renamed_file: false,
      deleted_file: false,
    });
    expect(appJs.diff).toMatch(/^@@ -1,6 \+1,6 @@/);
    expect(appJs.diff).toContain('\n-line 3\n+line 3 changed\n');
    expect(appJs.diff).toContain('\n-line 20\n');
    expect(appJs.diff).toContain('\n+added A\n+added B\n');
    expect(appJs.diff.endsWith('\n')).toBe(true);
    expect(renamed).toMatchObject({
      old_path: 'legacy.txt',
      new_path: 'renamed.txt',
      renamed_file: true,
    });
    expect(renamed.diff).toContain('-epsilon\n+EPSILON\n');
  });
});

describe('diffs GitLab leaves out', () => {
  /** The patch sizes of app.js and renamed.txt, as GitLab measures them (from the first @@). */
  async function sizes() {
    const [appJs, renamed] = (await call(mr('/diffs'))).json;
    return { app: Buffer.byteLength(appJs.diff), renamed: Buffer.byteLength(renamed.diff) };
  }

  it('says why a diff is empty: collapsed and too_large, both false by default', async () => {
    const [appJs] = (await call(mr('/diffs'))).json;
    expect(appJs).toMatchObject({ collapsed: false, too_large: false, generated_file: false });
    expect(Object.keys(appJs)).toEqual([
      'diff',
      'collapsed',
      'too_large',
      'new_path',
      'old_path',
      'a_mode',
      'b_mode',
      'new_file',
      'renamed_file',
      'deleted_file',
      'generated_file',
    ]);
  });

  it('sends a patch of maxPatchBytes or more empty and too_large, and refuses lines on it', async () => {
    const { app: size } = await sizes();
    await startFake({ maxPatchBytes: size });
    const [appJs, renamed] = (await call(mr('/diffs'))).json;
    expect(appJs).toMatchObject({ diff: '', too_large: true, collapsed: false });
    expect(renamed).toMatchObject({ too_large: false });
    expect(renamed.diff).not.toBe('');
    const changes = (await call(mr('/changes?access_raw_diffs=true'))).json.changes;
    expect(changes[0]).toMatchObject({ diff: '', too_large: true });
    // GitLab prunes the patch where it places comments too: no line, changed or unfolded.
    expectRefused(await postDiscussion(app({ new_line: 25 })));
    expectRefused(await postDiscussion(app({ old_line: 12, new_line: 12 })));
    const onFile = await postDiscussion({
      position_type: 'file',
      old_path: 'app.js',
      new_path: 'app.js',
    });
    expect(onFile.status).toBe(201);
    await startFake({ maxPatchBytes: size + 1 });
    expect((await call(mr('/diffs'))).json[0]).toMatchObject({ too_large: false });
  });

  it('collapses patches of a tenth of maxPatchBytes or more when collapseDiffs is set (older GitLab), still placing lines on them', async () => {
    const { app: size, renamed: small } = await sizes();
    expect(small).toBeLessThan(size);
    await startFake({ collapseDiffs: true, maxPatchBytes: size * 10 });
    const [appJs, renamed] = (await call(mr('/diffs'))).json;
    expect(appJs).toMatchObject({ diff: '', collapsed: true, too_large: false });
    expect(renamed).toMatchObject({ collapsed: false });
    expect(renamed.diff).toContain('+EPSILON');
    expect((await postDiscussion(app({ new_line: 25 }))).status).toBe(201);
    await startFake({ collapseDiffs: true, maxPatchBytes: size * 10 + 10 });
    expect((await call(mr('/diffs'))).json[0]).toMatchObject({ collapsed: false });
  });

  it('collapses in GET .../changes unless access_raw_diffs is true; /diffs does not by default', async () => {
    const { app: size } = await sizes();
    await startFake({ maxPatchBytes: size * 10 });
    expect((await call(mr('/diffs'))).json[0]).toMatchObject({ collapsed: false });
    const limited = (await call(mr('/changes'))).json;
    expect(limited.changes[0]).toMatchObject({ diff: '', collapsed: true });
    expect(limited.overflow).toBe(false);
    const raw = (await call(mr('/changes?access_raw_diffs=true'))).json;
    expect(raw.changes[0]).toMatchObject({ collapsed: false });
    expect(raw.changes[0].diff).toMatch(/^@@ /);
  });

  it('leaves collapsed and too_large out when diffFlags is false (GitLab before 18.4)', async () => {
    const { app: size } = await sizes();
    await startFake({ diffFlags: false, maxPatchBytes: size });
    const [appJs] = (await call(mr('/diffs'))).json;
    expect(appJs.diff).toBe('');
    expect('collapsed' in appJs || 'too_large' in appJs).toBe(false);
  });
});

describe('discussion positions: accepted', () => {
  it('an added line by new_line alone', async () => {
    const response = await postDiscussion(app({ new_line: 25 }));
    expect(response.status).toBe(201);
    expect(response.json).toMatchObject({
      individual_note: false,
      notes: [
        {
          type: 'DiffNote',
          body: 'finding',
          author: { username: 'codex-bot' },
          resolvable: true,
          resolved: false,
          position: { new_path: 'app.js', new_line: 25, old_line: null, position_type: 'text' },
        },
      ],
    });
    expect(gl.discussions(MR)).toHaveLength(1);
    expect(gl.notes(MR)).toHaveLength(1);
  });

  it('a removed line by old_line alone', async () => {
    expect((await postDiscussion(app({ old_line: 20 }))).status).toBe(201);
    expect((await postDiscussion(app({ old_line: 3 }))).status).toBe(201);
  });

  it('an unchanged line by both numbers, which differ here', async () => {
    const response = await postDiscussion(app({ old_line: 22, new_line: 21 }));
    expect(response.status).toBe(201);
    expect(response.json.notes[0].position).toMatchObject({ old_line: 22, new_line: 21 });
  });

  it('a multi-line range whose ends are lines of the diff', async () => {
    const response = await postDiscussion(
      app({
        new_line: 26,
        line_range: {
          start: { line_code: lineCode('app.js', 22, 21), type: null, old_line: 22, new_line: 21 },
          end: { line_code: lineCode('app.js', 26, 26), type: 'new', new_line: 26 },
        },
      }),
    );
    expect(response.status).toBe(201);
    expect(response.json.notes[0].position.line_range.end.line_code).toBe(
      lineCode('app.js', 26, 26),
    );
  });

  it('a renamed file by its old and new paths', async () => {
    const response = await postDiscussion({
      old_path: 'legacy.txt',
      new_path: 'renamed.txt',
      new_line: 5,
    });
    expect(response.status).toBe(201);
    expect(response.json.notes[0].position).toMatchObject({
      old_path: 'legacy.txt',
      new_path: 'renamed.txt',
    });
  });

  it('a whole file, when GitLab supports file positions', async () => {
    const response = await postDiscussion({
      position_type: 'file',
      old_path: 'app.js',
      new_path: 'app.js',
    });
    expect(response.status).toBe(201);
    expect(response.json.notes[0].position).toMatchObject({
      position_type: 'file',
      new_line: null,
      old_line: null,
    });
  });

  it('a form-encoded position, as curl --form sends it', async () => {
    const refs = await diffRefs();
    const response = await call(mr('/discussions'), {
      method: 'POST',
      form: {
        body: 'finding',
        'position[position_type]': 'text',
        'position[base_sha]': refs.base_sha,
        'position[start_sha]': refs.start_sha,
        'position[head_sha]': refs.head_sha,
        'position[old_path]': 'app.js',
        'position[new_path]': 'app.js',
        'position[new_line]': '25',
      },
    });
    expect(response.status).toBe(201);
    expect(response.json.notes[0].position.new_line).toBe(25);
  });

  it('a thread without a position', async () => {
    const response = await call(mr('/discussions'), { method: 'POST', body: { body: 'general' } });
    expect(response.status).toBe(201);
    expect(response.json.notes[0]).toMatchObject({ type: 'DiscussionNote', resolvable: true });
  });

  it('an unchanged line outside the hunks, by both numbers, as GitLab unfolds the file', async () => {
    // Between the hunks (offset of the next hunk header: 0) and below the last one (offset 1).
    const between = await postDiscussion(app({ old_line: 12, new_line: 12 }));
    expect(between.status).toBe(201);
    expect(between.json.notes[0].position).toMatchObject({ old_line: 12, new_line: 12 });
    expect((await postDiscussion(app({ old_line: 30, new_line: 31 }))).status).toBe(201);
  });

  it('diff refs of an older version, where the line exists in that version', async () => {
    const old = await diffRefs();
    gl.setMergeRequest({ iid: MR, baseSha: fixture.mainSha, headSha: fixture.secondHead });
    const onOld = await call(mr('/discussions'), {
      method: 'POST',
      body: { body: 'x', position: { position_type: 'text', ...old, ...app({ new_line: 25 }) } },
    });
    expect(onOld.status).toBe(201);
    expect(onOld.json.notes[0].position.head_sha).toBe(fixture.headSha);
  });

  it('a line range stored as given, unchecked, as GitLab does', async () => {
    const range = {
      start: { line_code: lineCode('app.js', 26, 26), type: 'new', old_line: null, new_line: 26 },
      end: { line_code: 'not-a-line-code', type: 'old', old_line: 99, new_line: null },
    };
    const response = await postDiscussion(app({ new_line: 25, line_range: range }));
    expect(response.status).toBe(201);
    expect(response.json.notes[0].position.line_range).toEqual(range);
  });

  it('a file position on any path, even one the merge request does not change', async () => {
    const response = await postDiscussion({
      position_type: 'file',
      old_path: 'nowhere.txt',
      new_path: 'nowhere.txt',
    });
    expect(response.status).toBe(201);
  });
});

describe('discussion positions: refused with GitLab 400', () => {
  it('a line that is not in the diff', async () => {
    expectRefused(await postDiscussion(app({ new_line: 12 })));
    expectRefused(await postDiscussion(app({ new_line: 99 })));
  });

  it('a context line given by one side only', async () => {
    expectRefused(await postDiscussion(app({ new_line: 21 })));
    expectRefused(await postDiscussion(app({ old_line: 22 })));
  });

  it('an added line given with an old_line, a removed line with a new_line', async () => {
    expectRefused(await postDiscussion(app({ old_line: 26, new_line: 25 })));
    expectRefused(await postDiscussion(app({ old_line: 20, new_line: 20 })));
  });

  it('a path the merge request does not change, or no path at all', async () => {
    expectRefused(
      await postDiscussion({ old_path: 'other.txt', new_path: 'other.txt', new_line: 1 }),
    );
    expectRefused(await postDiscussion({ new_line: 25 }), NOTE_ERRORS.lineCodeAndIncomplete);
  });

  it('no line at all', async () => {
    const response = await postDiscussion(app({}));
    expectRefused(response, NOTE_ERRORS.lineCodeAndIncomplete);
    expect(response.json.message).toBe(
      `400 Bad request - Note {:line_code=>["can't be blank", "must be a valid line code"], :position=>["is incomplete"]}`,
    );
  });

  it('diff refs whose shas are not commits', async () => {
    const refs = await diffRefs();
    const bogus = await call(mr('/discussions'), {
      method: 'POST',
      body: {
        body: 'x',
        position: {
          position_type: 'text',
          ...refs,
          head_sha: 'f'.repeat(40),
          ...app({ new_line: 25 }),
        },
      },
    });
    expectRefused(bogus);
  });

  it('diff refs that are not the current ones, when staleDiffRefs is "reject" (stricter)', async () => {
    await startFake({ staleDiffRefs: 'reject' });
    const stale = await diffRefs();
    gl.setMergeRequest({ iid: MR, baseSha: fixture.mainSha, headSha: fixture.secondHead });
    const response = await call(mr('/discussions'), {
      method: 'POST',
      body: { body: 'x', position: { position_type: 'text', ...stale, ...app({ new_line: 25 }) } },
    });
    expectRefused(response);
    expect((await postDiscussion(app({ new_line: 25 }))).status).toBe(201);
  });

  it('a line range with an end outside the diff or ends out of order, when lineRanges is "checked" (stricter)', async () => {
    await startFake({ lineRanges: 'checked' });
    const outside = await postDiscussion(
      app({
        new_line: 25,
        line_range: {
          start: { line_code: lineCode('app.js', 12, 13), type: null, old_line: 12, new_line: 13 },
          end: { line_code: lineCode('app.js', 26, 25), type: 'new', new_line: 25 },
        },
      }),
    );
    expectRefused(outside, NOTE_ERRORS.lineRange);
    const reversed = await postDiscussion(
      app({
        new_line: 25,
        line_range: {
          start: { line_code: lineCode('app.js', 26, 26), type: 'new', new_line: 26 },
          end: { line_code: lineCode('app.js', 26, 25), type: 'new', new_line: 25 },
        },
      }),
    );
    expectRefused(reversed, NOTE_ERRORS.lineRange);
    const oneEnd = await postDiscussion(
      app({
        new_line: 25,
        line_range: { end: { line_code: lineCode('app.js', 26, 25), type: 'new' } },
      }),
    );
    expectRefused(oneEnd, NOTE_ERRORS.lineRange);
  });

  it('an unchanged line outside the hunks given with the wrong new_line, or past the old file', async () => {
    // Between the hunks old and new numbers agree; below the last hunk new = old + 1.
    expectRefused(await postDiscussion(app({ old_line: 12, new_line: 13 })));
    expectRefused(await postDiscussion(app({ old_line: 29, new_line: 29 })));
    expectRefused(await postDiscussion(app({ old_line: 31, new_line: 32 })));
  });

  it('an unchanged line outside the hunks, when unfoldUnchangedLines is false (stricter)', async () => {
    await startFake({ unfoldUnchangedLines: false });
    expectRefused(await postDiscussion(app({ old_line: 12, new_line: 12 })));
  });

  it('a file position without both paths', async () => {
    const response = await postDiscussion({ position_type: 'file', new_path: 'app.js' });
    expectRefused(response, NOTE_ERRORS.positionIncomplete);
    expect(response.json).toEqual({
      message: '400 Bad request - Note {:position=>["is incomplete"]}',
    });
  });

  it('a file position on a path the merge request does not change, when filePositionPaths is "changed" (stricter)', async () => {
    await startFake({ filePositionPaths: 'changed' });
    const response = await postDiscussion({
      position_type: 'file',
      old_path: 'other.txt',
      new_path: 'other.txt',
    });
    expectRefused(response, NOTE_ERRORS.filePath);
    expect(
      (await postDiscussion({ position_type: 'file', old_path: 'app.js', new_path: 'app.js' }))
        .status,
    ).toBe(201);
  });

  it('a file position where GitLab does not support them (parameter validation)', async () => {
    await startFake({ supportsFilePositions: false });
    const response = await postDiscussion({
      position_type: 'file',
      old_path: 'app.js',
      new_path: 'app.js',
    });
    expect(response.status).toBe(400);
    expect(response.json).toEqual({ error: 'position[position_type] does not have a valid value' });
    expect(gl.discussions(MR)).toEqual([]);
  });

  it('a position missing its shas, and a body that is missing', async () => {
    const response = await call(mr('/discussions'), {
      method: 'POST',
      body: { body: 'x', position: { position_type: 'text', new_path: 'app.js', new_line: 25 } },
    });
    expect(response.status).toBe(400);
    expect(response.json).toEqual({
      error:
        'position[base_sha] is missing, position[start_sha] is missing, position[head_sha] is missing',
    });
    const noBody = await call(mr('/discussions'), { method: 'POST', body: {} });
    expect(noBody.json).toEqual({ error: 'body is missing' });
    expect(gl.discussions(MR)).toEqual([]);
  });
});

describe('discussions: resolve and edit', () => {
  it('resolves and reopens a thread, edits its note', async () => {
    const created = (await postDiscussion(app({ new_line: 25 }))).json;
    const id = created.id as string;
    const resolved = await call(mr(`/discussions/${id}`), {
      method: 'PUT',
      body: { resolved: true },
    });
    expect(resolved.status).toBe(200);
    expect(resolved.json.notes[0]).toMatchObject({
      resolved: true,
      resolved_by: { username: 'codex-bot' },
    });
    expect(gl.discussions(MR)[0]!.notes[0]!.resolved).toBe(true);
    await call(mr(`/discussions/${id}`), { method: 'PUT', form: { resolved: 'false' } });
    expect(gl.discussions(MR)[0]!.notes[0]!.resolved).toBe(false);

    const noteId = created.notes[0].id as number;
    const edited = await call(mr(`/discussions/${id}/notes/${noteId}`), {
      method: 'PUT',
      body: { body: 'finding, reworded' },
    });
    expect(edited.status).toBe(200);
    expect(gl.notes(MR)[0]!.body).toBe('finding, reworded');
    const neither = await call(mr(`/discussions/${id}/notes/${noteId}`), {
      method: 'PUT',
      body: {},
    });
    expect(neither.status).toBe(400);
  });

  it('refuses to resolve a plain note (403) and to edit someone else’s (403)', async () => {
    const plain = gl.seedDiscussion(MR, { body: 'hello', author: 'bob', individual: true });
    const resolve = await call(mr(`/discussions/${plain.id}`), {
      method: 'PUT',
      body: { resolved: true },
    });
    expect(resolve.status).toBe(403);
    const thread = gl.seedDiscussion(MR, { body: 'please fix', author: 'bob' });
    const edit = await call(mr(`/discussions/${thread.id}/notes/${thread.notes[0]!.id}`), {
      method: 'PUT',
      body: { body: 'hijacked' },
    });
    expect(edit.status).toBe(403);
    expect(gl.notes(MR).map((n) => n.body)).toEqual(['hello', 'please fix']);
    expect(
      (await call(mr('/discussions/0000'), { method: 'PUT', body: { resolved: true } })).status,
    ).toBe(404);
  });
});

describe('notes', () => {
  it('creates, lists newest first by default, sorts as asked and edits', async () => {
    const first = await call(mr('/notes'), { method: 'POST', body: { body: 'one' } });
    expect(first.status).toBe(201);
    expect(first.json).toMatchObject({
      body: 'one',
      type: null,
      resolvable: false,
      noteable_iid: MR,
    });
    await call(mr('/notes'), { method: 'POST', body: { body: 'two' } });
    const newest = await call(mr('/notes'));
    expect(newest.json.map((n: { body: string }) => n.body)).toEqual(['two', 'one']);
    const oldest = await call(mr('/notes?sort=asc&order_by=updated_at'));
    expect(oldest.json.map((n: { body: string }) => n.body)).toEqual(['one', 'two']);
    expect((await call(mr('/notes?sort=sideways'))).json).toEqual({
      error: 'sort does not have a valid value',
    });
    const edited = await call(mr(`/notes/${first.json.id}`), {
      method: 'PUT',
      body: { body: 'uno' },
    });
    expect(edited.json.body).toBe('uno');
    expect((await call(mr(`/notes/${first.json.id}`))).json.body).toBe('uno');
  });

  it('counts every note of the merge request, thread notes included', async () => {
    await call(mr('/notes'), { method: 'POST', body: { body: 'plain' } });
    await postDiscussion(app({ new_line: 25 }));
    expect(gl.notes(MR).map((n) => n.body)).toEqual(['plain', 'finding']);
    expect((await call(mr('/notes'))).json).toHaveLength(2);
    expect(gl.allDiscussions(MR).map((d) => d.individual_note)).toEqual([true, false]);
    expect(gl.discussions(MR)).toHaveLength(1);
    const listed = await call(mr('/discussions'));
    expect(listed.json.map((d: { individual_note: boolean }) => d.individual_note)).toEqual([
      true,
      false,
    ]);
  });

  it(`refuses a body over ${MAX_NOTE_CHARACTERS} characters, counting code points`, async () => {
    const atLimit = '😀'.repeat(MAX_NOTE_CHARACTERS);
    expect((await call(mr('/notes'), { method: 'POST', body: { body: atLimit } })).status).toBe(
      201,
    );
    const over = await call(mr('/notes'), { method: 'POST', body: { body: `${atLimit}x` } });
    expect(over.status).toBe(400);
    expect(over.json).toEqual({
      message: '400 Bad request - Note {:note=>["is too long (maximum is 1000000 characters)"]}',
    });
    expect(gl.notes(MR)).toHaveLength(1);
    const discussion = await call(mr('/discussions'), {
      method: 'POST',
      body: { body: `${atLimit}x` },
    });
    expect(discussion.status).toBe(400);
  });
});

describe('draft notes', () => {
  it('are invisible until bulk publish turns them all into threads at once', async () => {
    const first = await call(mr('/draft_notes'), {
      method: 'POST',
      body: { note: 'inline finding', position: await position(app({ new_line: 25 })) },
    });
    expect(first.status).toBe(201);
    expect(first.json).toMatchObject({
      note: 'inline finding',
      line_code: lineCode('app.js', 26, 25),
      position: { new_line: 25 },
    });
    const second = await call(mr('/draft_notes'), { method: 'POST', body: { note: 'overall' } });
    expect(second.json.position).toMatchObject({ base_sha: null, position_type: 'text' });
    expect((await call(mr('/draft_notes'))).json).toHaveLength(2);
    expect(gl.discussions(MR)).toEqual([]);

    const publish = await call(mr('/draft_notes/bulk_publish'), { method: 'POST' });
    expect(publish.status).toBe(204);
    expect(publish.text).toBe('');
    expect(gl.drafts(MR)).toEqual([]);
    const threads = gl.discussions(MR);
    expect(threads.map((d) => d.notes[0]!.type)).toEqual(['DiffNote', 'DiscussionNote']);
    expect(threads.every((d) => !d.individual_note && d.notes[0]!.resolvable)).toBe(true);
    expect(gl.notifications()).toEqual([
      { kind: 'review', iid: MR, noteIds: threads.map((d) => d.notes[0]!.id) },
    ]);
  });

  it('takes a draft GitLab cannot place and drops it at publish, silently (default)', async () => {
    const bad = await call(mr('/draft_notes'), {
      method: 'POST',
      body: { note: 'lost', position: await position(app({ new_line: 21 })) },
    });
    expect(bad.status).toBe(201);
    expect(bad.json.line_code).toBeNull();
    const blank = await call(mr('/draft_notes'), { method: 'POST', body: { note: '' } });
    expect(blank.status).toBe(201);
    const good = await call(mr('/draft_notes'), {
      method: 'POST',
      body: { note: 'kept', position: await position(app({ new_line: 25 })) },
    });
    expect(good.json.line_code).toBe(lineCode('app.js', 26, 25));
    const publish = await call(mr('/draft_notes/bulk_publish'), { method: 'POST' });
    expect(publish.status).toBe(204);
    expect(gl.notes(MR).map((n) => n.body)).toEqual(['kept']);
    expect(gl.drafts(MR)).toEqual([]);
    expect(gl.notifications()).toEqual([
      { kind: 'review', iid: MR, noteIds: [gl.notes(MR)[0]!.id] },
    ]);
  });

  it('refuses a draft with a bad position at creation when draftPositions is "reject-on-create" (stricter)', async () => {
    await startFake({ draftPositions: 'reject-on-create' });
    const response = await call(mr('/draft_notes'), {
      method: 'POST',
      body: { note: 'x', position: await position(app({ new_line: 21 })) },
    });
    expect(response.status).toBe(400);
    expect(response.json).toEqual(noteError(NOTE_ERRORS.lineCode));
    expect(gl.drafts(MR)).toEqual([]);
  });

  it('requires the note parameter, as Grape does', async () => {
    expect((await call(mr('/draft_notes'), { method: 'POST', body: {} })).json).toEqual({
      error: 'note is missing',
    });
  });

  it('deletes one draft, publishes another alone, replies to a thread', async () => {
    const thread = gl.seedDiscussion(MR, { body: 'question', author: 'bob' });
    const a = (await call(mr('/draft_notes'), { method: 'POST', body: { note: 'a' } })).json;
    const b = (await call(mr('/draft_notes'), { method: 'POST', body: { note: 'b' } })).json;
    const reply = await call(mr('/draft_notes'), {
      method: 'POST',
      body: { note: 'answer', in_reply_to_discussion_id: thread.id, resolve_discussion: true },
    });
    expect(reply.json.discussion_id).toBe(thread.id);
    expect((await call(mr(`/draft_notes/${a.id}`), { method: 'DELETE' })).status).toBe(204);
    expect((await call(mr(`/draft_notes/${a.id}`), { method: 'DELETE' })).status).toBe(404);
    expect((await call(mr(`/draft_notes/${b.id}/publish`), { method: 'PUT' })).status).toBe(204);
    expect(gl.notes(MR).map((n) => n.body)).toEqual(['question', 'b']);
    await call(mr('/draft_notes/bulk_publish'), { method: 'POST' });
    const replied = gl.discussions(MR).find((d) => d.id === thread.id)!;
    expect(replied.notes.map((n) => n.body)).toEqual(['question', 'answer']);
    expect(replied.notes.every((n) => n.resolved)).toBe(true);
    expect(gl.notifications().map((n) => n.kind)).toEqual(['note', 'review']);
  });
});

describe('issues', () => {
  it('creates, filters by state, labels and search, updates and closes', async () => {
    const created = await call(project('/issues'), {
      method: 'POST',
      body: { title: 'Codex audit', description: 'findings: 3', labels: 'codex,audit' },
    });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({
      iid: 1,
      state: 'opened',
      labels: ['codex', 'audit'],
      author: { username: 'codex-bot' },
      web_url: `https://gitlab.example.com/${PROJECT_PATH}/-/issues/1`,
    });
    gl.seedIssue({ title: 'Old audit', labels: ['codex'], state: 'closed' });
    gl.seedIssue({ title: 'Unrelated', labels: ['bug'] });
    const titles = async (query: string) =>
      (await call(project(`/issues${query}`))).json.map((i: { title: string }) => i.title);
    expect(await titles('')).toEqual(['Unrelated', 'Old audit', 'Codex audit']);
    expect(await titles('?state=opened&labels=codex')).toEqual(['Codex audit']);
    expect(await titles('?labels=CODEX,audit')).toEqual(['Codex audit']);
    expect(await titles('?search=findings')).toEqual(['Codex audit']);
    expect(await titles('?state=closed')).toEqual(['Old audit']);

    const closed = await call(project('/issues/1'), {
      method: 'PUT',
      body: { description: 'findings: 0', state_event: 'close' },
    });
    expect(closed.json).toMatchObject({ state: 'closed', description: 'findings: 0' });
    expect(closed.json.closed_at).not.toBeNull();
    const reopened = await call(project('/issues/1'), {
      method: 'PUT',
      body: { state_event: 'reopen' },
    });
    expect(reopened.json.state).toBe('opened');
    expect(gl.issues().map((i) => i.state)).toEqual(['opened', 'closed', 'opened']);
  });

  it('refuses a missing title, a bad state_event and a description over the limit', async () => {
    expect((await call(project('/issues'), { method: 'POST', body: {} })).json).toEqual({
      error: 'title is missing',
    });
    gl.seedIssue({ title: 't' });
    const bad = await call(project('/issues/1'), {
      method: 'PUT',
      body: { state_event: 'delete' },
    });
    expect(bad.json).toEqual({ error: 'state_event does not have a valid value' });
    const long = await call(project('/issues'), {
      method: 'POST',
      body: { title: 't', description: 'x'.repeat(MAX_NOTE_CHARACTERS + 1) },
    });
    expect(long.status).toBe(400);
    expect(gl.issues()).toHaveLength(1);
    expect((await call(project('/issues/9'))).status).toBe(404);
  });
});

describe('pagination', () => {
  it('pages like GitLab: x-* headers, an empty x-next-page on the last page, a link header', async () => {
    for (let i = 1; i <= 25; i += 1) gl.seedDiscussion(MR, { body: `n${i}`, individual: true });
    const page2 = await call(mr('/notes?per_page=10&page=2&sort=asc'));
    expect(page2.json.map((n: { body: string }) => n.body)).toEqual(
      Array.from({ length: 10 }, (_, i) => `n${i + 11}`),
    );
    expect(page2.headers.get('x-page')).toBe('2');
    expect(page2.headers.get('x-per-page')).toBe('10');
    expect(page2.headers.get('x-next-page')).toBe('3');
    expect(page2.headers.get('x-prev-page')).toBe('1');
    expect(page2.headers.get('x-total')).toBe('25');
    expect(page2.headers.get('x-total-pages')).toBe('3');
    const link = page2.headers.get('link')!;
    const base = `${gl.url}/projects/${PROJECT_ID}/merge_requests/${MR}/notes`;
    expect(link).toBe(
      [
        `<${base}?per_page=10&page=1&sort=asc>; rel="prev"`,
        `<${base}?per_page=10&page=3&sort=asc>; rel="next"`,
        `<${base}?per_page=10&page=1&sort=asc>; rel="first"`,
        `<${base}?per_page=10&page=3&sort=asc>; rel="last"`,
      ].join(', '),
    );
    const last = await call(mr('/notes?per_page=10&page=3'));
    expect(last.json).toHaveLength(5);
    expect(last.headers.get('x-next-page')).toBe('');
    expect(last.headers.get('link')).not.toContain('rel="next"');
  });

  it('defaults to 20 per page, caps at 100, and paginates discussions and diffs', async () => {
    for (let i = 1; i <= 25; i += 1) gl.seedDiscussion(MR, { body: `n${i}` });
    const first = await call(mr('/discussions'));
    expect(first.json).toHaveLength(20);
    expect(first.headers.get('x-per-page')).toBe('20');
    expect(first.headers.get('x-next-page')).toBe('2');
    const capped = await call(mr('/discussions?per_page=500'));
    expect(capped.json).toHaveLength(25);
    expect(capped.headers.get('x-per-page')).toBe('100');
    expect(capped.headers.get('x-total-pages')).toBe('1');
    const diffs = await call(mr('/diffs?per_page=1'));
    expect(diffs.json).toHaveLength(1);
    expect(diffs.headers.get('x-total')).toBe('2');
    expect((await call(mr('/notes?page=abc'))).json).toEqual({ error: 'page is invalid' });
  });
});

describe('faults and recording', () => {
  it('answers an injected fault to the next N matching requests only', async () => {
    gl.inject({ method: 'POST', path: /\/notes$/, status: 500, times: 1 });
    const failed = await call(mr('/notes'), { method: 'POST', body: { body: 'x' } });
    expect(failed.status).toBe(500);
    expect(failed.json).toEqual({ message: '500 Internal Server Error' });
    expect(gl.notes(MR)).toEqual([]);
    expect((await call(mr('/notes'), { method: 'POST', body: { body: 'x' } })).status).toBe(201);
    expect(gl.pendingFaults()).toBe(0);
  });

  it('serverError(n) answers 502 n times, then the real thing', async () => {
    gl.serverError(2);
    expect((await call(mr())).status).toBe(502);
    expect((await call(mr())).status).toBe(502);
    expect((await call(mr())).status).toBe(200);
    gl.serverError(1, { status: 500, method: 'GET' });
    expect((await call(mr())).json).toEqual(GITLAB_ERRORS.internalServerError);
  });

  it('tooManyRequests answers 429 with retry-after and GitLab’s text', async () => {
    gl.tooManyRequests({ retryAfter: 7, times: 1 });
    const limited = await call(mr('/discussions'));
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('7');
    expect(limited.headers.get('ratelimit-remaining')).toBe('0');
    expect(limited.text).toBe('Retry later\n');
    expect((await call(mr('/discussions'))).status).toBe(200);
  });

  it('afterHandler lands the write but answers the fault (a retry would duplicate)', async () => {
    gl.inject({ method: 'POST', status: 502, body: 'Bad Gateway', afterHandler: true });
    expect((await call(mr('/notes'), { method: 'POST', body: { body: 'x' } })).status).toBe(502);
    expect(gl.notes(MR)).toHaveLength(1);
  });

  it('records every request with its outcome', async () => {
    gl.serverError(1, { method: 'POST' });
    await call(mr('/notes'), { method: 'POST', body: { body: 'x' } });
    await call(mr('/notes'), { method: 'POST', body: { body: 'y' } });
    await call(mr('/notes'));
    expect(gl.requests.map((r) => [r.method, r.status, r.injected])).toEqual([
      ['POST', 502, true],
      ['POST', 201, false],
      ['GET', 200, false],
    ]);
    expect(gl.requests[1]).toMatchObject({
      path: `/api/v4/projects/${PROJECT_ID}/merge_requests/${MR}/notes`,
      body: { body: 'y' },
    });
    expect(gl.writeCalls()).toBe(2);
    expect(gl.successfulWrites()).toBe(1);
  });
});
