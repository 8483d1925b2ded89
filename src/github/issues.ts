// GitHub issues as the IssueTracker of scheduled audits.
import type { IssueTracker, TrackedIssue } from '../core/platform.js';
import { blobUrl, guardWrite } from './errors.js';
import type { Octokit } from './octokit.js';

/** Narrows the search for the audit's issue; the marker in the body decides. */
export const AUDIT_LABEL = 'codex-review';

interface ApiIssue {
  number: number;
  html_url: string;
  body?: string | null;
  state: string;
  pull_request?: unknown;
}

const toTracked = (issue: ApiIssue): TrackedIssue => ({
  number: issue.number,
  url: issue.html_url,
  body: issue.body ?? '',
  state: issue.state === 'closed' ? 'closed' : 'open',
});

export class GitHubIssues implements IssueTracker {
  readonly name = 'GitHub';
  readonly maxCommentLength = 65_536;

  constructor(
    private readonly octokit: Octokit,
    private readonly repo: { owner: string; repo: string },
    private readonly serverUrl: string,
  ) {}

  async findIssue(marker: string): Promise<TrackedIssue | undefined> {
    const issues = await this.octokit.paginate(this.octokit.rest.issues.listForRepo, {
      ...this.repo,
      state: 'all',
      labels: AUDIT_LABEL,
      sort: 'created',
      direction: 'desc',
      per_page: 100,
    });
    const found = issues.find((i) => !i.pull_request && (i.body ?? '').includes(marker));
    return found ? toTracked(found) : undefined;
  }

  async createIssue(title: string, body: string): Promise<TrackedIssue> {
    try {
      const { data } = await this.octokit.rest.issues.create({
        ...this.repo,
        title,
        body,
        labels: [AUDIT_LABEL],
      });
      return toTracked(data);
    } catch (error) {
      guardWrite(error, 'open the tracking issue');
    }
  }

  async updateIssue(
    issue: TrackedIssue,
    change: { body: string; state: 'open' | 'closed' },
  ): Promise<TrackedIssue> {
    try {
      const { data } = await this.octokit.rest.issues.update({
        ...this.repo,
        issue_number: issue.number,
        body: change.body,
        state: change.state,
        ...(change.state === 'closed' && issue.state === 'open'
          ? { state_reason: 'completed' as const }
          : {}),
        ...(change.state === 'open' && issue.state === 'closed'
          ? { state_reason: 'reopened' as const }
          : {}),
      });
      return toTracked(data);
    } catch (error) {
      guardWrite(error, 'update the tracking issue');
    }
  }

  fileUrl(sha: string, path: string, startLine: number | null, endLine: number | null): string {
    return blobUrl(this.serverUrl, this.repo, sha, path, startLine, endLine);
  }
}
