// `npm run bench`: measures setup (plain npm install vs our cold and warm tool cache), the
// action's own overhead around a Codex run, and parse/map/render cost for many findings.
// Prints a Markdown table; the figures in the README come from this script.
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DirectoryToolCache, installCodex } from '../src/core/codex/install.js';
import { RecordingLogger } from '../src/core/logger.js';
import { Redactor } from '../src/core/redact.js';
import { renderStepSummary } from '../src/core/render/step-summary.js';
import { renderTerminal } from '../src/core/render/terminal.js';
import { writeFindingsFile } from '../src/core/report/findings-file.js';
import { compareFindings, toFindings } from '../src/core/review/finding.js';
import { DiffIndex } from '../src/core/diff/diff-index.js';
import { placeFindings } from '../src/core/diff/placement.js';
import type { ReviewResult } from '../src/core/review/result.js';
import { DEFAULT_CODEX_VERSION } from '../src/core/settings.js';
import {
  FakeResponsesApi,
  message,
  type RecordedRequest,
  type Reply,
  type Usage,
} from '../test/fakes/responses-api.js';
import { FAKE_GITHUB_TOKEN, runAction } from '../test/support/action-runner.js';
import { PLATFORM, seedToolCache } from '../test/support/codex.js';
import { featureRepo, GitRepo } from '../test/support/git-repo.js';
import { FakeGitHub } from '../test/fakes/github-api.js';
import { ROOT } from '../test/support/codex.js';

const rows: Array<[string, string, string]> = [];
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'codex-review-bench-'));
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function timed<T>(fn: () => Promise<T> | T): Promise<[T, number]> {
  const started = performance.now();
  const value = await fn();
  return [value, performance.now() - started];
}

/** `npm install -g @openai/codex` with a warm npm cache: the baseline every setup is held to. */
let npmInstallMs = 0;

async function setup(): Promise<void> {
  const npmPrefix = tmp();
  const [, npmMs] = await timed(() =>
    execFileSync(
      'npm',
      [
        'install',
        '-g',
        '--prefix',
        npmPrefix,
        '--no-audit',
        '--no-fund',
        `@openai/codex@${DEFAULT_CODEX_VERSION}`,
      ],
      {
        stdio: 'ignore',
      },
    ),
  );
  npmInstallMs = npmMs;
  rows.push(['setup: `npm install -g @openai/codex` (npm cache warm)', seconds(npmMs), 'baseline']);

  const cacheRoot = tmp();
  const cache = new DirectoryToolCache(cacheRoot);
  const logger = new RecordingLogger();
  const [, coldMs] = await timed(() =>
    installCodex({ version: DEFAULT_CODEX_VERSION, cache, logger }),
  );
  rows.push([
    'setup: codex-review, cold tool cache',
    seconds(coldMs),
    `${(coldMs / npmMs).toFixed(2)} × npm`,
  ]);
  const warm: number[] = [];
  for (let i = 0; i < 5; i++)
    warm.push(
      (await timed(() => installCodex({ version: DEFAULT_CODEX_VERSION, cache, logger })))[1],
    );
  const warmMs = median(warm);
  rows.push([
    'setup: codex-review, warm tool cache (median of 5)',
    `${warmMs.toFixed(2)} ms`,
    `${(warmMs / npmMs).toFixed(4)} × npm`,
  ]);
  fs.rmSync(npmPrefix, { recursive: true, force: true });
  fs.rmSync(cacheRoot, { recursive: true, force: true });
}

