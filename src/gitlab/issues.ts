// GitLab issues as the IssueTracker of scheduled audits.
import { encodePath, lineFragment } from '../core/render/links.js';
import { PermissionDeniedError, type IssueTracker, type TrackedIssue } from '../core/platform.js';
import { GitLabApiError, type GitLabClient } from './client.js';
import { neutralizeQuickActions } from '../core/render/markdown-escape.js';

const AUDIT_LABEL = 'codex-review';

interface ApiIssue {
  iid: number;
  web_url: string;
  description: string | null;
  state: string;
}

const toTracked = (issue: ApiIssue): TrackedIssue => ({
  number: issue.iid,
  url: issue.web_url,
  body: issue.description ?? '',
  state: issue.state === 'closed' ? 'closed' : 'open',
});

export class GitLabIssues implements IssueTracker {
  readonly name = 'GitLab';
  readonly maxCommentLength = 1_000_000;

  constructor(
    private readonly client: GitLabClient,
    private readonly project: { id: string; webUrl: string },
  ) {}

  private get base(): string {
    return `/projects/${encodeURIComponent(this.project.id)}/issues`;
  }

  async findIssue(marker: string): Promise<TrackedIssue | undefined> {
    const issues = await this.client.paginate<ApiIssue>(this.base, {
      labels: AUDIT_LABEL,
      state: 'all',
    });
    const found = issues.find((i) => (i.description ?? '').includes(marker));
    return found ? toTracked(found) : undefined;
  }

  async createIssue(title: string, body: string): Promise<TrackedIssue> {
    return this.write(async () => {
      const { data } = await this.client.request<ApiIssue>('POST', this.base, {
        body: { title, description: neutralizeQuickActions(body), labels: AUDIT_LABEL },
      });
      return toTracked(data);
    });
  }

  async updateIssue(
    issue: TrackedIssue,
    change: { body: string; state: 'open' | 'closed' },
  ): Promise<TrackedIssue> {
    const stateEvent =
      change.state === 'closed' && issue.state === 'open'
        ? 'close'
        : change.state === 'open' && issue.state === 'closed'
          ? 'reopen'
          : undefined;
    return this.write(async () => {
      const { data } = await this.client.request<ApiIssue>('PUT', `${this.base}/${issue.number}`, {
        body: {
          description: neutralizeQuickActions(change.body),
          ...(stateEvent ? { state_event: stateEvent } : {}),
        },
      });
      return toTracked(data);
    });
  }

  fileUrl(sha: string, path: string, startLine: number | null, endLine: number | null): string {
    return `${this.project.webUrl}/-/blob/${sha}/${encodePath(path)}${lineFragment(startLine, endLine, 'gitlab')}`;
  }

  private async write<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      if (error instanceof GitLabApiError && (error.status === 401 || error.status === 403)) {
        throw new PermissionDeniedError(
          `The GitLab token cannot write issues (${error.status}). Use a token with the \`api\` scope and at least the Reporter role.`,
        );
      }
      throw error;
    }
  }
}
