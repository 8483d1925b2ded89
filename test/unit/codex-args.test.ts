// codex-args may add to Codex's command line but not switch off what codex-review sets up: each
// form Codex's parser (clap) accepts for a protection is refused, unless safety-strategy: unsafe.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { findRefusedCodexArgs } from '../../src/core/codex-args.js';
import { buildCodexArgs } from '../../src/core/codex/argv.js';
import { ConfigurationError } from '../../src/core/errors.js';
import { parseSettings, type RawSettings } from '../../src/core/settings.js';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const CODEX = path.join(ROOT, 'node_modules', '.bin', 'codex');
const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'codex-review-codex-args-'));
const parse = (raw: RawSettings) => parseSettings(raw, { workspace });

function problemsOf(raw: RawSettings): string[] {
  try {
    parse(raw);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigurationError);
    return (error as ConfigurationError).problems;
  }
  throw new Error('expected the settings to be rejected');
}

const SANDBOX = 'use the `sandbox` setting instead';
const TRUST = 'trust the checked-out project';
const ENVIRONMENT = 'environment variables the commands Codex runs can see';
const PROVIDER = 'use the `openai-base-url` and `openai-api-key` settings instead';
const DOCS = 'use the `prompt` or `prompt-file` setting';
const WORKDIR = 'use the `working-directory` setting instead';

/** [arguments, the argument named in the refusal, text of the reason]. */
const REFUSED: [string[], string, string][] = [
  [
    ['--dangerously-bypass-approvals-and-sandbox'],
    '--dangerously-bypass-approvals-and-sandbox',
    SANDBOX,
  ],
  [['--yolo'], '--yolo', SANDBOX],
  [['-s', 'danger-full-access'], '-s danger-full-access', SANDBOX],
  [['-sdanger-full-access'], '-sdanger-full-access', SANDBOX],
  [['-s=danger-full-access'], '-s=danger-full-access', SANDBOX],
  [['--sandbox', 'workspace-write'], '--sandbox workspace-write', SANDBOX],
  [['--sandbox=danger-full-access'], '--sandbox=danger-full-access', SANDBOX],
  [['--full-auto'], '--full-auto', SANDBOX],
  [['--approve-for-me'], '--approve-for-me', SANDBOX],
  [['--not-so-yolo'], '--not-so-yolo', SANDBOX],
  [['-c', 'sandbox_mode="danger-full-access"'], '-c sandbox_mode="danger-full-access"', SANDBOX],
  [['-csandbox_mode="danger-full-access"'], '-csandbox_mode="danger-full-access"', SANDBOX],
  [['-c=sandbox_mode="danger-full-access"'], '-c=sandbox_mode="danger-full-access"', SANDBOX],
  [['--config', 'sandbox_mode="x"'], '--config sandbox_mode="x"', SANDBOX],
  [['--config=sandbox_mode="x"'], '--config=sandbox_mode="x"', SANDBOX],
  [['-c', ' sandbox_mode = "x"'], '-c  sandbox_mode = "x"', SANDBOX],
  [['-c', '"sandbox_mode"="x"'], '-c "sandbox_mode"="x"', SANDBOX],
  [
    ['-c', 'sandbox_workspace_write.network_access=true'],
    '-c sandbox_workspace_write.network_access=true',
    SANDBOX,
  ],
  [
    ['-c', 'sandbox_permissions=["disk-full-read-access"]'],
    '-c sandbox_permissions=["disk-full-read-access"]',
    SANDBOX,
  ],
  [['-c', 'approval_policy="on-request"'], '-c approval_policy="on-request"', SANDBOX],
  [['-c', 'approvals_reviewer="auto_review"'], '-c approvals_reviewer="auto_review"', SANDBOX],
  [['-c', 'default_permissions="open"'], '-c default_permissions="open"', SANDBOX],
  [['-c', 'permissions.open={}'], '-c permissions.open={}', SANDBOX],
  [['--trust'], '--trust', TRUST],
  [['--dangerously-bypass-hook-trust'], '--dangerously-bypass-hook-trust', TRUST],
  [
    ['-c', 'projects."/work".trust_level="trusted"'],
    '-c projects."/work".trust_level="trusted"',
    TRUST,
  ],
  [['-c', 'projects={}'], '-c projects={}', TRUST],
  [
    ['-c', 'shell_environment_policy.ignore_default_excludes=true'],
    '-c shell_environment_policy.ignore_default_excludes=true',
    ENVIRONMENT,
  ],
  [
    ['-c', 'shell_environment_policy={inherit="all"}'],
    '-c shell_environment_policy={inherit="all"}',
    ENVIRONMENT,
  ],
  [['-c', 'model_provider="mine"'], '-c model_provider="mine"', PROVIDER],
  [
    ['-c', 'model_providers.mine.base_url="http://x"'],
    '-c model_providers.mine.base_url="http://x"',
    PROVIDER,
  ],
  [['-c', 'openai_base_url="http://x/v1"'], '-c openai_base_url="http://x/v1"', PROVIDER],
  [['-c', 'chatgpt_base_url="http://x"'], '-c chatgpt_base_url="http://x"', PROVIDER],
  [['-c', 'forced_login_method="chatgpt"'], '-c forced_login_method="chatgpt"', PROVIDER],
  [['-c', 'cli_auth_credentials_store="file"'], '-c cli_auth_credentials_store="file"', PROVIDER],
  [['--oss'], '--oss', PROVIDER],
  [['--local-provider', 'ollama'], '--local-provider ollama', PROVIDER],
  [['-c', 'project_doc_max_bytes=65536'], '-c project_doc_max_bytes=65536', DOCS],
  [
    ['-c', 'project_doc_fallback_filenames=["CLAUDE.md"]'],
    '-c project_doc_fallback_filenames=["CLAUDE.md"]',
    DOCS,
  ],
  [['-c', 'project_root_markers=[]'], '-c project_root_markers=[]', DOCS],
  [['-C', '/elsewhere'], '-C /elsewhere', WORKDIR],
  [['-C/elsewhere'], '-C/elsewhere', WORKDIR],
  [['--cd', '/elsewhere'], '--cd /elsewhere', WORKDIR],
  [['--cd=/elsewhere'], '--cd=/elsewhere', WORKDIR],
  [['--worktree'], '--worktree', WORKDIR],
  [['--add-dir', '/'], '--add-dir /', 'use the `sandbox` and `working-directory` settings'],
  [['-o', 'last.txt'], '-o last.txt', 'use the `final-message` output'],
  [['-olast.txt'], '-olast.txt', 'use the `final-message` output'],
  [['--output-last-message', 'last.txt'], '--output-last-message last.txt', '`final-message`'],
  [['--json'], '--json', 'already passed by codex-review'],
  [['--experimental-json'], '--experimental-json', 'already passed by codex-review'],
  [['--ephemeral'], '--ephemeral', 'session file'],
  [['--output-schema', 's.json'], '--output-schema s.json', 'use the `output-schema`'],
  [['--remote', 'ws://127.0.0.1:1'], '--remote ws://127.0.0.1:1', 'another Codex app server'],
  [['--remote-auth-token-env', 'T'], '--remote-auth-token-env T', 'another Codex app server'],
];

