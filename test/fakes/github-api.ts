// A loopback fake of the GitHub REST API, faithful where the action can trip: it checks the
// token like GitHub (401 for a bad one, 403 for a read-only one on any write: what a fork
// pull request's GITHUB_TOKEN gets), serves the pull request's three-dot diff computed by git
// in a real repository, and validates a review the way GitHub does, rejecting the WHOLE review
// with 422 when any one comment cannot be placed. Faults (5xx, primary and secondary rate
// limits) can be injected for the next N matching requests. It also keeps the repository's
// issues (list, create, get, update; pull requests listed among them as GitHub does) and their
// comments, numbered in one sequence with the pull requests. Review comments form threads
// (replies through POST …/comments/{id}/replies), which a GraphQL endpoint (github-graphql.ts,
// validated against GitHub's published schema) lists and resolves.
//
// Every request is first checked against GitHub's published REST description
// (github-openapi.ts): an undocumented route gets 404, a parameter or body GitHub's schema
// refuses gets its 422. Such a request is a bug in the client, not a scenario, so the fake also
// keeps it in `specViolations`, and `stop()` throws while any is left unacknowledged
// (`takeSpecViolations()`): a test cannot pass while its code sends what GitHub refuses, even
// where the code under test swallows the refusal (a 422 on a review reads as a bad line).
// A documented operation the fake does not model gets 400 with a message saying so.
//
// Error wordings come from real GitHub answers quoted in public bug reports; where no real
// answer was found the wording is a close, plausible one and is marked "(plausible)".
import { execFile } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { GitHubGraphql, GRAPHQL_DOCS, githubSchema, type GraphqlThread } from './github-graphql.js';
import { GitHubRestDescription, type Verdict } from './github-openapi.js';

const execFileAsync = promisify(execFile);

export type TokenScope = 'write' | 'read';

export type RoleLevel = 'admin' | 'maintain' | 'write' | 'triage' | 'read';

export interface FakeGitHubOptions {
  /** A real git repository holding the pull requests' commits. */
  repoDir: string;
  /**
   * Repository permission of users (GET /collaborators/{user}/permission): a base role, or a
   * custom role (an organization's, named freely) built on one. Anyone else gets "read", as any
   * signed-in user has on a public repository.
   */
  permissions?: Record<string, RoleLevel | { custom: string; base: RoleLevel }>;
  owner: string;
  repo: string;
  /** token → what it may do. Any other token (or none) gets 401. */
  tokens: Record<string, TokenScope>;
  /** The login every token authenticates as (default 'github-actions[bot]'). */
  login?: string;
  /** GET /pulls/{n} with a diff media type answers 406 "diff too large". */
  tooLargeDiff?: boolean;
  /**
   * Paths GitHub refuses review comments on although they are in the diff, as it does for a
   * file whose diff is too large to render: a review with a comment there gets the 422
   * "Line could not be resolved". The action cannot foresee this from the diff text.
   */
  unrenderedPaths?: string[];
  /** Where html_url links point (default 'https://github.com'). */
  serverUrl?: string;
}

export interface PullRequestSpec {
  number: number;
  baseSha: string;
  headSha: string;
  baseRef?: string;
  headRef?: string;
  /** The author's login (default 'octocat'). */
  user?: string;
  title?: string;
  /** The head branch lives in a fork (head.repo is `${user}/${repo}`, fork: true). */
  fork?: boolean;
}

export interface Fault {
  /** Case-insensitive; any method when absent. */
  method?: string;
  /** Tested against the request's path without the query string; any path when absent. */
  path?: RegExp;
  /** Tested against the Accept header (a diff request is GET /pulls/{n} with a diff type). */
  accept?: RegExp;
  /** How many of the next matching requests get the fault (default 1). */
  times?: number;
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /**
   * Carry the request out, then answer with the fault anyway: the write landed but the client
   * saw an error (a gateway timing out after GitHub did the work). A retry then duplicates.
   */
  afterHandler?: boolean;
}

export interface FaultMatch {
  method?: string;
  path?: RegExp;
}

export interface RecordedRequest {
  method: string;
  /** Path without the query string, e.g. /repos/o/r/pulls/1/reviews. */
  path: string;
  query: Record<string, string>;
  /** Parsed JSON body; the raw text when it is not JSON; undefined when empty. */
  body: unknown;
  /** The status the fake answered with. */
  status: number;
  /** True when an injected fault answered instead of the normal handler. */
  injected: boolean;
  /** POST /graphql: the operation asked for (undefined when the document did not parse). */
  graphql?: { type: 'query' | 'mutation' | 'subscription'; name: string | undefined };
  headers: http.IncomingHttpHeaders;
}

export interface GitHubUser {
  login: string;
  id: number;
  type: 'Bot' | 'User';
}

export type ReviewState = 'PENDING' | 'COMMENTED' | 'APPROVED' | 'CHANGES_REQUESTED';

export interface Review {
  id: number;
  node_id: string;
  user: GitHubUser;
  body: string;
  state: ReviewState;
  commit_id: string;
  html_url: string;
  pull_request_url: string;
  /** Absent while the review is PENDING, as on GitHub. */
  submitted_at?: string;
}

export interface ReviewComment {
  id: number;
  node_id: string;
  pull_request_review_id: number;
  body: string;
  path: string;
  line: number;
  original_line: number;
  start_line: number | null;
  original_start_line: number | null;
  side: 'LEFT' | 'RIGHT';
  start_side: 'LEFT' | 'RIGHT' | null;
  subject_type: 'line';
  /** Present on a reply only: the thread's first comment. */
  in_reply_to_id?: number;
  diff_hunk: string;
  commit_id: string;
  original_commit_id: string;
  user: GitHubUser;
  html_url: string;
  pull_request_url: string;
  created_at: string;
  updated_at: string;
}

export interface IssueComment {
  id: number;
  node_id: string;
  body: string;
  user: GitHubUser;
  html_url: string;
  issue_url: string;
  created_at: string;
  updated_at: string;
}

export interface Label {
  id: number;
  node_id: string;
  url: string;
  name: string;
  color: string;
  default: boolean;
  description: string | null;
}

export type IssueStateReason = 'completed' | 'not_planned' | 'reopened';

/** An issue as the Issues API answers it; pull requests carry `pull_request`. */
export interface Issue {
  url: string;
  repository_url: string;
  comments_url: string;
  html_url: string;
  id: number;
  node_id: string;
  number: number;
  title: string;
  user: GitHubUser;
  labels: Label[];
  state: 'open' | 'closed';
  state_reason: IssueStateReason | null;
  locked: boolean;
  assignee: GitHubUser | null;
  assignees: GitHubUser[];
  milestone: null;
  /** How many issue comments it has. */
  comments: number;
  created_at: string;
  updated_at: string;
  closed_at: string | null;
  body: string | null;
  pull_request?: {
    url: string;
    html_url: string;
    diff_url: string;
    patch_url: string;
    merged_at: string | null;
  };
}

export interface IssueSeed {
  title: string;
  body: string | null;
  state?: 'open' | 'closed';
  /** When closed (default 'completed'). */
  stateReason?: 'completed' | 'not_planned';
  labels?: string[];
  /** The author (default: the login every token authenticates as). */
  login?: string;
}

/** GitHub's limit on any comment or review body, in characters. */
export const MAX_BODY_CHARACTERS = 65_536;

const DOCS = {
  root: 'https://docs.github.com/rest',
  getPull: 'https://docs.github.com/rest/pulls/pulls#get-a-pull-request',
  listFiles: 'https://docs.github.com/rest/pulls/pulls#list-pull-requests-files',
  listReviewComments:
    'https://docs.github.com/rest/pulls/comments#list-review-comments-on-a-pull-request',
  listReviews: 'https://docs.github.com/rest/pulls/reviews#list-reviews-for-a-pull-request',
  createReview: 'https://docs.github.com/rest/pulls/reviews#create-a-review-for-a-pull-request',
  getReview: 'https://docs.github.com/rest/pulls/reviews#get-a-review-for-a-pull-request',
  deleteReview:
    'https://docs.github.com/rest/pulls/reviews#delete-a-pending-review-for-a-pull-request',
  listReviewCommentsOfReview:
    'https://docs.github.com/rest/pulls/reviews#list-comments-for-a-pull-request-review',
  listIssueComments: 'https://docs.github.com/rest/issues/comments#list-issue-comments',
  createIssueComment: 'https://docs.github.com/rest/issues/comments#create-an-issue-comment',
  createReply: 'https://docs.github.com/rest/pulls/comments#create-a-reply-for-a-review-comment',
  getIssueComment: 'https://docs.github.com/rest/issues/comments#get-an-issue-comment',
  updateIssueComment: 'https://docs.github.com/rest/issues/comments#update-an-issue-comment',
  listRepoIssues: 'https://docs.github.com/rest/issues/issues#list-repository-issues',
  createIssue: 'https://docs.github.com/rest/issues/issues#create-an-issue',
  getIssue: 'https://docs.github.com/rest/issues/issues#get-an-issue',
  updateIssue: 'https://docs.github.com/rest/issues/issues#update-an-issue',
  rateLimits: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api',
  secondaryRateLimits:
    'https://docs.github.com/free-pro-team@latest/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits',
} as const;

/** The exact messages GitHub puts in a 422's `errors` for a review it refuses. */
export const REVIEW_ERRORS = {
  /** Real (2026): a line outside every hunk, or not on the requested side. */
  lineNotResolved: 'Line could not be resolved',
  /** Real (2024 reports): a path the pull request does not change. */
  pathInvalid: 'Pull request review thread path is invalid',
  /** Real (2022 reports): start_line equal to or after line. */
  startLineNotBefore: 'Pull request review thread start line must precede the end line.',
  /** Real (2025 reports): a range whose two ends lie in different hunks. */
  rangeAcrossHunks:
    'Pull request review thread start line must be part of the same hunk as the line.',
  /** Real: a second review while the user still holds a PENDING one (also for event reviews). */
  onePending: 'User can only have one pending review per pull request',
  /** Real: the pull request's author approving / requesting changes on it. */
  approveOwn: 'Can not approve your own pull request',
  requestChangesOwn: 'Can not request changes on your own pull request',
  /** (plausible) An inline comment body over the limit. */
  commentBodyTooLong: `Body is too long (maximum is ${MAX_BODY_CHARACTERS} characters)`,
  /** Real wording reported in 2018 for a commit outside the pull request. */
  commitNotInPull: 'Commit is not part of the pull request',
  /** (plausible) DELETE on a review that has been submitted. */
  deleteSubmitted: 'Can not delete a non-pending pull request review',
} as const;

