// The npm package as `npx codex-review@<version>` gets it (the GitLab component runs exactly
// that): `npm pack` of this checkout with dist/ replaced by the build of the current src/
// (test/global-setup.ts), its file list, and the tarball installed into a clean project
// without dev dependencies, where `npx codex-review` must run.
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleDir } from '../support/action-runner.js';
import { NODE24_UNAVAILABLE, node24 } from '../support/node24.js';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const MANIFEST = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
  bin: Record<string, string>;
  engines?: { node?: string };
  devDependencies?: Record<string, string>;
};
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const NPX = process.platform === 'win32' ? 'npx.cmd' : 'npx';

let work: string;
let tarball: string;
let entries: string[];
let unpacked: string;

function run(
  command: string,
  args: string[],
  cwd: string,
  env: Record<string, string> = {},
): SpawnSyncReturns<string> {
  const result = spawnSync(command, args, {
    cwd,
    encoding: 'utf8',
    env: {
      ...process.env,
      // No update notice or funding banner in the output the assertions read.
      npm_config_update_notifier: 'false',
      npm_config_fund: 'false',
      ...env,
    },
    timeout: 180_000,
  });
  if (result.error) throw result.error;
  return result;
}

const describeRun = (r: SpawnSyncReturns<string>) =>
  `exit ${r.status}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;

/**
 * A copy of the checkout as npm pack would see it (tracked and untracked, not ignored files),
 * with the fresh bundles as dist/, so what `files` lets through is judged on the real tree.
 */
function checkoutWithFreshDist(dir: string): void {
  const listed = run('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], ROOT);
  expect(listed.status, describeRun(listed)).toBe(0);
  for (const file of listed.stdout.split('\0').filter(Boolean)) {
    if (file.startsWith('dist/') || !fs.existsSync(path.join(ROOT, file))) continue;
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.copyFileSync(path.join(ROOT, file), path.join(dir, file));
  }
  fs.cpSync(bundleDir(), path.join(dir, 'dist'), { recursive: true });
}

beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'codex-review-package-'));
  const checkout = path.join(work, 'checkout');
  checkoutWithFreshDist(checkout);
  const packed = run(NPM, ['pack', '--pack-destination', work, '--json'], checkout);
  expect(packed.status, describeRun(packed)).toBe(0);
  const [info] = JSON.parse(packed.stdout) as { filename: string }[];
  tarball = path.join(work, path.basename(info!.filename));
  // The tarball itself, not npm's account of it.
  const listing = run('tar', ['-tzf', tarball], work);
  expect(listing.status, describeRun(listing)).toBe(0);
  entries = listing.stdout
    .split('\n')
    .filter(Boolean)
    .map((entry) => entry.replace(/^package\//, ''))
    .filter((entry) => !entry.endsWith('/'))
    .sort();
  unpacked = path.join(work, 'unpacked');
  fs.mkdirSync(unpacked);
  const extract = run('tar', ['-xzf', tarball, '-C', unpacked, '--strip-components=1'], work);
  expect(extract.status, describeRun(extract)).toBe(0);
}, 120_000);

afterAll(() => {
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

describe('npm pack', () => {
  it('is named after the package and its version', () => {
    expect(path.basename(tarball)).toBe(`${MANIFEST.name}-${MANIFEST.version}.tgz`);
  });

  it('ships the CLI bundle with README, package.json and LICENSE, and nothing else', () => {
    const allowed = (entry: string) =>
      entry.startsWith('dist/cli/') ||
      ['package.json', 'README.md'].includes(entry) ||
      /^LICEN[CS]E(\.md|\.txt)?$/i.test(entry);
    expect(entries.filter((entry) => !allowed(entry))).toEqual([]);
    expect(entries).toEqual(
      expect.arrayContaining([
        'package.json',
        'README.md',
        'dist/cli/index.js',
        'dist/cli/package.json',
        'dist/cli/licenses.txt',
      ]),
    );
    for (const prefix of ['src/', 'test/', 'dist/action/', 'scripts/', 'node_modules/']) {
      expect(entries.filter((entry) => entry.startsWith(prefix))).toEqual([]);
    }
  });

  it('ships the text of the license it declares', () => {
    // `"license": "MIT"` requires the notice to travel with the code; npm adds a root LICENSE
    // file to every package automatically.
    expect(entries.filter((entry) => /^LICEN[CS]E(\.md|\.txt)?$/i.test(entry))).toHaveLength(1);
  });

  it('has a bin that is an ES module script with a node shebang', () => {
    const bin = path.join(unpacked, MANIFEST.bin['codex-review']!);
    expect(fs.existsSync(bin)).toBe(true);
    expect(fs.readFileSync(bin, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
    // dist/cli/package.json makes Node load the bundle as ESM wherever it is installed.
    expect(
      JSON.parse(fs.readFileSync(path.join(path.dirname(bin), 'package.json'), 'utf8')),
    ).toEqual({ type: 'module' });
  });

  it('runs from the unpacked tarball with no node_modules at all (the bundle is self-contained)', () => {
    const bin = path.join(unpacked, MANIFEST.bin['codex-review']!);
    const version = run(process.execPath, [bin, '--version'], unpacked);
    expect(version.status, describeRun(version)).toBe(0);
    expect(version.stdout.trim()).toBe(MANIFEST.version);
  });

  it('declares an engines range that this Node.js satisfies, and Node 24 (the component’s image)', () => {
    const range = MANIFEST.engines?.node;
    expect(range).toMatch(/^>=\s*\d+/);
    const minimum = Number(/^>=\s*(\d+)/.exec(range!)![1]);
    expect(Number(process.versions.node.split('.')[0])).toBeGreaterThanOrEqual(minimum);
    expect(24).toBeGreaterThanOrEqual(minimum);
  });
});

describe('the tarball installed into a clean project', () => {
  let project: string;
  let install: SpawnSyncReturns<string>;

  beforeAll(() => {
    project = path.join(work, 'project');
    fs.mkdirSync(project);
    fs.writeFileSync(
      path.join(project, 'package.json'),
      `${JSON.stringify({ name: 'clean-project', version: '1.0.0', private: true }, null, 2)}\n`,
    );
    install = run(
      NPM,
      ['install', tarball, '--omit=dev', '--no-audit', '--no-fund', '--prefer-offline'],
      project,
    );
  }, 180_000);

  // npm_config_yes=false (npx --no): run the installed package, never fetch one from the
  // registry. (`npx --no codex-review --version` would print npm's own version.)
  const npx = (args: string[]) => run(NPX, args, project, { npm_config_yes: 'false' });

  it('installs without errors, and without engine warnings on this Node.js', () => {
    expect(install.status, describeRun(install)).toBe(0);
    // An EBADENGINE warning means a dependency needs a newer Node.js than `engines` promises.
    expect(install.stderr + install.stdout).not.toMatch(/EBADENGINE/);
  });

  it('installs none of the dev dependencies', () => {
    const lock = JSON.parse(
      fs.readFileSync(path.join(project, 'node_modules', '.package-lock.json'), 'utf8'),
    ) as { packages: Record<string, unknown> };
    const installed = Object.keys(lock.packages).map((key) => key.replace(/^.*node_modules\//, ''));
    const dev = Object.keys(MANIFEST.devDependencies ?? {});
    expect(installed.filter((name) => dev.includes(name))).toEqual([]);
    expect(installed).toContain(MANIFEST.name);
  });

  it('runs `npx codex-review --help` with the usage text', () => {
    const help = npx(['codex-review', '--help']);
    expect(help.status, describeRun(help)).toBe(0);
    expect(help.stdout).toContain(
      `codex-review ${MANIFEST.version}: run an OpenAI Codex code review`,
    );
    expect(help.stdout).toContain('Usage:');
    expect(help.stdout).toContain('codex-review local [settings]');
    expect(help.stdout).toContain('--codequality-file <value>');
    expect(help.stderr).not.toMatch(/\bError\b|DeprecationWarning|ExperimentalWarning/);
  });

  it('runs `npx codex-review --version` with the version of package.json', () => {
    const version = npx(['codex-review', '--version']);
    expect(version.status, describeRun(version)).toBe(0);
    expect(version.stdout.trim()).toBe(MANIFEST.version);
  });

  it('fails `npx codex-review` without a command with the usage and exit code 2', () => {
    const bare = npx(['codex-review']);
    expect(bare.status).toBe(2);
    expect(bare.stdout).toContain('Usage:');
  });

  // Node 24 is the runtime of the GitLab component's default image.
  it('runs the installed bin on Node 24', { timeout: 300_000 }, async ({ skip }) => {
    skip(NODE24_UNAVAILABLE !== undefined, NODE24_UNAVAILABLE);
    const bin = path.join(project, 'node_modules', '.bin', 'codex-review');
    const version = run(await node24(), [bin, '--version'], project);
    expect(version.status, describeRun(version)).toBe(0);
    expect(version.stdout.trim()).toBe(MANIFEST.version);
    expect(version.stderr).not.toMatch(/DeprecationWarning|ExperimentalWarning/);
  });
});
