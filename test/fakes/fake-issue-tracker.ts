// An in-memory IssueTracker for audit publishing tests, behaving as GitHub's issues do where
// an audit can trip: the newest issue carrying the marker is the one found, a body over the
// limit is refused (GitHub: 422 "body is too long"), an empty title is refused (GitHub: 422
// missing_field), and writes can be denied (PermissionDeniedError), as for a read-only token.
// It records every call.
import {
  PermissionDeniedError,
  type IssueTracker,
  type TrackedIssue,
} from '../../src/core/platform.js';

export type FakeIssueWrite = 'create' | 'update';

export interface FakeIssueTrackerOptions {
  /** Writes refused with PermissionDeniedError: `true` for both. */
  denied?: boolean | FakeIssueWrite[];
  maxCommentLength?: number;
}

export interface FakeIssue extends TrackedIssue {
  title: string;
  /** Times it was edited after it was opened. */
  edits: number;
}

export type FakeIssueCall =
  | { method: 'findIssue'; marker: string }
  | { method: 'createIssue'; title: string }
  | { method: 'updateIssue'; number: number; state: 'open' | 'closed' };

export class FakeIssueTracker implements IssueTracker {
  readonly name = 'Fake';
  readonly maxCommentLength: number;
  readonly calls: FakeIssueCall[] = [];
  /** Every issue, in the order opened. */
  readonly issues: FakeIssue[] = [];
  denied: Set<FakeIssueWrite>;

  constructor(options: FakeIssueTrackerOptions = {}) {
    this.maxCommentLength = options.maxCommentLength ?? 65_536;
    this.denied = new Set(
      options.denied === true ? ['create', 'update'] : options.denied ? options.denied : [],
    );
  }

  /** An issue that already exists, e.g. opened by an earlier run or by a person. */
  seed(title: string, body: string, state: 'open' | 'closed' = 'open'): FakeIssue {
    const issue = this.store(title, body);
    issue.state = state;
    return { ...issue };
  }

  async findIssue(marker: string): Promise<TrackedIssue | undefined> {
    this.calls.push({ method: 'findIssue', marker });
    const found = this.issues.filter((i) => i.body.includes(marker)).at(-1);
    return found ? this.view(found) : undefined;
  }

  async createIssue(title: string, body: string): Promise<TrackedIssue> {
    this.calls.push({ method: 'createIssue', title });
    this.guard('create');
    if (title.trim() === '') throw new Error('Fake refused the issue: title is missing');
    this.checkBody(body);
    return this.view(this.store(title, body));
  }

  async updateIssue(
    issue: TrackedIssue,
    change: { body: string; state: 'open' | 'closed' },
  ): Promise<TrackedIssue> {
    this.calls.push({ method: 'updateIssue', number: issue.number, state: change.state });
    this.guard('update');
    const stored = this.issues.find((i) => i.number === issue.number);
    if (!stored) throw new Error(`Fake has no issue #${issue.number}`);
    this.checkBody(change.body);
    stored.body = change.body;
    stored.state = change.state;
    stored.edits++;
    return this.view(stored);
  }

  fileUrl(sha: string, path: string, startLine: number | null, endLine: number | null): string {
    const lines =
      startLine === null
        ? ''
        : `#L${startLine}${endLine !== null && endLine !== startLine ? `-L${endLine}` : ''}`;
    return `https://fake.test/blob/${sha}/${path}${lines}`;
  }

  private store(title: string, body: string): FakeIssue {
    const number = this.issues.length + 1;
    const issue: FakeIssue = {
      number,
      url: `https://fake.test/issues/${number}`,
      title,
      body,
      state: 'open',
      edits: 0,
    };
    this.issues.push(issue);
    return issue;
  }

  private view(issue: FakeIssue): TrackedIssue {
    return { number: issue.number, url: issue.url, body: issue.body, state: issue.state };
  }

  private checkBody(body: string): void {
    if (body.length > this.maxCommentLength) {
      throw new Error(
        `Fake refused the issue: body is too long (maximum is ${this.maxCommentLength} characters, got ${body.length})`,
      );
    }
  }

  private guard(write: FakeIssueWrite): void {
    if (this.denied.has(write)) {
      throw new PermissionDeniedError(
        `The Fake token cannot ${write === 'create' ? 'open' : 'update'} the tracking issue (403: Resource not accessible by integration).`,
      );
    }
  }
}