/** A request GitHub's REST description refuses, or one the fake does not model. */
export interface SpecViolation {
  method: string;
  path: string;
  status: number;
  message: string;
}

class HttpFailure extends Error {
  constructor(
    readonly status: number,
    readonly body: Record<string, unknown>,
  ) {
    super(String(body.message));
  }
}

const failure = (status: number, message: string, documentationUrl: string, extra = {}) =>
  new HttpFailure(status, {
    message,
    ...extra,
    documentation_url: documentationUrl,
    status: String(status),
  });

const unprocessable = (errors: unknown[], documentationUrl: string) =>
  failure(422, 'Unprocessable Entity', documentationUrl, { errors });

/** GitHub's JSON-schema style refusal of a malformed request body (plausible detail text). */
const invalidRequest = (detail: string, documentationUrl: string) =>
  failure(422, `Invalid request.\n\n${detail}`, documentationUrl);

/** Characters as GitHub (Ruby) counts them: code points, not UTF-16 units. */
const characters = (text: string) => Array.from(text).length;

const timestamp = () => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');

interface LinePlace {
  hunk: number;
  /** Index of the line in the file's patch (0 is the first @@ header). */
  index: number;
}

interface FileDiff {
  filename: string;
  previousFilename?: string;
  status: 'added' | 'removed' | 'modified' | 'renamed' | 'copied' | 'changed';
  sha: string;
  additions: number;
  deletions: number;
  /** From the first @@ on, no trailing newline; absent for binary or mode-only changes. */
  patch?: string;
  patchLines: string[];
  /** index of each hunk's @@ header in patchLines */
  hunkStarts: number[];
  right: Map<number, LinePlace>;
  left: Map<number, LinePlace>;
}

interface PullDiff {
  text: string;
  files: FileDiff[];
}

interface PullState {
  spec: Required<Omit<PullRequestSpec, 'fork'>> & { fork: boolean };
  /** Every head the pull request has had (a push moves it; old commits stay reviewable). */
  heads: string[];
}

/** The fake's own record of an issue (not a pull request); see publicIssue for GitHub's view. */
interface IssueRecord {
  number: number;
  title: string;
  body: string | null;
  state: 'open' | 'closed';
  stateReason: IssueStateReason | null;
  /** Canonical label names (as stored in the repository's labels). */
  labels: string[];
  assignees: string[];
  login: string;
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
  /** Tie-breakers for sorting within one second: a tick of the fake's clock. */
  createdTick: number;
  updatedTick: number;
}

/** When a pull request was first set and last changed, for its view in the Issues API. */
interface PullTimes {
  createdAt: string;
  updatedAt: string;
  createdTick: number;
  updatedTick: number;
}

interface Route {
  /** GitHub's operationId: the description checks the fake's routes agree with it. */
  operation: string;
  method: string;
  pattern: RegExp;
  docs: string;
  handler: (ctx: RequestContext, params: string[]) => Promise<Reply>;
}

interface RequestContext {
  req: http.IncomingMessage;
  pathname: string;
  query: URLSearchParams;
  body: unknown;
}

interface Reply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
  /** Send body verbatim (a diff), not as JSON. */
  text?: boolean;
}

const fileStatus = (letter: string): FileDiff['status'] =>
  (
    ({
      A: 'added',
      D: 'removed',
      M: 'modified',
      R: 'renamed',
      C: 'copied',
      T: 'changed',
    }) as const
  )[letter[0] as 'A'] ?? 'modified';

export class FakeGitHub {
  readonly requests: RecordedRequest[] = [];
  /** Mutable: a test may flip it after start. */
  tooLargeDiff: boolean;
  readonly login: string;
  /** Requests GitHub's REST description refuses; see takeSpecViolations(). */
  private readonly violations: SpecViolation[] = [];

  private server: http.Server | undefined;
  private description: GitHubRestDescription | undefined;
  private readonly faults: Array<Fault & { remaining: number }> = [];
  private readonly pulls = new Map<number, PullState>();
  private readonly storedReviews: Array<Review & { pull: number }> = [];
  private readonly storedReviewComments: Array<ReviewComment & { pull: number }> = [];
  private readonly storedIssueComments: Array<IssueComment & { issue: number }> = [];
  /** Resolution of each review thread, by the id of its first comment. */
  private readonly threadStates = new Map<
    number,
    { resolved: boolean; resolvedBy: string | null }
  >();
  private readonly graphql: GitHubGraphql;
  private readonly diffCache = new Map<string, Promise<PullDiff>>();
  private nextReviewId = 2_000_001;
  private nextReviewCommentId = 3_000_001;
  private nextIssueCommentId = 4_000_001;
  private readonly storedIssues = new Map<number, IssueRecord>();
  private readonly pullTimes = new Map<number, PullTimes>();
  /** The repository's labels, by lower-cased name (GitHub matches label names that way). */
  private readonly storedLabels = new Map<string, Label>();
  private nextLabelId = 6_000_001;
  private clock = 0;
  private readonly routes: Route[];
  private readonly serverUrl: string;

  constructor(private readonly options: FakeGitHubOptions) {
    this.login = options.login ?? 'github-actions[bot]';
    this.tooLargeDiff = options.tooLargeDiff ?? false;
    this.serverUrl = (options.serverUrl ?? 'https://github.com').replace(/\/+$/, '');
    const repo = String.raw`/repos/([^/]+)/([^/]+)`;
    const r = (
      operation: string,
      method: string,
      path: string,
      docs: string,
      handler: Route['handler'],
    ): Route => ({
      operation,
      method,
      pattern: new RegExp(`^${repo}${path}$`),
      docs,
      handler,
    });
    this.routes = [
      r(
        'repos/get-collaborator-permission-level',
        'GET',
        String.raw`/collaborators/([^/]+)/permission`,
        DOCS.root,
        async (_c, p) => {
          const login = p[2]!;
          const granted = this.options.permissions?.[login] ?? 'read';
          const level = typeof granted === 'string' ? granted : granted.base;
          // As GitHub's description says: the legacy `permission` folds maintain into write and
          // triage into read; `role_name` names the role, a custom one included.
          const legacy = level === 'maintain' ? 'write' : level === 'triage' ? 'read' : level;
          const role = typeof granted === 'string' ? granted : granted.custom;
          return { status: 200, body: { permission: legacy, role_name: role, user: user(login) } };
        },
      ),
      r('pulls/get', 'GET', String.raw`/pulls/(\d+)`, DOCS.getPull, (c, p) => this.getPull(c, p)),
      r('pulls/list-files', 'GET', String.raw`/pulls/(\d+)/files`, DOCS.listFiles, (c, p) =>
        this.listFiles(c, p),
      ),
      r(
        'pulls/list-review-comments',
        'GET',
        String.raw`/pulls/(\d+)/comments`,
        DOCS.listReviewComments,
        (c, p) => this.listReviewComments(c, p),
      ),
      r(
        'pulls/create-reply-for-review-comment',
        'POST',
        String.raw`/pulls/(\d+)/comments/(\d+)/replies`,
        DOCS.createReply,
        async (c, p) => this.createReply(c, p),
      ),
      r('pulls/list-reviews', 'GET', String.raw`/pulls/(\d+)/reviews`, DOCS.listReviews, (c, p) =>
        this.listReviews(c, p),
      ),
      r(
        'pulls/create-review',
        'POST',
        String.raw`/pulls/(\d+)/reviews`,
        DOCS.createReview,
        (c, p) => this.createReview(c, p),
      ),
      r(
        'pulls/get-review',
        'GET',
        String.raw`/pulls/(\d+)/reviews/(\d+)`,
        DOCS.getReview,
        async (_c, p) => ({
          status: 200,
          body: this.publicReview(this.findReview(p, DOCS.getReview)),
        }),
      ),
      r(
        'pulls/delete-pending-review',
        'DELETE',
        String.raw`/pulls/(\d+)/reviews/(\d+)`,
        DOCS.deleteReview,
        async (_c, p) => this.deleteReview(p),
      ),
      r(
        'pulls/list-comments-for-review',
        'GET',
        String.raw`/pulls/(\d+)/reviews/(\d+)/comments`,
        DOCS.listReviewCommentsOfReview,
        async (c, p) => {
          const review = this.findReview(p, DOCS.listReviewCommentsOfReview);
          const comments = this.storedReviewComments.filter(
            (x) => x.pull_request_review_id === review.id,
          );
          return this.paginate(c, comments.map(publicReviewComment));
        },
      ),
      r(
        'issues/list-comments',
        'GET',
        String.raw`/issues/(\d+)/comments`,
        DOCS.listIssueComments,
        async (c, p) => {
          const issue = this.issueNumber(p[2]!, DOCS.listIssueComments);
          const comments = this.storedIssueComments.filter((x) => x.issue === issue);
          return this.paginate(c, comments.map(publicIssueComment));
        },
      ),
      r(
        'issues/create-comment',
        'POST',
        String.raw`/issues/(\d+)/comments`,
        DOCS.createIssueComment,
        async (c, p) => this.createIssueComment(c, p),
      ),
      r(
        'issues/get-comment',
        'GET',
        String.raw`/issues/comments/(\d+)`,
        DOCS.getIssueComment,
        async (_c, p) => ({
          status: 200,
          body: publicIssueComment(this.findIssueComment(p[2]!, DOCS.getIssueComment)),
        }),
      ),
      r(
        'issues/update-comment',
        'PATCH',
        String.raw`/issues/comments/(\d+)`,
        DOCS.updateIssueComment,
        async (c, p) => this.updateIssueComment(c, p),
      ),
      r('issues/list-for-repo', 'GET', '/issues', DOCS.listRepoIssues, async (c) =>
        this.listIssues(c),
      ),
      r('issues/create', 'POST', '/issues', DOCS.createIssue, async (c) => this.createIssue(c)),
      r('issues/get', 'GET', String.raw`/issues/(\d+)`, DOCS.getIssue, async (_c, p) => ({
        status: 200,
        body: this.issueView(p[2]!, DOCS.getIssue),
      })),
      r('issues/update', 'PATCH', String.raw`/issues/(\d+)`, DOCS.updateIssue, async (c, p) =>
        this.updateIssue(c, p),
      ),
    ];
    this.graphql = new GitHubGraphql({
      owner: options.owner,
      repo: options.repo,
      viewer: this.login,
      hasPull: (n) => this.pulls.has(n),
      threads: (n) => this.threadViews(n),
      setResolved: (id, resolved, by) => this.setThreadResolved(id, resolved, by),
    });
  }

