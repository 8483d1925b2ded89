// A loopback fake of the GitLab REST API v4, faithful where the action can trip. It checks the
// token like GitLab (401 for an unknown one, 403 insufficient_scope for a read_api one on any
// write, a CI job token only where GitLab lets one in), serves the merge request, its versions and
// its diffs computed by git in a real repository, and validates a diff note's position the way
// GitLab does: the position must resolve to a line of the diff (an added line by new_line alone,
// a removed line by old_line alone, an unchanged line by both, also outside the hunks where
// GitLab unfolds the file), otherwise the whole note is refused with 400 and nothing is stored.
// Files over GitLab's patch size limit come without their diff. Draft notes are taken unchecked
// and their bulk publish (one review, one notification) silently drops the ones GitLab could not
// place, as GitLab does. Issues, GitLab's offset pagination headers, fault injection for the next
// N matching requests and a record of every request are modelled too.
//
// By default the fake behaves as current GitLab (its source, as published); each stricter mode
// or older release is an option, marked STRICTER THAN GITLAB where it is one.
//
// Sources. Real wordings come from GitLab's own source (lib/api/*.rb, app/models/diff_note.rb,
// lib/gitlab/diff/*.rb, app/services/draft_notes/*.rb as published in gitlabhq/gitlabhq) and from
// answers quoted in public bug reports; each constant below says which. Where no real answer was
// found the wording is a close, plausible one and is marked "(plausible)". Where the fake is
// deliberately stricter or laxer than GitLab, the option that governs it says so.
import { execFile, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export type TokenScope = 'api' | 'read_api';

export interface FakeGitLabOptions {
  /** A real git repository holding the merge requests' commits. */
  repoDir: string;
  projectId: number;
  /** The project's full path, e.g. 'group/demo'; the API also takes it URL-encoded as :id. */
  projectPath: string;
  /** Personal/project access token → its scope. Any other token gets 401. */
  tokens: Record<string, TokenScope>;
  /** The CI_JOB_TOKEN of the running job, sent in the JOB-TOKEN header (or ?job_token=). */
  jobToken?: string;
  /** The username every token authenticates as (default 'codex-bot'). */
  login?: string;
  /**
   * GitLab ≥ 16.x accepts position_type 'file' (a comment on a whole file); older versions refuse
   * it in parameter validation. Default true.
   */
  supportsFilePositions?: boolean;
  /**
   * Whether anonymous users may read the project (default 'private'). A private project answers
   * 404 "Project Not Found" to an anonymous read of the merge request or issues endpoints (GitLab
   * hides it), and 401 to the notes, discussions and draft notes endpoints (they authenticate
   * first).
   */
  visibility?: 'private' | 'public';
  /**
   * What a CI job token may do. GitLab only honours a job token on routes that allow one; on any
   * other it ignores the header and the request is anonymous.
   *
   * reads: 'allowed' (default) lets the job token read everything, as current GitLab does for the
   * notes endpoints (lib/api/notes.rb: "Job tokens are restricted to read-only operations").
   * 'ignored' models older GitLab, where reports show GET .../discussions with CI_JOB_TOKEN
   * answered 401 {"message":"401 Unauthorized"} (Nikita-Filonov/ai-review#12, #51).
   *
   * writes: 'unauthorized' (default) is what GitLab's source implies: no notes/discussions/draft
   * notes write route allows a job token, so the request is anonymous and `authenticate!` answers
   * 401 {"message":"401 Unauthorized"}. 'forbidden' answers 403 {"message":"403 Forbidden"}
   * instead (not observed on GitLab; for code that wants to see a permission refusal).
   */
  jobTokenAccess?: { reads?: 'allowed' | 'ignored'; writes?: 'unauthorized' | 'forbidden' };
  /**
   * When a draft note's position (and body) is checked.
   *
   * 'drop-on-publish' (default) is what GitLab's source does: DraftNote validates neither the
   * position nor the body, so POST .../draft_notes answers 201 for any well-formed position. At
   * publish, Notes::CreateService returns the invalid note unsaved, DraftNotes::PublishService
   * does not look at it (CaptureDiffNotePositionService returns early without a line code),
   * deletes every draft and answers 204: the bad draft's comment silently vanishes. Newer
   * GitLab also skips drafts with a blank body. (From app/models/draft_note.rb,
   * app/services/draft_notes/publish_service.rb and app/services/notes/create_service.rb; not
   * observed on a live instance.)
   *
   * 'reject-on-create': the draft is refused at creation with the 400 its note would get.
   * STRICTER THAN GITLAB.
   */
  draftPositions?: 'reject-on-create' | 'drop-on-publish';
  /**
   * A position whose base/start/head shas are not the merge request's current diff refs.
   *
   * 'resolve' (default) follows GitLab's source: Gitlab::Diff::Position#diff_file diffs
   * merge-base(start_sha, head_sha)..head_sha for whatever shas it is given, so a position on
   * an older version is accepted when its line exists there; shas that are not commits leave
   * line_code blank → 400. Not modelled: GitLab then traces the position to the current version
   * (DiffPositionableNote#update_position); the fake stores it as given.
   *
   * 'reject': 400 with GitLab's line_code message. STRICTER THAN GITLAB.
   */
  staleDiffRefs?: 'reject' | 'resolve';
  /**
   * Unchanged lines outside the hunks. Default true, as GitLab: a position naming both old_line
   * and new_line of an unchanged line the diff does not show is accepted when new_line is where
   * GitLab's Gitlab::Diff::LinesUnfolder puts that old line (old_line plus the offset of the next
   * hunk header, or of the diff's last line below the last hunk), in a text file that is neither
   * new nor deleted, within the old file's length. false refuses them. STRICTER THAN GITLAB.
   * Not modelled: the "\ No newline at end of file" line GitLab's parser keeps as the last line.
   */
  unfoldUnchangedLines?: boolean;
  /**
   * line_range. 'stored' (default) is GitLab: the range is stored as given, never checked.
   * 'checked' refuses a range whose ends are not lines of the diff, are described
   * inconsistently, or are out of order (NOTE_ERRORS.lineRange, the fake's own wording).
   * STRICTER THAN GITLAB.
   */
  lineRanges?: 'stored' | 'checked';
  /**
   * Which paths a position_type 'file' may name. 'any' (default) is GitLab's source: a file note
   * needs old_path and new_path (FileFormatter#complete?) but no line code, so nothing checks
   * that the merge request changes that file (not observed on a live instance). 'changed'
   * refuses other paths with NOTE_ERRORS.filePath (plausible wording). STRICTER THAN GITLAB.
   */
  filePositionPaths?: 'any' | 'changed';
  /**
   * GitLab's diff_max_patch_bytes (default 204800, its default of 200 KiB). A file whose patch
   * (from its first @@) has at least this many bytes is too large: every diff endpoint sends it
   * with diff '' and too_large true, and since GitLab prunes it even where it places comments
   * (Gitlab::Git::Diff#prune_diff_if_eligible), no line position on it is accepted; file
   * positions are.
   */
  maxPatchBytes?: number;
  /**
   * Whether GET .../diffs collapses big patches. false (default) is current GitLab, whose route
   * asks for expanded diffs (lib/api/merge_requests.rb, paginated_diffs(..., { expanded: true })).
   * true models older releases (the behaviour reported in gitlab-org/gitlab#414389 on 15.7 and
   * 16.0): a patch of at least maxPatchBytes / 10 bytes comes back with diff '' and collapsed
   * true. GET .../changes collapses either way unless access_raw_diffs=true (inferred from
   * Gitlab::Diff::FileCollection's expanded: false default; not observed). Line positions on a
   * collapsed file are accepted: GitLab places them on the expanded diff. Not modelled:
   * collapsing past the collection's safe limits (100 files, 5,000 lines), generated files
   * (generated_file is always false here), and files left out past the hard limits (overflow).
   */
  collapseDiffs?: boolean;
  /**
   * Whether diff entries carry collapsed and too_large (default true: added to
   * API::Entities::Diff by gitlab-org/gitlab!199633; GitLab 18.4 per gitlab-org/api/client-go!2767). false models older GitLab,
   * where an empty diff does not say why.
   */
  diffFlags?: boolean;
  /** Where web_url links point (default 'https://gitlab.example.com'). */
  serverUrl?: string;
}

export interface MergeRequestSpec {
  iid: number;
  /** The target branch's tip (or the merge base itself); base_sha is merge-base(baseSha, headSha). */
  baseSha: string;
  headSha: string;
  /** start_sha: the target branch's tip when the version was made (default baseSha). */
  startSha?: string;
  title?: string;
  /** The author's username (default 'alice'). */
  author?: string;
  description?: string;
  sourceBranch?: string;
  targetBranch?: string;
  /**
   * The next N GET .../versions answer [] (GitLab collects the diff asynchronously, so the list is
   * empty right after the merge request is created or pushed to).
   */
  emptyVersionsFirst?: number;
}

export interface Fault {
  /** Case-insensitive; any method when absent. */
  method?: string;
  /** Tested against the request's raw path (e.g. /api/v4/projects/group%2Fdemo/...), no query. */
  path?: RegExp;
  /** How many of the next matching requests get the fault (default 1). */
  times?: number;
  status: number;
  /** JSON-encoded unless a string (sent verbatim as text/plain unless headers say otherwise). */
  body?: unknown;
  headers?: Record<string, string>;
  /** Carry the request out, then answer with the fault anyway: the write landed, the client saw an error. */
  afterHandler?: boolean;
}

export interface FaultMatch {
  method?: string;
  path?: RegExp;
}

export interface RecordedRequest {
  method: string;
  /** Raw path without the query string, e.g. /api/v4/projects/42/merge_requests/1/notes. */
  path: string;
  query: Record<string, string>;
  /** Parsed JSON or form body; the raw text when it is neither; undefined when empty. */
  body: unknown;
  /** The status the fake answered with. */
  status: number;
  /** True when an injected fault answered instead of the normal handler. */
  injected: boolean;
  headers: http.IncomingHttpHeaders;
}

export interface GitLabUser {
  id: number;
  username: string;
  name: string;
  state: 'active';
  locked: boolean;
  avatar_url: string | null;
  web_url: string;
}

export interface LineRangeEnd {
  line_code: string;
  type: 'new' | 'old' | null;
  old_line: number | null;
  new_line: number | null;
}

export interface NotePosition {
  base_sha: string;
  start_sha: string;
  head_sha: string;
  old_path: string;
  new_path: string;
  position_type: 'text' | 'file';
  old_line: number | null;
  new_line: number | null;
  line_range?: { start: LineRangeEnd; end: LineRangeEnd } | null;
}

export interface Note {
  id: number;
  type: 'DiffNote' | 'DiscussionNote' | null;
  body: string;
  attachment: null;
  author: GitLabUser;
  created_at: string;
  updated_at: string;
  system: false;
  noteable_id: number;
  noteable_type: 'MergeRequest';
  noteable_iid: number;
  project_id: number;
  commit_id: string | null;
  position?: NotePosition;
  resolvable: boolean;
  resolved?: boolean;
  resolved_by?: GitLabUser | null;
  resolved_at?: string | null;
  confidential: false;
  internal: false;
}

export interface Discussion {
  id: string;
  individual_note: boolean;
  notes: Note[];
}

export interface DraftNote {
  id: number;
  author_id: number;
  merge_request_id: number;
  resolve_discussion: boolean;
  discussion_id: string | null;
  note: string;
  commit_id: string | null;
  line_code: string | null;
  position: NotePosition | EmptyPosition;
}

/** What GitLab shows as a draft's position when it has none (Draft Notes API docs). */
export interface EmptyPosition {
  base_sha: null;
  start_sha: null;
  head_sha: null;
  old_path: null;
  new_path: null;
  position_type: 'text';
  old_line: null;
  new_line: null;
  line_range: null;
}

export interface Issue {
  id: number;
  iid: number;
  project_id: number;
  title: string;
  description: string | null;
  state: 'opened' | 'closed';
  created_at: string;
  updated_at: string;
  closed_at: string | null;
  closed_by: GitLabUser | null;
  labels: string[];
  milestone: null;
  assignees: GitLabUser[];
  author: GitLabUser;
  type: 'ISSUE';
  user_notes_count: number;
  confidential: boolean;
  web_url: string;
}

export interface IssueSeed {
  title: string;
  description?: string | null;
  labels?: string[];
  state?: 'opened' | 'closed';
  author?: string;
}

export interface DiscussionSeed {
  body: string;
  /** Default: someone else ('reviewer'). */
  author?: string;
  /** Stored as given, not validated (a note left on an earlier version, say). */
  position?: NotePosition;
  /** A plain note (individual_note, not resolvable) rather than a thread. */
  individual?: boolean;
  resolved?: boolean;
}

/** Something GitLab would notify about: a note or thread, or a published review (many notes). */
export interface Notification {
  kind: 'note' | 'review';
  iid: number;
  noteIds: number[];
}

/** GitLab's limit on a note's or an issue description's length, in characters (MAX_TEXT_SIZE_LIMIT). */
export const MAX_NOTE_CHARACTERS = 1_000_000;

/** The exact bodies GitLab answers; see each for where it comes from. */
export const GITLAB_ERRORS = {
  /** Real: GitLab's answer to an unknown, expired or absent token. */
  unauthorized: { message: '401 Unauthorized' },
  /** Real: GitLab's forbidden!() body. */
  forbidden: { message: '403 Forbidden' },
  /** Real (many reports): a read_api token on a write. */
  insufficientScope: {
    error: 'insufficient_scope',
    error_description: 'The request requires higher privileges than provided by the access token.',
    scope: 'api',
  },
  /** Real: not_found!('Project'). */
  projectNotFound: { message: '404 Project Not Found' },
  /** Real: GitLab's rescue of ActiveRecord::RecordNotFound (find_by!(iid:) of a merge request, issue, note, draft). */
  notFound: { message: '404 Not found' },
  /** Real: the API's catch-all route. */
  routeNotFound: { error: '404 Not Found' },
  /** (plausible) not_found!('Discussion') for an unknown discussion id. */
  discussionNotFound: { message: '404 Discussion Not Found' },
  /** Real: the 500 body of an unhandled exception. */
  internalServerError: { message: '500 Internal Server Error' },
} as const;

/**
 * Messages inside GitLab's `{"message":"400 Bad request - Note {...}"}` (lib/api/discussions.rb:
 * bad_request!("Note #{note.errors.messages}"), Ruby < 3.4 Hash#inspect).
 */
export const NOTE_ERRORS = {
  /**
   * Real (many reports, e.g. Nikita-Filonov/ai-review#73, jdalrymple/gitbeaker#3433): the
   * position does not resolve to a line of the diff.
   */
  lineCode: `{:line_code=>["can't be blank", "must be a valid line code"]}`,
  /** Real (a 2021 Stack Overflow question): neither new_line nor old_line given. */
  lineCodeAndIncomplete: `{:line_code=>["can't be blank", "must be a valid line code"], :position=>["is incomplete"]}`,
  /** (plausible, Rails' length message) a body over MAX_NOTE_CHARACTERS. */
  tooLong: `{:note=>["is too long (maximum is ${MAX_NOTE_CHARACTERS} characters)"]}`,
  /** (plausible, Rails' presence message) an empty body. */
  blank: `{:note=>["can't be blank"]}`,
  /** Real (DiffNote#positions_complete): a file position without both paths. */
  positionIncomplete: `{:position=>["is incomplete"]}`,
  /** lineRanges 'checked' only, the fake's own wording (GitLab stores line_range unchecked). */
  lineRange: `{:position=>["line_range is not in the diff"]}`,
  /** filePositionPaths 'changed' only, (plausible) a file position on a path not changed. */
  filePath: `{:position=>["is invalid"]}`,
} as const;

/** The whole 400 body for one of NOTE_ERRORS. */
export const noteError = (inspected: string) => ({
  message: `400 Bad request - Note ${inspected}`,
});

class HttpFailure extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    super(typeof body === 'string' ? body : JSON.stringify(body));
  }
}