async function overhead(): Promise<void> {
  const toolCache = tmp();
  seedToolCache(toolCache);
  const { repo, baseSha } = featureRepo();
  const reply = JSON.stringify({
    findings: [],
    overall_correctness: 'patch is correct',
    overall_explanation: 'ok',
    overall_confidence_score: 0.5,
  });
  const fake = await new FakeResponsesApi(() => ({
    kind: 'items',
    items: [message(reply)],
  })).start();
  const overheads: number[] = [];
  const walls: number[] = [];
  for (let i = 0; i < 5; i++) {
    const [run, wall] = await timed(() =>
      runAction({
        workspace: repo.dir,
        toolCache,
        inputs: {
          'openai-api-key': 'sk-bench-000000000000000000',
          'openai-base-url': fake.url,
          post: 'none',
          'allow-users': 'octocat',
        },
        payload: { pull_request: { number: 1, base: { sha: baseSha } } },
      }),
    );
    if (run.exitCode !== 0) throw new Error(`action failed:\n${run.stdout}`);
    const file = JSON.parse(fs.readFileSync(run.outputs['findings-file']!, 'utf8')) as {
      codex: { durationMs: number };
    };
    walls.push(wall);
    overheads.push(wall - file.codex.durationMs);
  }
  await fake.stop();
  repo.remove();
  fs.rmSync(toolCache, { recursive: true, force: true });
  rows.push([
    'action: wall time of one run against the fake model (median of 5)',
    seconds(median(walls)),
    '',
  ]);
  rows.push([
    "action: its own overhead (wall − Codex's time, median of 5)",
    seconds(median(overheads)),
    'node start, settings, git checks, cache lookup, parsing, outputs',
  ]);
}

async function parsing(count: number): Promise<void> {
  const repoRoot = '/repo';
  const items = Array.from({ length: count }, (_, i) => ({
    title: `[P${i % 4}] Finding number ${i} about something that matters`,
    body: `Explanation ${i}.\n\n- detail one\n- detail two\n\n\`\`\`ts\nconst x = ${i};\n\`\`\``,
    confidence_score: (i % 10) / 10,
    priority: i % 4,
    code_location: {
      absolute_file_path: `${repoRoot}/src/dir${i % 50}/file${i % 2000}.ts`,
      line_range: { start: i + 1, end: i + 3 },
    },
  }));
  global.gc?.();
  const before = process.memoryUsage().heapUsed;
  const dir = tmp();
  const [, ms] = await timed(() => {
    const findings = toFindings(items, { repoRoot, workingDirectory: repoRoot }).sort(
      compareFindings,
    );
    const result: ReviewResult = {
      mode: 'review',
      target: undefined,
      headSha: undefined,
      threadId: 't',
      finalMessage: '',
      findings,
      verdict: { correctness: 'patch is incorrect', explanation: 'x', confidence: 0.5 },
      structured: undefined,
      source: 'session-file',
      incomplete: undefined,
      usage: {
        input_tokens: 0,
        cached_input_tokens: 0,
        output_tokens: 0,
        reasoning_output_tokens: 0,
      },
      blockingCount: 0,
      codex: { version: DEFAULT_CODEX_VERSION, durationMs: 0, fromCache: true },
      exec: undefined,
    };
    renderStepSummary(result);
    renderTerminal(result);
    writeFindingsFile(path.join(dir, 'findings.json'), result, new Redactor(), { roots: [dir] });
  });
  const heapMb = (process.memoryUsage().heapUsed - before) / 1024 / 1024;
  fs.rmSync(dir, { recursive: true, force: true });
  rows.push([
    `core: map + render + write ${count} findings`,
    `${ms.toFixed(1)} ms`,
    `heap +${heapMb.toFixed(1)} MB`,
  ]);
}

/**
 * A pull request of 2,000 changed files and 500 findings, posted to the fake GitHub: the
 * action's overhead around Codex, the write calls it makes, and its peak memory (the child's
 * max RSS as GNU time reports it).
 */
