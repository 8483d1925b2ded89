// The fake Actions cache service, driven by the real @actions/cache client: what one ref's run
// saved, which runs can restore it, and what GitHub refuses.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as cache from '@actions/cache';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FakeActionsCache } from '../fakes/actions-cache.js';

const PR_TOKEN = 'runtime-pr-9';
const OTHER_PR_TOKEN = 'runtime-pr-10';
const MAIN_TOKEN = 'runtime-main';

let service: FakeActionsCache;
let dir: string;
const saved: Record<string, string | undefined> = {};
beforeAll(async () => {
  service = await new FakeActionsCache({
    [PR_TOKEN]: 'refs/pull/9/merge',
    [OTHER_PR_TOKEN]: 'refs/pull/10/merge',
    [MAIN_TOKEN]: 'refs/heads/main',
  }).start();
  for (const name of ['ACTIONS_CACHE_URL', 'ACTIONS_RUNTIME_TOKEN', 'ACTIONS_CACHE_SERVICE_V2'])
    saved[name] = process.env[name];
  process.env.ACTIONS_CACHE_URL = service.url;
  delete process.env.ACTIONS_CACHE_SERVICE_V2;
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'codex-review-fake-cache-'));
});
afterAll(async () => {
  await service.stop();
  for (const [name, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  fs.rmSync(dir, { recursive: true, force: true });
});
afterEach(() => fs.rmSync(path.join(dir, 'data'), { recursive: true, force: true }));

async function save(token: string, key: string, text: string): Promise<number> {
  process.env.ACTIONS_RUNTIME_TOKEN = token;
  fs.mkdirSync(path.join(dir, 'data'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'data', 'file.txt'), text);
  const id = await cache.saveCache([path.join(dir, 'data')], key);
  fs.rmSync(path.join(dir, 'data'), { recursive: true, force: true });
  return id;
}

async function restore(token: string, key: string, restoreKeys: string[] = []) {
  process.env.ACTIONS_RUNTIME_TOKEN = token;
  fs.rmSync(path.join(dir, 'data'), { recursive: true, force: true });
  const hit = await cache.restoreCache([path.join(dir, 'data')], key, restoreKeys);
  const file = path.join(dir, 'data', 'file.txt');
  return { hit, text: fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined };
}

describe('the fake Actions cache service', () => {
  it('restores what a run of the same ref saved', async () => {
    expect(await save(PR_TOKEN, 'k-same', 'one')).toBeGreaterThan(0);
    expect(await restore(PR_TOKEN, 'k-same')).toEqual({ hit: 'k-same', text: 'one' });
  }, 30_000);

  it("keeps a pull request's cache from the default branch and from other pull requests", async () => {
    await save(PR_TOKEN, 'k-scoped', 'pr');
    expect((await restore(MAIN_TOKEN, 'k-scoped')).hit).toBeUndefined();
    expect((await restore(OTHER_PR_TOKEN, 'k-scoped')).hit).toBeUndefined();
  }, 30_000);

  it("lets every run read the default branch's cache", async () => {
    await save(MAIN_TOKEN, 'k-main', 'main');
    expect(await restore(PR_TOKEN, 'k-main')).toEqual({ hit: 'k-main', text: 'main' });
  }, 30_000);

  it('refuses to save a key again (entries are immutable)', async () => {
    expect(await save(PR_TOKEN, 'k-once', 'first')).toBeGreaterThan(0);
    expect(await save(PR_TOKEN, 'k-once', 'second')).toBe(-1);
    expect((await restore(PR_TOKEN, 'k-once')).text).toBe('first');
  }, 30_000);

  it('matches a prefix with the newest entry, after an exact match', async () => {
    await save(PR_TOKEN, 'k-prefix-1', 'older');
    await save(PR_TOKEN, 'k-prefix-2', 'newer');
    expect(await restore(PR_TOKEN, 'k-prefix-')).toEqual({ hit: 'k-prefix-2', text: 'newer' });
    expect(await restore(PR_TOKEN, 'k-prefix-1')).toEqual({ hit: 'k-prefix-1', text: 'older' });
  }, 30_000);

  it('answers 401 to an unknown runtime token', async () => {
    process.env.ACTIONS_RUNTIME_TOKEN = 'nobody';
    const before = service.requests.length;
    await expect(cache.restoreCache([path.join(dir, 'data')], 'k-x')).resolves.toBeUndefined();
    expect(service.requests.slice(before).map((r) => r.status)).toContain(401);
  }, 30_000);
});
