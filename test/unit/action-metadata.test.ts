// action.yml, the workflows and the README examples against the schemas GitHub uses. That the
// inputs and the tables match the settings schema is settings-docs.test.ts's job.
import fs from 'node:fs';
import path from 'node:path';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { OUTPUT_NAMES } from '../../src/core/outputs.js';
import { lintStrictSchema } from '../../src/core/exec/strict-schema.js';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const SCHEMAS = path.join(ROOT, 'test', 'fixtures', 'schemas');
const WORKFLOWS = path.join(ROOT, '.github', 'workflows');

interface ActionInput {
  description?: string;
  required?: boolean;
  default?: unknown;
}
interface ActionMetadata {
  name: string;
  description: string;
  inputs: Record<string, ActionInput>;
  outputs: Record<string, { description?: string }>;
  runs: { using: string; main: string };
}

const readText = (file: string) => fs.readFileSync(file, 'utf8');
const readYaml = (file: string): unknown => parse(readText(file));
const action = readYaml(path.join(ROOT, 'action.yml')) as ActionMetadata;

function loadSchema(name: string): Record<string, unknown> {
  return JSON.parse(readText(path.join(SCHEMAS, name))) as Record<string, unknown>;
}

function compile(name: string): ValidateFunction {
  const schema = loadSchema(name);
  // SchemaStore's schemas use keywords and formats Ajv's strict mode rejects.
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats.default(ajv);
  return ajv.compile(schema);
}

