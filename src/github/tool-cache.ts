// The runner's tool cache (@actions/tool-cache), restored from and saved to the Actions cache
// service (@actions/cache) so a fresh runner does not download Codex again. The cache service
// is an optimisation: when it fails the run goes on with a warning.
import fs from 'node:fs';
import path from 'node:path';
import type { CodexPlatform, ToolCache } from '../core/codex/install.js';
import { errorMessage } from '../core/errors.js';
import type { Logger } from '../core/logger.js';

const TOOL = 'codex';

// Loaded on first use: @actions/cache alone takes ~0.6 s to load (the Azure storage client),
// time every run paid before its first request although a warm runner never calls it.
const toolCache = () => import('@actions/tool-cache');
const cacheService = () => import('@actions/cache');

export class GitHubToolCache implements ToolCache {
  constructor(private readonly logger: Logger) {}

  private cachePaths(version: string, platform: CodexPlatform): string[] {
    const root = process.env.RUNNER_TOOL_CACHE ?? '';
    const dir = path.join(root, TOOL, version, platform.triple);
    return [dir, `${dir}.complete`];
  }

  private key(version: string, platform: CodexPlatform): string {
    return `codex-review-codex-${version}-${platform.triple}`;
  }

  async find(version: string, platform: CodexPlatform): Promise<string | undefined> {
    // The warm path without loading @actions/tool-cache: an exact version is a directory with
    // a `.complete` marker beside it, which is all tc.find checks for one (it adds semver
    // ranges, which codex-version never is).
    const [dir, marker] = this.cachePaths(version, platform);
    if (process.env.RUNNER_TOOL_CACHE && fs.existsSync(marker!) && fs.existsSync(dir!)) return dir;
    const tc = await toolCache();
    const found = tc.find(TOOL, version, platform.triple);
    if (found) return found;
    const cache = await cacheService();
    if (!cache.isFeatureAvailable()) return undefined;
    try {
      const hit = await cache.restoreCache(
        this.cachePaths(version, platform),
        this.key(version, platform),
      );
      if (hit) this.logger.info(`Restored Codex ${version} from the Actions cache (${hit})`);
    } catch (error) {
      this.logger.warning(
        `Could not restore Codex from the Actions cache (continuing without it): ${errorMessage(error)}`,
      );
    }
    return tc.find(TOOL, version, platform.triple) || undefined;
  }

  async save(sourceDir: string, version: string, platform: CodexPlatform): Promise<string> {
    const [tc, cache] = await Promise.all([toolCache(), cacheService()]);
    const dir = await tc.cacheDir(sourceDir, TOOL, version, platform.triple);
    if (cache.isFeatureAvailable()) {
      try {
        await cache.saveCache(this.cachePaths(version, platform), this.key(version, platform));
      } catch (error) {
        this.logger.warning(
          `Could not save Codex to the Actions cache (the next run downloads it again): ${errorMessage(error)}`,
        );
      }
    }
    return dir;
  }
}
