import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../src/core/errors.js';
import {
  parseCodexArgs,
  parseSettings,
  SETTING_DEFINITIONS,
  SETTING_NAMES,
  SETTINGS_SCHEMA,
  type RawSettings,
  type SettingName,
} from '../../src/core/settings.js';

const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'codex-review-settings-'));
fs.writeFileSync(path.join(workspace, 'prompt.md'), 'Audit for SQL injection.\n');
fs.writeFileSync(
  path.join(workspace, 'schema.json'),
  '{"type":"object","properties":{},"required":[],"additionalProperties":false}',
);
fs.writeFileSync(path.join(workspace, 'broken.json'), '{"type": ');

const STRICT = '{"type":"object","properties":{},"required":[],"additionalProperties":false}';

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

describe('parseSettings', () => {
  it('gives every setting its documented default when nothing is set', () => {
    const s = parse({});
    expect(s).toMatchObject({
      mode: 'review',
      sandbox: 'read-only',
      post: 'auto',
      incremental: true,
      minPriority: 2,
      maxInlineComments: 25,
      failOn: 'none',
      timeoutMs: 30 * 60_000,
      codexVersion: SETTING_DEFINITIONS['codex-version'].default,
      safetyStrategy: 'drop-sudo',
      allowUntrustedPullRequests: false,
      workingDirectory: workspace,
      codexArgs: [],
      githubToken: undefined,
    });
  });

  it('treats empty strings (unset action inputs) as defaults', () => {
    expect(parse({ mode: '', sandbox: '  ', 'timeout-minutes': '' }).mode).toBe('review');
  });

  it.each([
    ['mode', 'reveiw', 'must be one of "review", "exec"'],
    ['sandbox', 'full', 'must be one of "read-only", "workspace-write", "danger-full-access"'],
    ['post', 'inline', 'must be one of "auto", "review", "summary", "issue", "none"'],
    ['fail-on', 'p4', 'must be one of "none", "p0", "p1", "p2", "p3", "any"'],
    ['effort', 'max', 'must be empty or one of "minimal", "low", "medium", "high", "xhigh"'],
    ['safety-strategy', 'root', 'must be one of "drop-sudo", "unprivileged-user", "unsafe"'],
    ['min-priority', 'high', 'must be a whole number from 0 (P0, most severe) to 3'],
    ['min-priority', '4', 'must be a whole number from 0 (P0, most severe) to 3'],
    ['max-inline-comments', '-1', 'must be a whole number from 0 to 1000'],
    ['max-inline-comments', 'ten', 'must be a whole number from 0 to 1000'],
    ['timeout-minutes', '0', 'must be a number of minutes greater than 0'],
    ['timeout-minutes', '-5', 'must be a number of minutes greater than 0'],
    ['timeout-minutes', 'soon', 'must be a number of minutes greater than 0'],
    ['openai-base-url', 'api.openai.com', 'must be an http(s) URL'],
    ['openai-base-url', 'ftp://example.com', 'must be an http(s) URL'],
    ['incremental', 'yes', 'must be "true" or "false"'],
    ['codex-version', 'latest', 'must be an exact version of @openai/codex'],
  ] as const)(
    'rejects %s = %j, naming the setting, the value and what is allowed',
    (name, value, allowed) => {
      const [problem] = problemsOf({ [name]: value });
      expect(problem!.startsWith(`setting \`${name}\` = ${JSON.stringify(value)}: `)).toBe(true);
      expect(problem).toContain(allowed);
    },
  );

  it('reports every bad setting at once', () => {
    const problems = problemsOf({
      mode: 'x',
      sandbox: 'y',
      'timeout-minutes': '0',
      'codex-args': '"open',
    });
    expect(problems).toHaveLength(4);
    expect(problems.join('\n')).toContain('`codex-args`');
  });

  it('accepts fractional timeouts in minutes', () => {
    expect(parse({ 'timeout-minutes': '0.05' }).timeoutMs).toBe(3000);
    expect(parse({ 'timeout-minutes': '1.5' }).timeoutMs).toBe(90_000);
  });

  it('requires a prompt in exec mode', () => {
    expect(problemsOf({ mode: 'exec' })).toEqual([
      'setting `prompt` = "": is required when `mode` is "exec": set `prompt` or `prompt-file`',
    ]);
  });

  it('resolves prompt-file against the workspace and leaves reading it to the review rules', () => {
    // The file is read later, from the commit review rules come from (test/unit/review-rules.test.ts).
    const s = parse({ mode: 'exec', 'prompt-file': 'nope.md' });
    expect(s.promptFile).toBe(path.join(workspace, 'nope.md'));
    expect(s.prompt).toBeUndefined();
  });

  it('refuses prompt and prompt-file together', () => {
    expect(problemsOf({ mode: 'exec', prompt: 'a', 'prompt-file': 'prompt.md' })[0]).toContain(
      'set only one of them',
    );
  });

  it('parses an inline or file output schema and rejects broken JSON', () => {
    expect(parse({ mode: 'exec', prompt: 'p', 'output-schema': STRICT }).outputSchema).toEqual(
      JSON.parse(STRICT),
    );
    expect(
      parse({ mode: 'exec', prompt: 'p', 'output-schema-file': 'schema.json' }).outputSchemaFile,
    ).toBe(path.join(workspace, 'schema.json'));
    expect(problemsOf({ mode: 'exec', prompt: 'p', 'output-schema': '{nope' })[0]).toContain(
      '`output-schema` = "{nope": is not valid JSON',
    );
    expect(problemsOf({ mode: 'exec', prompt: 'p', 'output-schema': '[1]' })[0]).toContain(
      'must be a JSON Schema object',
    );
  });

  it('rejects a schema the Responses API would refuse in strict mode, before anything runs', () => {
    const [problem] = problemsOf({
      mode: 'exec',
      prompt: 'p',
      'output-schema': '{"type":"object","properties":{"a":{"type":"string"}}}',
    });
    expect(problem).toContain('setting `output-schema`');
    expect(problem).toContain(
      'is not a schema the Responses API accepts for strict structured output',
    );
    expect(problem).toContain('additionalProperties');
  });

  it('refuses an output schema in review mode, where Codex would ignore it', () => {
    expect(problemsOf({ 'output-schema': STRICT })[0]).toContain(
      'only applies when `mode` is "exec"',
    );
  });

  it('refuses base and commit together', () => {
    expect(problemsOf({ base: 'main', commit: 'abc' })[0]).toContain(
      'setting `commit` = "abc": cannot be combined with `base`',
    );
  });

  it('requires codex-user for the unprivileged-user strategy', () => {
    expect(problemsOf({ 'safety-strategy': 'unprivileged-user' })[0]).toContain('`codex-user`');
  });

  it('rejects a working-directory that does not exist', () => {
    expect(problemsOf({ 'working-directory': 'missing' })[0]).toContain(
      'setting `working-directory` = "missing": is not a directory',
    );
  });

  it('reads config-file from .github/codex-review.yml by default; empty switches it off', () => {
    expect(parse({})).toMatchObject({
      configFile: path.join(workspace, '.github', 'codex-review.yml'),
      configFileExplicit: false,
    });
    expect(parse({ 'config-file': '.github/codex-review.yml' }).configFileExplicit).toBe(false);
    expect(parse({ 'config-file': 'review.yml' })).toMatchObject({
      configFile: path.join(workspace, 'review.yml'),
      configFileExplicit: true,
    });
    expect(parse({ 'config-file': '' }).configFile).toBeUndefined();
    expect(parse({ 'config-file': '  ' }).configFile).toBeUndefined();
  });

  it('splits allow lists on commas and whitespace', () => {
    expect(parse({ 'allow-users': 'alice, bob\ncarol' }).allowUsers).toEqual([
      'alice',
      'bob',
      'carol',
    ]);
  });
});