/** Grape's parameter errors: {"error":"a is missing, b is invalid"} (real format). */
const paramError = (...errors: string[]) => new HttpFailure(400, { error: errors.join(', ') });
const badRequestNote = (inspected: string) => new HttpFailure(400, noteError(inspected));

const characters = (text: string) => Array.from(text).length;
const timestamp = () => new Date().toISOString();
const sha1 = (text: string) => createHash('sha1').update(text).digest('hex');

interface DiffLine {
  type: 'new' | 'old' | null;
  /** null for an added line (Gitlab::Diff::Line#old_line). */
  oldLine: number | null;
  /** null for a removed line. */
  newLine: number | null;
  oldPos: number;
  newPos: number;
  /** Order in the file's diff, for range checks. */
  index: number;
  /** GitLab's line code: sha1(file path)_oldPos_newPos. */
  code: string;
}

interface FileDiff {
  old_path: string;
  new_path: string;
  a_mode: string;
  b_mode: string;
  new_file: boolean;
  renamed_file: boolean;
  deleted_file: boolean;
  /**
   * From the first @@ on, ending with a newline; '' for binary, mode-only or pure renames, and
   * for a patch over maxPatchBytes (too large). Not modelled: for a binary file GitLab sends a
   * "Binary files … differ" line (Gitlab::Git::Diff#json_safe_diff), with or without a/ b/
   * prefixes depending on where the patch came from.
   */
  diff: string;
  /** The patch's size in bytes before any pruning (GitLab's diff_bytesize). */
  patchBytes: number;
  tooLarge: boolean;
  /** Empty when too large: GitLab prunes the patch even where it places comments. */
  lines: DiffLine[];
  /** The hunk headers GitLab's parser keeps as "match" lines (not the one at the top of the file). */
  matches: Array<{ oldPos: number; newPos: number; index: number }>;
}

interface VersionRecord {
  id: number;
  headSha: string;
  baseSha: string;
  startSha: string;
  createdAt: string;
}

interface MergeRequestState {
  iid: number;
  id: number;
  title: string;
  description: string;
  author: string;
  sourceBranch: string;
  targetBranch: string;
  createdAt: string;
  updatedAt: string;
  /** Oldest first. */
  versions: VersionRecord[];
  emptyVersionsLeft: number;
}

interface NoteRecord {
  id: number;
  iid: number;
  discussionId: string;
  type: Note['type'];
  body: string;
  author: string;
  createdAt: string;
  updatedAt: string;
  position?: NotePosition;
  resolvable: boolean;
  resolved: boolean;
  resolvedBy: string | null;
  resolvedAt: string | null;
}

interface DiscussionRecord {
  id: string;
  iid: number;
  individual: boolean;
  notes: NoteRecord[];
}

interface DraftRecord {
  id: number;
  iid: number;
  author: string;
  note: string;
  position?: NotePosition;
  commitId: string | null;
  resolveDiscussion: boolean;
  discussionId: string | null;
  lineCode: string | null;
}

interface IssueRecord {
  id: number;
  iid: number;
  title: string;
  description: string | null;
  state: 'opened' | 'closed';
  labels: string[];
  author: string;
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
  closedBy: string | null;
  tick: number;
}

type Access = { kind: 'token'; scope: TokenScope } | { kind: 'job' } | { kind: 'anonymous' };

interface RequestContext {
  method: string;
  pathname: string;
  query: URLSearchParams;
  /** Query and body parameters merged, as Grape sees them. */
  params: Record<string, unknown>;
  access: Access;
}

interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

type Family = 'merge_requests' | 'notes' | 'issues' | 'project';

interface Route {
  method: string;
  pattern: RegExp;
  /**
   * Which GitLab API class serves it: notes, discussions and draft notes `authenticate!` before
   * anything; merge requests, issues and projects only authenticate non-GET requests.
   */
  family: Family;
  handler: (ctx: RequestContext, params: string[]) => Promise<Reply> | Reply;
}

const EMPTY_POSITION: EmptyPosition = {
  base_sha: null,
  start_sha: null,
  head_sha: null,
  old_path: null,
  new_path: null,
  position_type: 'text',
  old_line: null,
  new_line: null,
  line_range: null,
};

export class FakeGitLab {
  readonly requests: RecordedRequest[] = [];
  readonly login: string;

  private server: http.Server | undefined;
  private readonly faults: Array<Fault & { remaining: number }> = [];
  private readonly mergeRequests = new Map<number, MergeRequestState>();
  private readonly storedDiscussions: DiscussionRecord[] = [];
  private readonly storedDrafts: DraftRecord[] = [];
  private readonly storedIssues: IssueRecord[] = [];
  private readonly storedNotifications: Notification[] = [];
  private readonly diffCache = new Map<string, Promise<FileDiff[]>>();
  private readonly routes: Route[];
  private readonly serverUrl: string;
  private readonly supportsFilePositions: boolean;
  private readonly maxPatchBytes: number;
  private readonly oldLineCounts = new Map<string, Promise<number | undefined>>();
  private nextVersionId = 300_001;
  private nextNoteId = 500_001;
  private nextDraftId = 700_001;
  private nextIssueId = 900_001;
  private nextDiscussionSeed = 1;
  private clock = 0;

