// Installing the real Codex CLI from the npm registry (served from npm's local cache when warm)
// into a tool cache, and finding it there on the next run.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  DirectoryToolCache,
  installCodex,
  npmFetcher,
  type PackageFetcher,
} from '../../src/core/codex/install.js';
import { RecordingLogger } from '../../src/core/logger.js';
import { DEFAULT_CODEX_VERSION } from '../../src/core/settings.js';
import { FakeResponsesApi, message } from '../fakes/responses-api.js';
import { runAction } from '../support/action-runner.js';
import { featureRepo } from '../support/git-repo.js';

const dirs: string[] = [];
const tempDir = (prefix: string) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  dirs.push(dir);
  return dir;
};
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

describe('installing Codex', () => {
  it('downloads the platform package once, then finds it in the cache without installing again', async () => {
    const cache = new DirectoryToolCache(tempDir('codex-review-dircache-'));
    let fetches = 0;
    const counting: PackageFetcher = (...args) => {
      fetches++;
      return npmFetcher(...args);
    };
    const logger = new RecordingLogger();
    const first = await installCodex({
      version: DEFAULT_CODEX_VERSION,
      cache,
      logger,
      fetcher: counting,
    });
    expect(first.fromCache).toBe(false);
    // The whole vendor directory is kept: the sandbox helper and ripgrep sit beside the binary.
    expect(fs.existsSync(path.join(first.root, 'codex-resources', 'bwrap'))).toBe(true);
    expect(fs.existsSync(path.join(first.root, 'codex-path', 'rg'))).toBe(true);
    expect(execFileSync(first.binary, ['--version'], { encoding: 'utf8' })).toContain(
      DEFAULT_CODEX_VERSION,
    );

    const second = await installCodex({
      version: DEFAULT_CODEX_VERSION,
      cache,
      logger,
      fetcher: counting,
    });
    expect(second).toMatchObject({ fromCache: true, binary: first.binary });
    expect(fetches).toBe(1);
    expect(logger.text()).toContain('found in the tool cache');
  }, 120_000);

  it('names the version when npm cannot provide it', async () => {
    const cache = new DirectoryToolCache(tempDir('codex-review-dircache-'));
    await expect(
      installCodex({ version: '0.0.0-does-not-exist', cache, logger: new RecordingLogger() }),
    ).rejects.toThrow(
      /Could not download @openai\/codex@0\.0\.0-does-not-exist-linux-x64 with npm[\s\S]*`codex-version`/,
    );
  }, 60_000);
});

describe('the action on a fresh runner', () => {
  it('installs Codex cold, warns when the Actions cache service fails, and installs nothing on the next run', async () => {
    // An Actions cache service that is down: every call is a 500.
    const cacheCalls: string[] = [];
    const cacheService = http.createServer((req, res) => {
      cacheCalls.push(`${req.method} ${req.url}`);
      req.resume();
      res
        .writeHead(500, { 'content-type': 'application/json' })
        .end('{"message":"cache service down"}');
    });
    await new Promise<void>((resolve) => cacheService.listen(0, '127.0.0.1', resolve));
    const cacheUrl = `http://127.0.0.1:${(cacheService.address() as AddressInfo).port}/`;
    const { repo, baseSha } = featureRepo();
    dirs.push(repo.dir);
    const fake = await new FakeResponsesApi(() => ({
      kind: 'items',
      items: [message('No issues found.')],
    })).start();
    const toolCache = tempDir('codex-review-runner-toolcache-');
    const run = () =>
      runAction({
        workspace: repo.dir,
        toolCache,
        inputs: {
          'openai-api-key': 'sk-test-install-000000000000',
          'openai-base-url': fake.url,
          post: 'none',
          'allow-users': 'octocat',
        },
        payload: { pull_request: { number: 3, base: { sha: baseSha } } },
        env: { ACTIONS_CACHE_URL: cacheUrl, ACTIONS_RUNTIME_TOKEN: 'runtime-token' },
        timeoutMs: 180_000,
      });
    try {
      const cold = await run();
      expect(cold.exitCode, cold.stdout).toBe(0);
      expect(cold.log).toContain(`Installing Codex ${DEFAULT_CODEX_VERSION}`);
      // @actions/cache reports the outage as warnings and the run goes on.
      expect(cold.log).toContain(
        '::warning::Failed to restore: getCacheEntry failed: Cache service responded with 500',
      );
      expect(cold.log).toContain(
        '::warning::Failed to save: reserveCache failed: Cache service responded with 500',
      );
      expect(cacheCalls.length).toBeGreaterThan(0);
      expect(fs.existsSync(path.join(toolCache, 'codex', DEFAULT_CODEX_VERSION))).toBe(true);

      const warm = await run();
      expect(warm.exitCode, warm.stdout).toBe(0);
      expect(warm.log).toContain('found in the tool cache');
      expect(warm.log).not.toContain('Installing Codex');
    } finally {
      await fake.stop();
      cacheService.close();
    }
  }, 240_000);
});