  // ---------------------------------------------------------------- lifecycle

  get url(): string {
    const addr = this.server?.address() as AddressInfo | undefined;
    if (!addr) throw new Error('fake GitHub API is not started');
    return `http://127.0.0.1:${addr.port}`;
  }

  async start(): Promise<this> {
    // Loaded, and the modelled operations' validators compiled, here rather than on the first
    // requests: that cost (once per process) stays out of the timings tests and the bench take.
    this.description = GitHubRestDescription.get();
    this.description.warm(['users/get-authenticated', ...this.routes.map((r) => r.operation)]);
    githubSchema();
    this.server = http.createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return this;
  }

  /** Stops the server; throws when requests GitHub would refuse were not acknowledged. */
  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
    if (this.violations.length > 0) {
      const list = this.takeSpecViolations()
        .map((v) => `  ${v.method} ${v.path} -> ${v.status} ${v.message.replace(/\n+/g, ' ')}`)
        .join('\n');
      throw new Error(
        `fake GitHub received requests GitHub's REST description refuses:\n${list}\n` +
          '(a test that sends them on purpose reads them with takeSpecViolations())',
      );
    }
  }

  /** The requests GitHub's REST description refused (or the fake does not model), cleared. */
  takeSpecViolations(): SpecViolation[] {
    return this.violations.splice(0);
  }

  // ---------------------------------------------------------------- scenario set-up

  /** Creates the pull request, or moves it (a push: call again with the new headSha). */
  setPullRequest(spec: PullRequestSpec): void {
    const previous = this.pulls.get(spec.number);
    if (!previous && this.storedIssues.has(spec.number)) {
      throw new Error(
        `fake GitHub: #${spec.number} is already an issue (issues and pull requests share numbers)`,
      );
    }
    const full: PullState['spec'] = {
      number: spec.number,
      baseSha: spec.baseSha,
      headSha: spec.headSha,
      baseRef: spec.baseRef ?? previous?.spec.baseRef ?? 'main',
      headRef: spec.headRef ?? previous?.spec.headRef ?? 'feature',
      user: spec.user ?? previous?.spec.user ?? 'octocat',
      title: spec.title ?? previous?.spec.title ?? `Pull request #${spec.number}`,
      fork: spec.fork ?? previous?.spec.fork ?? false,
    };
    const heads = previous ? [...previous.heads, spec.headSha] : [spec.headSha];
    this.pulls.set(spec.number, { spec: full, heads });
    if (previous) {
      this.touch(spec.number);
    } else {
      const now = timestamp();
      const tick = ++this.clock;
      this.pullTimes.set(spec.number, {
        createdAt: now,
        updatedAt: now,
        createdTick: tick,
        updatedTick: tick,
      });
    }
  }

  /** An issue that already exists (numbered with the pull requests), e.g. an earlier run's. */
  seedIssue(seed: IssueSeed): Issue {
    const closed = seed.state === 'closed';
    const record = this.storeIssue({
      title: seed.title,
      body: seed.body,
      labels: seed.labels ?? [],
      assignees: [],
      login: seed.login ?? this.login,
    });
    if (closed) {
      record.state = 'closed';
      record.stateReason = seed.stateReason ?? 'completed';
      record.closedAt = record.createdAt;
    }
    return this.publicIssue(record);
  }

  /** An issue comment that already exists, e.g. left by someone else or by an earlier run. */
  seedIssueComment(issue: number, body: string, login = this.login): IssueComment {
    return publicIssueComment(this.storeIssueComment(issue, body, login));
  }

  /** A reply someone wrote in the review thread of `commentId` (its first comment). */
  seedReviewReply(commentId: number, body: string, login: string): ReviewComment {
    const root = this.storedReviewComments.find((c) => c.id === commentId);
    if (!root) throw new Error(`fake GitHub: no review comment ${commentId}`);
    if (root.in_reply_to_id !== undefined)
      throw new Error(`fake GitHub: ${commentId} is a reply; give the thread's first comment`);
    return publicReviewComment(this.storeReply(root, body, login));
  }

  /** Someone resolves (or unresolves) the thread whose first comment is `commentId`. */
  setThreadResolution(commentId: number, resolved: boolean, login: string): void {
    if (!this.setThreadResolved(`PRRT_fake${commentId}`, resolved, login))
      throw new Error(`fake GitHub: no review thread starts with comment ${commentId}`);
  }

  /** Review threads as GraphQL shows them (REST logins), oldest first. */
  threads(pull: number): GraphqlThread[] {
    return this.threadViews(pull);
  }

  // ---------------------------------------------------------------- faults

  /** The next `times` (default 1) requests matching method/path get this answer instead. */
  inject(fault: Fault): void {
    this.faults.push({ ...fault, remaining: fault.times ?? 1 });
  }

  /** 5xx "Server Error" (default 502: what GitHub's front end answers when a backend fails). */
  serverError(times = 1, options: FaultMatch & { status?: 500 | 502 | 503 | 504 } = {}): void {
    const status = options.status ?? 502;
    this.inject({
      method: options.method,
      path: options.path,
      times,
      status,
      body: { message: 'Server Error' },
    });
  }

  /** GitHub's secondary ("abuse") rate limit: 403 with retry-after. */
  secondaryRateLimit(options: FaultMatch & { retryAfter?: number; times?: number } = {}): void {
    this.inject({
      method: options.method,
      path: options.path,
      times: options.times ?? 1,
      status: 403,
      headers: { 'retry-after': String(options.retryAfter ?? 1) },
      body: {
        message:
          'You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID 0000:0000:0000000:0000000:00000000.',
        documentation_url: DOCS.secondaryRateLimits,
        status: '403',
      },
    });
  }

  /** The primary rate limit exhausted: 403 with x-ratelimit-remaining: 0 and the reset time. */
  rateLimit(options: FaultMatch & { resetInSeconds?: number; times?: number } = {}): void {
    const reset = Math.floor(Date.now() / 1000) + (options.resetInSeconds ?? 1);
    this.inject({
      method: options.method,
      path: options.path,
      times: options.times ?? 1,
      status: 403,
      headers: {
        'x-ratelimit-limit': '5000',
        'x-ratelimit-remaining': '0',
        'x-ratelimit-used': '5000',
        'x-ratelimit-reset': String(reset),
        'x-ratelimit-resource': 'core',
      },
      body: {
        message: 'API rate limit exceeded for installation ID 12345678.',
        documentation_url: DOCS.rateLimits,
        status: '403',
      },
    });
  }

  /** Injected faults not yet used up. */
  pendingFaults(): number {
    return this.faults.reduce((n, f) => n + f.remaining, 0);
  }

  // ---------------------------------------------------------------- inspection

  /** Every non-GET request, whatever its outcome (faults and refusals included); a GraphQL query reads. */
  get writes(): RecordedRequest[] {
    // A GraphQL query is a POST that writes nothing.
    return this.requests.filter(
      (r) => r.method !== 'GET' && r.method !== 'HEAD' && r.graphql?.type !== 'query',
    );
  }

  /** How many non-GET requests were made, whatever their outcome. */
  writeCalls(): number {
    return this.writes.length;
  }

  /** How many non-GET requests succeeded (2xx, not an injected fault). */
  successfulWrites(): number {
    return this.writes.filter((r) => !r.injected && r.status >= 200 && r.status < 300).length;
  }

  /** Reviews as stored (pending ones included), oldest first. */
  reviews(pull?: number): Review[] {
    return this.storedReviews
      .filter((r) => pull === undefined || r.pull === pull)
      .map((r) => this.publicReview(r));
  }

  /** Review comments as stored (those of pending reviews included), oldest first. */
  reviewComments(pull?: number): ReviewComment[] {
    return this.storedReviewComments
      .filter((c) => pull === undefined || c.pull === pull)
      .map(publicReviewComment);
  }

  issueComments(issue?: number): IssueComment[] {
    return this.storedIssueComments
      .filter((c) => issue === undefined || c.issue === issue)
      .map(publicIssueComment);
  }

  /** Issues as stored (closed ones included, pull requests not), in creation order. */
  issues(): Issue[] {
    return [...this.storedIssues.values()]
      .sort((a, b) => a.createdTick - b.createdTick)
      .map((r) => this.publicIssue(r));
  }

  /** The repository's labels, those created on the fly by issue writes included. */
  labels(): Label[] {
    return [...this.storedLabels.values()].map((l) => structuredClone(l));
  }

  // ---------------------------------------------------------------- HTTP plumbing

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake.invalid');
    const method = (req.method ?? 'GET').toUpperCase();
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    let body: unknown = undefined;
    let malformed = false;
    if (raw.length > 0) {
      try {
        body = JSON.parse(raw);
      } catch {
        body = raw;
        malformed = true;
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
    if (url.pathname === '/graphql') {
      await this.handleGraphql(req, res, recorded, body, malformed);
      return;
    }
    const verdict = this.description!.check({
      method,
      pathname: url.pathname,
      query: url.searchParams,
      body: malformed ? undefined : body,
    });
    // GraphQL is not in the REST description; graphql() checks what it models.
    if (!verdict.ok && url.pathname !== '/graphql') {
      this.violations.push({
        method,
        path: url.pathname,
        status: verdict.status,
        message: verdict.message,
      });
    }

    let reply: Reply;
    const fault = this.takeFault(method, url.pathname, req);
    if (fault) {
      recorded.injected = true;
      if (fault.afterHandler) {
        await this.route(method, url, req, body, malformed, verdict).catch(() => undefined);
      }
      reply = {
        status: fault.status,
        body: fault.body ?? { message: http.STATUS_CODES[fault.status] ?? 'Error' },
        headers: fault.headers,
      };
    } else {
      try {
        reply = await this.route(method, url, req, body, malformed, verdict);
      } catch (error) {
        if (error instanceof HttpFailure) {
          reply = { status: error.status, body: error.body };
        } else {
          reply = {
            status: 500,
            body: { message: `fake GitHub internal error: ${(error as Error).message}` },
          };
        }
      }
    }
    recorded.status = reply.status;
    const headers: Record<string, string> = {
      'content-type': reply.text
        ? 'application/vnd.github.diff; charset=utf-8'
        : 'application/json; charset=utf-8',
      'x-github-media-type': reply.text ? 'github.v3; param=diff' : 'github.v3; format=json',
      'x-github-request-id': `FAKE:${this.requests.length}`,
      'x-ratelimit-limit': '5000',
      'x-ratelimit-remaining': '4999',
      'x-ratelimit-used': '1',
      'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 3600),
      'x-ratelimit-resource': 'core',
      ...reply.headers,
    };
    res.writeHead(reply.status, headers);
    res.end(reply.text ? String(reply.body) : JSON.stringify(reply.body));
  }

  /** The injected fault that answers this request instead, if any (used up by one). */
  private takeFault(method: string, pathname: string, req: http.IncomingMessage) {
    const fault = this.faults.find(
      (f) =>
        f.remaining > 0 &&
        (f.method === undefined || f.method.toUpperCase() === method) &&
        (f.path === undefined || f.path.test(pathname)) &&
        (f.accept === undefined || f.accept.test(String(req.headers.accept ?? ''))),
    );
    if (!fault) return undefined;
    fault.remaining -= 1;
    if (fault.remaining === 0) this.faults.splice(this.faults.indexOf(fault), 1);
    return fault;
  }

  /** POST /graphql: authentication as for REST, then the document against GitHub's schema. */
  private async handleGraphql(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    recorded: RecordedRequest,
    body: unknown,
    malformed: boolean,
  ): Promise<void> {
    const send = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
      recorded.status = status;
      res.writeHead(status, {
        'content-type': 'application/json; charset=utf-8',
        'x-github-request-id': `FAKE:${this.requests.length}`,
        'x-ratelimit-resource': 'graphql',
        ...headers,
      });
      res.end(JSON.stringify(payload));
    };
    recorded.graphql = GitHubGraphql.operationOf(body);
    const fault = this.takeFault('POST', '/graphql', req);
    if (fault) {
      recorded.injected = true;
      send(
        fault.status,
        fault.body ?? { message: http.STATUS_CODES[fault.status] ?? 'Error' },
        fault.headers,
      );
      return;
    }
    if (req.method !== 'POST') {
      // (plausible) GitHub's GraphQL endpoint takes POST only.
      send(404, { message: 'Not Found', documentation_url: GRAPHQL_DOCS });
      return;
    }
    const scope = this.authenticate(req.headers.authorization);
    if (!scope) {
      send(401, { message: 'Bad credentials', documentation_url: GRAPHQL_DOCS });
      return;
    }
    if (malformed) {
      // (plausible)
      send(400, { message: 'Problems parsing JSON', documentation_url: GRAPHQL_DOCS });
      return;
    }
    const answer = this.graphql.answer(body, scope);
    send(answer.status, answer.body);
  }

  private async route(
    method: string,
    url: URL,
    req: http.IncomingMessage,
    body: unknown,
    malformed: boolean,
    verdict: Verdict,
  ): Promise<Reply> {
    // GitHub authenticates before it routes: a bad token gets 401 even on a bogus path.
    const scope = this.authenticate(req.headers.authorization);
    if (!scope) throw failure(401, 'Bad credentials', DOCS.root);
    if (!verdict.ok && verdict.status === 404) throw failure(404, 'Not Found', DOCS.root);
    const refuseInvalid = () => {
      if (verdict.ok) return;
      throw failure(
        verdict.status,
        verdict.message,
        verdict.documentationUrl,
        verdict.errors ? { errors: verdict.errors } : {},
      );
    };
    if (method === 'GET' && url.pathname === '/user') {
      refuseInvalid();
      // An installation token (GITHUB_TOKEN) is not a user: GitHub refuses it here.
      if (this.login.endsWith('[bot]'))
        throw failure(403, 'Resource not accessible by integration', DOCS.root);
      return { status: 200, body: user(this.login) };
    }
    let matched: { route: Route; params: string[] } | undefined;
    for (const route of this.routes) {
      const m = route.pattern.exec(url.pathname);
      if (m && route.method === method) {
        matched = { route, params: m.slice(1).map((s) => decodeURIComponent(s)) };
        break;
      }
    }
    if (!matched) {
      const operation = verdict.ok ? verdict.operation : undefined;
      this.violations.push({
        method,
        path: url.pathname,
        status: 400,
        message: `not modelled: ${operation?.id ?? '?'}`,
      });
      throw failure(
        400,
        `fake GitHub does not model ${method} ${operation?.template ?? url.pathname} (${operation?.id ?? 'unknown'}); add a route to test/fakes/github-api.ts`,
        operation?.docs ?? DOCS.root,
      );
    }
    const { route, params } = matched;
    if (verdict.ok && verdict.operation.id !== route.operation) {
      // A bug in the fake, not in the client: still made to fail the test at stop().
      this.violations.push({ method, path: url.pathname, status: 500, message: 'fake misroute' });
      throw new Error(
        `route ${route.operation} matched ${method} ${url.pathname}, which GitHub's description reads as ${verdict.operation.id}`,
      );
    }
    if (
      params[0]!.toLowerCase() !== this.options.owner.toLowerCase() ||
      params[1]!.toLowerCase() !== this.options.repo.toLowerCase()
    ) {
      throw failure(404, 'Not Found', route.docs);
    }
    if (scope === 'read' && method !== 'GET') {
      throw failure(403, 'Resource not accessible by integration', route.docs);
    }
    if (malformed) throw failure(400, 'Problems parsing JSON', route.docs);
    refuseInvalid();
    return route.handler({ req, pathname: url.pathname, query: url.searchParams, body }, params);
  }

  private authenticate(header: string | undefined): TokenScope | undefined {
    const m = /^(?:token|bearer)\s+(\S+)\s*$/i.exec(header ?? '');
    if (!m) return undefined;
    return Object.hasOwn(this.options.tokens, m[1]!) ? this.options.tokens[m[1]!] : undefined;
  }

  /** GitHub's page/per_page pagination with its Link header. */
  private paginate(ctx: RequestContext, items: unknown[]): Reply {
    const perPageRaw = Number.parseInt(ctx.query.get('per_page') ?? '', 10);
    const perPage = Number.isFinite(perPageRaw) && perPageRaw > 0 ? Math.min(perPageRaw, 100) : 30;
    const pageRaw = Number.parseInt(ctx.query.get('page') ?? '', 10);
    const page = Number.isFinite(pageRaw) && pageRaw > 0 ? pageRaw : 1;
    const last = Math.max(1, Math.ceil(items.length / perPage));
    const slice = items.slice((page - 1) * perPage, page * perPage);
    const link = (n: number) => {
      const q = new URLSearchParams(ctx.query);
      q.set('page', String(n));
      if (!q.has('per_page') && perPage !== 30) q.set('per_page', String(perPage));
      return `<${this.url}${ctx.pathname}?${q.toString()}>`;
    };
    const rels: string[] = [];
    if (page > 1) rels.push(`${link(Math.min(page - 1, last))}; rel="prev"`);
    if (page < last) rels.push(`${link(page + 1)}; rel="next"`, `${link(last)}; rel="last"`);
    if (page > 1) rels.push(`${link(1)}; rel="first"`);
    return { status: 200, body: slice, headers: rels.length ? { link: rels.join(', ') } : {} };
  }

  // ---------------------------------------------------------------- git

  private async git(args: string[]): Promise<string> {
    const { stdout } = await execFileAsync('git', args, {
      cwd: this.options.repoDir,
      encoding: 'utf8',
      maxBuffer: 512 * 1024 * 1024,
    });
    return stdout;
  }

  private async isCommit(sha: string): Promise<boolean> {
    if (!/^[0-9a-f]{40}$/i.test(sha)) return false;
    try {
      await this.git(['cat-file', '-e', `${sha}^{commit}`]);
      return true;
    } catch {
      return false;
    }
  }

  private async isAncestor(ancestor: string, of: string): Promise<boolean> {
    try {
      await this.git(['merge-base', '--is-ancestor', ancestor, of]);
      return true;
    } catch {
      return false;
    }
  }

  /** GitHub's three-dot diff: merge-base(base, head)..head, parsed per file. */
  private pullDiff(baseSha: string, headSha: string): Promise<PullDiff> {
    const key = `${baseSha}...${headSha}`;
    let cached = this.diffCache.get(key);
    if (!cached) {
      cached = this.computeDiff(baseSha, headSha);
      cached.catch(() => this.diffCache.delete(key));
      this.diffCache.set(key, cached);
    }
    return cached;
  }

  private async computeDiff(baseSha: string, headSha: string): Promise<PullDiff> {
    const mergeBase = (await this.git(['merge-base', baseSha, headSha])).trim();
    // Pin what a user's git config could change; GitHub applies none of it.
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
    const common = ['--no-color', '--no-ext-diff', '--no-textconv'];
    const text = await this.git([...pinned, 'diff', ...common, mergeBase, headSha]);
    const raw = await this.git([
      ...pinned,
      'diff',
      ...common,
      '--raw',
      '-z',
      '--no-abbrev',
      mergeBase,
      headSha,
    ]);
    return { text, files: parseFiles(text, raw) };
  }

  // ---------------------------------------------------------------- pull requests

  private pull(numberText: string, docs: string): PullState {
    const pull = this.pulls.get(Number(numberText));
    if (!pull) throw failure(404, 'Not Found', docs);
    return pull;
  }

  private async getPull(ctx: RequestContext, params: string[]): Promise<Reply> {
    const { spec } = this.pull(params[2]!, DOCS.getPull);
    const accept = String(ctx.req.headers.accept ?? '');
    if (/application\/vnd\.github(?:\.v3)?\.diff/i.test(accept)) {
      if (this.tooLargeDiff) {
        throw failure(
          406,
          'Sorry, the diff exceeded the maximum number of lines (20000)',
          DOCS.getPull,
          {
            errors: [{ resource: 'PullRequest', field: 'diff', code: 'too_large' }],
          },
        );
      }
      const diff = await this.pullDiff(spec.baseSha, spec.headSha);
      return { status: 200, body: diff.text, text: true };
    }
    const { owner, repo } = this.options;
    const headOwner = spec.fork ? spec.user : owner;
    const apiBase = `${this.url}/repos/${owner}/${repo}`;
    return {
      status: 200,
      body: {
        url: `${apiBase}/pulls/${spec.number}`,
        id: 1_000_000 + spec.number,
        node_id: `PR_fake${spec.number}`,
        html_url: `${this.serverUrl}/${owner}/${repo}/pull/${spec.number}`,
        diff_url: `${this.serverUrl}/${owner}/${repo}/pull/${spec.number}.diff`,
        number: spec.number,
        state: 'open',
        locked: false,
        draft: false,
        merged: false,
        title: spec.title,
        body: null,
        user: user(spec.user),
        head: {
          label: `${headOwner}:${spec.headRef}`,
          ref: spec.headRef,
          sha: spec.headSha,
          user: user(headOwner),
          repo: repoObject(headOwner, repo, spec.fork),
        },
        base: {
          label: `${owner}:${spec.baseRef}`,
          ref: spec.baseRef,
          sha: spec.baseSha,
          user: user(owner),
          repo: repoObject(owner, repo, false),
        },
      },
    };
  }

  private async listFiles(ctx: RequestContext, params: string[]): Promise<Reply> {
    const { spec } = this.pull(params[2]!, DOCS.listFiles);
    const diff = await this.pullDiff(spec.baseSha, spec.headSha);
    const { owner, repo } = this.options;
    const files = diff.files.map((f) => ({
      sha: f.sha,
      filename: f.filename,
      status: f.status,
      additions: f.additions,
      deletions: f.deletions,
      changes: f.additions + f.deletions,
      blob_url: `${this.serverUrl}/${owner}/${repo}/blob/${spec.headSha}/${f.filename}`,
      raw_url: `${this.serverUrl}/${owner}/${repo}/raw/${spec.headSha}/${f.filename}`,
      contents_url: `${this.url}/repos/${owner}/${repo}/contents/${f.filename}?ref=${spec.headSha}`,
      ...(f.patch !== undefined ? { patch: f.patch } : {}),
      ...(f.previousFilename !== undefined ? { previous_filename: f.previousFilename } : {}),
    }));
    return this.paginate(ctx, files);
  }

  // ---------------------------------------------------------------- reviews

  private listReviewComments(ctx: RequestContext, params: string[]): Promise<Reply> {
    const { spec } = this.pull(params[2]!, DOCS.listReviewComments);
    // Comments of a PENDING review are not listed here until it is submitted.
    const pendingIds = new Set(
      this.storedReviews.filter((r) => r.state === 'PENDING').map((r) => r.id),
    );
    const comments = this.storedReviewComments.filter(
      (c) => c.pull === spec.number && !pendingIds.has(c.pull_request_review_id),
    );
    return Promise.resolve(this.paginate(ctx, comments.map(publicReviewComment)));
  }

  private listReviews(ctx: RequestContext, params: string[]): Promise<Reply> {
    const { spec } = this.pull(params[2]!, DOCS.listReviews);
    // Every token is this.login, so its own PENDING reviews are visible, as on GitHub.
    const reviews = this.storedReviews.filter((r) => r.pull === spec.number);
    return Promise.resolve(
      this.paginate(
        ctx,
        reviews.map((r) => this.publicReview(r)),
      ),
    );
  }

  private findReview(params: string[], docs: string): Review & { pull: number } {
    const { spec } = this.pull(params[2]!, docs);
    const review = this.storedReviews.find(
      (r) => r.pull === spec.number && r.id === Number(params[3]),
    );
    if (!review) throw failure(404, 'Not Found', docs);
    return review;
  }

  private deleteReview(params: string[]): Reply {
    const review = this.findReview(params, DOCS.deleteReview);
    if (review.state !== 'PENDING') {
      throw unprocessable([REVIEW_ERRORS.deleteSubmitted], DOCS.deleteReview);
    }
    this.storedReviews.splice(this.storedReviews.indexOf(review), 1);
    for (let i = this.storedReviewComments.length - 1; i >= 0; i -= 1) {
      if (this.storedReviewComments[i]!.pull_request_review_id === review.id) {
        this.storedReviewComments.splice(i, 1);
      }
    }
    return { status: 200, body: this.publicReview(review) };
  }

  private async createReview(ctx: RequestContext, params: string[]): Promise<Reply> {
    const docs = DOCS.createReview;
    const pull = this.pull(params[2]!, docs);
    const { spec } = pull;
    const input = parseReviewInput(ctx.body, docs);

    if (this.storedReviews.some((r) => r.pull === spec.number && r.state === 'PENDING')) {
      throw unprocessable([REVIEW_ERRORS.onePending], docs);
    }
    if (input.body !== undefined && characters(input.body) > MAX_BODY_CHARACTERS) {
      // (plausible) The review body's own limit, in GitHub's "Validation Failed" shape.
      throw failure(422, 'Validation Failed', docs, {
        errors: [
          {
            resource: 'PullRequestReview',
            code: 'custom',
            field: 'body',
            message: `body is too long (maximum is ${MAX_BODY_CHARACTERS} characters)`,
          },
        ],
      });
    }
    if (spec.user === this.login && input.event === 'APPROVE') {
      throw unprocessable([REVIEW_ERRORS.approveOwn], docs);
    }
    if (spec.user === this.login && input.event === 'REQUEST_CHANGES') {
      throw unprocessable([REVIEW_ERRORS.requestChangesOwn], docs);
    }
    const commitId = input.commit_id ?? spec.headSha;
    if (input.commit_id !== undefined) {
      let inPull = await this.isCommit(commitId);
      if (inPull) {
        inPull = false;
        for (const head of pull.heads) {
          if (await this.isAncestor(commitId, head)) inPull = true;
        }
      }
      if (!inPull) throw unprocessable([REVIEW_ERRORS.commitNotInPull], docs);
    }
    // Comments are placed on the diff as of the reviewed commit.
    const diff = await this.pullDiff(spec.baseSha, commitId);
    const placed = input.comments.map((c) => {
      if (this.options.unrenderedPaths?.includes(c.path)) {
        throw unprocessable([REVIEW_ERRORS.lineNotResolved], docs);
      }
      return placeComment(c, diff, docs);
    });

    const id = this.nextReviewId++;
    const { owner, repo } = this.options;
    const state: ReviewState =
      input.event === 'COMMENT'
        ? 'COMMENTED'
        : input.event === 'APPROVE'
          ? 'APPROVED'
          : input.event === 'REQUEST_CHANGES'
            ? 'CHANGES_REQUESTED'
            : 'PENDING';
    const now = timestamp();
    const review: Review & { pull: number } = {
      pull: spec.number,
      id,
      node_id: `PRR_fake${id}`,
      user: user(this.login),
      body: input.body ?? '',
      state,
      commit_id: commitId,
      html_url: `${this.serverUrl}/${owner}/${repo}/pull/${spec.number}#pullrequestreview-${id}`,
      pull_request_url: `${this.url}/repos/${owner}/${repo}/pulls/${spec.number}`,
      ...(state === 'PENDING' ? {} : { submitted_at: now }),
    };
    this.storedReviews.push(review);
    for (const p of placed) {
      const cid = this.nextReviewCommentId++;
      this.storedReviewComments.push({
        pull: spec.number,
        id: cid,
        node_id: `PRRC_fake${cid}`,
        pull_request_review_id: id,
        body: p.body,
        path: p.path,
        line: p.line,
        original_line: p.line,
        start_line: p.startLine,
        original_start_line: p.startLine,
        side: p.side,
        start_side: p.startSide,
        subject_type: 'line',
        diff_hunk: p.diffHunk,
        commit_id: commitId,
        original_commit_id: commitId,
        user: user(this.login),
        html_url: `${this.serverUrl}/${owner}/${repo}/pull/${spec.number}#discussion_r${cid}`,
        pull_request_url: review.pull_request_url,
        created_at: now,
        updated_at: now,
      });
    }
    // GitHub answers 200 (not 201) for a created review.
    return { status: 200, body: this.publicReview(review) };
  }

  /**
   * A reply in a review thread. GitHub's docs: "This must be the ID of a top-level review
   * comment, not a reply to that comment. Replies to replies are not supported." The fake
   * refuses one with 422 (plausible: the real answer was not found).
   */
  private createReply(ctx: RequestContext, params: string[]): Reply {
    const docs = DOCS.createReply;
    const { spec } = this.pull(params[2]!, docs);
    const root = this.storedReviewComments.find(
      (c) => c.pull === spec.number && c.id === Number(params[3]),
    );
    const pending = new Set(
      this.storedReviews.filter((r) => r.state === 'PENDING').map((r) => r.id),
    );
    if (!root || pending.has(root.pull_request_review_id)) throw failure(404, 'Not Found', docs);
    if (root.in_reply_to_id !== undefined) {
      throw unprocessable(['fake GitHub (plausible): replies to replies are not supported'], docs);
    }
    const body = issueCommentBody(ctx.body, docs);
    return { status: 201, body: publicReviewComment(this.storeReply(root, body, this.login)) };
  }

  private storeReply(root: ReviewComment & { pull: number }, body: string, login: string) {
    const id = this.nextReviewCommentId++;
    const reviewId = this.nextReviewId++;
    const now = timestamp();
    const { owner, repo } = this.options;
    // A reply is submitted as a review of its own, as GitHub does.
    this.storedReviews.push({
      pull: root.pull,
      id: reviewId,
      node_id: `PRR_fake${reviewId}`,
      user: user(login),
      body: '',
      state: 'COMMENTED',
      commit_id: root.commit_id,
      html_url: `${this.serverUrl}/${owner}/${repo}/pull/${root.pull}#pullrequestreview-${reviewId}`,
      pull_request_url: root.pull_request_url,
      submitted_at: now,
    });
    const reply: ReviewComment & { pull: number } = {
      ...structuredClone(root),
      id,
      node_id: `PRRC_fake${id}`,
      pull_request_review_id: reviewId,
      body,
      in_reply_to_id: root.id,
      user: user(login),
      html_url: `${this.serverUrl}/${owner}/${repo}/pull/${root.pull}#discussion_r${id}`,
      created_at: now,
      updated_at: now,
    };
    this.storedReviewComments.push(reply);
    return reply;
  }

  /** The threads of a pull request's submitted review comments, oldest first. */
  private threadViews(pull: number): GraphqlThread[] {
    const pending = new Set(
      this.storedReviews.filter((r) => r.state === 'PENDING').map((r) => r.id),
    );
    const visible = this.storedReviewComments.filter(
      (c) => c.pull === pull && !pending.has(c.pull_request_review_id),
    );
    return visible
      .filter((c) => c.in_reply_to_id === undefined)
      .map((root) => {
        const state = this.threadStates.get(root.id) ?? { resolved: false, resolvedBy: null };
        const comments = [root, ...visible.filter((c) => c.in_reply_to_id === root.id)];
        return {
          id: `PRRT_fake${root.id}`,
          resolved: state.resolved,
          resolvedBy: state.resolvedBy,
          // Not modelled: GitHub marks a thread outdated when a push moves its lines away.
          outdated: false,
          comments: comments.map((c) => ({
            id: c.id,
            nodeId: c.node_id,
            body: c.body,
            login: c.user.login,
            url: c.html_url,
            createdAt: c.created_at,
            path: c.path,
            line: c.line,
            startLine: c.start_line,
            side: c.side,
            replyTo: c.in_reply_to_id,
          })),
        };
      });
  }

  private setThreadResolved(
    threadId: string,
    resolved: boolean,
    by: string,
  ): GraphqlThread | undefined {
    const m = /^PRRT_fake(\d+)$/.exec(threadId);
    const root = m && this.storedReviewComments.find((c) => c.id === Number(m[1]));
    if (!root || root.in_reply_to_id !== undefined) return undefined;
    this.threadStates.set(root.id, { resolved, resolvedBy: resolved ? by : null });
    return this.threadViews(root.pull).find((t) => t.id === threadId);
  }

  private publicReview(review: Review): Review {
    return withoutKey(review, 'pull');
  }

  // ---------------------------------------------------------------- issue comments

  private storeIssueComment(issue: number, body: string, login: string) {
    const id = this.nextIssueCommentId++;
    const { owner, repo } = this.options;
    const now = timestamp();
    // A comment on an issue links to /issues/, one on a pull request to /pull/.
    const kind = this.storedIssues.has(issue) ? 'issues' : 'pull';
    const comment: IssueComment & { issue: number } = {
      issue,
      id,
      node_id: `IC_fake${id}`,
      body,
      user: user(login),
      html_url: `${this.serverUrl}/${owner}/${repo}/${kind}/${issue}#issuecomment-${id}`,
      issue_url: `${this.url}/repos/${owner}/${repo}/issues/${issue}`,
      created_at: now,
      updated_at: now,
    };
    this.storedIssueComments.push(comment);
    // A new comment moves its issue's (or pull request's) updated_at, as on GitHub.
    this.touch(issue);
    return comment;
  }

  private findIssueComment(idText: string, docs: string) {
    const comment = this.storedIssueComments.find((c) => c.id === Number(idText));
    if (!comment) throw failure(404, 'Not Found', docs);
    return comment;
  }

  private createIssueComment(ctx: RequestContext, params: string[]): Reply {
    const docs = DOCS.createIssueComment;
    const issue = this.issueNumber(params[2]!, docs);
    const body = issueCommentBody(ctx.body, docs);
    return {
      status: 201,
      body: publicIssueComment(this.storeIssueComment(issue, body, this.login)),
    };
  }

  private updateIssueComment(ctx: RequestContext, params: string[]): Reply {
    const docs = DOCS.updateIssueComment;
    const comment = this.findIssueComment(params[2]!, docs);
    comment.body = issueCommentBody(ctx.body, docs);
    comment.updated_at = timestamp();
    return { status: 200, body: publicIssueComment(comment) };
  }

  // ---------------------------------------------------------------- issues

  /** The number of an issue or a pull request (GitHub's issue endpoints take both), or 404. */
  private issueNumber(numberText: string, docs: string): number {
    const number = Number(numberText);
    if (!this.storedIssues.has(number) && !this.pulls.has(number)) {
      throw failure(404, 'Not Found', docs);
    }
    return number;
  }

  /** Moves updated_at of an issue or a pull request; a no-op for an unknown number. */
  private touch(number: number): void {
    const record = this.storedIssues.get(number) ?? this.pullTimes.get(number);
    if (!record) return;
    record.updatedAt = timestamp();
    record.updatedTick = ++this.clock;
  }

  /** The next number of the sequence issues and pull requests share. */
  private nextIssueNumber(): number {
    let max = 0;
    for (const n of this.pulls.keys()) max = Math.max(max, n);
    for (const n of this.storedIssues.keys()) max = Math.max(max, n);
    return max + 1;
  }

  /**
   * The labels by these names, creating those the repository does not have yet (GitHub does
   * for a user with push access, which every write token here is). Names match ignoring case
   * and keep the existing label's spelling; duplicates collapse.
   */
  private ensureLabels(names: string[]): string[] {
    const result: string[] = [];
    for (const name of names) {
      const key = name.toLowerCase();
      let label = this.storedLabels.get(key);
      if (!label) {
        const id = this.nextLabelId++;
        const { owner, repo } = this.options;
        label = {
          id,
          node_id: `LA_fake${id}`,
          url: `${this.url}/repos/${owner}/${repo}/labels/${encodeURIComponent(name)}`,
          name,
          // (plausible) The grey GitHub gives a label created by naming it on an issue.
          color: 'ededed',
          default: false,
          description: null,
        };
        this.storedLabels.set(key, label);
      }
      if (!result.includes(label.name)) result.push(label.name);
    }
    return result;
  }

  private storeIssue(input: {
    title: string;
    body: string | null;
    labels: string[];
    assignees: string[];
    login: string;
  }): IssueRecord {
    const now = timestamp();
    const tick = ++this.clock;
    const record: IssueRecord = {
      number: this.nextIssueNumber(),
      title: input.title,
      body: input.body,
      state: 'open',
      stateReason: null,
      labels: this.ensureLabels(input.labels),
      assignees: [...new Set(input.assignees)],
      login: input.login,
      createdAt: now,
      updatedAt: now,
      closedAt: null,
      createdTick: tick,
      updatedTick: tick,
    };
    this.storedIssues.set(record.number, record);
    return record;
  }

  private commentCount(number: number): number {
    return this.storedIssueComments.filter((c) => c.issue === number).length;
  }

  private publicIssue(record: IssueRecord): Issue {
    const { owner, repo } = this.options;
    const api = `${this.url}/repos/${owner}/${repo}/issues/${record.number}`;
    const assignees = record.assignees.map(user);
    return {
      url: api,
      repository_url: `${this.url}/repos/${owner}/${repo}`,
      comments_url: `${api}/comments`,
      html_url: `${this.serverUrl}/${owner}/${repo}/issues/${record.number}`,
      id: 5_000_000 + record.number,
      node_id: `I_fake${record.number}`,
      number: record.number,
      title: record.title,
      user: user(record.login),
      labels: record.labels.map((name) =>
        structuredClone(this.storedLabels.get(name.toLowerCase())!),
      ),
      state: record.state,
      state_reason: record.stateReason,
      locked: false,
      assignee: assignees[0] ?? null,
      assignees,
      milestone: null,
      comments: this.commentCount(record.number),
      created_at: record.createdAt,
      updated_at: record.updatedAt,
      closed_at: record.closedAt,
      body: record.body,
    };
  }

  /** A pull request as the Issues API lists it: an issue with a `pull_request` key. */
  private pullAsIssue(number: number): Issue {
    const { spec } = this.pulls.get(number)!;
    const times = this.pullTimes.get(number)!;
    const { owner, repo } = this.options;
    const api = `${this.url}/repos/${owner}/${repo}`;
    const html = `${this.serverUrl}/${owner}/${repo}/pull/${number}`;
    return {
      url: `${api}/issues/${number}`,
      repository_url: api,
      comments_url: `${api}/issues/${number}/comments`,
      html_url: html,
      id: 5_000_000 + number,
      node_id: `PR_fake${number}`,
      number,
      title: spec.title,
      user: user(spec.user),
      labels: [],
      // The fake's pull requests are always open (GET /pulls/{n} says so too).
      state: 'open',
      state_reason: null,
      locked: false,
      assignee: null,
      assignees: [],
      milestone: null,
      comments: this.commentCount(number),
      created_at: times.createdAt,
      updated_at: times.updatedAt,
      closed_at: null,
      body: null,
      pull_request: {
        url: `${api}/pulls/${number}`,
        html_url: html,
        diff_url: `${html}.diff`,
        patch_url: `${html}.patch`,
        merged_at: null,
      },
    };
  }

  private issueView(numberText: string, docs: string): Issue {
    const number = this.issueNumber(numberText, docs);
    const record = this.storedIssues.get(number);
    return record ? this.publicIssue(record) : this.pullAsIssue(number);
  }

  private listIssues(ctx: RequestContext): Reply {
    const docs = DOCS.listRepoIssues;
    const q = ctx.query;
    const choice = <T extends string>(name: string, allowed: readonly T[], fallback: T): T => {
      const value = q.get(name) || fallback;
      if (!(allowed as readonly string[]).includes(value)) {
        // (plausible) GitHub's refusal of a query parameter outside its enum.
        throw failure(422, 'Validation Failed', docs, {
          errors: [{ resource: 'Issue', field: name, code: 'invalid', value }],
        });
      }
      return value as T;
    };
    const state = choice('state', ['open', 'closed', 'all'] as const, 'open');
    const sort = choice('sort', ['created', 'updated', 'comments'] as const, 'created');
    const direction = choice('direction', ['asc', 'desc'] as const, 'desc');
    const creator = q.get('creator')?.toLowerCase() || undefined;
    const assignee = q.get('assignee')?.toLowerCase() || undefined;
    const wanted = (q.get('labels') ?? '')
      .split(',')
      .map((l) => l.trim().toLowerCase())
      .filter(Boolean);
    const sinceText = q.get('since');
    const since = sinceText ? Date.parse(sinceText) : Number.NaN;

    const entries: Array<{ issue: Issue; createdTick: number; updatedTick: number }> = [];
    for (const record of this.storedIssues.values()) {
      const { createdTick, updatedTick } = record;
      entries.push({ issue: this.publicIssue(record), createdTick, updatedTick });
    }
    for (const number of this.pulls.keys()) {
      const { createdTick, updatedTick } = this.pullTimes.get(number)!;
      entries.push({ issue: this.pullAsIssue(number), createdTick, updatedTick });
    }
    const selected = entries.filter(({ issue }) => {
      if (state !== 'all' && issue.state !== state) return false;
      if (creator !== undefined && issue.user.login.toLowerCase() !== creator) return false;
      if (assignee === 'none' && issue.assignees.length > 0) return false;
      if (assignee === '*' && issue.assignees.length === 0) return false;
      if (
        assignee !== undefined &&
        assignee !== 'none' &&
        assignee !== '*' &&
        !issue.assignees.some((a) => a.login.toLowerCase() === assignee)
      ) {
        return false;
      }
      const names = issue.labels.map((l) => l.name.toLowerCase());
      if (!wanted.every((w) => names.includes(w))) return false;
      if (!Number.isNaN(since) && Date.parse(issue.updated_at) < since) return false;
      return true;
    });
    const key = (e: (typeof entries)[number]): Array<string | number> =>
      sort === 'created'
        ? [e.issue.created_at, e.createdTick]
        : sort === 'updated'
          ? [e.issue.updated_at, e.updatedTick]
          : [e.issue.comments, e.createdTick];
    selected.sort((a, b) => {
      const [ka, kb] = [key(a), key(b)];
      const order = ka[0]! < kb[0]! ? -1 : ka[0]! > kb[0]! ? 1 : Number(ka[1]) - Number(kb[1]);
      return direction === 'asc' ? order : -order;
    });
    return this.paginate(
      ctx,
      selected.map((e) => e.issue),
    );
  }

  private createIssue(ctx: RequestContext): Reply {
    const docs = DOCS.createIssue;
    const input = parseIssueInput(ctx.body, docs, 'create');
    const record = this.storeIssue({
      title: input.title!,
      body: input.body ?? null,
      labels: input.labels ?? [],
      assignees: input.assignees ?? [],
      login: this.login,
    });
    return { status: 201, body: this.publicIssue(record) };
  }

  private updateIssue(ctx: RequestContext, params: string[]): Reply {
    const docs = DOCS.updateIssue;
    const number = this.issueNumber(params[2]!, docs);
    const record = this.storedIssues.get(number);
    const input = parseIssueInput(ctx.body, docs, 'update');
    if (!record) {
      // Loud, not faithful: GitHub lets the Issues API edit a pull request; the fake's pull
      // requests have no title/body/state to edit.
      throw unprocessable(
        ['fake GitHub: editing a pull request through /issues is not modelled'],
        docs,
      );
    }
    if (input.title !== undefined) record.title = input.title;
    if (input.body !== undefined) record.body = input.body;
    if (input.labels !== undefined) record.labels = this.ensureLabels(input.labels);
    if (input.assignees !== undefined) record.assignees = [...new Set(input.assignees)];
    // state_reason only counts alongside `state`: "state_reason cannot be changed alone, and
    // needs an update of state" (github/docs#22914, 2023); alone it is ignored here.
    if (input.state === 'closed') {
      // (plausible) Closing a closed issue keeps its closed_at; a reason given replaces the old.
      if (record.state === 'open') {
        record.closedAt = timestamp();
        record.stateReason = 'completed';
      }
      record.state = 'closed';
      // (plausible) 'reopened' or null while closing leaves the reason as it is (completed).
      if (input.stateReason === 'completed' || input.stateReason === 'not_planned') {
        record.stateReason = input.stateReason;
      }
    } else if (input.state === 'open' && record.state === 'closed') {
      // A reopened issue says so: state_reason 'reopened' (what GitHub shows, not null).
      record.state = 'open';
      record.closedAt = null;
      record.stateReason = 'reopened';
    }
    record.updatedAt = timestamp();
    record.updatedTick = ++this.clock;
    return { status: 200, body: this.publicIssue(record) };
  }
}