async function bigPullRequest(): Promise<void> {
  const toolCache = tmp();
  seedToolCache(toolCache);
  const repo = GitRepo.create('codex-review-bench-big-');
  const files = 2_000;
  for (let i = 0; i < files; i++)
    repo.write(
      `src/m${i % 40}/f${i}.ts`,
      `${Array.from({ length: 30 }, (_, l) => `export const v${l} = ${l};`).join('\n')}\n`,
    );
  const baseSha = repo.commit('base');
  repo.git('checkout', '-q', '-b', 'feature');
  for (let i = 0; i < files; i++) {
    const lines = Array.from({ length: 30 }, (_, l) => `export const v${l} = ${l};`);
    lines.splice(10, 0, `export const changed${i} = true;`);
    repo.write(`src/m${i % 40}/f${i}.ts`, `${lines.join('\n')}\n`);
  }
  const headSha = repo.commit('touch every file');
  const findings = Array.from({ length: 500 }, (_, i) => ({
    title: `Finding ${i} in file ${i * 4}`,
    body: `Body ${i}.`,
    confidence_score: 0.5,
    priority: i % 4,
    code_location: {
      absolute_file_path: repo.path(`src/m${(i * 4) % 40}/f${i * 4}.ts`),
      line_range: { start: 11, end: 11 },
    },
  }));
  const reply = JSON.stringify({
    findings,
    overall_correctness: 'patch is incorrect',
    overall_explanation: 'Many.',
    overall_confidence_score: 0.5,
  });
  const model = await new FakeResponsesApi(() => ({
    kind: 'items',
    items: [message(reply)],
  })).start();
  const gh = await new FakeGitHub({
    repoDir: repo.dir,
    owner: 'octo',
    repo: 'demo',
    tokens: { [FAKE_GITHUB_TOKEN]: 'write' },
    permissions: { octocat: 'write' },
  }).start();
  gh.setPullRequest({ number: 1, baseSha, headSha });
  const [run, wall] = await timed(() =>
    runAction({
      workspace: repo.dir,
      toolCache,
      inputs: {
        'openai-api-key': 'sk-bench-000000000000000000',
        'openai-base-url': model.url,
        'max-inline-comments': '25',
      },
      payload: { pull_request: { number: 1, base: { sha: baseSha }, head: { sha: headSha } } },
      sha: headSha,
      env: { GITHUB_API_URL: gh.url },
      timeoutMs: 600_000,
    }),
  );
  if (run.exitCode !== 0) throw new Error(`action failed:\n${run.stdout}`);
  const file = JSON.parse(fs.readFileSync(run.outputs['findings-file']!, 'utf8')) as {
    codex: { durationMs: number };
  };
  const own = wall - file.codex.durationMs;
  rows.push(['PR of 2,000 files / 500 findings: action wall time', seconds(wall), '']);
  rows.push([
    "PR of 2,000 files / 500 findings: the action's own overhead (wall − Codex)",
    seconds(own),
    `${((own / file.codex.durationMs) * 100).toFixed(0)} % of Codex's time against the instant fake model`,
  ]);
  rows.push([
    'PR of 2,000 files / 500 findings: GitHub write calls',
    String(gh.writeCalls()),
    gh.writes.map((w) => `${w.method} ${w.path.replace(/^\/repos\/octo\/demo/, '')}`).join(', '),
  ]);

  // The core's own work on that PR, in this process: parse the diff, place 500 findings.
  const diff = repo.git('diff', baseSha, headSha);
  global.gc?.();
  const rssBefore = process.memoryUsage().rss;
  const [placed, placeMs] = await timed(() => {
    const mapped = toFindings(findings, { repoRoot: repo.dir, workingDirectory: repo.dir });
    return placeFindings(mapped, DiffIndex.parse(diff), { minPriority: 2, maxInlineComments: 25 });
  });
  rows.push([
    'PR of 2,000 files / 500 findings: parse the diff + map + place',
    `${placeMs.toFixed(0)} ms`,
    `${(diff.length / 1024 / 1024).toFixed(1)} MB diff; ${placed.filter((p) => p.placement === 'inline').length} inline; RSS +${((process.memoryUsage().rss - rssBefore) / 1024 / 1024).toFixed(0)} MB`,
  ]);

  // What an incremental re-review asks Codex to look at, against a full one.
  repo.write(
    'src/m0/f0.ts',
    `${fs.readFileSync(repo.path('src/m0/f0.ts'), 'utf8')}export const more = 1;\n`,
  );
  const pushed = repo.commit('one more change');
  const full = repo.git('diff', baseSha, pushed).length;
  const incremental = repo.git('diff', headSha, pushed).length;
  rows.push(['review scope: full re-review (diff bytes)', String(full), '']);
  rows.push([
    'review scope: incremental re-review (diff bytes)',
    String(incremental),
    `${((incremental / full) * 100).toFixed(3)} % of the full one`,
  ]);
  await model.stop();
  await gh.stop();
  repo.remove();
  fs.rmSync(toolCache, { recursive: true, force: true });
}