describe('findRefusedCodexArgs', () => {
  it.each(REFUSED)('refuses %j', (args, argument, reason) => {
    const refusals = findRefusedCodexArgs(args);
    expect(refusals.map((r) => r.argument)).toEqual([argument]);
    expect(refusals[0]!.reason).toContain(reason);
  });

  it.each<{ args: string[] }>([
    { args: [] },
    { args: ['-c', 'model_verbosity="low"'] },
    { args: ['--config', 'features.web_search_request=true'] },
    { args: ['-c', 'model="sandbox_mode"'] },
    { args: ['-c', 'sandbox_mode_notes=1'] },
    { args: ['--enable', 'web_search_request', '--disable', 'shell_snapshot'] },
    { args: ['-m', 'o3'] },
    { args: ['-p', 'ci'] },
    { args: ['-i', 'diagram.png'] },
    {
      args: ['--skip-git-repo-check', '--strict-config', '--ignore-user-config', '--ignore-rules'],
    },
    { args: ['--color', 'never'] },
    // After `--` every word is the prompt, never an option.
    { args: ['--', '--yolo', '-s', 'danger-full-access'] },
  ])('lets $args through', ({ args }) => {
    expect(findRefusedCodexArgs(args)).toEqual([]);
  });

  it('takes a word starting with `-` as the next option, never as a value, as clap does', () => {
    expect(findRefusedCodexArgs(['-c', '--yolo']).map((r) => r.argument)).toEqual(['--yolo']);
    expect(findRefusedCodexArgs(['--cd', '--trust']).map((r) => r.argument)).toEqual([
      '--cd',
      '--trust',
    ]);
  });

  it('names each refused argument once, in order', () => {
    expect(
      findRefusedCodexArgs(['-m', 'o3', '--trust', '-c', 'projects={}', '--yolo']).map(
        (r) => r.argument,
      ),
    ).toEqual(['--trust', '-c projects={}', '--yolo']);
  });
});

