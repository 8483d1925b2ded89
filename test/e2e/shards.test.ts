// Sharded runs and their merge, as users run them: three matrix jobs (`shard: i/3`) with the real
// Codex CLI against the fake model, their findings files gathered like download-artifact does,
// then one merge job (`mode: merge` / `codex-review merge`) that publishes one result.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Redactor } from '../../src/core/redact.js';
import { writeFindingsFile } from '../../src/core/report/findings-file.js';
import { fingerprintOf } from '../../src/core/review/finding.js';
import type { ReviewResult } from '../../src/core/review/result.js';
import { SUMMARY_MARKER } from '../../src/core/state/markers.js';
import { FakeGitHub } from '../fakes/github-api.js';
import { FakeGitLab } from '../fakes/gitlab-api.js';
import { FakeResponsesApi, message, type RecordedRequest } from '../fakes/responses-api.js';
import { FAKE_GITHUB_TOKEN, runAction, runCli } from '../support/action-runner.js';
import { GitRepo } from '../support/git-repo.js';
import { mergeRequestJob } from '../support/gitlab-job.js';

const KEY = 'sk-test-shards-0123456789abcdefghij';
const TOKEN = 'glpat-test-token-0123456789abcd';
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

const body = (label: string, n: number) =>
  `${Array.from({ length: n }, (_, i) => `export const ${label}${i} = ${i};`).join('\n')}\n`;

/** Three directories of about the same size: three shards of one directory each. */
function auditRepo(): { repo: GitRepo; sha: string } {
  const repo = GitRepo.create();
  cleanups.push(() => repo.remove());
  for (const dir of ['api', 'db', 'ui']) {
    repo.write(`${dir}/one.js`, body(`${dir}One`, 40));
    repo.write(`${dir}/two.js`, body(`${dir}Two`, 40));
  }
  repo.write('README.md', '# demo\n');
  return { repo, sha: repo.commit('initial') };
}

/** Every shard's model reports the same three problems, one in each directory. */
function auditReply(repo: GitRepo) {
  return JSON.stringify({
    findings: [
      ['Unvalidated user id', 'api/one.js', 0],
      ['Query built by concatenation', 'db/two.js', 1],
      ['Unescaped HTML', 'ui/one.js', 2],
    ].map(([title, file, priority]) => ({
      title,
      body: `Details of ${title}.`,
      confidence_score: 0.9,
      priority,
      code_location: {
        absolute_file_path: repo.path(file as string),
        line_range: { start: 3, end: 3 },
      },
    })),
    overall_correctness: 'patch is incorrect',
    overall_explanation: 'Three problems.',
    overall_confidence_score: 0.8,
  });
}

const promptOf = (r: RecordedRequest) => JSON.stringify(r.body.input ?? []);

function emptyDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'codex-review-empty-cache-'));
  cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function githubSetup() {
  const { repo, sha } = auditRepo();
  const gh = await new FakeGitHub({
    repoDir: repo.dir,
    owner: 'octo',
    repo: 'demo',
    tokens: { [FAKE_GITHUB_TOKEN]: 'write' },
    permissions: { octocat: 'write' },
  }).start();
  cleanups.push(() => gh.stop());
  const model = await new FakeResponsesApi(
    () => ({ kind: 'items', items: [message(auditReply(repo))] }),
    { apiKey: KEY },
  ).start();
  cleanups.push(() => model.stop());
  const env = {
    GITHUB_API_URL: gh.url,
    GITHUB_WORKFLOW: 'Nightly audit',
    GITHUB_JOB: 'audit',
    CODEX_REVIEW_GITHUB_RETRY_BASE_MS: '50',
  };
  /** One matrix job; its findings file lands where download-artifact would put it. */
  const shard = async (index: number, key = KEY) => {
    const run = await runAction({
      workspace: repo.dir,
      eventName: 'schedule',
      sha,
      inputs: {
        'openai-api-key': key,
        'openai-base-url': model.url,
        mode: 'exec',
        prompt: 'Audit this repository for security problems.',
        shard: `${index}/3`,
      },
      env,
    });
    const file = path.join(run.tempDir, 'runner_temp', 'codex-review', 'findings.json');
    if (fs.existsSync(file)) {
      const target = repo.path(`shards/shard-${index}/findings.json`);
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.copyFileSync(file, target);
    }
    return run;
  };
  const merge = (inputs: Record<string, string> = {}) =>
    runAction({
      workspace: repo.dir,
      eventName: 'schedule',
      sha,
      toolCache: emptyDir(),
      inputs: {
        mode: 'merge',
        'merge-from': 'shards/*/findings.json',
        post: 'issue',
        'sarif-file': 'codex.sarif',
        ...inputs,
      },
      env: { ...env, GITHUB_JOB: 'merge' },
    });
  return { repo, gh, model, shard, merge };
}