// ------------------------------------------------------------------ helpers

function user(login: string): GitHubUser {
  let id = 0;
  for (const ch of login) id = (id * 31 + ch.charCodeAt(0)) % 90_000_000;
  return { login, id: id + 10_000_000, type: login.endsWith('[bot]') ? 'Bot' : 'User' };
}

function repoObject(owner: string, name: string, fork: boolean) {
  return { name, full_name: `${owner}/${name}`, fork, owner: user(owner), private: false };
}

/** A copy without the fake's own bookkeeping key, so callers cannot mutate the store. */
function withoutKey<T extends object>(value: T, key: string): T {
  const copy = structuredClone(value) as Record<string, unknown>;
  delete copy[key];
  return copy as T;
}

const publicReviewComment = (c: ReviewComment): ReviewComment => withoutKey(c, 'pull');

const publicIssueComment = (c: IssueComment): IssueComment => withoutKey(c, 'issue');

function issueCommentBody(input: unknown, docs: string): string {
  const body = (input as { body?: unknown } | undefined)?.body;
  if (typeof body !== 'string') {
    throw invalidRequest(
      body === undefined
        ? '"body" wasn\'t supplied.'
        : `For 'properties/body', ${JSON.stringify(body)} is not a string.`,
      docs,
    );
  }
  if (characters(body) > MAX_BODY_CHARACTERS) {
    throw failure(422, 'Validation Failed', docs, {
      errors: [
        {
          resource: 'IssueComment',
          code: 'custom',
          field: 'body',
          message: `body is too long (maximum is ${MAX_BODY_CHARACTERS} characters)`,
        },
      ],
    });
  }
  return body;
}

