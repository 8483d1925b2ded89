// The review's Codex session in the Actions cache, so an answer in a later job can resume it.
// One entry per repository, pull request, Codex version and thread; entries are immutable, and
// the core only resumes a restored file whose digest the review wrote into its summary.
// The cache is scoped by ref: a pull_request run saves into refs/pull/N/merge, which a
// pull_request_review_comment run (same ref) can read and an issue_comment run (default
// branch) cannot; that answer then starts a fresh session with the change as context.
import fs from 'node:fs';
import path from 'node:path';
import type { SessionStore } from '../core/conversation/sessions.js';
import type { Logger } from '../core/logger.js';

// Loaded on first use, as in tool-cache.ts: @actions/cache takes ~0.6 s to load.
const cacheService = () => import('@actions/cache');

export class GitHubSessionStore implements SessionStore {
  /**
   * @param stageDir a directory at the same path in every job of the repository (the cache
   *   restores to the path it saved from): under RUNNER_TEMP.
   */
  constructor(
    private readonly scope: { owner: string; repo: string; pull: number; codexVersion: string },
    private readonly stageDir: string,
    private readonly logger: Logger,
  ) {}

  private key(threadId: string): string {
    const { owner, repo, pull, codexVersion } = this.scope;
    return `codex-review-session-${owner}/${repo}-pr${pull}-codex${codexVersion}-${threadId}`;
  }

  async save(threadId: string, file: string): Promise<boolean> {
    const cache = await cacheService();
    if (!cache.isFeatureAvailable()) return false;
    fs.rmSync(this.stageDir, { recursive: true, force: true });
    fs.mkdirSync(this.stageDir, { recursive: true });
    fs.copyFileSync(file, path.join(this.stageDir, path.basename(file)));
    try {
      // -1 when the cache service refused (it says why in the log itself).
      const id = await cache.saveCache([this.stageDir], this.key(threadId));
      if (id !== -1) this.logger.info('Kept the review session in the Actions cache for answers.');
      return id !== -1;
    } finally {
      fs.rmSync(this.stageDir, { recursive: true, force: true });
    }
  }

  async restore(threadId: string): Promise<string | undefined> {
    const cache = await cacheService();
    if (!cache.isFeatureAvailable()) return undefined;
    fs.rmSync(this.stageDir, { recursive: true, force: true });
    const hit = await cache.restoreCache([this.stageDir], this.key(threadId));
    if (!hit) return undefined;
    const name = fs
      .readdirSync(this.stageDir)
      .find((n) => n.startsWith('rollout-') && n.endsWith(`-${threadId}.jsonl`));
    return name ? path.join(this.stageDir, name) : undefined;
  }
}
