// An in-memory ReviewPlatform for core publishing tests. It behaves as the real platforms do
// where publishing can go wrong, and records everything it is asked:
// - a comment on a line outside the diff it was given, or a range whose ends lie in different
//   hunks, is rejected with GitHub's words ("Line could not be resolved"); a path the diff does
//   not change with "Pull request review thread path is invalid". Unlike GitHub, which refuses
//   the whole review, it answers per comment, as the ReviewPlatform contract asks of an
//   adapter (GitHubPlatform bisects to get there);
// - paths can be marked unrendered: their lines are in the diff but comments there are refused,
//   as GitHub does for a file too large to render;
// - writes can be denied (PermissionDeniedError), as for a fork's read-only token;
// - file comments (`supportsFileComments`, as on GitLab) and thread resolution (`resolveFixed`,
//   as on GitLab) exist only when asked for, as on GitHub;
// - there is one summary comment, found again by its marker and edited in place; creating one
//   while another exists leaves two, as a real platform would, so a test can see the duplicate.
// The diff is read with parse-diff, not with the core's DiffIndex, so that a mistake in the
// core's reading of a diff shows here as a refused comment.
import parseDiff from 'parse-diff';
import {
  PermissionDeniedError,
  type ChangeRequest,
  type ExistingComment,
  type ExistingState,
  type InlineComment,
  type PostedReview,
  type RejectedComment,
  type ReviewPlatform,
  type SuggestionSyntax,
} from '../../src/core/platform.js';
import { fingerprintsIn, SUMMARY_MARKER } from '../../src/core/state/markers.js';

export type FakeWrite = 'review' | 'summary' | 'resolve';

export interface FakePlatformOptions {
  /** Fingerprints an earlier run posted inline (each becomes a thread of its own). */
  earlierInline?: string[];
  /** The body of a summary comment an earlier run left. */
  earlierSummary?: string;
  /** Comments on these paths are refused though their lines are in the diff. */
  unrenderedPaths?: string[];
  /** Writes refused with PermissionDeniedError: `true` for all of them. */
  denied?: boolean | FakeWrite[];
  /** Comments on a file as a whole (anchor side FILE), as GitLab has. */
  supportsFileComments?: boolean;
  /** Offer resolveFixed, as GitLab does. */
  resolvesThreads?: boolean;
  maxCommentLength?: number;
  /** Committable suggested changes in inline comments, as on GitHub (`github`) or GitLab. */
  suggestionSyntax?: SuggestionSyntax;
}

export interface FakeThread {
  id: string;
  comment: InlineComment;
  resolved: boolean;
}

export interface FakeSummary {
  id: string;
  body: string;
  /** Times it was edited in place after it was created. */
  edits: number;
}

export type FakeCall =
  | { method: 'loadDiff' | 'loadExisting' }
  | { method: 'postReview'; comments: InlineComment[] }
  | { method: 'upsertSummary'; existingId: string | undefined }
  | { method: 'resolveFixed'; fingerprints: string[] };

/** GitHub's words for the comments it refuses. */
export const REFUSALS = {
  line: 'Line could not be resolved',
  path: 'Pull request review thread path is invalid',
  startAfterEnd: 'Pull request review thread start line must precede the end line.',
  acrossHunks: 'Pull request review thread start line must be part of the same hunk as the line.',
  fileComment: 'Comments on a whole file are not supported here',
  tooLong: 'Body is too long',
} as const;

interface FileLines {
  /** new-side line → hunk index */
  right: Map<number, number>;
  /** old-side line → hunk index */
  left: Map<number, number>;
}

export class FakePlatform implements ReviewPlatform {
  readonly name = 'Fake';
  readonly maxCommentLength: number;
  readonly supportsFileComments: boolean;
  readonly suggestionSyntax?: SuggestionSyntax;
  readonly resolveFixed?: (cr: ChangeRequest, fingerprints: string[]) => Promise<number>;

  /** Every call, in order. */
  readonly calls: FakeCall[] = [];
  /** The comments of each review posted (accepted ones only), in order. */
  readonly reviews: InlineComment[][] = [];
  /** Comments refused, with the reason given back. */
  readonly rejected: RejectedComment[] = [];
  /** Inline threads, earlier ones first. */
  readonly threads: FakeThread[] = [];
  /** Every summary comment on the change request (one, unless something posted a second). */
  readonly summaries: FakeSummary[] = [];
  /** Which writes throw PermissionDeniedError; mutable, to deny from the next call on. */
  denied: Set<FakeWrite>;

  private readonly files = new Map<string, FileLines>();
  private readonly unrendered: Set<string>;
  private nextId = 1;

