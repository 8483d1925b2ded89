// A loopback fake of the GitHub REST API, faithful where the action can trip: it checks the
// token like GitHub (401 for a bad one, 403 for a read-only one on any write: what a fork
// pull request's GITHUB_TOKEN gets), serves the pull request's three-dot diff computed by git
// in a real repository, and validates a review the way GitHub does, rejecting the WHOLE review
// with 422 when any one comment cannot be placed. Faults (5xx, primary and secondary rate
// limits) can be injected for the next N matching requests.
//
// Error wordings come from real GitHub answers quoted in public bug reports; where no real
// answer was found the wording is a close, plausible one and is marked "(plausible)".
import { execFile } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export type TokenScope = 'write' | 'read';

export interface FakeGitHubOptions {
  /** A real git repository holding the pull requests' commits. */
  repoDir: string;
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
  /** How many of the next matching requests get the fault (default 1). */
  times?: number;
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
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
  getIssueComment: 'https://docs.github.com/rest/issues/comments#get-an-issue-comment',
  updateIssueComment: 'https://docs.github.com/rest/issues/comments#update-an-issue-comment',
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

interface Route {
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

  private server: http.Server | undefined;
  private readonly faults: Array<Fault & { remaining: number }> = [];
  private readonly pulls = new Map<number, PullState>();
  private readonly storedReviews: Array<Review & { pull: number }> = [];
  private readonly storedReviewComments: Array<ReviewComment & { pull: number }> = [];
  private readonly storedIssueComments: Array<IssueComment & { issue: number }> = [];
  private readonly diffCache = new Map<string, Promise<PullDiff>>();
  private nextReviewId = 2_000_001;
  private nextReviewCommentId = 3_000_001;
  private nextIssueCommentId = 4_000_001;
  private readonly routes: Route[];
  private readonly serverUrl: string;

  constructor(private readonly options: FakeGitHubOptions) {
    this.login = options.login ?? 'github-actions[bot]';
    this.tooLargeDiff = options.tooLargeDiff ?? false;
    this.serverUrl = (options.serverUrl ?? 'https://github.com').replace(/\/+$/, '');
    const repo = String.raw`/repos/([^/]+)/([^/]+)`;
    const r = (method: string, path: string, docs: string, handler: Route['handler']): Route => ({
      method,
      pattern: new RegExp(`^${repo}${path}$`),
      docs,
      handler,
    });
    this.routes = [
      r('GET', String.raw`/pulls/(\d+)`, DOCS.getPull, (c, p) => this.getPull(c, p)),
      r('GET', String.raw`/pulls/(\d+)/files`, DOCS.listFiles, (c, p) => this.listFiles(c, p)),
      r('GET', String.raw`/pulls/(\d+)/comments`, DOCS.listReviewComments, (c, p) =>
        this.listReviewComments(c, p),
      ),
      r('GET', String.raw`/pulls/(\d+)/reviews`, DOCS.listReviews, (c, p) =>
        this.listReviews(c, p),
      ),
      r('POST', String.raw`/pulls/(\d+)/reviews`, DOCS.createReview, (c, p) =>
        this.createReview(c, p),
      ),
      r('GET', String.raw`/pulls/(\d+)/reviews/(\d+)`, DOCS.getReview, async (_c, p) => ({
        status: 200,
        body: this.publicReview(this.findReview(p, DOCS.getReview)),
      })),
      r('DELETE', String.raw`/pulls/(\d+)/reviews/(\d+)`, DOCS.deleteReview, async (_c, p) =>
        this.deleteReview(p),
      ),
      r(
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
      r('GET', String.raw`/issues/(\d+)/comments`, DOCS.listIssueComments, async (c, p) => {
        const issue = this.pull(p[2]!, DOCS.listIssueComments).spec.number;
        const comments = this.storedIssueComments.filter((x) => x.issue === issue);
        return this.paginate(c, comments.map(publicIssueComment));
      }),
      r('POST', String.raw`/issues/(\d+)/comments`, DOCS.createIssueComment, async (c, p) =>
        this.createIssueComment(c, p),
      ),
      r('GET', String.raw`/issues/comments/(\d+)`, DOCS.getIssueComment, async (_c, p) => ({
        status: 200,
        body: publicIssueComment(this.findIssueComment(p[2]!, DOCS.getIssueComment)),
      })),
      r('PATCH', String.raw`/issues/comments/(\d+)`, DOCS.updateIssueComment, async (c, p) =>
        this.updateIssueComment(c, p),
      ),
    ];
  }

  // ---------------------------------------------------------------- lifecycle

  get url(): string {
    const addr = this.server?.address() as AddressInfo | undefined;
    if (!addr) throw new Error('fake GitHub API is not started');
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

  /** Creates the pull request, or moves it (a push: call again with the new headSha). */
  setPullRequest(spec: PullRequestSpec): void {
    const previous = this.pulls.get(spec.number);
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
  }

  /** An issue comment that already exists, e.g. left by someone else or by an earlier run. */
  seedIssueComment(issue: number, body: string, login = this.login): IssueComment {
    return publicIssueComment(this.storeIssueComment(issue, body, login));
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
      reply = {
        status: fault.status,
        body: fault.body ?? { message: http.STATUS_CODES[fault.status] ?? 'Error' },
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

  private async route(
    method: string,
    url: URL,
    req: http.IncomingMessage,
    body: unknown,
    malformed: boolean,
  ): Promise<Reply> {
    // GitHub authenticates before it routes: a bad token gets 401 even on a bogus path.
    const scope = this.authenticate(req.headers.authorization);
    if (!scope) throw failure(401, 'Bad credentials', DOCS.root);
    let matched: { route: Route; params: string[] } | undefined;
    for (const route of this.routes) {
      const m = route.pattern.exec(url.pathname);
      if (m && route.method === method) {
        matched = { route, params: m.slice(1).map((s) => decodeURIComponent(s)) };
        break;
      }
    }
    if (!matched) throw failure(404, 'Not Found', DOCS.root);
    const { route, params } = matched;
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

  private publicReview(review: Review): Review {
    return withoutKey(review, 'pull');
  }

  // ---------------------------------------------------------------- issue comments

  private storeIssueComment(issue: number, body: string, login: string) {
    const id = this.nextIssueCommentId++;
    const { owner, repo } = this.options;
    const now = timestamp();
    const comment: IssueComment & { issue: number } = {
      issue,
      id,
      node_id: `IC_fake${id}`,
      body,
      user: user(login),
      html_url: `${this.serverUrl}/${owner}/${repo}/pull/${issue}#issuecomment-${id}`,
      issue_url: `${this.url}/repos/${owner}/${repo}/issues/${issue}`,
      created_at: now,
      updated_at: now,
    };
    this.storedIssueComments.push(comment);
    return comment;
  }

  private findIssueComment(idText: string, docs: string) {
    const comment = this.storedIssueComments.find((c) => c.id === Number(idText));
    if (!comment) throw failure(404, 'Not Found', docs);
    return comment;
  }

  private createIssueComment(ctx: RequestContext, params: string[]): Reply {
    const docs = DOCS.createIssueComment;
    const issue = this.pull(params[2]!, docs).spec.number;
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