/**
 * Issue 9's cost goals, side by side in one run: on a pull request of 300 changed files with 200
 * findings and a model that answers after 5 s, the action's wall time against the same pinned
 * Codex run alone; and the time from the action's start to Codex's first model request with a
 * warm tool cache, against a plain `npm install -g @openai/codex`.
 *
 * Issue 13's cost of suggested changes on the same pull request: the follow-up turn's extra model
 * requests, tokens and wall time (the action with `suggestions` on, its default, against off).
 * The fake model reports tokens estimated from what it is sent (see estimatedUsage), so the
 * figures are the product's own accounting of the follow-up (findings file `suggestions.usage`).
 */
async function costAgainstCodexAlone(): Promise<void> {
  const toolCache = tmp();
  seedToolCache(toolCache);
  const repo = GitRepo.create('codex-review-bench-300-');
  const files = 300;
  const body = (extra: string) =>
    `${Array.from({ length: 40 }, (_, l) => `export const v${l} = ${l};${l === 20 ? extra : ''}`).join('\n')}\n`;
  for (let i = 0; i < files; i++) repo.write(`src/m${i % 20}/f${i}.ts`, body(''));
  const baseSha = repo.commit('base');
  repo.git('checkout', '-q', '-b', 'feature');
  for (let i = 0; i < files; i++) repo.write(`src/m${i % 20}/f${i}.ts`, body(` // changed ${i}`));
  const headSha = repo.commit('touch 300 files');
  const findings = Array.from({ length: 200 }, (_, i) => ({
    title: `Finding ${i} in file ${i}`,
    body: `Body ${i}.`,
    confidence_score: 0.5,
    priority: i % 4,
    code_location: {
      absolute_file_path: repo.path(`src/m${i % 20}/f${i}.ts`),
      line_range: { start: 21, end: 21 },
    },
  }));
  const reply = JSON.stringify({
    findings,
    overall_correctness: 'patch is incorrect',
    overall_explanation: 'Many.',
    overall_confidence_score: 0.5,
  });
  const latencyMs = 5_000;
  const model: FakeResponsesApi = await new FakeResponsesApi(
    (request): Reply => {
      // The follow-up asks for every inline finding's fix by number; each gets one.
      const text = isSuggestionRequest(request)
        ? JSON.stringify({
            suggestions: [
              ...JSON.stringify(request.body.input?.at(-1)).matchAll(/Finding (\d+): /g),
            ].map((m) => ({
              id: Number(m[1]),
              replacement: 'export const v20 = 20; // changed, fixed',
            })),
          })
        : reply;
      return { kind: 'items', items: [message(text)], usage: estimatedUsage(model, request, text) };
    },
    { latencyMs },
  ).start();

  // Codex alone: the same pinned binary, the same review, nothing around it.
  const binary = path.join(
    toolCache,
    'codex',
    DEFAULT_CODEX_VERSION,
    PLATFORM.triple,
    'bin',
    PLATFORM.binaryName,
  );
  const codexHome = tmp();
  const aloneRuns: number[] = [];
  for (let i = 0; i < 3; i++) {
    const [, ms] = await timed(
      () =>
        new Promise<void>((resolve, reject) => {
          const child = spawn(
            binary,
            [
              'exec',
              '--json',
              '-c',
              `openai_base_url="${model.url}"`,
              '-s',
              'read-only',
              'review',
              '--base',
              baseSha,
            ],
            {
              cwd: repo.dir,
              env: {
                PATH: process.env.PATH,
                HOME: codexHome,
                CODEX_HOME: codexHome,
                CODEX_API_KEY: 'sk-bench-000000000000000000',
              },
              stdio: ['ignore', 'ignore', 'ignore'],
            },
          );
          child.on('close', (code) =>
            code === 0 ? resolve() : reject(new Error(`codex exited ${code}`)),
          );
        }),
    );
    aloneRuns.push(ms);
  }
  const aloneMs = median(aloneRuns);

  const actionRuns = async (suggestions: boolean) => {
    const walls: number[] = [];
    const firstRequest: number[] = [];
    const followUps: number[] = [];
    let outcome: SuggestionsRecord | undefined;
    for (let i = 0; i < 3; i++) {
      const gh = await new FakeGitHub({
        repoDir: repo.dir,
        owner: 'octo',
        repo: 'demo',
        tokens: { [FAKE_GITHUB_TOKEN]: 'write' },
        permissions: { octocat: 'write' },
      }).start();
      gh.setPullRequest({ number: 1, baseSha, headSha });
      model.requests.length = 0;
      const startedAt = performance.timeOrigin + performance.now();
      const [run, wall] = await timed(() =>
        runAction({
          workspace: repo.dir,
          toolCache,
          inputs: {
            'openai-api-key': 'sk-bench-000000000000000000',
            'openai-base-url': model.url,
            incremental: 'false',
            suggestions: String(suggestions),
          },
          payload: { pull_request: { number: 1, base: { sha: baseSha }, head: { sha: headSha } } },
          sha: headSha,
          env: { GITHUB_API_URL: gh.url },
          timeoutMs: 600_000,
        }),
      );
      if (run.exitCode !== 0) throw new Error(`action failed:\n${run.stdout}`);
      if (Number(run.outputs['findings-count']) !== 200) throw new Error('expected 200 findings');
      walls.push(wall);
      firstRequest.push(model.requests[0]!.receivedAt - startedAt);
      followUps.push(model.requests.filter(isSuggestionRequest).length);
      outcome = (
        JSON.parse(fs.readFileSync(run.outputs['findings-file']!, 'utf8')) as {
          suggestions?: SuggestionsRecord;
        }
      ).suggestions;
      await gh.stop();
    }
    return { wallMs: median(walls), firstMs: median(firstRequest), followUps, outcome };
  };
  const plain = await actionRuns(false);
  const suggesting = await actionRuns(true);
  rows.push([
    `PR of ${files} files / 200 findings, model latency 5 s: Codex alone (median of 3)`,
    seconds(aloneMs),
    'baseline',
  ]);
  rows.push([
    `PR of ${files} files / 200 findings, model latency 5 s: the action, posting, \`suggestions: false\` (median of 3)`,
    seconds(plain.wallMs),
    `${(plain.wallMs / aloneMs).toFixed(2)} × Codex alone (goal ≤ 1.10)`,
  ]);
  rows.push([
    'start → first model request, warm tool cache (median of 3)',
    seconds(plain.firstMs),
    `${(plain.firstMs / npmInstallMs).toFixed(3)} × npm install -g (goal ≤ 0.1)`,
  ]);
  const u = suggesting.outcome?.usage;
  rows.push([
    'cost: the action with suggested changes (`suggestions: true`, the default; median of 3)',
    seconds(suggesting.wallMs),
    `${(suggesting.wallMs / aloneMs).toFixed(2)} × Codex alone; +${seconds(suggesting.wallMs - plain.wallMs)} (one more model turn)`,
  ]);
  rows.push([
    'cost: extra model requests for suggested changes',
    String(Math.max(...suggesting.followUps)),
    `${suggesting.outcome?.asked ?? 0} inline finding(s) asked about in one follow-up turn (\`max-inline-comments: 25\`), ${suggesting.outcome?.accepted ?? 0} suggestion(s) posted`,
  ]);
  rows.push([
    'cost: extra tokens for suggested changes (input / cached / output)',
    u ? `${u.input_tokens} / ${u.cached_input_tokens} / ${u.output_tokens}` : 'n/a',
    "estimated by the fake model: 4 characters a token, the prefix repeated from the review's request cached (OpenAI: from 1,024 tokens, in steps of 128)",
  ]);
  await model.stop();
  repo.remove();
  fs.rmSync(codexHome, { recursive: true, force: true });
  fs.rmSync(toolCache, { recursive: true, force: true });
}