interface IssueInput {
  title?: string;
  /** null clears it; undefined leaves it. */
  body?: string | null;
  labels?: string[];
  assignees?: string[];
  state?: 'open' | 'closed';
  stateReason?: IssueStateReason | null;
}

/**
 * The body of POST /issues (`mode` 'create': title required) or PATCH /issues/{n}. Real
 * wordings: a missing or empty title is Validation Failed with {resource: 'Issue', code:
 * 'missing_field', field: 'title'} (2015 and 2021 reports) and an oversized body {resource:
 * 'Issue', code: 'custom', field: 'body', message: 'body is too long (maximum is 65536
 * characters)'} (many reports); both are listed when both apply. An absent or null title and
 * type errors are refused before this, by GitHub's schema (github-openapi.ts); the checks of
 * types kept here only guard the fake's own reading of the body.
 */
function parseIssueInput(input: unknown, docs: string, mode: 'create' | 'update'): IssueInput {
  const o = (input ?? {}) as Record<string, unknown>;
  if (typeof o !== 'object' || Array.isArray(o)) {
    throw invalidRequest(`${JSON.stringify(input)} is not an object.`, docs);
  }
  const notA = (key: string, what: string) =>
    invalidRequest(`For 'properties/${key}', ${JSON.stringify(o[key])} is not ${what}.`, docs);
  const errors: unknown[] = [];
  const result: IssueInput = {};

  // GitHub's schema takes an integer title too (string or integer).
  const title = o.title;
  if (typeof title === 'number' && Number.isInteger(title)) {
    result.title = String(title);
  } else if (typeof title === 'string') {
    // (plausible) A blank title counts as missing, as an empty one does.
    if (title.trim() !== '') result.title = title;
    else errors.push({ resource: 'Issue', code: 'missing_field', field: 'title' });
  } else if (title === undefined && mode === 'update') {
    // Leaves the title.
  } else if (title === undefined || title === null) {
    errors.push({ resource: 'Issue', code: 'missing_field', field: 'title' });
  } else {
    throw notA('title', 'a string');
  }

  const body = o.body;
  if (body === null) {
    result.body = null;
  } else if (typeof body === 'string') {
    if (characters(body) > MAX_BODY_CHARACTERS) {
      errors.push({
        resource: 'Issue',
        code: 'custom',
        field: 'body',
        message: `body is too long (maximum is ${MAX_BODY_CHARACTERS} characters)`,
      });
    }
    result.body = body;
  } else if (body !== undefined) {
    throw notA('body', 'a string');
  }

  // Labels are names, or objects with a name, as GitHub's schema allows.
  if (o.labels !== undefined && o.labels !== null) {
    if (!Array.isArray(o.labels)) throw notA('labels', 'an array');
    result.labels = o.labels.map((l: unknown) => {
      const name = typeof l === 'string' ? l : (l as { name?: unknown } | null)?.name;
      if (typeof name !== 'string' || name.trim() === '') {
        throw invalidRequest(`For 'items', ${JSON.stringify(l)} is not a label name.`, docs);
      }
      return name.trim();
    });
  }

  // Any login is accepted: the fake models no collaborators (GitHub refuses a non-assignable one).
  const assignees: string[] = [];
  if (o.assignees !== undefined && o.assignees !== null) {
    if (!Array.isArray(o.assignees) || !o.assignees.every((a) => typeof a === 'string')) {
      throw notA('assignees', 'an array of strings');
    }
    assignees.push(...(o.assignees as string[]));
  }
  if (typeof o.assignee === 'string') assignees.unshift(o.assignee);
  else if (o.assignee !== undefined && o.assignee !== null) throw notA('assignee', 'a string');
  if (o.assignees !== undefined || o.assignee !== undefined) result.assignees = assignees;

  if (mode === 'update') {
    if (o.state !== undefined) {
      if (o.state !== 'open' && o.state !== 'closed') {
        throw notA('state', 'one of ["open", "closed"]');
      }
      result.state = o.state;
    }
    if (o.state_reason !== undefined) {
      const allowed = ['completed', 'not_planned', 'reopened', null];
      if (!allowed.includes(o.state_reason as string | null)) {
        throw notA('state_reason', 'one of ["completed", "not_planned", "reopened", null]');
      }
      result.stateReason = o.state_reason as IssueStateReason | null;
    }
  }

  if (errors.length > 0) throw failure(422, 'Validation Failed', docs, { errors });
  return result;
}