  constructor(private readonly options: FakeGitLabOptions) {
    this.login = options.login ?? 'codex-bot';
    this.serverUrl = (options.serverUrl ?? 'https://gitlab.example.com').replace(/\/+$/, '');
    this.supportsFilePositions = options.supportsFilePositions ?? true;
    this.maxPatchBytes = options.maxPatchBytes ?? 204_800;
    const project = String.raw`^/api/v4/projects/([^/]+)`;
    const mr = String.raw`/merge_requests/(\d+)`;
    const r = (method: string, path: string, family: Family, handler: Route['handler']): Route => ({
      method,
      pattern: new RegExp(`${project}${path}$`),
      family,
      handler,
    });
    this.routes = [
      r('GET', '', 'project', () => ({ status: 200, body: this.publicProject() })),
      r('GET', mr, 'merge_requests', async (_c, p) => ({
        status: 200,
        body: this.publicMergeRequest(this.mergeRequest(p[0]!)),
      })),
      r('GET', `${mr}/versions`, 'merge_requests', (c, p) => this.listVersions(c, p)),
      r('GET', `${mr}/diffs`, 'merge_requests', (c, p) => this.listDiffs(c, p)),
      r('GET', `${mr}/changes`, 'merge_requests', (c, p) => this.changes(c, p)),
      r('GET', `${mr}/discussions`, 'notes', (c, p) => this.listDiscussions(c, p)),
      r('POST', `${mr}/discussions`, 'notes', (c, p) => this.createDiscussion(c, p)),
      r('GET', `${mr}/discussions/([^/]+)`, 'notes', (_c, p) => ({
        status: 200,
        body: this.publicDiscussion(this.discussion(p)),
      })),
      r('PUT', `${mr}/discussions/([^/]+)`, 'notes', (c, p) => this.resolveDiscussion(c, p)),
      r('POST', `${mr}/discussions/([^/]+)/notes`, 'notes', (c, p) => this.replyToDiscussion(c, p)),
      r('PUT', String.raw`${mr}/discussions/([^/]+)/notes/(\d+)`, 'notes', (c, p) =>
        this.updateDiscussionNote(c, p),
      ),
      r('GET', `${mr}/notes`, 'notes', (c, p) => this.listNotes(c, p)),
      r('POST', `${mr}/notes`, 'notes', (c, p) => this.createNote(c, p)),
      r('GET', String.raw`${mr}/notes/(\d+)`, 'notes', (_c, p) => ({
        status: 200,
        body: this.publicNote(this.findNote(p[0]!, p[1]!)),
      })),
      r('PUT', String.raw`${mr}/notes/(\d+)`, 'notes', (c, p) => this.updateNote(c, p)),
      r('GET', `${mr}/draft_notes`, 'notes', (_c, p) => this.listDrafts(p)),
      r('POST', `${mr}/draft_notes`, 'notes', (c, p) => this.createDraft(c, p)),
      r('POST', `${mr}/draft_notes/bulk_publish`, 'notes', (_c, p) => this.bulkPublish(p)),
      r('GET', String.raw`${mr}/draft_notes/(\d+)`, 'notes', (_c, p) => ({
        status: 200,
        body: this.publicDraft(this.findDraft(p)),
      })),
      r('DELETE', String.raw`${mr}/draft_notes/(\d+)`, 'notes', (_c, p) => this.deleteDraft(p)),
      r('PUT', String.raw`${mr}/draft_notes/(\d+)/publish`, 'notes', (_c, p) =>
        this.publishDraft(p),
      ),
      r('GET', '/issues', 'issues', (c) => this.listIssues(c)),
      r('POST', '/issues', 'issues', (c) => this.createIssue(c)),
      r('GET', String.raw`/issues/(\d+)`, 'issues', (_c, p) => ({
        status: 200,
        body: this.publicIssue(this.findIssue(p[0]!)),
      })),
      r('PUT', String.raw`/issues/(\d+)`, 'issues', (c, p) => this.updateIssue(c, p)),
    ];
  }

  // ---------------------------------------------------------------- lifecycle

  /** The API v4 base, e.g. http://127.0.0.1:PORT/api/v4. */
  get url(): string {
    return `${this.origin}/api/v4`;
  }

