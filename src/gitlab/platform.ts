// GitLab merge requests as a ReviewPlatform: positions from the MR's diff refs, inline
// findings as draft notes published in one go (one notification), one summary note found
// again by its marker, threads of fixed findings resolved.
import { createHash } from 'node:crypto';
import { gitRaw } from '../core/git.js';
import { DiffIndex, type DiffLine } from '../core/diff/diff-index.js';
import { readHeaders, splitFileSections } from '../core/diff/git-headers.js';
import type { InlineAnchor } from '../core/diff/placement.js';
import type { Logger } from '../core/logger.js';
import {
  PermissionDeniedError,
  type ChangeRequest,
  type Dismissal,
  type ExistingComment,
  type ExistingState,
  type InlineComment,
  type PostedReview,
  type RejectedComment,
  type ReviewPlatform,
} from '../core/platform.js';
import { fingerprintsIn, SUMMARY_MARKER } from '../core/state/markers.js';
import { encodePath, lineFragment } from '../core/render/links.js';
import { neutralizeQuickActions } from '../core/render/markdown-escape.js';
import { GitLabApiError, GitLabConnectionError, type GitLabClient } from './client.js';

export interface DiffRefs {
  base_sha: string;
  start_sha: string;
  head_sha: string;
}

/** One file of GET .../merge_requests/:iid/diffs (API::Entities::Diff). */
interface MrDiff {
  old_path: string;
  new_path: string;
  a_mode?: string;
  b_mode?: string;
  /** '' when GitLab left the patch out: collapsed, too large, or nothing to show. */
  diff: string;
  new_file: boolean;
  renamed_file: boolean;
  deleted_file: boolean;
  /** Left out to keep the page small; GitLab still places comments on its lines. Absent before GitLab 18.4. */
  collapsed?: boolean;
  /** Over the instance's diff_max_patch_bytes: GitLab has no lines to place a comment on. Absent before GitLab 18.4. */
  too_large?: boolean;
}

export interface GitLabPlatformOptions {
  logger: Logger;
  /** The checkout, for the diffs GitLab does not send. */
  workspace: string;
  /** Pause before writing again what did not land after a server error (default 500 ms, growing). */
  rewriteDelayMs?: number;
}

interface Draft {
  id: number;
  note: string;
}

interface Note {
  id: number;
  body: string;
  author?: { username?: string };
  system?: boolean;
}

interface Discussion {
  id: string;
  notes: Array<
    Note & {
      resolvable?: boolean;
      resolved?: boolean;
      resolved_by?: { username?: string } | null;
      position?: { new_path?: string; new_line?: number | null; old_line?: number | null };
    }
  >;
}

export interface GitLabMergeRequest {
  iid: number;
  web_url: string;
  sha: string;
  diff_refs: DiffRefs | null;
  draft?: boolean;
  /** Label titles (the API's default; `with_labels_details` would make them objects). */
  labels?: string[];
  author?: { username?: string };
}

export class GitLabPlatform implements ReviewPlatform {
  readonly name = 'GitLab';
  /** GitLab's note limit is 1,000,000 characters. */
  readonly maxCommentLength = 1_000_000;
  readonly suggestionSyntax = 'gitlab' as const;
  /** GitLab 16+ takes file-level positions; an instance that refuses one sends it to the summary. */
  readonly supportsFileComments = true;
  private diff: DiffIndex | undefined;
  private username: string | undefined;

  constructor(
    private readonly client: GitLabClient,
    private readonly project: { id: string; webUrl: string },
    private readonly refs: DiffRefs,
    private readonly options: GitLabPlatformOptions,
  ) {}

  private get logger(): Logger {
    return this.options.logger;
  }

  private mr(cr: ChangeRequest, rest = ''): string {
    return `/projects/${encodeURIComponent(this.project.id)}/merge_requests/${cr.number}${rest}`;
  }