  constructor(
    private readonly diff: string,
    options: FakePlatformOptions = {},
  ) {
    this.maxCommentLength = options.maxCommentLength ?? 65_536;
    this.supportsFileComments = options.supportsFileComments ?? false;
    if (options.suggestionSyntax) this.suggestionSyntax = options.suggestionSyntax;
    this.unrendered = new Set(options.unrenderedPaths ?? []);
    this.denied = new Set(
      options.denied === true
        ? ['review', 'summary', 'resolve']
        : options.denied === false || options.denied === undefined
          ? []
          : options.denied,
    );
    for (const file of parseDiff(diff)) {
      const path = file.to && file.to !== '/dev/null' ? file.to : file.from;
      if (!path) continue;
      const lines: FileLines = { right: new Map(), left: new Map() };
      file.chunks.forEach((chunk, hunk) => {
        for (const change of chunk.changes) {
          if (change.type === 'add') lines.right.set(change.ln, hunk);
          else if (change.type === 'del') lines.left.set(change.ln, hunk);
          else {
            lines.left.set(change.ln1, hunk);
            lines.right.set(change.ln2, hunk);
          }
        }
      });
      this.files.set(path, lines);
    }
    for (const fingerprint of options.earlierInline ?? []) {
      this.threads.push({
        id: this.id(),
        comment: {
          fingerprint,
          anchor: { path: '(earlier)', side: 'RIGHT', startLine: 1, line: 1, clamped: false },
          body: `earlier finding\n\n<!-- codex-review:finding ${fingerprint} -->`,
        },
        resolved: false,
      });
    }
    if (options.earlierSummary !== undefined) {
      this.summaries.push({ id: this.id(), body: options.earlierSummary, edits: 0 });
    }
    if (options.resolvesThreads) {
      this.resolveFixed = async (_cr, fingerprints) => {
        this.calls.push({ method: 'resolveFixed', fingerprints: [...fingerprints] });
        this.guard('resolve');
        const wanted = new Set(fingerprints);
        let count = 0;
        for (const thread of this.threads) {
          if (thread.resolved) continue;
          if (!fingerprintsIn(thread.comment.body).some((f) => wanted.has(f))) continue;
          thread.resolved = true;
          count++;
        }
        return count;
      };
    }
  }

  /** The summary comment a later run would find (the last one carrying the marker). */
  get summary(): FakeSummary | undefined {
    return this.summaries.filter((s) => s.body.includes(SUMMARY_MARKER)).at(-1);
  }

  /** Someone deletes the summary comment between runs. */
  deleteSummary(): void {
    const summary = this.summary;
    if (summary) this.summaries.splice(this.summaries.indexOf(summary), 1);
  }

  async loadDiff(): Promise<string> {
    this.calls.push({ method: 'loadDiff' });
    return this.diff;
  }

  async loadExisting(): Promise<ExistingState> {
    this.calls.push({ method: 'loadExisting' });
    const summary = this.summary;
    return {
      summary: summary
        ? { id: summary.id, body: summary.body, url: this.url(summary.id) }
        : undefined,
      inlineFingerprints: new Set(this.threads.flatMap((t) => fingerprintsIn(t.comment.body))),
    };
  }

  async postReview(_cr: ChangeRequest, comments: InlineComment[]): Promise<PostedReview> {
    this.calls.push({ method: 'postReview', comments: [...comments] });
    this.guard('review');
    const posted: InlineComment[] = [];
    const rejected: RejectedComment[] = [];
    for (const comment of comments) {
      const reason = this.refusal(comment);
      if (reason) rejected.push({ comment, reason });
      else posted.push(comment);
    }
    this.rejected.push(...rejected);
    if (posted.length === 0) return { url: undefined, posted, rejected };
    this.reviews.push(posted);
    for (const comment of posted) {
      this.threads.push({ id: this.id(), comment, resolved: false });
    }
    return { url: this.url(`review-${this.reviews.length}`), posted, rejected };
  }

  async upsertSummary(
    _cr: ChangeRequest,
    body: string,
    existing: ExistingComment | undefined,
  ): Promise<{ url: string }> {
    this.calls.push({ method: 'upsertSummary', existingId: existing?.id });
    this.guard('summary');
    if (body.length > this.maxCommentLength) {
      throw new Error(`Fake refused the summary: ${REFUSALS.tooLong} (${body.length} characters)`);
    }
    const current = existing && this.summaries.find((s) => s.id === existing.id);
    if (current) {
      current.body = body;
      current.edits++;
      return { url: this.url(current.id) };
    }
    // No summary yet, or it was deleted since it was read: a new comment.
    const created: FakeSummary = { id: this.id(), body, edits: 0 };
    this.summaries.push(created);
    return { url: this.url(created.id) };
  }

  fileUrl(cr: ChangeRequest, path: string, startLine: number | null, endLine: number | null) {
    const lines =
      startLine === null
        ? ''
        : `#L${startLine}${endLine && endLine !== startLine ? `-L${endLine}` : ''}`;
    return `https://fake.test/blob/${cr.headSha}/${path}${lines}`;
  }

  /** Why the platform would refuse this comment, or undefined when it takes it. */
  private refusal(comment: InlineComment): string | undefined {
    const { anchor } = comment;
    if (comment.body.length > this.maxCommentLength) return REFUSALS.tooLong;
    const file = this.files.get(anchor.path);
    if (!file) return REFUSALS.path;
    if (anchor.side === 'FILE') return this.supportsFileComments ? undefined : REFUSALS.fileComment;
    if (this.unrendered.has(anchor.path)) return REFUSALS.line;
    const side = anchor.side === 'RIGHT' ? file.right : file.left;
    const end = side.get(anchor.line);
    if (end === undefined) return REFUSALS.line;
    if (anchor.startLine === anchor.line) return undefined;
    if (anchor.startLine > anchor.line) return REFUSALS.startAfterEnd;
    const start = side.get(anchor.startLine);
    if (start === undefined || start !== end) return REFUSALS.acrossHunks;
    return undefined;
  }

  private guard(write: FakeWrite): void {
    if (this.denied.has(write)) {
      throw new PermissionDeniedError(
        `The Fake token cannot ${write === 'review' ? 'post a review' : write === 'summary' ? 'write the summary comment' : 'resolve threads'} (403: Resource not accessible by integration).`,
      );
    }
  }

  private id(): string {
    return String(this.nextId++);
  }

  private url(id: string): string {
    return `https://fake.test/change/1#${id}`;
  }
}
