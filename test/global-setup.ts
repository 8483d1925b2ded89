import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { TestProject } from 'vitest/node';
import { CODEX_BINARY, ROOT, seedToolCache } from './support/codex.js';

/**
 * Builds the action and CLI bundles from the current src/ for the e2e tests, so a change in the
 * source fails the tests without anyone rebuilding dist/; the committed dist/ is checked by
 * `npm run check-dist` and run by one smoke test (test/e2e/node24.test.ts).
 */
async function buildBundles(dir: string): Promise<void> {
  const started = performance.now();
  try {
    await promisify(execFile)(process.execPath, [path.join(ROOT, 'scripts', 'build.mjs'), dir], {
      cwd: ROOT,
    });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`Building src/ for the tests failed:\n${stdout ?? ''}${stderr ?? ''}`, {
      cause: error,
    });
  }
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(`global setup: built src/ into ${dir} in ${seconds} s`);
}

export default async function setup(project: TestProject): Promise<() => void> {
  if (!fs.existsSync(CODEX_BINARY)) {
    throw new Error(`The pinned Codex CLI is missing (${CODEX_BINARY}); run \`npm ci\` first.`);
  }
  const bundles = fs.mkdtempSync(path.join(os.tmpdir(), 'codex-review-bundles-'));
  const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'codex-review-toolcache-'));
  const cleanup = () => {
    fs.rmSync(bundles, { recursive: true, force: true });
    fs.rmSync(cache, { recursive: true, force: true });
  };
  try {
    await buildBundles(bundles);
    seedToolCache(cache);
  } catch (error) {
    cleanup();
    throw error;
  }
  // Read by test/support/action-runner.ts (bundleDir); the workers inherit this environment.
  process.env.CODEX_REVIEW_TEST_BUNDLE_DIR = bundles;
  process.env.CODEX_REVIEW_TEST_TOOL_CACHE = cache;
  // In watch mode, a rerun after a source change must see that change too.
  project.onTestsRerun(() => buildBundles(bundles));
  return cleanup;
}