  private get origin(): string {
    const addr = this.server?.address() as AddressInfo | undefined;
    if (!addr) throw new Error('fake GitLab API is not started');
    return `http://127.0.0.1:${addr.port}`;
  }

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }

  // ---------------------------------------------------------------- scenario set-up

  /**
   * Creates the merge request, or pushes to it: every call adds a version (GET .../versions
   * lists them newest first) and moves diff_refs to it.
   */
  setMergeRequest(spec: MergeRequestSpec): void {
    const previous = this.mergeRequests.get(spec.iid);
    const baseSha = this.gitSync(['merge-base', spec.baseSha, spec.headSha]);
    const headSha = this.gitSync(['rev-parse', '--verify', `${spec.headSha}^{commit}`]);
    const startSha = this.gitSync([
      'rev-parse',
      '--verify',
      `${spec.startSha ?? spec.baseSha}^{commit}`,
    ]);
    const now = timestamp();
    const version: VersionRecord = {
      id: this.nextVersionId++,
      headSha,
      baseSha,
      startSha,
      createdAt: now,
    };
    this.mergeRequests.set(spec.iid, {
      iid: spec.iid,
      id: 100_000 + spec.iid,
      title: spec.title ?? previous?.title ?? `Merge request !${spec.iid}`,
      description: spec.description ?? previous?.description ?? '',
      author: spec.author ?? previous?.author ?? 'alice',
      sourceBranch: spec.sourceBranch ?? previous?.sourceBranch ?? 'feature',
      targetBranch: spec.targetBranch ?? previous?.targetBranch ?? 'main',
      createdAt: previous?.createdAt ?? now,
      updatedAt: now,
      versions: [...(previous?.versions ?? []), version],
      emptyVersionsLeft: spec.emptyVersionsFirst ?? 0,
    });
  }

  /** A thread or note that already exists, e.g. left by a person or by an earlier run. */
  seedDiscussion(iid: number, seed: DiscussionSeed): Discussion {
    if (!this.mergeRequests.has(iid)) throw new Error(`fake GitLab: no merge request !${iid}`);
    const individual = seed.individual ?? false;
    const discussion = this.storeDiscussion(iid, individual);
    const note = this.storeNote(discussion, {
      body: seed.body,
      author: seed.author ?? 'reviewer',
      type: individual ? null : seed.position ? 'DiffNote' : 'DiscussionNote',
      position: seed.position,
    });
    if (seed.resolved && note.resolvable) {
      note.resolved = true;
      note.resolvedBy = note.author;
      note.resolvedAt = note.createdAt;
    }
    return this.publicDiscussion(discussion);
  }

  /** Someone resolves (or reopens) a thread in GitLab's UI: every note of it, as the API does. */
  setDiscussionResolved(iid: number, discussionId: string, resolved: boolean, by: string): void {
    const discussion = this.storedDiscussions.find((d) => d.iid === iid && d.id === discussionId);
    if (!discussion || discussion.individual)
      throw new Error(`fake GitLab: no resolvable thread ${discussionId} on !${iid}`);
    for (const note of discussion.notes) {
      note.resolved = resolved;
      note.resolvedBy = resolved ? by : null;
      note.resolvedAt = resolved ? timestamp() : null;
    }
  }

  /** An issue that already exists, e.g. an earlier audit's. */
  seedIssue(seed: IssueSeed): Issue {
    const record = this.storeIssue({
      title: seed.title,
      description: seed.description ?? null,
      labels: seed.labels ?? [],
      author: seed.author ?? this.login,
    });
    if (seed.state === 'closed') {
      record.state = 'closed';
      record.closedAt = record.createdAt;
      record.closedBy = record.author;
    }
    return this.publicIssue(record);
  }

  // ---------------------------------------------------------------- faults

  /** The next `times` (default 1) requests matching method/path get this answer instead. */
  inject(fault: Fault): void {
    this.faults.push({ ...fault, remaining: fault.times ?? 1 });
  }

  /**
   * A server error: 500 with GitLab's JSON body, or 502/503/504 with the text a proxy in front of
   * Rails answers (plausible text) — default 502.
   */
  serverError(times = 1, options: FaultMatch & { status?: 500 | 502 | 503 | 504 } = {}): void {
    const status = options.status ?? 502;
    this.inject({
      method: options.method,
      path: options.path,
      times,
      status,
      body:
        status === 500
          ? GITLAB_ERRORS.internalServerError
          : `${status} ${http.STATUS_CODES[status] ?? 'Error'}\n`,
    });
  }

  /**
   * GitLab's rate limiter (Rack::Attack): 429, Retry-After and RateLimit-* headers and the plain
   * text body "Retry later" (real: Gitlab::Throttle's default response text).
   */
  tooManyRequests(options: FaultMatch & { retryAfter?: number; times?: number } = {}): void {
    const retryAfter = options.retryAfter ?? 1;
    const reset = Math.floor(Date.now() / 1000) + retryAfter;
    this.inject({
      method: options.method,
      path: options.path,
      times: options.times ?? 1,
      status: 429,
      headers: {
        'content-type': 'text/plain',
        'retry-after': String(retryAfter),
        'ratelimit-name': 'throttle_authenticated_api',
        'ratelimit-limit': '2000',
        'ratelimit-observed': '2001',
        'ratelimit-remaining': '0',
        'ratelimit-reset': String(reset),
        'ratelimit-resettime': new Date(reset * 1000).toUTCString(),
      },
      body: 'Retry later\n',
    });
  }

  /** Injected faults not yet used up. */
  pendingFaults(): number {
    return this.faults.reduce((n, f) => n + f.remaining, 0);
  }

  // ---------------------------------------------------------------- inspection

  /** Every non-GET request, whatever its outcome (faults and refusals included). */
  get writes(): RecordedRequest[] {
    return this.requests.filter((r) => r.method !== 'GET' && r.method !== 'HEAD');
  }

  /** How many non-GET requests were made, whatever their outcome. */
  writeCalls(): number {
    return this.writes.length;
  }

  /** How many non-GET requests succeeded (2xx, not an injected fault). */
  successfulWrites(): number {
    return this.writes.filter((r) => !r.injected && r.status >= 200 && r.status < 300).length;
  }

  /** The merge request's threads (individual_note false), oldest first: plain notes are not. */
  discussions(iid: number): Discussion[] {
    return this.allDiscussions(iid).filter((d) => !d.individual_note);
  }

  /**
   * Everything GET .../discussions lists, oldest first: the threads and, as GitLab does, every
   * plain note as a one-note item with individual_note: true.
   */
  allDiscussions(iid: number): Discussion[] {
    return this.storedDiscussions.filter((d) => d.iid === iid).map((d) => this.publicDiscussion(d));
  }

  /** Every note of the merge request (thread notes included), oldest first. */
  notes(iid: number): Note[] {
    return this.allNotes(iid).map((n) => this.publicNote(n));
  }

  /** Every unpublished draft note of the merge request, oldest first. */
  drafts(iid: number): DraftNote[] {
    return this.storedDrafts.filter((d) => d.iid === iid).map((d) => this.publicDraft(d));
  }

  /** Issues as stored (closed ones included), in creation order. */
  issues(): Issue[] {
    return this.storedIssues.map((i) => this.publicIssue(i));
  }

  /** What GitLab would have notified about, in order: one per note, one per published review. */
  notifications(): Notification[] {
    return structuredClone(this.storedNotifications);
  }

  // ---------------------------------------------------------------- HTTP plumbing

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake.invalid');
    const method = (req.method ?? 'GET').toUpperCase();
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const contentType = String(req.headers['content-type'] ?? '');
    let body: unknown = undefined;
    let malformed = false;
    if (raw.length > 0) {
      if (/application\/x-www-form-urlencoded/i.test(contentType)) {
        body = parseNestedParams(new URLSearchParams(raw));
      } else {
        try {
          body = JSON.parse(raw);
        } catch {
          body = raw;
          malformed = /json/i.test(contentType);
        }
      }
    }
    const recorded: RecordedRequest = {
      method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      body,
      status: 0,
      injected: false,
      headers: req.headers,
    };
    this.requests.push(recorded);

    let reply: Reply;
    const fault = this.faults.find(
      (f) =>
        f.remaining > 0 &&
        (f.method === undefined || f.method.toUpperCase() === method) &&
        (f.path === undefined || f.path.test(url.pathname)),
    );
    if (fault) {
      fault.remaining -= 1;
      if (fault.remaining === 0) this.faults.splice(this.faults.indexOf(fault), 1);
      recorded.injected = true;
      if (fault.afterHandler) {
        await this.route(method, url, req, body, malformed).catch(() => undefined);
      }
      reply = {
        status: fault.status,
        body: fault.body ?? { message: `${fault.status} ${http.STATUS_CODES[fault.status] ?? ''}` },
        headers: fault.headers,
      };
    } else {
      try {
        reply = await this.route(method, url, req, body, malformed);
      } catch (error) {
        if (error instanceof HttpFailure) {
          reply = { status: error.status, body: error.body };
        } else {
          reply = {
            status: 500,
            body: { message: `fake GitLab internal error: ${(error as Error).message}` },
          };
        }
      }
    }
    recorded.status = reply.status;
    const text = typeof reply.body === 'string';
    const headers: Record<string, string> = {
      'content-type': text ? 'text/plain; charset=utf-8' : 'application/json',
      'x-request-id': `FAKE${String(this.requests.length).padStart(8, '0')}`,
      'cache-control': 'max-age=0, private, must-revalidate',
      ...reply.headers,
    };
    res.writeHead(reply.status, headers);
    if (reply.status === 204 || reply.body === undefined) res.end();
    else res.end(text ? (reply.body as string) : JSON.stringify(reply.body));
  }

  private async route(
    method: string,
    url: URL,
    req: http.IncomingMessage,
    body: unknown,
    malformed: boolean,
  ): Promise<Reply> {
    const pathname = url.pathname;
    const write = method !== 'GET' && method !== 'HEAD';
    if (method === 'GET' && pathname === '/api/v4/user') {
      // /user lets no job token in, and an anonymous caller has no current user.
      if (this.authenticate(req, url).kind !== 'token')
        throw new HttpFailure(401, GITLAB_ERRORS.unauthorized);
      return { status: 200, body: this.user(this.login) };
    }
    let matched: { route: Route; params: string[] } | undefined;
    for (const route of this.routes) {
      const m = route.pattern.exec(pathname);
      if (m && route.method === method) {
        matched = { route, params: m.slice(1) };
        break;
      }
    }
    // The API's catch-all answers unknown routes.
    if (!matched) throw new HttpFailure(404, GITLAB_ERRORS.routeNotFound);
    const { route, params } = matched;
    const caller = this.authenticate(req, url);
    let access: Access = caller;
    if (caller.kind === 'job') {
      // GitLab honours a job token only on routes that allow one; elsewhere it is ignored.
      const jobAccess = this.options.jobTokenAccess ?? {};
      if (write && jobAccess.writes === 'forbidden') {
        throw new HttpFailure(403, GITLAB_ERRORS.forbidden);
      }
      if (write || jobAccess.reads === 'ignored') access = { kind: 'anonymous' };
    }
    if (access.kind === 'anonymous') {
      // Notes, discussions and draft notes `authenticate!` first; the others authenticate
      // non-GET requests, then hide a private project from an anonymous reader.
      if (route.family === 'notes' || write) throw new HttpFailure(401, GITLAB_ERRORS.unauthorized);
    }
    let projectId: string;
    try {
      projectId = decodeURIComponent(params[0]!);
    } catch {
      throw new HttpFailure(404, GITLAB_ERRORS.projectNotFound);
    }
    const isProject =
      projectId === String(this.options.projectId) ||
      projectId.toLowerCase() === this.options.projectPath.toLowerCase();
    if (!isProject) throw new HttpFailure(404, GITLAB_ERRORS.projectNotFound);
    if (access.kind === 'anonymous' && (this.options.visibility ?? 'private') === 'private') {
      throw new HttpFailure(404, GITLAB_ERRORS.projectNotFound);
    }
    if (access.kind === 'token' && access.scope === 'read_api' && write) {
      throw new HttpFailure(403, GITLAB_ERRORS.insufficientScope);
    }
    if (malformed) {
      // (plausible) Grape's answer to a JSON body it cannot parse.
      throw new HttpFailure(400, { error: 'The provided JSON is malformed' });
    }
    const bodyParams =
      body !== null && typeof body === 'object' && !Array.isArray(body)
        ? (body as Record<string, unknown>)
        : {};
    const queryParams = parseNestedParams(url.searchParams);
    return route.handler(
      {
        method,
        pathname,
        query: url.searchParams,
        params: write ? { ...queryParams, ...bodyParams } : queryParams,
        access,
      },
      params.slice(1),
    );
  }

  /**
   * Who is calling. A token that is presented but unknown is refused outright (401), as GitLab
   * does even where anonymous access would do; whether a valid job token counts depends on the
   * route (see route()).
   */
  private authenticate(req: http.IncomingMessage, url: URL): Access {
    const privateToken = headerValue(req.headers['private-token']);
    const bearer = /^bearer\s+(\S+)\s*$/i.exec(headerValue(req.headers.authorization) ?? '')?.[1];
    const personal = privateToken ?? bearer ?? url.searchParams.get('private_token') ?? undefined;
    if (personal !== undefined) {
      if (!Object.hasOwn(this.options.tokens, personal)) {
        throw new HttpFailure(401, GITLAB_ERRORS.unauthorized);
      }
      return { kind: 'token', scope: this.options.tokens[personal]! };
    }
    const job =
      headerValue(req.headers['job-token']) ?? url.searchParams.get('job_token') ?? undefined;
    if (job !== undefined) {
      if (this.options.jobToken === undefined || job !== this.options.jobToken) {
        throw new HttpFailure(401, GITLAB_ERRORS.unauthorized);
      }
      return { kind: 'job' };
    }
    return { kind: 'anonymous' };
  }

  /** GitLab's offset pagination: page/per_page (20, at most 100), X-* headers and Link. */
  private paginate(ctx: RequestContext, items: unknown[]): Reply {
    const integer = (name: string): number | undefined => {
      const raw = ctx.query.get(name);
      if (raw === null || raw === '') return undefined;
      if (!/^\s*-?\d+\s*$/.test(raw)) throw paramError(`${name} is invalid`);
      return Number(raw);
    };
    const requestedPerPage = integer('per_page');
    // (plausible) a per_page under 1 falls back to the default.
    const perPage =
      requestedPerPage === undefined || requestedPerPage < 1 ? 20 : Math.min(requestedPerPage, 100);
    const page = Math.max(1, integer('page') ?? 1);
    const total = items.length;
    const totalPages = Math.max(1, Math.ceil(total / perPage));
    const slice = items.slice((page - 1) * perPage, page * perPage);
    const link = (n: number) => {
      const q = new URLSearchParams(ctx.query);
      q.set('page', String(n));
      q.set('per_page', String(perPage));
      return `<${this.origin}${ctx.pathname}?${q.toString()}>`;
    };
    const rels: string[] = [];
    if (page > 1) rels.push(`${link(page - 1)}; rel="prev"`);
    if (page < totalPages) rels.push(`${link(page + 1)}; rel="next"`);
    rels.push(`${link(1)}; rel="first"`, `${link(totalPages)}; rel="last"`);
    return {
      status: 200,
      body: slice,
      headers: {
        'x-page': String(page),
        'x-per-page': String(perPage),
        'x-next-page': page < totalPages ? String(page + 1) : '',
        'x-prev-page': page > 1 ? String(page - 1) : '',
        'x-total': String(total),
        'x-total-pages': String(totalPages),
        link: rels.join(', '),
      },
    };
  }

  // ---------------------------------------------------------------- git

  private gitSync(args: string[]): string {
    return execFileSync('git', args, {
      cwd: this.options.repoDir,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    }).trim();
  }

  private async git(args: string[]): Promise<string> {
    const { stdout } = await execFileAsync('git', args, {
      cwd: this.options.repoDir,
      encoding: 'utf8',
      maxBuffer: 512 * 1024 * 1024,
    });
    return stdout;
  }

  private async isCommit(sha: string): Promise<boolean> {
    if (!/^[0-9a-f]{7,40}$/i.test(sha)) return false;
    try {
      await this.git(['cat-file', '-e', `${sha}^{commit}`]);
      return true;
    } catch {
      return false;
    }
  }

  /** The diff from `from` to `to` (a straight two-dot diff), per file, cached. */
  private diff(from: string, to: string): Promise<FileDiff[]> {
    const key = `${from}..${to}`;
    let cached = this.diffCache.get(key);
    if (!cached) {
      cached = this.computeDiff(from, to);
      cached.catch(() => this.diffCache.delete(key));
      this.diffCache.set(key, cached);
    }
    return cached;
  }

  private async computeDiff(from: string, to: string): Promise<FileDiff[]> {
    // Pin what a user's git config could change; Gitaly applies none of it.
    const pinned = [
      '-c',
      'diff.noprefix=false',
      '-c',
      'diff.mnemonicPrefix=false',
      '-c',
      'diff.relative=false',
      '-c',
      'diff.context=3',
      '-c',
      'diff.interHunkContext=0',
      '-c',
      'diff.renames=true',
    ];
    const common = ['--no-color', '--no-ext-diff', '--no-textconv', '-M'];
    const text = await this.git([...pinned, 'diff', ...common, from, to]);
    const raw = await this.git([
      ...pinned,
      'diff',
      ...common,
      '--raw',
      '-z',
      '--no-abbrev',
      from,
      to,
    ]);
    return parseFiles(text, raw, this.maxPatchBytes);
  }

  private currentVersion(mr: MergeRequestState): VersionRecord {
    return mr.versions.at(-1)!;
  }

  private currentDiff(mr: MergeRequestState): Promise<FileDiff[]> {
    const v = this.currentVersion(mr);
    return this.diff(v.baseSha, v.headSha);
  }

  // ---------------------------------------------------------------- project and merge requests

  private publicProject() {
    return {
      id: this.options.projectId,
      path_with_namespace: this.options.projectPath,
      path: this.options.projectPath.split('/').at(-1),
      name: this.options.projectPath.split('/').at(-1),
      default_branch: 'main',
      visibility: this.options.visibility ?? 'private',
      web_url: `${this.serverUrl}/${this.options.projectPath}`,
    };
  }

  private mergeRequest(iidText: string): MergeRequestState {
    const mr = this.mergeRequests.get(Number(iidText));
    if (!mr) throw new HttpFailure(404, GITLAB_ERRORS.notFound);
    return mr;
  }

  private publicMergeRequest(mr: MergeRequestState) {
    const v = this.currentVersion(mr);
    return {
      id: mr.id,
      iid: mr.iid,
      project_id: this.options.projectId,
      title: mr.title,
      description: mr.description,
      state: 'opened',
      created_at: mr.createdAt,
      updated_at: mr.updatedAt,
      target_branch: mr.targetBranch,
      source_branch: mr.sourceBranch,
      source_project_id: this.options.projectId,
      target_project_id: this.options.projectId,
      author: this.user(mr.author),
      draft: false,
      work_in_progress: false,
      sha: v.headSha,
      merge_commit_sha: null,
      squash_commit_sha: null,
      detailed_merge_status: 'mergeable',
      web_url: `${this.serverUrl}/${this.options.projectPath}/-/merge_requests/${mr.iid}`,
      references: { short: `!${mr.iid}`, full: `${this.options.projectPath}!${mr.iid}` },
      diff_refs: { base_sha: v.baseSha, head_sha: v.headSha, start_sha: v.startSha },
      user_notes_count: this.allNotes(mr.iid).length,
    };
  }

  private async listVersions(ctx: RequestContext, params: string[]): Promise<Reply> {
    const mr = this.mergeRequest(params[0]!);
    if (mr.emptyVersionsLeft > 0) {
      mr.emptyVersionsLeft -= 1;
      return this.paginate(ctx, []);
    }
    const versions = await Promise.all(
      [...mr.versions].reverse().map(async (v) => ({
        id: v.id,
        head_commit_sha: v.headSha,
        base_commit_sha: v.baseSha,
        start_commit_sha: v.startSha,
        created_at: v.createdAt,
        merge_request_id: mr.id,
        state: 'collected',
        real_size: String((await this.diff(v.baseSha, v.headSha)).length),
      })),
    );
    return this.paginate(ctx, versions);
  }

  private async listDiffs(ctx: RequestContext, params: string[]): Promise<Reply> {
    const mr = this.mergeRequest(params[0]!);
    const collapse = this.options.collapseDiffs ?? false;
    return this.paginate(
      ctx,
      (await this.currentDiff(mr)).map((f) => this.publicDiff(f, collapse)),
    );
  }

  /** The deprecated GET .../changes: the merge request with every file's diff. */
  private async changes(ctx: RequestContext, params: string[]): Promise<Reply> {
    const mr = this.mergeRequest(params[0]!);
    const files = await this.currentDiff(mr);
    const raw = ['true', '1'].includes(ctx.query.get('access_raw_diffs') ?? '');
    return {
      status: 200,
      body: {
        ...this.publicMergeRequest(mr),
        changes: files.map((f) => this.publicDiff(f, !raw)),
        overflow: false,
      },
    };
  }

  /** API::Entities::Diff. */
  private publicDiff(f: FileDiff, collapse: boolean) {
    // Gitlab::Git::Diff#collapsed?: not expanded, and at least a tenth of the hard limit.
    const collapsed =
      collapse && !f.tooLarge && f.patchBytes >= Math.floor(this.maxPatchBytes / 10);
    return {
      diff: collapsed ? '' : f.diff,
      ...((this.options.diffFlags ?? true) ? { collapsed, too_large: f.tooLarge } : {}),
      new_path: f.new_path,
      old_path: f.old_path,
      a_mode: f.a_mode,
      b_mode: f.b_mode,
      new_file: f.new_file,
      renamed_file: f.renamed_file,
      deleted_file: f.deleted_file,
      generated_file: false,
    };
  }

  // ---------------------------------------------------------------- positions

  /**
   * Grape's checks of the `position` hash (real wordings: "position[base_sha] is missing",
   * "position[position_type] does not have a valid value"), then a typed copy.
   */
  private parsePosition(raw: unknown): NotePosition | undefined {
    if (raw === undefined || raw === null) return undefined;
    if (typeof raw !== 'object' || Array.isArray(raw)) throw paramError('position is invalid');
    const p = raw as Record<string, unknown>;
    const errors: string[] = [];
    for (const key of ['base_sha', 'start_sha', 'head_sha', 'position_type']) {
      if (p[key] === undefined || p[key] === null) errors.push(`position[${key}] is missing`);
      else if (typeof p[key] !== 'string') errors.push(`position[${key}] is invalid`);
    }
    const allowed = this.supportsFilePositions ? ['text', 'image', 'file'] : ['text', 'image'];
    if (typeof p.position_type === 'string' && !allowed.includes(p.position_type)) {
      errors.push('position[position_type] does not have a valid value');
    }
    for (const key of ['new_path', 'old_path']) {
      if (p[key] !== undefined && p[key] !== null && typeof p[key] !== 'string') {
        errors.push(`position[${key}] is invalid`);
      }
    }
    const lines: Record<string, number | null> = {};
    for (const key of ['new_line', 'old_line']) {
      const value = coerceInteger(p[key]);
      if (value === 'invalid') errors.push(`position[${key}] is invalid`);
      else lines[key] = value;
    }
    let lineRange: NotePosition['line_range'];
    if (p.line_range !== undefined && p.line_range !== null) {
      if (typeof p.line_range !== 'object' || Array.isArray(p.line_range)) {
        errors.push('position[line_range] is invalid');
      } else {
        const lr = p.line_range as Record<string, unknown>;
        const ends: Partial<Record<'start' | 'end', LineRangeEnd>> = {};
        for (const end of ['start', 'end'] as const) {
          const e = lr[end];
          if (e === undefined || e === null) continue;
          if (typeof e !== 'object' || Array.isArray(e)) {
            errors.push(`position[line_range][${end}] is invalid`);
            continue;
          }
          const o = e as Record<string, unknown>;
          const oldLine = coerceInteger(o.old_line);
          const newLine = coerceInteger(o.new_line);
          if (oldLine === 'invalid')
            errors.push(`position[line_range][${end}][old_line] is invalid`);
          if (newLine === 'invalid')
            errors.push(`position[line_range][${end}][new_line] is invalid`);
          ends[end] = {
            line_code: typeof o.line_code === 'string' ? o.line_code : '',
            type: o.type === 'new' || o.type === 'old' ? o.type : null,
            old_line: oldLine === 'invalid' ? null : oldLine,
            new_line: newLine === 'invalid' ? null : newLine,
          };
        }
        // An end left out stays out; checkLineRange refuses the range.
        lineRange = ends as { start: LineRangeEnd; end: LineRangeEnd };
      }
    }
    if (errors.length > 0) throw paramError(...errors);
    if (p.position_type === 'image') {
      // Loud, not faithful: the fake models text and file positions only.
      throw new HttpFailure(400, { error: 'fake GitLab: image positions are not modelled' });
    }
    const file = p.position_type === 'file';
    return {
      base_sha: p.base_sha as string,
      start_sha: p.start_sha as string,
      head_sha: p.head_sha as string,
      // A text position's diff is looked up by either path; a file position needs both.
      old_path:
        (p.old_path as string | undefined) ??
        (file ? '' : (p.new_path as string | undefined)) ??
        '',
      new_path:
        (p.new_path as string | undefined) ??
        (file ? '' : (p.old_path as string | undefined)) ??
        '',
      position_type: p.position_type as 'text' | 'file',
      old_line: p.position_type === 'file' ? null : (lines.old_line ?? null),
      new_line: p.position_type === 'file' ? null : (lines.new_line ?? null),
      ...(lineRange !== undefined ? { line_range: lineRange } : {}),
      ...(p.position_type === 'file' ? { line_range: null } : {}),
    };
  }

  /**
   * Where GitLab would put a diff note, or the 400 it answers (DiffNote validations: line_code
   * presence, positions_complete). Returns the line code of the line the note is on.
   */
  private async placePosition(
    mr: MergeRequestState,
    position: NotePosition,
  ): Promise<string | null> {
    if (position.position_type === 'file') {
      // FileFormatter#complete? wants both paths; a file note has no line code to check.
      if (position.old_path === '' || position.new_path === '') {
        throw badRequestNote(NOTE_ERRORS.positionIncomplete);
      }
      if ((this.options.filePositionPaths ?? 'any') === 'any') return null;
      // STRICTER THAN GITLAB (see FakeGitLabOptions.filePositionPaths).
      const refuse = () => badRequestNote(NOTE_ERRORS.filePath);
      if (!findFile((await this.diffFor(mr, position, refuse)).files, position)) throw refuse();
      return null;
    }
    // parsePosition fills each path from the other, so '' means neither was given.
    // positions_complete wants a file path and a line on either side.
    const complete =
      position.new_path !== '' && (position.new_line !== null || position.old_line !== null);
    const refuse = () =>
      badRequestNote(complete ? NOTE_ERRORS.lineCode : NOTE_ERRORS.lineCodeAndIncomplete);
    const { files, base } = await this.diffFor(mr, position, refuse);
    if (!complete) throw refuse();
    const file = findFile(files, position);
    if (!file) throw refuse();
    // Gitlab::Diff::File#line_for_position: both sides must match exactly (nil for the side a
    // line does not have), so an unchanged line needs both numbers and a changed line only one.
    const line = file.lines.find(
      (l) => l.oldLine === position.old_line && l.newLine === position.new_line,
    );
    const code = line?.code ?? (await this.unfoldedLineCode(file, base, position));
    if (code === undefined) throw refuse();
    if (position.line_range && this.options.lineRanges === 'checked') {
      // STRICTER THAN GITLAB (see FakeGitLabOptions.lineRanges).
      this.checkLineRange(file, position.line_range);
    }
    return code;
  }

  /** The comparison a position names, as GitLab computes it, and its old side's commit. */
  private async diffFor(
    mr: MergeRequestState,
    position: NotePosition,
    refuse: () => HttpFailure,
  ): Promise<{ files: FileDiff[]; base: string }> {
    const v = this.currentVersion(mr);
    const current =
      position.base_sha === v.baseSha &&
      position.start_sha === v.startSha &&
      position.head_sha === v.headSha;
    if (current) return { files: await this.currentDiff(mr), base: v.baseSha };
    if ((this.options.staleDiffRefs ?? 'resolve') !== 'resolve') {
      // STRICTER THAN GITLAB (see FakeGitLabOptions.staleDiffRefs).
      throw refuse();
    }
    const shas = [position.base_sha, position.start_sha, position.head_sha];
    const real = await Promise.all(shas.map((s) => this.isCommit(s)));
    if (real.includes(false)) throw refuse();
    // Gitlab::Git::Compare (not straight): merge-base(start, head)..head.
    const base = (await this.git(['merge-base', position.start_sha, position.head_sha])).trim();
    return { files: await this.diff(base, position.head_sha), base };
  }

  /**
   * The line code GitLab gives an unchanged line outside the hunks once Gitlab::Diff::LinesUnfolder
   * has unfolded the file around it, or undefined where it would not unfold (see
   * FakeGitLabOptions.unfoldUnchangedLines). Its rules, including where it counts from the
   * diff's last line, are mirrored as written.
   */
  private async unfoldedLineCode(
    file: FileDiff,
    base: string,
    position: NotePosition,
  ): Promise<string | undefined> {
    if (!(this.options.unfoldUnchangedLines ?? true)) return undefined;
    const { old_line: oldLine, new_line: newLine } = position;
    if (oldLine === null || newLine === null) return undefined;
    if (file.new_file || file.deleted_file || file.lines.length === 0) return undefined;
    const length = await this.oldLineCount(base, file.old_path);
    if (length === undefined || oldLine > length) return undefined;
    const last = file.lines.at(-1)!;
    let offset: number;
    if (oldLine > last.oldPos) {
      offset = last.newPos - last.oldPos;
    } else {
      const match = file.matches.find((m) => m.oldPos > oldLine);
      if (!match) return undefined;
      const before = file.lines.filter((l) => l.index < match.index).at(-1);
      // The unfolded blob lines start after the line before the hunk header.
      if (before && oldLine <= before.oldPos) return undefined;
      offset = match.newPos - match.oldPos;
    }
    if (newLine !== oldLine + offset) return undefined;
    return `${sha1(file.new_path)}_${oldLine}_${newLine}`;
  }

  /** How many lines the old blob has (Ruby's String#lines count), undefined when git has none. */
  private oldLineCount(commit: string, path: string): Promise<number | undefined> {
    const key = `${commit}:${path}`;
    let count = this.oldLineCounts.get(key);
    if (!count) {
      count = this.git(['cat-file', 'blob', key]).then(
        (text) => text.split('\n').length - (text.endsWith('\n') || text === '' ? 1 : 0),
        () => undefined,
      );
      this.oldLineCounts.set(key, count);
    }
    return count;
  }

  /**
   * lineRanges 'checked', the fake's own rule (GitLab stores line_range without checking it):
   * both ends must be lines of the same file's diff, described consistently, in order.
   */
  private checkLineRange(file: FileDiff, range: NonNullable<NotePosition['line_range']>): void {
    const refuse = () => badRequestNote(NOTE_ERRORS.lineRange);
    const find = (end: LineRangeEnd | undefined): DiffLine => {
      if (!end) throw refuse();
      let line: DiffLine | undefined;
      if (end.line_code) {
        line = file.lines.find((l) => l.code === end.line_code);
        if (!line) throw refuse();
        if (end.old_line !== null && end.old_line !== line.oldLine) throw refuse();
        if (end.new_line !== null && end.new_line !== line.newLine) throw refuse();
      } else {
        if (end.old_line === null && end.new_line === null) throw refuse();
        line = file.lines.find((l) => l.oldLine === end.old_line && l.newLine === end.new_line);
        if (!line) throw refuse();
      }
      if (line.type === 'new' && end.type === 'old') throw refuse();
      if (line.type === 'old' && end.type === 'new') throw refuse();
      return line;
    };
    const start = find(range.start);
    const end = find(range.end);
    if (start.index > end.index) throw refuse();
  }

  /** The body checks Note's validations make (presence, length), as GitLab words them. */
  private checkNoteBody(body: string): void {
    if (body.trim() === '') throw badRequestNote(NOTE_ERRORS.blank);
    if (characters(body) > MAX_NOTE_CHARACTERS) throw badRequestNote(NOTE_ERRORS.tooLong);
  }

  // ---------------------------------------------------------------- notes and discussions

  private storeDiscussion(iid: number, individual: boolean): DiscussionRecord {
    const discussion: DiscussionRecord = {
      id: sha1(`fake-gitlab-discussion-${this.nextDiscussionSeed++}`),
      iid,
      individual,
      notes: [],
    };
    this.storedDiscussions.push(discussion);
    return discussion;
  }

  private storeNote(
    discussion: DiscussionRecord,
    input: { body: string; author: string; type: Note['type']; position?: NotePosition },
  ): NoteRecord {
    const now = timestamp();
    const note: NoteRecord = {
      id: this.nextNoteId++,
      iid: discussion.iid,
      discussionId: discussion.id,
      type: input.type,
      body: input.body,
      author: input.author,
      createdAt: now,
      updatedAt: now,
      ...(input.position ? { position: structuredClone(input.position) } : {}),
      resolvable: !discussion.individual,
      resolved: false,
      resolvedBy: null,
      resolvedAt: null,
    };
    discussion.notes.push(note);
    const mr = this.mergeRequests.get(discussion.iid);
    if (mr) mr.updatedAt = now;
    return note;
  }

  private allNotes(iid: number): NoteRecord[] {
    return this.storedDiscussions
      .filter((d) => d.iid === iid)
      .flatMap((d) => d.notes)
      .sort((a, b) => a.id - b.id);
  }

  private discussion(params: string[]): DiscussionRecord {
    this.mergeRequest(params[0]!);
    const found = this.storedDiscussions.find(
      (d) => d.iid === Number(params[0]) && d.id === params[1],
    );
    if (!found) throw new HttpFailure(404, GITLAB_ERRORS.discussionNotFound);
    return found;
  }

  private findNote(iidText: string, idText: string): NoteRecord {
    this.mergeRequest(iidText);
    const note = this.allNotes(Number(iidText)).find((n) => n.id === Number(idText));
    if (!note) throw new HttpFailure(404, GITLAB_ERRORS.notFound);
    return note;
  }

  private async listDiscussions(ctx: RequestContext, params: string[]): Promise<Reply> {
    this.mergeRequest(params[0]!);
    return this.paginate(ctx, this.allDiscussions(Number(params[0])));
  }

  private async createDiscussion(ctx: RequestContext, params: string[]): Promise<Reply> {
    const mr = this.mergeRequest(params[0]!);
    const body = requireString(ctx.params, 'body');
    const position = this.parsePosition(ctx.params.position);
    this.checkNoteBody(body);
    if (position) await this.placePosition(mr, position);
    const discussion = this.storeDiscussion(mr.iid, false);
    const note = this.storeNote(discussion, {
      body,
      author: this.login,
      type: position ? 'DiffNote' : 'DiscussionNote',
      position,
    });
    this.storedNotifications.push({ kind: 'note', iid: mr.iid, noteIds: [note.id] });
    return { status: 201, body: this.publicDiscussion(discussion) };
  }

  private replyToDiscussion(ctx: RequestContext, params: string[]): Reply {
    const discussion = this.discussion(params);
    const body = requireString(ctx.params, 'body');
    this.checkNoteBody(body);
    if (discussion.individual) {
      // Real (lib/api/discussions.rb): a plain note can be replied to once GitLab converts it;
      // the fake turns it into a thread as GitLab does.
      discussion.individual = false;
      for (const n of discussion.notes) {
        n.type = 'DiscussionNote';
        n.resolvable = true;
      }
    }
    const note = this.storeNote(discussion, { body, author: this.login, type: 'DiscussionNote' });
    // (plausible) A reply leaves the thread's resolved state as it was.
    note.resolved = discussion.notes[0]!.resolved;
    note.resolvedBy = discussion.notes[0]!.resolvedBy;
    note.resolvedAt = discussion.notes[0]!.resolvedAt;
    this.storedNotifications.push({ kind: 'note', iid: discussion.iid, noteIds: [note.id] });
    return { status: 201, body: this.publicNote(note) };
  }

  private resolveDiscussion(ctx: RequestContext, params: string[]): Reply {
    const discussion = this.discussion(params);
    const resolved = requireBoolean(ctx.params, 'resolved');
    // Real: resolve_discussion answers forbidden! unless the discussion can be resolved.
    if (discussion.individual) throw new HttpFailure(403, GITLAB_ERRORS.forbidden);
    const now = timestamp();
    for (const note of discussion.notes) {
      note.resolved = resolved;
      note.resolvedBy = resolved ? this.login : null;
      note.resolvedAt = resolved ? now : null;
    }
    return { status: 200, body: this.publicDiscussion(discussion) };
  }

  private updateDiscussionNote(ctx: RequestContext, params: string[]): Reply {
    const discussion = this.discussion(params);
    const note = discussion.notes.find((n) => n.id === Number(params[2]));
    if (!note) throw new HttpFailure(404, GITLAB_ERRORS.notFound);
    const hasBody = ctx.params.body !== undefined;
    const hasResolved = ctx.params.resolved !== undefined;
    // (plausible) Grape's exactly_one_of wordings.
    if (!hasBody && !hasResolved) {
      throw paramError('body, resolved are missing, exactly one parameter must be provided');
    }
    if (hasBody && hasResolved) throw paramError('body, resolved are mutually exclusive');
    if (hasResolved) {
      const resolved = requireBoolean(ctx.params, 'resolved');
      if (!note.resolvable) throw new HttpFailure(403, GITLAB_ERRORS.forbidden);
      note.resolved = resolved;
      note.resolvedBy = resolved ? this.login : null;
      note.resolvedAt = resolved ? timestamp() : null;
      return { status: 200, body: this.publicNote(note) };
    }
    this.editNote(note, requireString(ctx.params, 'body'));
    return { status: 200, body: this.publicNote(note) };
  }

  /** Edits a note's body: only its author may (admin_note), with Note's validations. */
  private editNote(note: NoteRecord, body: string): void {
    if (note.author !== this.login) throw new HttpFailure(403, GITLAB_ERRORS.forbidden);
    if (body.trim() === '') throw paramError('body is empty');
    if (characters(body) > MAX_NOTE_CHARACTERS) {
      // (plausible) NotesHelpers#update_note's wording.
      throw new HttpFailure(400, {
        message: `400 Bad request - Failed to save note ${NOTE_ERRORS.tooLong}`,
      });
    }
    note.body = body;
    note.updatedAt = timestamp();
  }

  private listNotes(ctx: RequestContext, params: string[]): Reply {
    this.mergeRequest(params[0]!);
    const orderBy = ctx.query.get('order_by') ?? 'created_at';
    const sort = ctx.query.get('sort') ?? 'desc';
    const errors: string[] = [];
    if (!['created_at', 'updated_at'].includes(orderBy)) {
      errors.push('order_by does not have a valid value');
    }
    if (!['asc', 'desc'].includes(sort)) errors.push('sort does not have a valid value');
    if (errors.length > 0) throw paramError(...errors);
    // Real: GET .../notes is newest first unless told otherwise (sort defaults to desc).
    const notes = this.allNotes(Number(params[0])).sort((a, b) => {
      const key = orderBy === 'updated_at' ? 'updatedAt' : 'createdAt';
      const order = a[key].localeCompare(b[key]) || a.id - b.id;
      return sort === 'asc' ? order : -order;
    });
    return this.paginate(
      ctx,
      notes.map((n) => this.publicNote(n)),
    );
  }

  private createNote(ctx: RequestContext, params: string[]): Reply {
    const mr = this.mergeRequest(params[0]!);
    const body = requireString(ctx.params, 'body');
    this.checkNoteBody(body);
    const discussion = this.storeDiscussion(mr.iid, true);
    const note = this.storeNote(discussion, { body, author: this.login, type: null });
    this.storedNotifications.push({ kind: 'note', iid: mr.iid, noteIds: [note.id] });
    return { status: 201, body: this.publicNote(note) };
  }

  private updateNote(ctx: RequestContext, params: string[]): Reply {
    const note = this.findNote(params[0]!, params[1]!);
    if (ctx.params.body === undefined) {
      // (plausible) NotesHelpers#update_note with nothing to change.
      throw new HttpFailure(400, { message: '400 Bad request - Missing params to modify' });
    }
    this.editNote(note, requireString(ctx.params, 'body'));
    return { status: 200, body: this.publicNote(note) };
  }

  // ---------------------------------------------------------------- draft notes

  private get draftPositions(): NonNullable<FakeGitLabOptions['draftPositions']> {
    return this.options.draftPositions ?? 'drop-on-publish';
  }

  private listDrafts(params: string[]): Reply {
    this.mergeRequest(params[0]!);
    // Real: not paginated; only the current user's drafts.
    return {
      status: 200,
      body: this.storedDrafts
        .filter((d) => d.iid === Number(params[0]) && d.author === this.login)
        .map((d) => this.publicDraft(d)),
    };
  }

  private findDraft(params: string[]): DraftRecord {
    this.mergeRequest(params[0]!);
    const draft = this.storedDrafts.find(
      (d) => d.iid === Number(params[0]) && d.id === Number(params[1]) && d.author === this.login,
    );
    if (!draft) throw new HttpFailure(404, GITLAB_ERRORS.notFound);
    return draft;
  }

  private async createDraft(ctx: RequestContext, params: string[]): Promise<Reply> {
    const mr = this.mergeRequest(params[0]!);
    const note = requireString(ctx.params, 'note');
    const position = this.parsePosition(ctx.params.position);
    const resolveDiscussion =
      ctx.params.resolve_discussion === undefined
        ? false
        : requireBoolean(ctx.params, 'resolve_discussion');
    let discussionId: string | null = null;
    if (ctx.params.in_reply_to_discussion_id !== undefined) {
      const id = String(ctx.params.in_reply_to_discussion_id);
      const target = this.storedDiscussions.find((d) => d.iid === mr.iid && d.id === id);
      // Real (DraftNotes::CreateService, rendered by render_validation_error!).
      if (!target) {
        throw new HttpFailure(400, { message: { base: ['Thread to reply to cannot be found'] } });
      }
      discussionId = id;
    }
    let lineCode: string | null = null;
    if (this.draftPositions === 'reject-on-create') {
      // STRICTER THAN GITLAB (see FakeGitLabOptions.draftPositions): checked as its note would be.
      this.checkNoteBody(note);
      if (position) lineCode = await this.placePosition(mr, position);
    } else if (position) {
      // DraftNote#line_code: worked out where the position resolves, nil elsewhere; never refused.
      lineCode = await this.placePosition(mr, position).catch((error: unknown) => {
        if (error instanceof HttpFailure) return null;
        throw error;
      });
    }
    const draft: DraftRecord = {
      id: this.nextDraftId++,
      iid: mr.iid,
      author: this.login,
      note,
      ...(position ? { position } : {}),
      commitId: typeof ctx.params.commit_id === 'string' ? ctx.params.commit_id : null,
      resolveDiscussion,
      discussionId,
      lineCode,
    };
    this.storedDrafts.push(draft);
    return { status: 201, body: this.publicDraft(draft) };
  }

  private deleteDraft(params: string[]): Reply {
    const draft = this.findDraft(params);
    this.storedDrafts.splice(this.storedDrafts.indexOf(draft), 1);
    return { status: 204 };
  }

  /**
   * Turns one draft into a note (a new thread, or a reply); undefined when GitLab's note would be
   * invalid and is silently not saved (draftPositions 'drop-on-publish').
   */
  private async noteFromDraft(
    mr: MergeRequestState,
    draft: DraftRecord,
  ): Promise<NoteRecord | undefined> {
    if (this.draftPositions === 'drop-on-publish') {
      try {
        this.checkNoteBody(draft.note);
        if (draft.position) await this.placePosition(mr, draft.position);
      } catch (error) {
        if (error instanceof HttpFailure) return undefined;
        throw error;
      }
    }
    const existing = draft.discussionId
      ? this.storedDiscussions.find((d) => d.id === draft.discussionId)
      : undefined;
    if (existing) {
      const note = this.storeNote(existing, {
        body: draft.note,
        author: draft.author,
        type: 'DiscussionNote',
      });
      if (draft.resolveDiscussion) {
        for (const n of existing.notes) {
          n.resolved = true;
          n.resolvedBy = draft.author;
          n.resolvedAt = note.createdAt;
        }
      }
      return note;
    }
    const discussion = this.storeDiscussion(mr.iid, false);
    return this.storeNote(discussion, {
      body: draft.note,
      author: draft.author,
      // Real (DraftNote#type): a draft on the diff publishes as a DiffNote, any other as a
      // resolvable DiscussionNote.
      type: draft.position ? 'DiffNote' : 'DiscussionNote',
      position: draft.position,
    });
  }

  private async publishDraft(params: string[]): Promise<Reply> {
    const mr = this.mergeRequest(params[0]!);
    const draft = this.findDraft(params);
    const note = await this.noteFromDraft(mr, draft);
    this.storedDrafts.splice(this.storedDrafts.indexOf(draft), 1);
    if (note) this.storedNotifications.push({ kind: 'note', iid: mr.iid, noteIds: [note.id] });
    return { status: 204 };
  }

  /** Every draft of the current user at once: one review, one notification; 204 even with none. */
  private async bulkPublish(params: string[]): Promise<Reply> {
    const mr = this.mergeRequest(params[0]!);
    const drafts = this.storedDrafts.filter((d) => d.iid === mr.iid && d.author === this.login);
    if (drafts.length === 0) return { status: 204 };
    const created: number[] = [];
    for (const draft of drafts) {
      const note = await this.noteFromDraft(mr, draft);
      if (note) created.push(note.id);
    }
    for (const draft of drafts) this.storedDrafts.splice(this.storedDrafts.indexOf(draft), 1);
    this.storedNotifications.push({ kind: 'review', iid: mr.iid, noteIds: created });
    return { status: 204 };
  }

  // ---------------------------------------------------------------- issues

  private storeIssue(input: {
    title: string;
    description: string | null;
    labels: string[];
    author: string;
  }): IssueRecord {
    const now = timestamp();
    const record: IssueRecord = {
      id: this.nextIssueId++,
      iid: this.storedIssues.length + 1,
      title: input.title,
      description: input.description,
      state: 'opened',
      labels: uniqueLabels(input.labels),
      author: input.author,
      createdAt: now,
      updatedAt: now,
      closedAt: null,
      closedBy: null,
      tick: ++this.clock,
    };
    this.storedIssues.push(record);
    return record;
  }

  private findIssue(iidText: string): IssueRecord {
    const issue = this.storedIssues.find((i) => i.iid === Number(iidText));
    if (!issue) throw new HttpFailure(404, GITLAB_ERRORS.notFound);
    return issue;
  }

  private listIssues(ctx: RequestContext): Reply {
    const state = ctx.query.get('state') ?? 'all';
    const orderBy = ctx.query.get('order_by') ?? 'created_at';
    const sort = ctx.query.get('sort') ?? 'desc';
    const errors: string[] = [];
    if (!['opened', 'closed', 'all'].includes(state))
      errors.push('state does not have a valid value');
    if (!['created_at', 'updated_at'].includes(orderBy)) {
      // The fake sorts by these two only (GitLab takes more keys).
      errors.push('order_by does not have a valid value');
    }
    if (!['asc', 'desc'].includes(sort)) errors.push('sort does not have a valid value');
    if (errors.length > 0) throw paramError(...errors);
    const labels = (ctx.query.get('labels') ?? '')
      .split(',')
      .map((l) => l.trim().toLowerCase())
      .filter(Boolean);
    const search = (ctx.query.get('search') ?? '').toLowerCase();
    const issues = this.storedIssues
      .filter((i) => state === 'all' || i.state === state)
      // GitLab matches label names case-insensitively and needs all of them.
      .filter((i) => labels.every((l) => i.labels.some((x) => x.toLowerCase() === l)))
      .filter(
        (i) =>
          search === '' ||
          i.title.toLowerCase().includes(search) ||
          (i.description ?? '').toLowerCase().includes(search),
      )
      .sort((a, b) => {
        const order =
          (orderBy === 'updated_at' ? a.updatedAt.localeCompare(b.updatedAt) : 0) ||
          a.tick - b.tick;
        return sort === 'asc' ? order : -order;
      });
    return this.paginate(
      ctx,
      issues.map((i) => this.publicIssue(i)),
    );
  }

  private issueText(ctx: RequestContext): { title?: string; description?: string | null } {
    const out: { title?: string; description?: string | null } = {};
    const messages: Record<string, string[]> = {};
    if (ctx.params.title !== undefined) {
      const title = String(ctx.params.title);
      // (plausible) render_validation_error! bodies of the Issue model's validations.
      if (title.trim() === '') messages.title = ["can't be blank"];
      else if (characters(title) > 255)
        messages.title = ['is too long (maximum is 255 characters)'];
      out.title = title;
    }
    if (ctx.params.description !== undefined) {
      const description = ctx.params.description === null ? null : String(ctx.params.description);
      if (description !== null && characters(description) > MAX_NOTE_CHARACTERS) {
        messages.description = [`is too long (maximum is ${MAX_NOTE_CHARACTERS} characters)`];
      }
      out.description = description;
    }
    if (Object.keys(messages).length > 0) throw new HttpFailure(400, { message: messages });
    return out;
  }

  private createIssue(ctx: RequestContext): Reply {
    requireString(ctx.params, 'title');
    const text = this.issueText(ctx);
    const record = this.storeIssue({
      title: text.title!,
      description: text.description ?? null,
      labels: labelList(ctx.params.labels),
      author: this.login,
    });
    return { status: 201, body: this.publicIssue(record) };
  }

  private updateIssue(ctx: RequestContext, params: string[]): Reply {
    const issue = this.findIssue(params[0]!);
    const keys = ['title', 'description', 'labels', 'add_labels', 'remove_labels', 'state_event'];
    if (!keys.some((k) => ctx.params[k] !== undefined)) {
      // (plausible, shortened) Grape's at_least_one_of.
      throw paramError(`${keys.join(', ')} are missing, at least one parameter must be provided`);
    }
    const stateEvent = ctx.params.state_event;
    if (stateEvent !== undefined && stateEvent !== 'close' && stateEvent !== 'reopen') {
      throw paramError('state_event does not have a valid value');
    }
    const text = this.issueText(ctx);
    if (text.title !== undefined) issue.title = text.title;
    if (text.description !== undefined) issue.description = text.description;
    if (ctx.params.labels !== undefined) issue.labels = uniqueLabels(labelList(ctx.params.labels));
    if (ctx.params.add_labels !== undefined) {
      issue.labels = uniqueLabels([...issue.labels, ...labelList(ctx.params.add_labels)]);
    }
    if (ctx.params.remove_labels !== undefined) {
      const remove = labelList(ctx.params.remove_labels).map((l) => l.toLowerCase());
      issue.labels = issue.labels.filter((l) => !remove.includes(l.toLowerCase()));
    }
    const now = timestamp();
    if (stateEvent === 'close' && issue.state === 'opened') {
      issue.state = 'closed';
      issue.closedAt = now;
      issue.closedBy = this.login;
    } else if (stateEvent === 'reopen' && issue.state === 'closed') {
      issue.state = 'opened';
      issue.closedAt = null;
      issue.closedBy = null;
    }
    issue.updatedAt = now;
    return { status: 200, body: this.publicIssue(issue) };
  }

  // ---------------------------------------------------------------- entities

  private user(username: string): GitLabUser {
    let id = 0;
    for (const ch of username) id = (id * 31 + ch.charCodeAt(0)) % 9_000_000;
    return {
      id: id + 1_000_000,
      username,
      name: username,
      state: 'active',
      locked: false,
      avatar_url: null,
      web_url: `${this.serverUrl}/${username}`,
    };
  }

  private publicNote(n: NoteRecord): Note {
    const mr = this.mergeRequests.get(n.iid);
    return {
      id: n.id,
      type: n.type,
      body: n.body,
      attachment: null,
      author: this.user(n.author),
      created_at: n.createdAt,
      updated_at: n.updatedAt,
      system: false,
      noteable_id: mr?.id ?? 0,
      noteable_type: 'MergeRequest',
      noteable_iid: n.iid,
      project_id: this.options.projectId,
      commit_id: n.position ? n.position.head_sha : null,
      ...(n.position ? { position: structuredClone(n.position) } : {}),
      resolvable: n.resolvable,
      ...(n.resolvable
        ? {
            resolved: n.resolved,
            resolved_by: n.resolvedBy ? this.user(n.resolvedBy) : null,
            resolved_at: n.resolvedAt,
          }
        : {}),
      confidential: false,
      internal: false,
    };
  }

  private publicDiscussion(d: DiscussionRecord): Discussion {
    return {
      id: d.id,
      individual_note: d.individual,
      notes: d.notes.map((n) => this.publicNote(n)),
    };
  }

  private publicDraft(d: DraftRecord): DraftNote {
    return {
      id: d.id,
      author_id: this.user(d.author).id,
      merge_request_id: this.mergeRequests.get(d.iid)?.id ?? 0,
      resolve_discussion: d.resolveDiscussion,
      discussion_id: d.discussionId,
      note: d.note,
      commit_id: d.commitId,
      line_code: d.lineCode,
      position: d.position ? structuredClone(d.position) : { ...EMPTY_POSITION },
    };
  }

  private publicIssue(i: IssueRecord): Issue {
    return {
      id: i.id,
      iid: i.iid,
      project_id: this.options.projectId,
      title: i.title,
      description: i.description,
      state: i.state,
      created_at: i.createdAt,
      updated_at: i.updatedAt,
      closed_at: i.closedAt,
      closed_by: i.closedBy ? this.user(i.closedBy) : null,
      labels: [...i.labels],
      milestone: null,
      assignees: [],
      author: this.user(i.author),
      type: 'ISSUE',
      user_notes_count: 0,
      confidential: false,
      web_url: `${this.serverUrl}/${this.options.projectPath}/-/issues/${i.iid}`,
    };
  }
}