/** Ajv's errors, one per line, so a failing expectation prints what is wrong and where. */
function schemaErrors(validate: ValidateFunction, data: unknown): string[] {
  if (validate(data)) return [];
  return (validate.errors ?? []).map(
    (e: ErrorObject) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`,
  );
}

/** Every `with:` block given to this action (`uses: ./` or `…/codex-review@…`) in a YAML tree. */
function codexReviewInputs(node: unknown): Record<string, unknown>[] {
  if (Array.isArray(node)) return node.flatMap(codexReviewInputs);
  if (node === null || typeof node !== 'object') return [];
  const record = node as Record<string, unknown>;
  const found: Record<string, unknown>[] = [];
  if (typeof record.uses === 'string' && /^\.\/?$|\/codex-review@/.test(record.uses)) {
    found.push((record.with ?? {}) as Record<string, unknown>);
  }
  for (const value of Object.values(record)) found.push(...codexReviewInputs(value));
  return found;
}

const workflowFiles = fs.existsSync(WORKFLOWS)
  ? fs
      .readdirSync(WORKFLOWS)
      .filter((f) => /\.ya?ml$/.test(f))
      .sort()
  : [];

describe('the schemas', () => {
  it('are JSON Schema draft-07, which the default Ajv class implements', () => {
    // A newer draft needs ajv/dist/2019 or ajv/dist/2020 instead.
    for (const name of ['github-action.json', 'github-workflow.json']) {
      expect(loadSchema(name).$schema, name).toBe('http://json-schema.org/draft-07/schema#');
    }
  });

  it('reject metadata GitHub would reject, so a passing validation means something', () => {
    const validate = compile('github-action.json');
    const broken = { ...action, runs: { using: 'node99', main: 'dist/action/index.js' } };
    expect(schemaErrors(validate, broken)).not.toEqual([]);
    const numericDefault = {
      ...action,
      inputs: { ...action.inputs, 'min-priority': { description: 'x', default: 2 } },
    };
    expect(schemaErrors(validate, numericDefault)).not.toEqual([]);
  });
});

describe('action.yml', () => {
  it('is valid action metadata', () => {
    expect(schemaErrors(compile('github-action.json'), action).join('\n')).toBe('');
  });

  it('documents every input and marks none as required (every setting has a default)', () => {
    for (const [name, input] of Object.entries(action.inputs ?? {})) {
      expect(input.description?.trim(), name).toBeTruthy();
      expect(input.required, name).toBe(false);
    }
  });

  it('declares exactly the outputs the adapters write, each with a description', () => {
    expect(Object.keys(action.outputs ?? {})).toEqual([...OUTPUT_NAMES]);
    for (const [name, output] of Object.entries(action.outputs ?? {})) {
      expect(output.description?.trim(), name).toBeTruthy();
    }
  });

  it('runs the committed node24 bundle', () => {
    expect(action.runs.using).toBe('node24');
    expect(action.runs.main).toBe('dist/action/index.js');
    expect(fs.existsSync(path.join(ROOT, action.runs.main)), `${action.runs.main} exists`).toBe(
      true,
    );
    // The bundle is ESM; without this marker Node would load the bundle as CommonJS.
    const marker = JSON.parse(readText(path.join(ROOT, 'dist', 'action', 'package.json')));
    expect(marker).toEqual({ type: 'module' });
  });
});

describe('.github/workflows', () => {
  it('exist: CI and the self-review', () => {
    expect(workflowFiles).toEqual(expect.arrayContaining(['ci.yml', 'codex-review.yml']));
  });

  it.each(workflowFiles)('%s is a valid workflow', (file) => {
    const validate = compile('github-workflow.json');
    expect(schemaErrors(validate, readYaml(path.join(WORKFLOWS, file))).join('\n')).toBe('');
  });

  it.each(workflowFiles)('%s passes this action only inputs it declares', (file) => {
    const inputs = Object.keys(action.inputs ?? {});
    for (const given of codexReviewInputs(readYaml(path.join(WORKFLOWS, file)))) {
      for (const name of Object.keys(given)) expect(inputs, `${file}: ${name}`).toContain(name);
    }
  });

  it('the self-review runs the checked-out action with the key from secrets', () => {
    const uses = codexReviewInputs(readYaml(path.join(WORKFLOWS, 'codex-review.yml')));
    expect(uses).toEqual([{ 'openai-api-key': '${{ secrets.OPENAI_API_KEY }}' }]);
  });
});

describe('README.md', () => {
  const readme = readText(path.join(ROOT, 'README.md'));

  it('lists every input and output in its tables', () => {
    for (const name of [...Object.keys(action.inputs ?? {}), ...OUTPUT_NAMES]) {
      expect(readme, name).toContain(`| \`${name}\` |`);
    }
  });

  it('has examples that are valid workflows using only declared inputs', () => {
    const blocks = [...readme.matchAll(/^```ya?ml\n([\s\S]*?)^```/gm)].map((m) => parse(m[1]!));
    const workflows = blocks.filter(
      (b): b is Record<string, unknown> => !!b && typeof b === 'object' && 'on' in b && 'jobs' in b,
    );
    expect(workflows.length).toBeGreaterThanOrEqual(2);
    const validate = compile('github-workflow.json');
    for (const workflow of workflows) expect(schemaErrors(validate, workflow).join('\n')).toBe('');

    const given = blocks.flatMap(codexReviewInputs);
    expect(given.length).toBeGreaterThanOrEqual(4);
    const inputs = Object.keys(action.inputs ?? {});
    for (const block of given) {
      for (const name of Object.keys(block)) expect(inputs, name).toContain(name);
    }
  });
});

describe('examples/', () => {
  const dir = path.join(ROOT, 'examples');
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.yml'));

  it('has a PR review, an exec with a custom schema and a weekly audit', () => {
    expect(files.sort()).toEqual(['exec-custom-schema.yml', 'pr-review.yml', 'weekly-audit.yml']);
  });

  it.each(files)('%s is a valid workflow passing only declared inputs', (file) => {
    const workflow = readYaml(path.join(dir, file));
    expect(schemaErrors(compile('github-workflow.json'), workflow).join('\n')).toBe('');
    const inputs = Object.keys(action.inputs ?? {});
    const given = codexReviewInputs(workflow);
    expect(given.length).toBeGreaterThan(0);
    for (const block of given) {
      for (const name of Object.keys(block)) expect(inputs, `${file}: ${name}`).toContain(name);
    }
  });

  it('ships output schemas the Responses API accepts in strict mode', () => {
    const schemas = fs.readdirSync(path.join(dir, 'schemas'));
    expect(schemas.length).toBeGreaterThan(0);
    for (const file of schemas) {
      const schema = JSON.parse(readText(path.join(dir, 'schemas', file)));
      expect(lintStrictSchema(schema), file).toEqual([]);
    }
  });
});