describe('a sharded audit on GitHub: a matrix of three, then a merge job', () => {
  it('gives each shard its own files, and merges into one tracking issue and one SARIF', async () => {
    const { repo, gh, model, shard, merge } = await githubSetup();
    const shards = await Promise.all([1, 2, 3].map((i) => shard(i)));
    for (const run of shards) expect(run.exitCode, run.stdout).toBe(0);

    // Each job told Codex which files are its own: one directory each, disjoint, complete.
    const listed = model.requests.map((r) => {
      const prompt = promptOf(r);
      const index = /shard (\d) of 3/.exec(prompt)?.[1];
      const dirs = [...prompt.matchAll(/\\n- ([a-z]+\/)/g)].map((m) => m[1]);
      return [index, dirs] as const;
    });
    expect(listed.map(([i]) => i).sort()).toEqual(['1', '2', '3']);
    expect(listed.flatMap(([, dirs]) => dirs).sort()).toEqual(['api/', 'db/', 'ui/']);

    // Every shard saw all three problems; each kept its own and set the others aside.
    for (const [i, run] of shards.entries()) {
      expect(run.outputs['findings-count']).toBe('1');
      const file = JSON.parse(fs.readFileSync(run.outputs['findings-file']!, 'utf8'));
      expect(file.shard).toMatchObject({ index: i + 1, total: 3, status: 'completed' });
      expect(file.findings.map((f: { placement: string }) => f.placement).sort()).toEqual([
        'not-posted',
        'out-of-shard',
        'out-of-shard',
      ]);
    }
    expect(gh.writeCalls()).toBe(0);

    const requests = model.requests.length;
    const merged = await merge();
    expect(merged.exitCode, merged.stdout).toBe(0);
    expect(model.requests).toHaveLength(requests);
    expect(merged.log).toMatch(
      /Shard 2\/3: completed, 1 finding\(s\), 2 set aside as out-of-shard/,
    );
    expect(merged.outputs['findings-count']).toBe('3');

    expect(gh.issues()).toHaveLength(1);
    const issue = gh.issues()[0]!;
    expect(issue.title).toBe('Codex audit: Nightly audit');
    for (const title of ['Unvalidated user id', 'Query built by concatenation', 'Unescaped HTML'])
      expect(issue.body!.split(`**${title}**`)).toHaveLength(2);

    const sarif = JSON.parse(fs.readFileSync(repo.path('codex.sarif'), 'utf8'));
    expect(
      sarif.runs[0].results.map(
        (r: { locations: Array<{ physicalLocation: { artifactLocation: { uri: string } } }> }) =>
          r.locations[0]!.physicalLocation.artifactLocation.uri,
      ),
    ).toEqual(['api/one.js', 'db/two.js', 'ui/one.js']);
    const file = JSON.parse(fs.readFileSync(merged.outputs['findings-file']!, 'utf8'));
    expect(file.usage.input_tokens).toBe(300);
  });

  it('names a failed shard and a missing one, writes no SARIF, leaves the issue alone and fails', async () => {
    const { repo, gh, shard, merge } = await githubSetup();
    expect((await shard(1)).exitCode).toBe(0);
    const failed = await shard(2, 'sk-wrong-key-0123456789abcdefghijkl');
    expect(failed.exitCode).toBe(1);
    // Shard 3 never uploaded anything.
    const merged = await merge();
    expect(merged.exitCode).toBe(1);
    expect(merged.log).toMatch(
      /::error::The merged result is incomplete: shard 2\/3 failed \(.*401/,
    );
    expect(merged.log).toContain('shard 3/3 is missing');
    expect(merged.log).toContain('No SARIF or Code Quality report was written');
    expect(fs.existsSync(repo.path('codex.sarif'))).toBe(false);
    expect(gh.issues()).toHaveLength(0);
    expect(merged.summary).toContain('The merged result is incomplete');
    // What the finished shard found is not lost.
    const file = JSON.parse(fs.readFileSync(merged.outputs['findings-file']!, 'utf8'));
    expect(file.findings.map((f: { title: string }) => f.title)).toEqual(['Unvalidated user id']);
  });
});

describe('a sharded merge request review on GitLab: parallel: 3, then codex-review merge', () => {
  it('reviews one slice per job and posts one summary, the discussions and one Code Quality report', async () => {
    const repo = GitRepo.create();
    cleanups.push(() => repo.remove());
    for (const dir of ['a', 'b', 'c', 'd']) repo.write(`${dir}/x.js`, body(dir, 30));
    const baseSha = repo.commit('base');
    repo.git('checkout', '-q', '-b', 'feature');
    for (const dir of ['a', 'b', 'c']) {
      const lines = body(dir, 30).split('\n');
      lines.splice(5, 0, `export const changed_${dir} = true;`);
      repo.write(`${dir}/x.js`, lines.join('\n'));
    }
    const headSha = repo.commit('change a, b and c');
    const gl = await new FakeGitLab({
      repoDir: repo.dir,
      projectId: 42,
      projectPath: 'group/demo',
      tokens: { [TOKEN]: 'api' },
    }).start();
    cleanups.push(() => gl.stop());
    gl.setMergeRequest({ iid: 7, baseSha, headSha });
    // Every shard reports the three changed lines and one problem in an unchanged file (d/x.js),
    // which no shard owns: each keeps it, and the merge posts it once.
    const reply = JSON.stringify({
      findings: ['a', 'b', 'c', 'd'].map((dir) => ({
        title: `Problem in ${dir}`,
        body: `Why ${dir}.`,
        confidence_score: 0.8,
        priority: 1,
        code_location: {
          absolute_file_path: repo.path(`${dir}/x.js`),
          line_range: { start: 6, end: 6 },
        },
      })),
      overall_correctness: 'patch is incorrect',
      overall_explanation: 'Problems.',
      overall_confidence_score: 0.7,
    });
    const model = await new FakeResponsesApi(() => ({ kind: 'items', items: [message(reply)] }), {
      apiKey: KEY,
    }).start();
    cleanups.push(() => model.stop());
    const ciEnv = {
      ...mergeRequestJob(gl.url, repo.dir),
      CI_MERGE_REQUEST_IID: '7',
      CI_MERGE_REQUEST_DIFF_BASE_SHA: baseSha,
      CI_COMMIT_SHA: headSha,
      GITLAB_TOKEN: TOKEN,
    };
    const shards = await Promise.all(
      [1, 2, 3].map((i) =>
        runCli(['gitlab'], {
          cwd: repo.dir,
          env: {
            ...ciEnv,
            OPENAI_API_KEY: KEY,
            CODEX_REVIEW_OPENAI_BASE_URL: model.url,
            CI_NODE_INDEX: String(i),
            CI_NODE_TOTAL: '3',
          },
        }),
      ),
    );
    for (const run of shards) expect(run.code, run.stderr).toBe(0);
    expect(gl.notes(7)).toHaveLength(0);
    for (const i of [1, 2, 3])
      expect(fs.existsSync(repo.path(`codex-review-findings-${i}-of-3.json`))).toBe(true);
    // A review's slice is its changed files: a/, b/, c/ (d/ did not change).
    const prompts = model.requests.map(promptOf).join('\n');
    expect(prompts).toMatch(/Review the code changes against the base branch/);
    expect([...prompts.matchAll(/\\n- ([a-z]\/x\.js|[a-z]\/)/g)].map((m) => m[1]).sort()).toEqual([
      'a/',
      'b/',
      'c/',
    ]);

    const requests = model.requests.length;
    const merged = await runCli(['merge', '--merge-from', 'codex-review-findings-*-of-3.json'], {
      cwd: repo.dir,
      env: { ...ciEnv, CODEX_REVIEW_CODEQUALITY_FILE: 'gl-codequality.json' },
    });
    expect(merged.code, merged.stderr).toBe(0);
    expect(model.requests).toHaveLength(requests);
    const summaries = gl.notes(7).filter((n) => n.body.includes(SUMMARY_MARKER));
    expect(summaries).toHaveLength(1);
    const inline = gl.discussions(7).filter((d) => d.notes[0]!.position);
    expect(inline.map((d) => d.notes[0]!.position!.new_path).sort()).toEqual([
      'a/x.js',
      'b/x.js',
      'c/x.js',
    ]);
    expect(summaries[0]!.body.split('| Problem in d |')).toHaveLength(2);
    expect(summaries[0]!.body).toContain('4 findings (4 × P1) — 3 posted inline, 1 listed below');
    const report = JSON.parse(fs.readFileSync(repo.path('gl-codequality.json'), 'utf8'));
    expect(report.map((i: { location: { path: string } }) => i.location.path).sort()).toEqual([
      'a/x.js',
      'b/x.js',
      'c/x.js',
      'd/x.js',
    ]);
  });
});

describe('codex-review merge outside GitLab', () => {
  /** A shard's findings file as the shard writes it. */
  function writeShard(repo: GitRepo, index: number, total: number, title: string) {
    const finding = {
      title,
      body: `Why ${title}.`,
      priority: 1,
      confidence: 0.9,
      path: 'app.js',
      startLine: 1,
      endLine: 1,
      inRepo: true,
      fingerprint: fingerprintOf('app.js', title),
    };
    const result: ReviewResult = {
      mode: 'exec',
      target: undefined,
      headSha: repo.git('rev-parse', 'HEAD'),
      threadId: 't',
      finalMessage: '{}',
      findings: [finding],
      verdict: { correctness: 'patch is incorrect', explanation: 'One.', confidence: 0.5 },
      structured: undefined,
      source: 'exec-json',
      incomplete: undefined,
      usage: {
        input_tokens: 1,
        cached_input_tokens: 0,
        output_tokens: 1,
        reasoning_output_tokens: 0,
      },
      blockingCount: 0,
      codex: { version: '0.171.0', durationMs: 10, fromCache: true },
      exec: { schema: 'built-in', replyErrors: [], findingsShaped: true },
    };
    writeFindingsFile(
      repo.path(`shards/${index}.json`),
      result,
      new Redactor(),
      { roots: [repo.dir] },
      {
        shard: {
          index,
          total,
          status: 'completed',
          reason: undefined,
          files: 1,
          outOfShard: [],
        },
      },
    );
  }

  it('prints the merged findings and writes the files, with no key and no Codex', async () => {
    const repo = GitRepo.create();
    cleanups.push(() => repo.remove());
    repo.write('app.js', 'x\n');
    repo.commit('initial');
    writeShard(repo, 1, 2, 'First problem');
    writeShard(repo, 2, 2, 'Second problem');
    const cache = emptyDir();
    const run = await runCli(
      [
        'merge',
        '--merge-from',
        'shards/*.json',
        '--sarif-file',
        'out.sarif',
        '--findings-file',
        'merged.json',
      ],
      { cwd: repo.dir, env: { CODEX_REVIEW_CACHE_DIR: cache } },
    );
    expect(run.code, run.stderr).toBe(0);
    expect(fs.readdirSync(cache)).toEqual([]);
    expect(run.stdout).toContain('First problem');
    expect(run.stdout).toContain('Second problem');
    expect(
      JSON.parse(fs.readFileSync(repo.path('out.sarif'), 'utf8')).runs[0].results,
    ).toHaveLength(2);
    expect(JSON.parse(fs.readFileSync(repo.path('merged.json'), 'utf8')).findings).toHaveLength(2);
  });

  it('fails naming the missing shard, and writes no SARIF', async () => {
    const repo = GitRepo.create();
    cleanups.push(() => repo.remove());
    repo.write('app.js', 'x\n');
    repo.commit('initial');
    writeShard(repo, 1, 3, 'First problem');
    writeShard(repo, 3, 3, 'Third problem');
    const run = await runCli(
      ['merge', '--merge-from', 'shards/*.json', '--sarif-file', 'out.sarif'],
      {
        cwd: repo.dir,
      },
    );
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('shard 2/3 is missing');
    expect(fs.existsSync(repo.path('out.sarif'))).toBe(false);
  });

  it('refuses another mode and a glob that matches nothing, naming the setting', async () => {
    const repo = GitRepo.create();
    cleanups.push(() => repo.remove());
    const other = await runCli(['merge', '--mode', 'review', '--merge-from', 'x'], {
      cwd: repo.dir,
    });
    expect(other.code).toBe(1);
    expect(other.stderr).toContain('`codex-review merge` always runs with `mode: merge`');
    const none = await runCli(['merge', '--merge-from', 'nothing/*.json'], { cwd: repo.dir });
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('setting `merge-from` = "nothing/*.json": no file matches');
    // A findings file reached through a symlinked directory is not read.
    const elsewhere = fs.mkdtempSync(path.join(os.tmpdir(), 'codex-review-elsewhere-'));
    cleanups.push(() => fs.rmSync(elsewhere, { recursive: true, force: true }));
    fs.writeFileSync(path.join(elsewhere, '1.json'), '{}');
    fs.symlinkSync(elsewhere, repo.path('linked'));
    const linked = await runCli(['merge', '--merge-from', 'linked/1.json'], { cwd: repo.dir });
    expect(linked.code).toBe(1);
    expect(linked.stderr).toContain(`${repo.path('linked')} is a symbolic link; refusing to read`);
  });
});