interface CommentInput {
  path: string;
  body: string;
  line: number;
  side: 'LEFT' | 'RIGHT';
  start_line?: number;
  start_side?: 'LEFT' | 'RIGHT';
}

interface ReviewInput {
  commit_id?: string;
  body?: string;
  event?: 'COMMENT' | 'APPROVE' | 'REQUEST_CHANGES';
  comments: CommentInput[];
}

/** Shape checks, in GitHub's JSON-schema "Invalid request" style (detail text plausible). */
function parseReviewInput(input: unknown, docs: string): ReviewInput {
  const o = (input ?? {}) as Record<string, unknown>;
  if (typeof o !== 'object' || Array.isArray(o)) {
    throw invalidRequest(`${JSON.stringify(input)} is not an object.`, docs);
  }
  const optionalString = (key: string): string | undefined => {
    const v = o[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string') {
      throw invalidRequest(`For 'properties/${key}', ${JSON.stringify(v)} is not a string.`, docs);
    }
    return v;
  };
  const commit_id = optionalString('commit_id');
  const body = optionalString('body');
  const event = optionalString('event');
  if (event !== undefined && !['COMMENT', 'APPROVE', 'REQUEST_CHANGES'].includes(event)) {
    throw invalidRequest(
      `For 'properties/event', ${JSON.stringify(event)} is not one of ["APPROVE", "REQUEST_CHANGES", "COMMENT"].`,
      docs,
    );
  }
  const rawComments = o.comments ?? [];
  if (!Array.isArray(rawComments)) {
    throw invalidRequest(
      `For 'properties/comments', ${JSON.stringify(rawComments)} is not an array.`,
      docs,
    );
  }
  const comments = rawComments.map((raw: unknown): CommentInput => {
    const c = (raw ?? {}) as Record<string, unknown>;
    for (const key of ['path', 'body'] as const) {
      if (c[key] === undefined) throw invalidRequest(`"${key}" wasn't supplied.`, docs);
      if (typeof c[key] !== 'string') {
        throw invalidRequest(
          `For 'items/${key}', ${JSON.stringify(c[key])} is not a string.`,
          docs,
        );
      }
    }
    for (const key of ['line', 'start_line'] as const) {
      if (c[key] !== undefined && c[key] !== null && !Number.isInteger(c[key])) {
        throw invalidRequest(
          `For 'items/${key}', ${JSON.stringify(c[key])} is not an integer.`,
          docs,
        );
      }
    }
    for (const key of ['side', 'start_side'] as const) {
      if (c[key] !== undefined && c[key] !== null && c[key] !== 'LEFT' && c[key] !== 'RIGHT') {
        throw invalidRequest(
          `For 'items/${key}', ${JSON.stringify(c[key])} is not one of ["LEFT", "RIGHT"].`,
          docs,
        );
      }
    }
    if (c.line === undefined || c.line === null) {
      if (c.position !== undefined) {
        // Loud, not faithful: the fake only models line/side placement, which the action uses.
        throw unprocessable(['fake GitHub: `position` is not supported; use `line`'], docs);
      }
      throw unprocessable([REVIEW_ERRORS.lineNotResolved], docs);
    }
    const side = (c.side as 'LEFT' | 'RIGHT' | undefined) ?? 'RIGHT';
    const hasStart = c.start_line !== undefined && c.start_line !== null;
    return {
      path: c.path as string,
      body: c.body as string,
      line: c.line as number,
      side,
      ...(hasStart
        ? {
            start_line: c.start_line as number,
            start_side: (c.start_side as 'LEFT' | 'RIGHT' | undefined) ?? side,
          }
        : {}),
    };
  });
  return { commit_id, body, event: event as ReviewInput['event'], comments };
}