/** For each setting that can be wrong: a wrong value, and what else it takes for the check to apply. */
const WRONG: Partial<Record<SettingName, { value: string; with?: RawSettings }>> = {
  mode: { value: 'reveiw' },
  'openai-base-url': { value: 'api.openai.com' },
  'codex-version': { value: 'latest' },
  effort: { value: 'max' },
  sandbox: { value: 'full' },
  prompt: { value: '', with: { mode: 'exec' } },
  'prompt-file': { value: 'nope.md', with: { prompt: 'p' } },
  'output-schema': { value: '{nope', with: { mode: 'exec', prompt: 'p' } },
  'output-schema-file': { value: 'nope.json' },
  commit: { value: 'abc', with: { base: 'main' } },
  post: { value: 'inline' },
  incremental: { value: 'yes' },
  'min-priority': { value: '9' },
  'max-inline-comments': { value: 'ten' },
  'fail-on': { value: 'p4' },
  'timeout-minutes': { value: '0' },
  'working-directory': { value: 'missing' },
  'codex-args': { value: '"open' },
  'safety-strategy': { value: 'root' },
  'codex-user': { value: '', with: { 'safety-strategy': 'unprivileged-user' } },
  'allow-untrusted-pull-requests': { value: 'maybe' },
  'codex-env': { value: 'DATABASE_URL, 1BAD' },
  shard: { value: '5/4' },
  'merge-from': { value: 'shards/*.json', with: { mode: 'review' } },
  suggestions: { value: 'sometimes' },
  'trigger-phrase': { value: '@codex review' },
};
/** Settings any text is right for. */
const FREE_TEXT: SettingName[] = [
  'openai-api-key',
  'model',
  'base',
  'github-token',
  'gitlab-token',
  'sarif-file',
  'codequality-file',
  'codex-home',
  'allow-users',
  'allow-bots',
  'config-file',
];

