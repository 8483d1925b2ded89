// The one interface GitHub and GitLab implement. The core decides what goes where; a platform
// only reads the change request and writes what it is given.
import type { InlineAnchor } from './diff/placement.js';

export interface ChangeRequest {
  /** Pull request number or merge request iid. */
  number: number;
  url: string | undefined;
  baseSha: string;
  /** The commit inline comments are anchored to: the reviewed head. */
  headSha: string;
  /** What the repository configuration's skip rules look at; undefined where unknown. */
  draft?: boolean;
  labels?: string[];
  /** The author's login (GitHub) or username (GitLab). */
  author?: string;
}

export interface InlineComment {
  fingerprint: string;
  anchor: InlineAnchor;
  body: string;
}

export interface RejectedComment {
  comment: InlineComment;
  /** The platform's words, for the summary. */
  reason: string;
}

export interface PostedReview {
  url: string | undefined;
  posted: InlineComment[];
  rejected: RejectedComment[];
}

export interface ExistingComment {
  id: string;
  body: string;
  url: string;
}

/** A finding people dismissed: its thread resolved by a person, or a `dismiss` command. */
export interface Dismissal {
  fingerprint: string;
  /** How it was shown: the first line of its comment (model text, untrusted). */
  title: string;
  path: string | null;
  line: number | null;
  /** Who dismissed it (a login), when known. */
  by: string | undefined;
  /** Why, in the words of whoever dismissed it ('' when none was given). */
  reason: string;
}

/** What earlier runs left on the change request. */
export interface ExistingState {
  /** The summary comment, found by its hidden marker. */
  summary: ExistingComment | undefined;
  /** Fingerprints of findings already posted inline (from the markers in their comments). */
  inlineFingerprints: Set<string>;
  /** Findings people dismissed, by fingerprint; absent where the platform cannot tell. */
  dismissed?: Map<string, Dismissal>;
}

/** The token may read but not write (a fork's pull request): not a failure, a fallback. */
export class PermissionDeniedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PermissionDeniedError';
  }
}

/**
 * GitHub: a ```suggestion block replaces the comment's lines (`start_line`..`line`). GitLab:
 * ```suggestion:-N+M replaces N lines above to M lines below the line the note is positioned on.
 */
export type SuggestionSyntax = 'github' | 'gitlab';

export interface ReviewPlatform {
  readonly name: string;
  /** Unified diff of the change request at its head (what the platform accepts comments on). */
  loadDiff(cr: ChangeRequest): Promise<string>;
  loadExisting(cr: ChangeRequest): Promise<ExistingState>;
  /** One review carrying every comment; comments the platform rejects come back in `rejected`. */
  postReview(cr: ChangeRequest, comments: InlineComment[]): Promise<PostedReview>;
  /** Create the summary comment, or edit `existing` in place. */
  upsertSummary(
    cr: ChangeRequest,
    body: string,
    existing: ExistingComment | undefined,
  ): Promise<{ url: string }>;
  /** Link to lines of a file at the reviewed commit. */
  fileUrl(
    cr: ChangeRequest,
    path: string,
    startLine: number | null,
    endLine: number | null,
  ): string;
  /** Largest comment body the platform accepts, in characters. */
  readonly maxCommentLength: number;
  /** Findings in a changed file but outside the diff can be posted on the file itself. */
  readonly supportsFileComments?: boolean;
  /** How an inline comment carries a committable suggested change; absent: it cannot. */
  readonly suggestionSyntax?: SuggestionSyntax;
  /** Mark the threads of findings fixed since the last run resolved, where the platform can. */
  resolveFixed?(cr: ChangeRequest, fingerprints: string[]): Promise<number>;
}

export interface TrackedIssue {
  number: number;
  url: string;
  body: string;
  state: 'open' | 'closed';
}

/** One tracking issue per scheduled audit, found again by a hidden marker. */
export interface IssueTracker {
  readonly name: string;
  findIssue(marker: string): Promise<TrackedIssue | undefined>;
  createIssue(title: string, body: string): Promise<TrackedIssue>;
  updateIssue(
    issue: TrackedIssue,
    change: { body: string; state: 'open' | 'closed' },
  ): Promise<TrackedIssue>;
  /** Link to lines of a file at a commit. */
  fileUrl(sha: string, path: string, startLine: number | null, endLine: number | null): string;
  readonly maxCommentLength: number;
}