// ---------------------------------------------------------------- helpers

function headerValue(value: string | string[] | undefined): string | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  return v === undefined || v === '' ? undefined : v;
}

/** Rack's nested parameters: a[b][c]=1 → {a: {b: {c: '1'}}}, a[]=1&a[]=2 → {a: ['1','2']}. */
function parseNestedParams(search: URLSearchParams): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const [key, value] of search) {
    const parts = key.split('[').map((p, i) => (i === 0 ? p : p.replace(/\]$/, '')));
    let node: Record<string, unknown> = root;
    for (let i = 0; i < parts.length; i += 1) {
      const part = parts[i]!;
      const last = i === parts.length - 1;
      const nextIsArray = !last && parts[i + 1] === '';
      if (last) {
        if (part === '') continue;
        node[part] = value;
      } else if (nextIsArray && i + 1 === parts.length - 1) {
        const list = Array.isArray(node[part]) ? (node[part] as unknown[]) : [];
        list.push(value);
        node[part] = list;
        break;
      } else {
        const child = node[part];
        if (child === null || typeof child !== 'object' || Array.isArray(child)) node[part] = {};
        node = node[part] as Record<string, unknown>;
      }
    }
  }
  return root;
}

/** Grape's Integer coercion: integers and integer strings; null/absent stay null. */
function coerceInteger(value: unknown): number | null | 'invalid' {
  if (value === undefined || value === null || value === '') return null;
  if (typeof value === 'number') return Number.isInteger(value) ? value : 'invalid';
  if (typeof value === 'string' && /^\s*-?\d+\s*$/.test(value)) return Number(value);
  return 'invalid';
}