describe('every setting', () => {
  it('is either one that can be wrong or free text (a new setting must be listed here)', () => {
    expect([...Object.keys(WRONG), ...FREE_TEXT].sort()).toEqual([...SETTING_NAMES].sort());
  });

  it.each(Object.entries(WRONG))(
    'that can be wrong names itself and the value when it is: %s',
    (name, { value, with: others }) => {
      const problems = problemsOf({ ...others, [name]: value });
      expect(problems).toHaveLength(1);
      expect(problems[0]!.startsWith(`setting \`${name}\` = ${JSON.stringify(value)}: `)).toBe(
        true,
      );
      expect(problems[0]!.length).toBeGreaterThan(`setting \`${name}\` = "${value}": `.length + 10);
    },
  );

  it.each(FREE_TEXT)('that is free text takes any text: %s', (name) => {
    const text = ' odd;value, with\ttabs $HOME ';
    expect(SETTINGS_SCHEMA.shape[name].safeParse(text).success).toBe(true);
    expect(() => parse({ [name]: text })).not.toThrow();
  });
});

describe('parseCodexArgs', () => {
  it('accepts a JSON array of strings', () => {
    expect(parseCodexArgs('["-c", "model_verbosity=\\"low\\""]')).toEqual([
      '-c',
      'model_verbosity="low"',
    ]);
  });
  it('splits a shell-style string, keeping quoted words whole', () => {
    expect(parseCodexArgs(`-c 'a=b c' --flag "x y"`)).toEqual(['-c', 'a=b c', '--flag', 'x y']);
  });
  it('keeps $VARS literally instead of expanding them to nothing', () => {
    expect(parseCodexArgs('--x $HOME')).toEqual(['--x', '$HOME']);
  });
  it.each([
    ['"unclosed', 'has an unclosed double quote'],
    ["'unclosed", 'has an unclosed single quote'],
    ['a | b', 'contains the shell operator "|"'],
    ['[1, 2]', 'must be a JSON array of strings'],
    ['[nope', 'is not a valid JSON array'],
  ])('rejects %j', (text, message) => {
    expect(parseCodexArgs(text)).toContain(message);
  });
});

describe('sharding settings', () => {
  it('parses shard as i/n and merge-from as a glob in the workspace', () => {
    expect(parse({ shard: '2/4' }).shard).toEqual({ index: 2, total: 4 });
    expect(parse({ mode: 'merge', 'merge-from': 'shards/*/findings.json' }).mergeFrom).toEqual({
      pattern: 'shards/*/findings.json',
      cwd: workspace,
    });
  });

  it('requires merge-from in mode merge, and refuses shard there', () => {
    expect(problemsOf({ mode: 'merge' })).toEqual([
      expect.stringMatching(/^setting `merge-from` = "": is required when `mode` is "merge"/),
    ]);
    expect(problemsOf({ mode: 'merge', 'merge-from': 'a/*.json', shard: '1/2' })).toEqual([
      expect.stringMatching(/^setting `shard` = "1\/2": does not apply when `mode` is "merge"/),
    ]);
  });

  it.each(['review', 'summary', 'issue'])('refuses post: %s in a shard of several', (post) => {
    expect(problemsOf({ shard: '1/3', post })).toEqual([
      expect.stringMatching(/^setting `post` = "\w+": cannot be "\w+" in a shard .*merge job/),
    ]);
    expect(parse({ shard: '1/1', post }).post).toBe(post);
  });
});