interface PlacedComment {
  path: string;
  body: string;
  line: number;
  side: 'LEFT' | 'RIGHT';
  startLine: number | null;
  startSide: 'LEFT' | 'RIGHT' | null;
  diffHunk: string;
}

/** Where GitHub would put one comment of a review, or the 422 it answers for the whole review. */
function placeComment(c: CommentInput, diff: PullDiff, docs: string): PlacedComment {
  if (characters(c.body) > MAX_BODY_CHARACTERS) {
    throw unprocessable([REVIEW_ERRORS.commentBodyTooLong], docs);
  }
  const file = diff.files.find((f) => f.filename === c.path);
  if (!file) throw unprocessable([REVIEW_ERRORS.pathInvalid], docs);
  const end = (c.side === 'LEFT' ? file.left : file.right).get(c.line);
  if (!end) throw unprocessable([REVIEW_ERRORS.lineNotResolved], docs);
  let startLine: number | null = null;
  let startSide: 'LEFT' | 'RIGHT' | null = null;
  if (c.start_line !== undefined) {
    startSide = c.start_side ?? c.side;
    if (startSide === c.side && c.start_line >= c.line) {
      throw unprocessable([REVIEW_ERRORS.startLineNotBefore], docs);
    }
    const start = (startSide === 'LEFT' ? file.left : file.right).get(c.start_line);
    if (!start || start.hunk !== end.hunk) {
      throw unprocessable([REVIEW_ERRORS.rangeAcrossHunks], docs);
    }
    if (start.index >= end.index) throw unprocessable([REVIEW_ERRORS.startLineNotBefore], docs);
    startLine = c.start_line;
  }
  const hunkStart = file.hunkStarts[end.hunk]!;
  return {
    path: c.path,
    body: c.body,
    line: c.line,
    side: c.side,
    startLine,
    startSide,
    diffHunk: file.patchLines.slice(hunkStart, end.index + 1).join('\n'),
  };
}

