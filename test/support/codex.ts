// The pinned Codex devDependency, laid out as the tool caches expect it, so e2e tests start
// warm (the cold install is tested on its own in install.test.ts).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { codexPlatform } from '../../src/core/codex/install.js';
import { DEFAULT_CODEX_VERSION } from '../../src/core/settings.js';

export const ROOT = path.resolve(import.meta.dirname, '..', '..');
export const PLATFORM = codexPlatform();
export const CODEX_VENDOR = path.join(
  ROOT,
  'node_modules',
  '@openai',
  `codex-${PLATFORM.npmTag}`,
  'vendor',
  PLATFORM.triple,
);
export const CODEX_BINARY = path.join(CODEX_VENDOR, 'bin', PLATFORM.binaryName);

/** Fill a RUNNER_TOOL_CACHE-style directory (and the CLI's cache layout) with hard links. */
export function seedToolCache(root: string, version = DEFAULT_CODEX_VERSION): void {
  const dir = path.join(root, 'codex', version, PLATFORM.triple);
  if (fs.existsSync(`${dir}.complete`)) return;
  fs.mkdirSync(path.dirname(dir), { recursive: true });
  fs.rmSync(dir, { recursive: true, force: true });
  try {
    execFileSync('cp', ['-al', CODEX_VENDOR, dir]);
  } catch {
    fs.cpSync(CODEX_VENDOR, dir, { recursive: true });
  }
  fs.writeFileSync(`${dir}.complete`, '');
}
