// Installing the Codex CLI. Only the platform package is fetched (npm installs
// @openai/codex@<version>-<platform>, honouring the user's npm registry and proxy settings),
// its whole vendor/<triple>/ directory is cached (the binary needs the bundled bubblewrap and
// ripgrep beside it), and the native binary is called directly: the npm
// wrapper costs a Node start and forwards signals imperfectly.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Logger } from '../logger.js';

const execFileAsync = promisify(execFile);

export interface CodexPlatform {
  /** Rust target triple, the directory name under vendor/. */
  triple: string;
  /** Suffix of the platform package version on npm ("linux-x64"). */
  npmTag: string;
  binaryName: string;
}

export function codexPlatform(platform = process.platform, arch = process.arch): CodexPlatform {
  const table: Record<string, Record<string, string>> = {
    linux: { x64: 'x86_64-unknown-linux-musl', arm64: 'aarch64-unknown-linux-musl' },
    darwin: { x64: 'x86_64-apple-darwin', arm64: 'aarch64-apple-darwin' },
    win32: { x64: 'x86_64-pc-windows-msvc', arm64: 'aarch64-pc-windows-msvc' },
  };
  const triple = table[platform]?.[arch];
  if (!triple)
    throw new Error(
      `Codex has no build for ${platform}/${arch}; use a Linux, macOS or Windows runner on x64 or arm64.`,
    );
  return {
    triple,
    npmTag: `${platform}-${arch}`,
    binaryName: platform === 'win32' ? 'codex.exe' : 'codex',
  };
}

/** A cache of installed Codex directories keyed by version and platform. */
export interface ToolCache {
  /** The cached vendor/<triple> directory, if present. */
  find(version: string, platform: CodexPlatform): Promise<string | undefined>;
  /** Store a freshly extracted vendor/<triple> directory (it may be moved); returns where it now lives. */
  save(sourceDir: string, version: string, platform: CodexPlatform): Promise<string>;
}

/** Fetches the platform package and returns the extracted vendor/<triple> directory. */
export type PackageFetcher = (
  version: string,
  platform: CodexPlatform,
  workDir: string,
) => Promise<string>;

export interface CodexInstallation {
  version: string;
  binary: string;
  /** The vendor/<triple> directory. */
  root: string;
  fromCache: boolean;
}

export async function installCodex(options: {
  version: string;
  cache: ToolCache;
  logger: Logger;
  fetcher?: PackageFetcher;
  platform?: CodexPlatform;
}): Promise<CodexInstallation> {
  const { version, cache, logger } = options;
  const platform = options.platform ?? codexPlatform();
  const cached = await cache.find(version, platform);
  if (cached && fs.existsSync(binaryIn(cached, platform))) {
    logger.info(`Codex ${version} (${platform.triple}) found in the tool cache: ${cached}`);
    return { version, binary: binaryIn(cached, platform), root: cached, fromCache: true };
  }
  const fetcher = options.fetcher ?? npmFetcher;
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'codex-review-install-'));
  try {
    logger.info(`Installing Codex ${version} (${platform.triple}) from the npm registry…`);
    const started = Date.now();
    const extracted = await fetcher(version, platform, workDir);
    if (!fs.existsSync(binaryIn(extracted, platform))) {
      throw new Error(
        `the package for Codex ${version} has no ${platform.binaryName} under vendor/${platform.triple}/bin`,
      );
    }
    const root = await cache.save(extracted, version, platform);
    logger.info(
      `Installed Codex ${version} in ${((Date.now() - started) / 1000).toFixed(1)} s: ${root}`,
    );
    return { version, binary: binaryIn(root, platform), root, fromCache: false };
  } finally {
    fs.rmSync(workDir, { recursive: true, force: true });
  }
}

function binaryIn(root: string, platform: CodexPlatform): string {
  return path.join(root, 'bin', platform.binaryName);
}

/**
 * Install the platform build (published as @openai/codex@<version>-<platform>) into a scratch
 * prefix. npm extracts straight from its cache, which measured faster than `npm pack` + tar.
 */
export const npmFetcher: PackageFetcher = async (version, platform, workDir) => {
  const spec = `@openai/codex@${version}-${platform.npmTag}`;
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  try {
    await execFileAsync(
      npm,
      [
        'install',
        '--prefix',
        workDir,
        '--no-save',
        '--no-package-lock',
        '--no-audit',
        '--no-fund',
        '--ignore-scripts',
        '--prefer-offline',
        '--loglevel',
        'error',
        spec,
      ],
      { cwd: workDir, maxBuffer: 16 * 1024 * 1024, shell: process.platform === 'win32' },
    );
  } catch (error) {
    const detail = (error as { stderr?: string }).stderr?.trim() || (error as Error).message;
    throw new Error(
      `Could not download ${spec} with npm: ${detail}\n` +
        'Check that `codex-version` names a published version and that the runner can reach the npm registry.',
    );
  }
  return path.join(workDir, 'node_modules', '@openai', 'codex', 'vendor', platform.triple);
};

/** The CLI's cache: a plain directory (~/.cache/codex-review by default). */
export class DirectoryToolCache implements ToolCache {
  constructor(private readonly root: string) {}

  private dir(version: string, platform: CodexPlatform): string {
    return path.join(this.root, 'codex', version, platform.triple);
  }

  async find(version: string, platform: CodexPlatform): Promise<string | undefined> {
    const dir = this.dir(version, platform);
    return fs.existsSync(`${dir}.complete`) ? dir : undefined;
  }

  async save(sourceDir: string, version: string, platform: CodexPlatform): Promise<string> {
    const dir = this.dir(version, platform);
    fs.mkdirSync(path.dirname(dir), { recursive: true });
    fs.rmSync(dir, { recursive: true, force: true });
    // Copy to a sibling first and rename, so a crash never leaves a half-filled cache entry.
    const staging = `${dir}.partial-${process.pid}`;
    try {
      // Same filesystem: a rename, instant. Otherwise (EXDEV) a copy.
      fs.renameSync(sourceDir, staging);
    } catch {
      fs.cpSync(sourceDir, staging, { recursive: true, verbatimSymlinks: true });
    }
    fs.renameSync(staging, dir);
    fs.writeFileSync(`${dir}.complete`, '');
    return dir;
  }
}

export function defaultCacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  if (env.CODEX_REVIEW_CACHE_DIR) return env.CODEX_REVIEW_CACHE_DIR;
  const base = env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'codex-review');
}