/**
 * Issue 14: an audit of a repository of 3,000 files, whole and split over n = 2 and 4 shards that
 * run side by side (as a matrix does), against a fake model whose time grows with the files it is
 * given; then the merge job. Runs bundles built from src/ (the committed dist/ may lag behind).
 */
async function shards(): Promise<void> {
  const bundles = tmp();
  execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'build.mjs'), bundles], {
    stdio: 'ignore',
  });
  const entry = path.join(bundles, 'action', 'index.js');
  const toolCache = tmp();
  seedToolCache(toolCache);
  const repo = GitRepo.create('codex-review-bench-shards-');
  const files = 3_000;
  for (let i = 0; i < files; i++) {
    // 10 packages of 6 modules; sizes vary so that balancing by size matters.
    const lines = 10 + ((i * 37) % 90);
    repo.write(
      `pkg${i % 10}/mod${Math.floor(i / 10) % 6}/f${i}.ts`,
      `${Array.from({ length: lines }, (_, l) => `export const v${l} = ${l};`).join('\n')}\n`,
    );
  }
  const sha = repo.commit('a repository of 3,000 files');
  const findings = Array.from({ length: 60 }, (_, i) => ({
    title: `Finding ${i}`,
    body: `Body ${i}.`,
    confidence_score: 0.5,
    priority: i % 4,
    code_location: {
      absolute_file_path: repo.path(
        `pkg${(i * 50) % 10}/mod${Math.floor((i * 50) / 10) % 6}/f${i * 50}.ts`,
      ),
      line_range: { start: 1, end: 1 },
    },
  }));
  const reply = JSON.stringify({
    findings,
    overall_correctness: 'patch is incorrect',
    overall_explanation: 'Many.',
    overall_confidence_score: 0.5,
  });
  // A model that reads what it is given: 300 ms, plus 5 ms per file (a shard's prompt says how
  // many files are its own; a whole run is given all of them). Real audits take minutes to hours,
  // where the fixed cost of a job matters even less than here.
  const baseMs = 300;
  const perFileMs = 5;
  const modelMs = (slice: number) => baseMs + perFileMs * slice;
  const model = await new FakeResponsesApi(() => ({ kind: 'items', items: [message(reply)] }), {
    latencyMs: (request) => {
      const count = /the (\d+) files? below/.exec(JSON.stringify(request.body.input ?? []));
      return modelMs(count ? Number(count[1]) : files);
    },
  }).start();
  const job = async (shard: string | undefined) => {
    const [run, wall] = await timed(() =>
      runAction({
        workspace: repo.dir,
        toolCache,
        entry,
        eventName: 'schedule',
        sha,
        inputs: {
          'openai-api-key': 'sk-bench-000000000000000000',
          'openai-base-url': model.url,
          mode: 'exec',
          prompt: 'Audit this repository.',
          ...(shard ? { shard } : {}),
        },
        timeoutMs: 600_000,
      }),
    );
    if (run.exitCode !== 0) throw new Error(`shard ${shard ?? 'whole'} failed:\n${run.stdout}`);
    return { run, wall };
  };
  const whole = await job(undefined);
  rows.push([
    `audit of ${files} files, model 0.3 s + 5 ms/file: one job (n = 1)`,
    seconds(whole.wall),
    `baseline; the model ${seconds(modelMs(files))}`,
  ]);
  for (const n of [2, 4]) {
    const [runs, wall] = await timed(() =>
      Promise.all(Array.from({ length: n }, (_, i) => job(`${i + 1}/${n}`))),
    );
    const slowest = Math.max(...runs.map((r) => r.wall));
    const fastest = Math.min(...runs.map((r) => r.wall));
    const sliceFiles = runs.map(
      (r) =>
        (
          JSON.parse(fs.readFileSync(r.run.outputs['findings-file']!, 'utf8')) as {
            shard: { files: number };
          }
        ).shard.files,
    );
    rows.push([
      `audit of ${files} files: n = ${n} shards side by side (slowest job)`,
      seconds(wall),
      `${(wall / whole.wall).toFixed(2)} × one job (1/n = ${(1 / n).toFixed(2)}); jobs ${seconds(fastest)}–${seconds(slowest)}, ` +
        `slices of ${Math.min(...sliceFiles)}–${Math.max(...sliceFiles)} files, the model ${seconds(modelMs(Math.max(...sliceFiles)))} at most`,
    ]);
    if (n !== 4) continue;
    // This machine's CPUs are shared by the n jobs; on a matrix each job has a runner of its own.
    const alone = await job(`1/${n}`);
    rows.push([
      `audit of ${files} files: shard 1/${n} alone (a runner of its own)`,
      seconds(alone.wall),
      `${(alone.wall / whole.wall).toFixed(2)} × one job`,
    ]);
    const shardDir = repo.path('shards');
    runs.forEach((r, i) => {
      fs.mkdirSync(path.join(shardDir, String(i + 1)), { recursive: true });
      fs.copyFileSync(
        r.run.outputs['findings-file']!,
        path.join(shardDir, String(i + 1), 'findings.json'),
      );
    });
    const [merged, mergeMs] = await timed(() =>
      runAction({
        workspace: repo.dir,
        toolCache: tmp(),
        entry,
        eventName: 'schedule',
        sha,
        inputs: {
          mode: 'merge',
          'merge-from': 'shards/*/findings.json',
          post: 'none',
          'sarif-file': 'codex.sarif',
        },
      }),
    );
    if (merged.exitCode !== 0) throw new Error(`merge failed:\n${merged.stdout}`);
    rows.push([
      `merge job of the ${n} shards (${merged.outputs['findings-count']} findings, SARIF)`,
      seconds(mergeMs),
      'node start included; no Codex, no model request',
    ]);
  }
  await model.stop();
  repo.remove();
  fs.rmSync(toolCache, { recursive: true, force: true });
  fs.rmSync(bundles, { recursive: true, force: true });
}

