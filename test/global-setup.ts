import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CODEX_BINARY, seedToolCache } from './support/codex.js';

export default function setup(): () => void {
  if (!fs.existsSync(CODEX_BINARY)) {
    throw new Error(`The pinned Codex CLI is missing (${CODEX_BINARY}); run \`npm ci\` first.`);
  }
  const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'codex-review-toolcache-'));
  seedToolCache(cache);
  process.env.CODEX_REVIEW_TEST_TOOL_CACHE = cache;
  return () => fs.rmSync(cache, { recursive: true, force: true });
}
