// GitLab merge requests as a ReviewPlatform: positions from the MR's diff refs, inline
// findings as draft notes published in one go (one notification), one summary note found
// again by its marker, threads of fixed findings resolved.
import { createHash } from 'node:crypto';
import { DiffIndex, type DiffLine } from '../core/diff/diff-index.js';
import type { InlineAnchor } from '../core/diff/placement.js';
import type { Logger } from '../core/logger.js';
import {
  PermissionDeniedError,
  type ChangeRequest,
  type ExistingComment,
  type ExistingState,
  type InlineComment,
  type PostedReview,
  type RejectedComment,
  type ReviewPlatform,
} from '../core/platform.js';
import { fingerprintsIn, SUMMARY_MARKER } from '../core/publish/markers.js';
import { encodePath, lineFragment } from '../core/render/links.js';
import { neutralizeQuickActions } from '../core/render/markdown-escape.js';
import { GitLabApiError, type GitLabClient } from './client.js';

export interface DiffRefs {
  base_sha: string;
  start_sha: string;
  head_sha: string;
}

interface MrDiff {
  old_path: string;
  new_path: string;
  a_mode?: string;
  b_mode?: string;
  diff: string;
  new_file: boolean;
  renamed_file: boolean;
  deleted_file: boolean;
}

interface Note {
  id: number;
  body: string;
  author?: { username?: string };
  system?: boolean;
}

interface Discussion {
  id: string;
  notes: Array<Note & { resolvable?: boolean; resolved?: boolean }>;
}

export interface GitLabMergeRequest {
  iid: number;
  web_url: string;
  sha: string;
  diff_refs: DiffRefs | null;
}

export class GitLabPlatform implements ReviewPlatform {
  readonly name = 'GitLab';
  /** GitLab's note limit is 1,000,000 characters. */
  readonly maxCommentLength = 1_000_000;
  /** GitLab 16+ takes file-level positions; an instance that refuses one sends it to the summary. */
  readonly supportsFileComments = true;
  private diff: DiffIndex | undefined;
  private username: string | undefined;

  constructor(
    private readonly client: GitLabClient,
    private readonly project: { id: string; webUrl: string },
    private readonly refs: DiffRefs,
    private readonly logger: Logger,
  ) {}

  private mr(cr: ChangeRequest, rest = ''): string {
    return `/projects/${encodeURIComponent(this.project.id)}/merge_requests/${cr.number}${rest}`;
  }

  private async me(): Promise<string | undefined> {
    if (this.username === undefined) {
      const user = await this.client.get<{ username: string }>('/user').catch(() => undefined);
      this.username = user?.username ?? '';
    }
    return this.username || undefined;
  }

  /** GitLab's diffs API, turned back into the unified diff the core indexes. */
  async loadDiff(cr: ChangeRequest): Promise<string> {
    const files = await this.client.paginate<MrDiff>(this.mr(cr, '/diffs'));
    const text = files
      .map((f) => {
        const head = [`diff --git ${quote(`a/${f.old_path}`)} ${quote(`b/${f.new_path}`)}`];
        if (f.new_file) head.push(`new file mode ${f.b_mode ?? '100644'}`);
        if (f.deleted_file) head.push(`deleted file mode ${f.a_mode ?? '100644'}`);
        if (f.renamed_file)
          head.push(`rename from ${quote(f.old_path)}`, `rename to ${quote(f.new_path)}`);
        if (f.diff) {
          head.push(`--- ${f.new_file ? '/dev/null' : quote(`a/${f.old_path}`)}`);
          head.push(`+++ ${f.deleted_file ? '/dev/null' : quote(`b/${f.new_path}`)}`);
        }
        return `${head.join('\n')}\n${f.diff}${f.diff && !f.diff.endsWith('\n') ? '\n' : ''}`;
      })
      .join('');
    this.diff = DiffIndex.parse(text);
    return text;
  }