/** Grape's `requires :name, type: String`: "name is missing" (real wording). */
function requireString(params: Record<string, unknown>, name: string): string {
  const value = params[name];
  if (value === undefined || value === null) throw paramError(`${name} is missing`);
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw paramError(`${name} is invalid`);
}

/** Grape's Boolean coercion. */
function requireBoolean(params: Record<string, unknown>, name: string): boolean {
  const value = params[name];
  if (value === undefined || value === null) throw paramError(`${name} is missing`);
  if (value === true || value === 'true' || value === '1' || value === 1) return true;
  if (value === false || value === 'false' || value === '0' || value === 0) return false;
  throw paramError(`${name} is invalid`);
}

/** Labels as the API takes them: a comma-separated string or an array. */
function labelList(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  const list = Array.isArray(value) ? value.map(String) : String(value).split(',');
  return list.map((l) => l.trim()).filter(Boolean);
}

function uniqueLabels(labels: string[]): string[] {
  const seen = new Set<string>();
  return labels.filter((l) => {
    const key = l.toLowerCase();
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Gitaly filters the comparison by [old_path, new_path] and GitLab takes the first file. */
function findFile(files: FileDiff[], position: NotePosition): FileDiff | undefined {
  return files.find(
    (f) =>
      f.new_path === position.new_path ||
      f.old_path === position.old_path ||
      f.old_path === position.new_path ||
      f.new_path === position.old_path,
  );
}

/** GitLab shows an absent side's mode as "0". */
const mode = (m: string) => (/^0+$/.test(m) ? '0' : m);

/** Pairs `git diff` sections with `git diff --raw -z` records (same order) and maps lines like GitLab. */
function parseFiles(text: string, raw: string, maxPatchBytes: number): FileDiff[] {
  const records: Array<{ oldMode: string; newMode: string; status: string; paths: string[] }> = [];
  const tokens = raw.split('\0');
  for (let i = 0; i < tokens.length; i += 1) {
    const token = tokens[i]!;
    if (!token.startsWith(':')) continue;
    const [oldMode, newMode, , , status] = token.slice(1).split(' ');
    const paths = [tokens[++i]!];
    if (status!.startsWith('R') || status!.startsWith('C')) paths.push(tokens[++i]!);
    records.push({ oldMode: oldMode!, newMode: newMode!, status: status!, paths });
  }
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  const sections: string[][] = [];
  for (const line of lines) {
    if (line.startsWith('diff --git ')) sections.push([]);
    sections.at(-1)?.push(line);
  }
  if (sections.length !== records.length) {
    throw new Error(`diff has ${sections.length} file sections but --raw lists ${records.length}`);
  }
  return records.map((record, n) => {
    const section = sections[n]!;
    const first = section.findIndex((l) => l.startsWith('@@'));
    const patch = first === -1 ? [] : section.slice(first);
    const oldPath = record.paths[0]!;
    const newPath = record.paths.at(-1)!;
    const letter = record.status[0];
    const hash = sha1(newPath);
    const diff = patch.length ? `${patch.join('\n')}\n` : '';
    const patchBytes = Buffer.byteLength(diff);
    // Gitlab::Git::Diff#too_large?: diff_bytesize >= patch_hard_limit_bytes.
    const tooLarge = patchBytes >= maxPatchBytes;
    const file: FileDiff = {
      old_path: oldPath,
      new_path: newPath,
      a_mode: mode(record.oldMode),
      b_mode: mode(record.newMode),
      new_file: letter === 'A',
      renamed_file: letter === 'R',
      deleted_file: letter === 'D',
      diff: tooLarge ? '' : diff,
      patchBytes,
      tooLarge,
      lines: [],
      matches: [],
    };
    if (tooLarge) return file;
    // Gitlab::Diff::Parser: a header sets both counters; '+' advances new, '-' old, ' ' both.
    let oldPos = 0;
    let newPos = 0;
    patch.forEach((line, index) => {
      const header = /^@@ -(\d+)(?:,\d+)? \+(\d+)(?:,\d+)? @@/.exec(line);
      if (header) {
        oldPos = Number(header[1]);
        newPos = Number(header[2]);
        // Gitlab::Diff::Parser skips the header at the top of the file.
        if (oldPos > 1 || newPos > 1) file.matches.push({ oldPos, newPos, index });
        return;
      }
      if (line.startsWith('\\')) return; // "\ No newline at end of file" is meta.
      const type = line.startsWith('+') ? 'new' : line.startsWith('-') ? 'old' : null;
      file.lines.push({
        type,
        oldLine: type === 'new' ? null : oldPos,
        newLine: type === 'old' ? null : newPos,
        oldPos,
        newPos,
        index,
        code: `${hash}_${oldPos}_${newPos}`,
      });
      if (type === 'new') newPos += 1;
      else if (type === 'old') oldPos += 1;
      else {
        oldPos += 1;
        newPos += 1;
      }
    });
    return file;
  });
}