  /**
   * Who the token writes as. Markers are believed only in this user's notes: one planted by
   * someone else could otherwise pose as the summary and steer the next incremental review. A
   * token that can read the merge request can read /user, so not knowing is an error.
   */
  private async me(): Promise<string> {
    this.username ??= (await this.client.get<{ username: string }>('/user')).username;
    return this.username;
  }

  /**
   * GitLab's diffs API, turned back into the unified diff the core indexes. Files GitLab sends
   * without their patch are read from the checkout, so findings there can still go inline.
   */
  async loadDiff(cr: ChangeRequest): Promise<string> {
    const files = await this.client.paginate<MrDiff>(this.mr(cr, '/diffs'));
    const tooLarge = files.filter((f) => f.diff === '' && f.too_large === true);
    if (tooLarge.length > 0) {
      // GitLab prunes these patches even where it places comments, so a line comment there
      // would be refused; findings in them go on the file instead.
      this.logger.info(
        `GitLab shows no diff for ${tooLarge.length} file(s) over its patch size limit (${tooLarge.map((f) => f.new_path).join(', ')}); findings there are posted on the file.`,
      );
    }
    const patches = await this.patchesFromGit(cr, files.filter(withoutPatch));
    const text = files
      .map((f) => {
        const diff = f.diff || patches.get(f) || '';
        const head = [`diff --git ${quote(`a/${f.old_path}`)} ${quote(`b/${f.new_path}`)}`];
        if (f.new_file) head.push(`new file mode ${f.b_mode ?? '100644'}`);
        if (f.deleted_file) head.push(`deleted file mode ${f.a_mode ?? '100644'}`);
        if (f.renamed_file)
          head.push(`rename from ${quote(f.old_path)}`, `rename to ${quote(f.new_path)}`);
        if (diff) {
          head.push(`--- ${f.new_file ? '/dev/null' : quote(`a/${f.old_path}`)}`);
          head.push(`+++ ${f.deleted_file ? '/dev/null' : quote(`b/${f.new_path}`)}`);
        }
        return `${head.join('\n')}\n${diff}${diff && !diff.endsWith('\n') ? '\n' : ''}`;
      })
      .join('');
    this.diff = DiffIndex.parse(text);
    return text;
  }

  /**
   * The hunks of `files` from `git diff base head` in the checkout, keyed by file. One git call
   * for all of them; a file git does not list (or a failing git) keeps GitLab's empty diff.
   */
  private async patchesFromGit(cr: ChangeRequest, files: MrDiff[]): Promise<Map<MrDiff, string>> {
    const patches = new Map<MrDiff, string>();
    if (files.length === 0) return patches;
    const paths = [...new Set(files.flatMap((f) => [f.old_path, f.new_path]))];
    try {
      // gitRaw: stdout exactly, since trimming would cut a blank context line ending the last hunk.
      const diff = await gitRaw(this.options.workspace, [
        '-c',
        'core.quotePath=true',
        '-c',
        'diff.relative=false',
        '--literal-pathspecs',
        'diff',
        '--no-color',
        '--no-ext-diff',
        '--no-textconv',
        '--src-prefix=a/',
        '--dst-prefix=b/',
        '-M',
        '-U3',
        cr.baseSha,
        cr.headSha,
        '--',
        ...paths,
      ]);
      const sections = new Map(splitFileSections(diff).map((s) => [readHeaders(s.header).path, s]));
      for (const f of files) {
        const section = sections.get(f.deleted_file ? f.old_path : f.new_path);
        if (!section) continue;
        const lines = section.text.split('\n').slice(section.header.length);
        const hunks = lines.join('\n');
        if (hunks.startsWith('@@')) patches.set(f, hunks.endsWith('\n') ? hunks : `${hunks}\n`);
      }
      const why = files.every((f) => f.collapsed) ? ' (collapsed)' : '';
      this.logger.info(
        `GitLab sent ${files.length} file(s) without their diff${why}; read ${patches.size} from git.`,
      );
    } catch (error) {
      const stderr = (error as { stderr?: string }).stderr?.trim().split('\n')[0];
      this.logger.warning(
        `GitLab sent ${files.length} file(s) without their diff and git could not supply it (${stderr || (error as Error).message}); findings in them are posted on the file. The job needs the merge request's base commit: set GIT_DEPTH: 0.`,
      );
    }
    return patches;
  }

