// The e2e review path (`codex-review local`, run from src/) on the pinned Codex AND on the newest
// @openai/codex the npm registry offers, so a Codex release that changes what we parse (the
// exec --json stream, the session file, the rendered review, login status) is noticed before
// it becomes the default. The newest build is installed the way the product installs it
// (installCodex → npm, platform package only) into node_modules/.cache/codex-review-versions,
// which is kept between runs; other versions found there are removed (each is ~400 MB).
import { execFile, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { DirectoryToolCache, installCodex } from '../../src/core/codex/install.js';
import { RecordingLogger } from '../../src/core/logger.js';
import { parseRenderedReview } from '../../src/core/review/rendered-text.js';
import { DEFAULT_CODEX_VERSION } from '../../src/core/settings.js';
import { FakeResponsesApi, message, shellCall, type Usage } from '../fakes/responses-api.js';
import { baseEnv } from '../support/action-runner.js';
import { ROOT, seedToolCache } from '../support/codex.js';
import { featureRepo } from '../support/git-repo.js';

const execFileAsync = promisify(execFile);
const PINNED = DEFAULT_CODEX_VERSION;
const IN_CI = /^(1|true)$/i.test(process.env.CI ?? '');
const CACHE_ROOT = path.join(ROOT, 'node_modules', '.cache', 'codex-review-versions');
const TSX_LOADER = import.meta.resolve('tsx');
const CLI_SOURCE = path.join(ROOT, 'src', 'cli.ts');
const KEY = 'sk-test-versions-0123456789abcdef';

type Registry = { version: string } | { error: string };

/** The `latest` dist-tag, asked online so a stale npm metadata cache cannot hide a release. */
async function newestOnRegistry(): Promise<Registry> {
  try {
    const { stdout } = await execFileAsync(
      'npm',
      [
        'view',
        '@openai/codex',
        'version',
        '--prefer-online',
        '--fetch-retries=0',
        '--fetch-timeout=20000',
      ],
      { timeout: 30_000 },
    );
    const version = stdout.trim();
    return /^\d+\.\d+\.\d+$/.test(version)
      ? { version }
      : { error: `unexpected answer ${JSON.stringify(version)}` };
  } catch (error) {
    const e = error as { stderr?: string; message: string; killed?: boolean };
    return {
      // npm's first error lines say what failed (code, URL, reason); the stack after them does not.
      error: e.killed
        ? 'no answer within 30 s'
        : (e.stderr?.trim() || e.message)
            .split('\n')
            .filter((line) => !/^npm error\s+at /.test(line))
            .slice(0, 4)
            .join('\n'),
    };
  }
}

const registry = await newestOnRegistry();
const newest = 'version' in registry ? registry.version : undefined;
const versions: Array<{ version: string; label: string }> =
  newest === undefined
    ? [{ version: PINNED, label: `${PINNED} (pinned)` }]
    : newest === PINNED
      ? [
          {
            version: PINNED,
            label: `${PINNED} (pinned, also the newest on the registry: run once)`,
          },
        ]
      : [
          { version: PINNED, label: `${PINNED} (pinned)` },
          { version: newest, label: `${newest} (newest on the registry)` },
        ];

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

/** Only the versions under test stay in the persistent cache (kept as is when offline). */
function pruneCache(keep: string[]): void {
  const dir = path.join(CACHE_ROOT, 'codex');
  if (newest === undefined || !fs.existsSync(dir)) return;
  for (const entry of fs.readdirSync(dir)) {
    if (!keep.includes(entry)) fs.rmSync(path.join(dir, entry), { recursive: true, force: true });
  }
}

/** The Codex binary of `version` from the cache, installed there if missing. */
async function codexFor(version: string): Promise<string> {
  pruneCache(versions.map((v) => v.version));
  // The pinned build is the devDependency from `npm ci`; anything else comes from the registry.
  if (version === PINNED) seedToolCache(CACHE_ROOT, PINNED);
  const installation = await installCodex({
    version,
    cache: new DirectoryToolCache(CACHE_ROOT),
    logger: new RecordingLogger(),
  });
  return installation.binary;
}

async function runCliFromSource(
  args: string[],
  options: { cwd: string; env?: Record<string, string> },
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', TSX_LOADER, CLI_SOURCE, ...args], {
    cwd: options.cwd,
    env: { ...baseEnv(), CODEX_REVIEW_CACHE_DIR: CACHE_ROOT, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  return { code, stdout, stderr };
}

/** A feature branch changing app.js and adding a file whose path has spaces and non-ASCII. */
function reviewRepo() {
  const { repo } = featureRepo();
  cleanups.push(() => repo.remove());
  repo.write('docs/Ünïcödé files/naïve café.js', 'export const café = 1 / 0;\n');
  repo.commit('add café');
  return repo;
}

const finding = (title: string, body: string, file: string, start: number, end: number) => ({
  title,
  body,
  confidence_score: 0.75,
  priority: Number(/\[P(\d)\]/.exec(title)![1]),
  code_location: { absolute_file_path: file, line_range: { start, end } },
});

const TURN_USAGE: Usage[] = [
  { input_tokens: 120, cached_tokens: 30, output_tokens: 40, reasoning_tokens: 8 },
  { input_tokens: 200, cached_tokens: 50, output_tokens: 60, reasoning_tokens: 12 },
];

/** The model reads a file first (a command_execution item), then answers with two findings. */
async function fakeModel(repoDir: string) {
  const review = {
    findings: [
      finding(
        '[P1] Empty input — division by zero',
        'Two problems:\n\n- `mean([])` is `NaN`.\n  Indented continuation.',
        path.join(repoDir, 'app.js'),
        5,
        7,
      ),
      finding(
        '[P2] café is Infinity',
        'Dividing by zero.',
        path.join(repoDir, 'docs/Ünïcödé files/naïve café.js'),
        1,
        1,
      ),
    ],
    overall_correctness: 'patch is incorrect',
    overall_explanation: 'Two problems.',
    overall_confidence_score: 0.7,
  };
  const fake = await new FakeResponsesApi(
    (_request, turn) =>
      turn === 0
        ? { kind: 'items', items: [shellCall('cat app.js')], usage: TURN_USAGE[0] }
        : { kind: 'items', items: [message(JSON.stringify(review))], usage: TURN_USAGE[1] },
    { apiKey: KEY },
  ).start();
  cleanups.push(() => fake.stop());
  return { fake, review };
}

describe('the newest @openai/codex on the npm registry', () => {
  it('is known', (ctx) => {
    if ('error' in registry) {
      const why = `\`npm view @openai/codex version\` failed: ${registry.error}`;
      if (IN_CI)
        throw new Error(
          `${why}\nCI must check the review path on the newest Codex release; give this job access to the npm registry.`,
        );
      ctx.skip(`${why}; only the pinned ${PINNED} is checked`);
    }
    const note =
      newest === PINNED
        ? `the pinned ${PINNED} is the newest on the registry; the review path runs once`
        : `newest on the registry: ${newest}; pinned: ${PINNED}`;
    console.info(`codex-versions: ${note}`);
    void ctx.annotate(note);
    expect(newest).toMatch(/^\d+\.\d+\.\d+$/);
  }, 5_000);
});

describe.each(versions)('Codex $label', ({ version }) => {
  it('reviews a branch end to end: events, session file, rendered text, usage', async () => {
    const binary = await codexFor(version);
    expect(execFileSyncText(binary, ['--version'])).toContain(version);
    const repo = reviewRepo();
    const { fake, review } = await fakeModel(repo.dir);
    // Its own directory: the CLI writes outputs.json beside the findings file.
    const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'codex-versions-out-'));
    cleanups.push(() => fs.rmSync(outDir, { recursive: true, force: true }));
    const findingsFile = path.join(outDir, 'findings.json');

    const run = await runCliFromSource(
      [
        'local',
        '--verbose',
        '--codex-version',
        version,
        '--openai-base-url',
        fake.url,
        '--findings-file',
        findingsFile,
      ],
      { cwd: repo.dir, env: { OPENAI_API_KEY: KEY } },
    );

    expect(run.code, run.stderr).toBe(0);
    // CODEX_API_KEY reached the model (the fake answers 401 to anything else).
    expect(fake.requests.map((r) => r.authorization)).toEqual([`Bearer ${KEY}`, `Bearer ${KEY}`]);
    // Every line of the exec --json stream is an event we know; the agent's command was seen.
    expect(run.stderr).not.toMatch(/not understood|not recognised/);
    expect(run.stderr).toContain('📄 reading app.js');
    const result = JSON.parse(fs.readFileSync(findingsFile, 'utf8'));
    expect(result.codex).toMatchObject({ version, fromCache: true });
    // The structured review came from the session file's ExitedReviewMode item.
    expect(result.source).toBe('session-file');
    expect(result.incomplete).toBeNull();
    expect(result.verdict).toEqual({
      correctness: 'patch is incorrect',
      explanation: 'Two problems.',
      confidence: 0.7,
    });
    expect(
      result.findings.map((f: Record<string, unknown>) => ({
        title: f.title,
        body: f.body,
        priority: f.priority,
        confidence: f.confidence,
        path: f.path,
        startLine: f.startLine,
        endLine: f.endLine,
      })),
    ).toEqual([
      {
        title: 'Empty input — division by zero',
        body: review.findings[0]!.body,
        priority: 1,
        confidence: 0.75,
        path: 'app.js',
        startLine: 5,
        endLine: 7,
      },
      {
        title: 'café is Infinity',
        body: 'Dividing by zero.',
        priority: 2,
        confidence: 0.75,
        path: 'docs/Ünïcödé files/naïve café.js',
        startLine: 1,
        endLine: 1,
      },
    ]);
    // Review mode reports zero usage on the stream; the sub-agent's session file has the sum.
    expect(result.usage).toEqual({
      input_tokens: 320,
      cached_input_tokens: 80,
      output_tokens: 100,
      reasoning_output_tokens: 20,
    });
    // The rendered final message (the fallback when the session file is missing) still parses
    // to the same findings: header, U+2014 separator, two-space body indent.
    expect(result.finalMessage).toContain('\n\nFull review comments:\n\n- [P1] Empty input — ');
    const rendered = parseRenderedReview(result.finalMessage);
    expect(rendered.kind).toBe('review');
    if (rendered.kind !== 'review') return;
    expect(rendered.review.overall_explanation).toBe('Two problems.');
    expect(
      rendered.review.findings.map((f) => [f.title, f.body, f.priority, f.code_location]),
    ).toEqual(review.findings.map((f) => [f.title, f.body, f.priority, f.code_location]));
  }, 120_000);

  it('reviews with a stored `codex login` instead of a key', async () => {
    const binary = await codexFor(version);
    const codexHome = fs.mkdtempSync(path.join(os.tmpdir(), 'codex-versions-home-'));
    cleanups.push(() => fs.rmSync(codexHome, { recursive: true, force: true }));
    const env = { ...baseEnv(), CODEX_HOME: codexHome };
    // The product relies on: exit 1 when not logged in, 0 when logged in.
    expect(spawnSync(binary, ['login', 'status'], { env }).status).toBe(1);
    const login = spawnSync(binary, ['login', '--with-api-key'], { env, input: `${KEY}\n` });
    expect(login.status, login.stderr.toString()).toBe(0);
    expect(fs.statSync(path.join(codexHome, 'auth.json')).mode & 0o777).toBe(0o600);
    expect(spawnSync(binary, ['login', 'status'], { env }).status).toBe(0);

    const repo = reviewRepo();
    const { fake } = await fakeModel(repo.dir);
    const run = await runCliFromSource(
      [
        'local',
        '--codex-version',
        version,
        '--openai-base-url',
        fake.url,
        '--codex-home',
        codexHome,
        '--findings-file',
        path.join(codexHome, 'findings.json'),
      ],
      { cwd: repo.dir },
    );
    expect(run.code, run.stderr).toBe(0);
    expect(fake.requests.at(-1)?.authorization).toBe(`Bearer ${KEY}`);
    expect(run.stdout).toContain('[P1] Empty input — division by zero');
  }, 120_000);
});

function execFileSyncText(file: string, args: string[]): string {
  const result = spawnSync(file, args, { encoding: 'utf8' });
  return `${result.stdout}${result.stderr}`;
}