interface SuggestionsRecord {
  asked: number;
  accepted: number;
  usage: { input_tokens: number; cached_input_tokens: number; output_tokens: number } | null;
}

const isSuggestionRequest = (request: RecordedRequest) =>
  JSON.stringify(request.body.text?.format?.schema ?? {}).includes('"suggestions"');

/**
 * Token counts a model would report for a request, estimated from its text: 4 characters a
 * token; as cached, the longest start of its input it shares with an earlier request of the same
 * prompt_cache_key, counted as OpenAI's prompt caching does (only from 1,024 tokens, in steps of
 * 128). An estimate to compare runs by, not a price list.
 */
function estimatedUsage(
  model: FakeResponsesApi,
  request: RecordedRequest,
  replyText: string,
): Usage {
  const input = JSON.stringify(request.body.input ?? []);
  const tokens = (chars: number) => Math.ceil(chars / 4);
  let shared = 0;
  for (const earlier of model.requests) {
    if (earlier === request || earlier.body.prompt_cache_key !== request.body.prompt_cache_key)
      continue;
    const before = JSON.stringify(earlier.body.input ?? []);
    let n = 0;
    while (n < before.length && n < input.length && before[n] === input[n]) n++;
    shared = Math.max(shared, n);
  }
  const cached = tokens(shared) >= 1024 ? Math.floor(tokens(shared) / 128) * 128 : 0;
  return {
    input_tokens: tokens(input.length),
    cached_tokens: Math.min(cached, tokens(input.length)),
    output_tokens: tokens(replyText.length),
  };
}

// `npm run bench -- cost big` runs only those sections (setup always runs: it is the baseline).
const only = process.argv.slice(2);
const wanted = (name: string) => only.length === 0 || only.includes(name);
await setup();
if (wanted('cost')) await costAgainstCodexAlone();
if (wanted('overhead')) await overhead();
if (wanted('parsing')) await parsing(500);
if (wanted('big')) await bigPullRequest();
if (wanted('shards')) await shards();
console.log(
  `\ncodex-review benchmark (${os.cpus().length} CPUs, Node ${process.version}, Codex ${DEFAULT_CODEX_VERSION})\n`,
);
console.log('| measure | value | note |\n|---|---|---|');
for (const [name, value, note] of rows) console.log(`| ${name} | ${value} | ${note} |`);