  async loadExisting(cr: ChangeRequest): Promise<ExistingState> {
    const me = await this.me();
    const ours = (n: Note) => !n.system && n.author?.username === me;
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
    const dismissed = new Map<string, Dismissal>();
    for (const d of discussions) {
      const first = d.notes[0];
      if (!first || !ours(first)) continue;
      const fingerprints = fingerprintsIn(first.body);
      for (const fp of fingerprints) inlineFingerprints.add(fp);
      // A thread of ours a person resolved is a dismissal; one we resolved (fixed) is not.
      const by = first.resolved_by?.username;
      if (!first.resolved || by === undefined || by === me) continue;
      for (const fingerprint of fingerprints) {
        dismissed.set(fingerprint, {
          fingerprint,
          title: (first.body.split('\n')[0] ?? '').replace(/\*\*/g, '').trim().slice(0, 300),
          path: first.position?.new_path ?? null,
          line: first.position?.new_line ?? first.position?.old_line ?? null,
          by,
          // Their own words, when they wrote in the thread: the last note of theirs.
          reason: (d.notes.filter((n) => !n.system && n.author?.username === by).at(-1)?.body ?? '')
            .trim()
            .slice(0, 500),
        });
      }
    }
    return { summary, inlineFingerprints, dismissed };
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
   * A draft GitLab refuses (400) goes back to the core, which moves it to the summary; the
   * others are still published.
   */
  async postReview(cr: ChangeRequest, comments: InlineComment[]): Promise<PostedReview> {
    const posted: InlineComment[] = [];
    const rejected: RejectedComment[] = [];
    // Drafts left by a run that failed half-way would be published along with ours.
    const { others } = await this.clearOurDrafts(cr);
    const ids: number[] = [];
    for (const comment of comments) {
      try {
        ids.push(await this.createDraft(cr, comment));
        posted.push(comment);
      } catch (error) {
        if (error instanceof GitLabApiError && error.status === 400) {
          this.logger.info(
            `GitLab refused the position of a finding on ${comment.anchor.path}:${comment.anchor.line}: ${error.detail}`,
          );
          rejected.push({ comment, reason: error.detail });
          continue;
        }
        await this.clearOurDrafts(cr).catch(() => undefined);
        throw this.explain(error, 'create draft notes');
      }
    }
    if (posted.length === 0) return { url: undefined, posted, rejected };
    await this.publishDrafts(cr, ids, others);
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

  /**
   * Bulk publish sends every draft of the token's user. When that user has drafts of their
   * own (a personal token), ours go out one by one instead, so theirs stay unpublished.
   */
  private async publishDrafts(cr: ChangeRequest, ids: number[], others: number): Promise<void> {
    if (others > 0) {
      this.logger.warning(
        `The GitLab token's user has ${others} unpublished draft(s) of their own on this merge request; publishing the review's ${ids.length} comment(s) one by one so theirs stay drafts (one notification each). A project access token avoids this.`,
      );
      for (const id of ids) {
        await this.client
          .request('PUT', this.mr(cr, `/draft_notes/${id}/publish`))
          .catch((error: unknown) => {
            // Gone: published by an earlier attempt that did not hear back.
            if (!(error instanceof GitLabApiError && error.status === 404))
              throw this.explain(error, 'publish the draft notes');
          });
      }
      return;
    }
    try {
      await this.client.request('POST', this.mr(cr, '/draft_notes/bulk_publish'));
    } catch (error) {
      // It may have published before failing: what is still a draft did not go out.
      const left = await this.clearOurDrafts(cr).then(
        ({ ours }) => ours,
        () => -1,
      );
      if (left !== 0) throw this.explain(error, 'publish the draft notes');
      this.logger.warning(
        `GitLab answered the bulk publish with an error, but the drafts went out: ${(error as Error).message}`,
      );
    }
  }

  /**
   * One draft, created once. After a server error or a lost connection it may have been
   * created anyway: look among the drafts for its marker before sending it again.
   */
  private async createDraft(cr: ChangeRequest, comment: InlineComment): Promise<number> {
    const body = {
      note: neutralizeQuickActions(comment.body),
      position: this.position(comment.anchor),
    };
    return this.writeOnce(
      async () =>
        (await this.client.request<Draft>('POST', this.mr(cr, '/draft_notes'), { body })).data.id,
      async () =>
        (await this.drafts(cr)).find((d) =>
          fingerprintsIn(d.note ?? '').includes(comment.fingerprint),
        )?.id,
    );
  }

  /** A write that must happen once: on an answer that leaves it unknown, look, then try again (3 attempts). */
  private async writeOnce<T>(
    write: () => Promise<T>,
    landed: () => Promise<T | undefined>,
  ): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await write();
      } catch (error) {
        const unknown =
          (error instanceof GitLabApiError && error.status >= 500) ||
          (error instanceof GitLabConnectionError && !error.unsent);
        if (!unknown || attempt >= 3) throw error;
        const found = await landed().catch(() => undefined);
        if (found !== undefined) return found;
        this.logger.warning(
          `GitLab: ${(error as Error).message}; it did not land, trying again (${attempt}/3).`,
        );
        await new Promise((r) => setTimeout(r, (this.options.rewriteDelayMs ?? 500) * attempt));
      }
    }
  }

  /** The token user's drafts (GitLab lists no one else's). Not paginated by GitLab. */
  private drafts(cr: ChangeRequest): Promise<Draft[]> {
    return this.client.get<Draft[]>(this.mr(cr, '/draft_notes'));
  }

  /** Delete this tool's unpublished drafts; says how many there were, and how many others. */
  private async clearOurDrafts(cr: ChangeRequest): Promise<{ ours: number; others: number }> {
    const drafts = await this.drafts(cr);
    const ours = drafts.filter((d) => fingerprintsIn(d.note ?? '').length > 0);
    for (const d of ours) await this.client.request('DELETE', this.mr(cr, `/draft_notes/${d.id}`));
    return { ours: ours.length, others: drafts.length - ours.length };
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
      const id = await this.writeOnce(
        async () =>
          (
            await this.client.request<Note>('POST', this.mr(cr, '/notes'), {
              body: { body: neutralizeQuickActions(body) },
            })
          ).data.id,
        async () => {
          const found = (await this.loadExisting(cr)).summary;
          return found && found.id !== existing?.id ? Number(found.id) : undefined;
        },
      );
      return { url: `${cr.url ?? ''}#note_${id}` };
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
      if (!first || first.resolved || first.system || first.author?.username !== me) continue;
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
        `The GitLab token cannot ${what} (${error.status}: ${error.detail}). Use a project or personal access token with the \`api\` scope (Reporter role or higher) in \`gitlab-token\` / GITLAB_TOKEN; CI_JOB_TOKEN cannot post notes.`,
      );
    }
    return error instanceof Error ? error : new Error(String(error));
  }
}

/**
 * A patch GitLab left out that git can supply: collapsed, or empty on a GitLab too old to say
 * why (a pure rename or mode change then simply has no hunks in git either). Too-large files
 * are left alone: GitLab places no line comment on them.
 */
function withoutPatch(f: MrDiff): boolean {
  if (f.diff !== '' || f.too_large === true) return false;
  return f.collapsed === true || (f.collapsed === undefined && f.too_large === undefined);
}

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