/** Pairs `git diff` sections with `git diff --raw -z` records (same order) and maps hunks. */
function parseFiles(text: string, raw: string): FileDiff[] {
  const records: Array<{ status: string; oldSha: string; newSha: string; paths: string[] }> = [];
  const tokens = raw.split('\0');
  for (let i = 0; i < tokens.length; i += 1) {
    const token = tokens[i]!;
    if (!token.startsWith(':')) continue;
    const [, , oldSha, newSha, status] = token.slice(1).split(' ');
    const paths = [tokens[++i]!];
    if (status!.startsWith('R') || status!.startsWith('C')) paths.push(tokens[++i]!);
    records.push({ status: status!, oldSha: oldSha!, newSha: newSha!, paths });
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
    const patchLines = first === -1 ? [] : section.slice(first);
    const file: FileDiff = {
      filename: record.paths.at(-1)!,
      ...(record.paths.length > 1 && record.status.startsWith('R')
        ? { previousFilename: record.paths[0]! }
        : {}),
      status: fileStatus(record.status),
      sha: /^0+$/.test(record.newSha) ? record.oldSha : record.newSha,
      additions: 0,
      deletions: 0,
      ...(first === -1 ? {} : { patch: patchLines.join('\n') }),
      patchLines,
      hunkStarts: [],
      right: new Map(),
      left: new Map(),
    };
    let oldLine = 0;
    let newLine = 0;
    patchLines.forEach((line, index) => {
      const header = /^@@ -(\d+)(?:,\d+)? \+(\d+)(?:,\d+)? @@/.exec(line);
      if (header) {
        file.hunkStarts.push(index);
        oldLine = Number(header[1]);
        newLine = Number(header[2]);
        return;
      }
      const hunk = file.hunkStarts.length - 1;
      if (line.startsWith('+')) {
        file.right.set(newLine++, { hunk, index });
        file.additions += 1;
      } else if (line.startsWith('-')) {
        file.left.set(oldLine++, { hunk, index });
        file.deletions += 1;
      } else if (line.startsWith(' ') || line === '') {
        file.left.set(oldLine++, { hunk, index });
        file.right.set(newLine++, { hunk, index });
      }
      // "\ No newline at end of file" belongs to no side.
    });
    return file;
  });
}