  async loadExisting(cr: ChangeRequest): Promise<ExistingState> {
    const me = await this.me();
    const ours = (n: Note) => !n.system && (me === undefined || n.author?.username === me);
    const notes = await this.client.paginate<Note>(this.mr(cr, '/notes'), {
      sort: 'asc',
      order_by: 'created_at',
    });
    const found = notes.filter((n) => ours(n) && n.body.includes(SUMMARY_MARKER)).at(-1);
    const summary: ExistingComment | undefined = found
      ? { id: String(found.id), body: found.body, url: `${cr.url ?? ''}#note_${found.id}` }
      : undefined;
    const discussions = await this.client.paginate<Discussion>(this.mr(cr, '/discussions'));
    const inlineFingerprints = new Set<string>();
    for (const d of discussions) {
      const first = d.notes[0];
      if (first && ours(first))
        for (const fp of fingerprintsIn(first.body)) inlineFingerprints.add(fp);
    }
    return { summary, inlineFingerprints };
  }

  /** A GitLab position for an anchor: both sides for an unchanged line, one side otherwise. */
  position(anchor: InlineAnchor): Record<string, unknown> {
    const file = this.diff?.file(anchor.path);
    if (anchor.side === 'FILE') {
      return {
        position_type: 'file',
        ...this.refs,
        old_path: file?.oldPath ?? anchor.path,
        new_path: anchor.path,
      };
    }
    const lines = file?.hunks.flatMap((h) => h.lines) ?? [];
    const at = (n: number): DiffLine | undefined =>
      anchor.side === 'RIGHT'
        ? lines.find((l) => l.type !== 'del' && l.newLine === n)
        : lines.find((l) => l.type !== 'add' && l.oldLine === n);
    const oldPath = file?.oldPath ?? anchor.path;
    const point = (l: DiffLine | undefined, n: number) =>
      anchor.side === 'RIGHT'
        ? { new_line: n, ...(l?.type === 'context' ? { old_line: l.oldLine } : {}) }
        : { old_line: n, ...(l?.type === 'context' ? { new_line: l.newLine } : {}) };
    const end = at(anchor.line);
    const position: Record<string, unknown> = {
      position_type: 'text',
      ...this.refs,
      old_path: oldPath,
      new_path: anchor.path,
      ...point(end, anchor.line),
    };
    if (anchor.startLine < anchor.line) {
      const start = at(anchor.startLine);
      const code = (l: DiffLine | undefined, n: number) => {
        const p = point(l, n) as { old_line?: number; new_line?: number };
        return {
          line_code: `${createHash('sha1').update(anchor.path).digest('hex')}_${l?.oldLine ?? p.old_line ?? 0}_${l?.newLine ?? p.new_line ?? 0}`,
          type: l?.type === 'add' ? 'new' : l?.type === 'del' ? 'old' : null,
          ...p,
        };
      };
      position.line_range = { start: code(start, anchor.startLine), end: code(end, anchor.line) };
    }
    return position;
  }

  /**
   * Draft notes, then one bulk publish: reviewers get one notification for the whole review.
   * A draft GitLab refuses (400: a position it does not accept) goes back to the core, which
   * moves it to the summary; the others are still published.
   */
  async postReview(cr: ChangeRequest, comments: InlineComment[]): Promise<PostedReview> {
    const posted: InlineComment[] = [];
    const rejected: RejectedComment[] = [];
    // Drafts left by a run that failed half-way would be published along with ours.
    await this.deleteOurDrafts(cr);
    for (const comment of comments) {
      try {
        await this.client.request('POST', this.mr(cr, '/draft_notes'), {
          body: {
            note: neutralizeQuickActions(comment.body),
            position: this.position(comment.anchor),
          },
        });
        posted.push(comment);
      } catch (error) {
        if (error instanceof GitLabApiError && error.status === 400) {
          this.logger.info(
            `GitLab refused the position of a finding on ${comment.anchor.path}:${comment.anchor.line}: ${describe(error)}`,
          );
          rejected.push({
            comment,
            reason: String((error.body as { message?: unknown })?.message ?? error.message),
          });
          continue;
        }
        await this.deleteOurDrafts(cr).catch(() => undefined);
        throw this.explain(error, 'create draft notes');
      }
    }
    if (posted.length === 0) return { url: undefined, posted, rejected };
    try {
      await this.client.request('POST', this.mr(cr, '/draft_notes/bulk_publish'));
    } catch (error) {
      // It may have published before failing: what is still a draft did not go out.
      const left = await this.deleteOurDrafts(cr).catch(() => -1);
      if (left !== 0) throw this.explain(error, 'publish the draft notes');
      this.logger.warning(
        `GitLab answered the bulk publish with an error, but the drafts went out: ${(error as Error).message}`,
      );
    }
    // GitLab does not check a draft's position when it is created; at publishing it silently
    // drops a note it cannot place. Look, and send the missing ones to the summary.
    const published = (await this.loadExisting(cr)).inlineFingerprints;
    const landed = posted.filter((c) => published.has(c.fingerprint));
    for (const c of posted.filter((c) => !published.has(c.fingerprint))) {
      rejected.push({
        comment: c,
        reason: 'GitLab dropped the comment when publishing (it did not accept the position)',
      });
    }
    return { url: landed.length > 0 ? cr.url : undefined, posted: landed, rejected };
  }