describe('codex-args in parseSettings', () => {
  it('refuses a protection, naming codex-args, the argument and the setting to use instead', () => {
    expect(problemsOf({ 'codex-args': '--yolo' })).toEqual([
      'setting `codex-args` = "--yolo": `--yolo` changes the sandbox that confines the commands Codex runs; use the `sandbox` setting instead; or set `safety-strategy` to "unsafe" if you mean it',
    ]);
  });

  it('refuses every offending argument of a shell-style string or a JSON array', () => {
    const problems = problemsOf({
      'codex-args': `--trust -c 'shell_environment_policy.inherit="all"' --cd /`,
    });
    expect(problems).toHaveLength(3);
    expect(problems[0]).toContain('`--trust`');
    expect(problems[1]).toContain('`-c shell_environment_policy.inherit="all"`');
    expect(problems[2]).toContain('`--cd /`');
    expect(problems[2]).toContain('`working-directory`');
    for (const p of problems) expect(p.startsWith('setting `codex-args` = ')).toBe(true);

    expect(problemsOf({ 'codex-args': '["-c", "openai_base_url=\\"http://x\\""]' })[0]).toContain(
      '`openai-base-url`',
    );
  });

  it('accepts them with a warning per argument when safety-strategy is unsafe', () => {
    const settings = parse({ 'codex-args': '--trust --yolo -m o3', 'safety-strategy': 'unsafe' });
    expect(settings.codexArgs).toEqual(['--trust', '--yolo', '-m', 'o3']);
    expect(settings.warnings).toHaveLength(2);
    expect(settings.warnings[0]).toMatch(
      /^setting `codex-args`: `--trust` makes Codex trust the checked-out project.*Accepted because `safety-strategy` is "unsafe"\.$/,
    );
    expect(settings.warnings[1]).toContain('`--yolo` changes the sandbox');
  });

  it('has no warnings for arguments that keep every protection', () => {
    expect(parse({ 'codex-args': '-c model_verbosity="low"' }).warnings).toEqual([]);
    expect(parse({}).warnings).toEqual([]);
  });

  it('is reported with the other bad settings, and stays refused under the other strategies', () => {
    const problems = problemsOf({ mode: 'x', 'codex-args': '--yolo' });
    expect(problems).toHaveLength(2);
    expect(problems[0]).toContain('setting `mode` = "x"');
    expect(problems[1]).toContain('`--yolo` changes the sandbox');
    expect(
      problemsOf({
        'codex-args': '--yolo',
        'safety-strategy': 'unprivileged-user',
        'codex-user': 'c',
      }),
    ).toHaveLength(1);
  });
});

describe('against the command lines codex-review builds', () => {
  /** Arguments codex-review sets that codex-args may add to without undoing a protection. */
  const OVERRIDABLE = new Set([
    '--skip-git-repo-check',
    '--disable',
    '--model',
    'model_reasoning_effort',
  ]);

  it.each([
    ['review', { mode: 'review', target: { kind: 'base', base: 'main', mergeBase: 'abc' } }],
    ['exec', { mode: 'exec', schemaFile: '/tmp/schema.json' }],
  ] as const)('every option of a %s run is one codex-args cannot override', (_, invocation) => {
    const settings = parse({
      'openai-base-url': 'http://127.0.0.1:1/v1',
      model: 'o3',
      effort: 'low',
      ...(invocation.mode === 'exec' ? { mode: 'exec', prompt: 'p' } : {}),
    });
    const args = buildCodexArgs(settings, invocation);
    const end = args.indexOf(invocation.mode === 'review' ? 'review' : '--');
    const options = args.slice(1, end === -1 ? undefined : end);
    for (let i = 0; i < options.length; i++) {
      const word = options[i]!;
      if (!word.startsWith('-')) continue;
      const value = options[i + 1];
      const key = word === '-c' ? value!.split('=')[0]! : word;
      if (OVERRIDABLE.has(key)) continue;
      const pair = value !== undefined && !value.startsWith('-') ? [word, value] : [word];
      expect(findRefusedCodexArgs(pair), `${pair.join(' ')} can be overridden`).not.toEqual([]);
    }
  });
});

describe('against the installed Codex CLI', () => {
  const help = (args: string[]) => {
    const run = spawnSync(CODEX, [...args, '--help'], { encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    return [...run.stdout.matchAll(/^\s+(?:(-\w), )?(--[\w-]+)/gm)].map((m) => ({
      short: m[1],
      long: m[2]!,
    }));
  };
  /** Options that keep every protection (or only add to the review). */
  const HARMLESS = new Set([
    '--config',
    '--enable',
    '--disable',
    '--strict-config',
    '--image',
    '--model',
    '--profile',
    '--thread-source',
    '--cyber-access-program',
    '--skip-git-repo-check',
    '--ignore-user-config',
    '--ignore-rules',
    '--color',
    '--help',
    '--version',
    '--uncommitted',
    '--base',
    '--commit',
    '--title',
  ]);

  it.each([[['exec']], [['exec', 'review']]])(
    'classifies every option `codex %s --help` lists (a new option must be judged here)',
    (command) => {
      const options = help(command);
      expect(options.length).toBeGreaterThan(10);
      for (const { short, long } of options) {
        if (HARMLESS.has(long)) {
          expect(findRefusedCodexArgs([long, 'x']), long).toEqual([]);
          continue;
        }
        expect(
          findRefusedCodexArgs([long, 'x']),
          `${long} is neither refused nor harmless`,
        ).not.toEqual([]);
        if (short) expect(findRefusedCodexArgs([short, 'x']), short).not.toEqual([]);
      }
    },
  );

  it('accepts the hidden aliases refused here, so the list is about real flags', () => {
    for (const alias of ['--yolo', '--not-so-yolo', '--experimental-json']) {
      const run = spawnSync(CODEX, ['exec', alias, '--version'], { encoding: 'utf8' });
      expect(run.stderr, alias).not.toContain('unexpected argument');
      expect(run.status, alias).toBe(0);
    }
  });
});