  /** Delete this tool's unpublished drafts; returns how many there were. */
  private async deleteOurDrafts(cr: ChangeRequest): Promise<number> {
    const drafts = await this.client.get<Array<{ id: number; note: string }>>(
      this.mr(cr, '/draft_notes'),
    );
    const ours = drafts.filter((d) => fingerprintsIn(d.note ?? '').length > 0);
    for (const d of ours) await this.client.request('DELETE', this.mr(cr, `/draft_notes/${d.id}`));
    return ours.length;
  }

  async upsertSummary(
    cr: ChangeRequest,
    body: string,
    existing: ExistingComment | undefined,
  ): Promise<{ url: string }> {
    try {
      if (existing) {
        try {
          await this.client.request('PUT', this.mr(cr, `/notes/${existing.id}`), {
            body: { body: neutralizeQuickActions(body) },
          });
          return { url: existing.url };
        } catch (error) {
          if (!(error instanceof GitLabApiError && error.status === 404)) throw error;
        }
      }
      const { data } = await this.client.request<Note>('POST', this.mr(cr, '/notes'), {
        body: { body: neutralizeQuickActions(body) },
      });
      return { url: `${cr.url ?? ''}#note_${data.id}` };
    } catch (error) {
      throw this.explain(error, 'write the summary note');
    }
  }

  async resolveFixed(cr: ChangeRequest, fingerprints: string[]): Promise<number> {
    const wanted = new Set(fingerprints);
    const me = await this.me();
    const discussions = await this.client.paginate<Discussion>(this.mr(cr, '/discussions'));
    let count = 0;
    for (const d of discussions) {
      const first = d.notes[0];
      if (!first || first.resolved || (me !== undefined && first.author?.username !== me)) continue;
      if (!fingerprintsIn(first.body).some((fp) => wanted.has(fp))) continue;
      await this.client.request('PUT', this.mr(cr, `/discussions/${d.id}`), {
        body: { resolved: true },
      });
      count++;
    }
    return count;
  }

  fileUrl(
    _cr: ChangeRequest,
    path: string,
    startLine: number | null,
    endLine: number | null,
  ): string {
    return `${this.project.webUrl}/-/blob/${this.refs.head_sha}/${encodePath(path)}${lineFragment(startLine, endLine, 'gitlab')}`;
  }

  private explain(error: unknown, what: string): Error {
    if (error instanceof GitLabApiError && (error.status === 403 || error.status === 401)) {
      return new PermissionDeniedError(
        `The GitLab token cannot ${what} (${error.status}: ${describe(error)}). Use a project or personal access token with the \`api\` scope (Reporter role or higher) in \`gitlab-token\` / GITLAB_TOKEN; CI_JOB_TOKEN cannot post notes.`,
      );
    }
    return error instanceof Error ? error : new Error(String(error));
  }
}

function describe(error: GitLabApiError): string {
  return String((error.body as { message?: unknown })?.message ?? error.message);
}

// Every line of a posted body that starts with `/` is escaped, whatever fences surround it.
export { neutralizeQuickActions };

/** git quotes paths with special characters; the core's diff reader decodes them. */
function quote(path: string): string {
  if (!/[\s"\\]|[^\x20-\x7e]/.test(path)) return path;
  const bytes = Buffer.from(path, 'utf8');
  let out = '';
  for (const b of bytes) {
    if (b === 0x22) out += '\\"';
    else if (b === 0x5c) out += '\\\\';
    else if (b === 0x09) out += '\\t';
    else if (b < 0x20 || b > 0x7e) out += `\\${b.toString(8).padStart(3, '0')}`;
    else out += String.fromCharCode(b);
  }
  return `"${out}"`;
}
