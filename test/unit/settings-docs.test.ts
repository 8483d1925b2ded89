// The settings schema is the one definition of every setting: action.yml's inputs, the README's
// table and the CLI help must say what it says (names, order, defaults, descriptions).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { envName, settingsHelp } from '../../src/cli/options.js';
import { SETTING_DEFINITIONS, SETTING_NAMES } from '../../src/core/settings.js';
import { renderDocs } from '../../scripts/docs.js';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const ACTION = path.join(ROOT, 'action.yml');
const README = path.join(ROOT, 'README.md');
const read = (file: string) => fs.readFileSync(file, 'utf8');

const actionSettings = SETTING_NAMES.filter((name) => SETTING_DEFINITIONS[name].action);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'codex-review-docs-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** `npm run docs -- <args>`, from the source, as the package script runs it. */
function runDocs(args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'scripts/docs.ts', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
  });
}

/** The Settings table of a README: name → [default, description], in row order. */
function readmeSettings(readme: string): [string, string, string][] {
  const region = /<!-- settings:start -->\n([\s\S]*?)\n<!-- settings:end -->/.exec(readme);
  expect(region, 'settings table markers').not.toBeNull();
  return region![1]!
    .split('\n')
    .slice(2)
    .map((row) => {
      const cells = row
        .slice(2, -2)
        .split(/ (?<!\\)\| /)
        .map((c) => c.replace(/\\\|/g, '|'));
      return [cells[0]!, cells[1]!, cells[2]!];
    });
}

describe('the settings schema', () => {
  it('gives every setting a description and a string default', () => {
    expect(SETTING_NAMES.length).toBeGreaterThan(20);
    for (const name of SETTING_NAMES) {
      expect(SETTING_DEFINITIONS[name].description.trim(), name).not.toBe('');
      expect(typeof SETTING_DEFINITIONS[name].default, name).toBe('string');
    }
  });

  it('marks the credentials secret and keeps the GitLab token out of the action', () => {
    const secret = SETTING_NAMES.filter((name) => SETTING_DEFINITIONS[name].secret);
    expect(secret).toEqual(['openai-api-key', 'github-token', 'gitlab-token']);
    expect(SETTING_NAMES.filter((name) => !SETTING_DEFINITIONS[name].action)).toEqual([
      'gitlab-token',
    ]);
  });
});

describe('action.yml', () => {
  const action = parse(read(ACTION)) as {
    inputs: Record<string, { description: string; required: boolean; default: string }>;
    outputs: Record<string, unknown>;
    runs: unknown;
    branding: unknown;
  };

  it('declares exactly the action settings, in schema order', () => {
    expect(Object.keys(action.inputs)).toEqual(actionSettings);
  });

  it("gives every input the schema's default and description, as the same strings", () => {
    for (const name of actionSettings) {
      expect(action.inputs[name], name).toEqual({
        description: SETTING_DEFINITIONS[name].description,
        required: false,
        default: SETTING_DEFINITIONS[name].default,
      });
    }
    expect(action.inputs['github-token']!.default).toBe('${{ github.token }}');
  });

  it('is exactly what `npm run docs` generates, so nothing was edited by hand', async () => {
    const [actionDoc] = await renderDocs({ action: ACTION, readme: README });
    expect(actionDoc!.updated).toBe(actionDoc!.current);
  });

  it('the generator replaces only the inputs: outputs, branding and runs are kept', async () => {
    const stale = path.join(tmp, 'action.yml');
    const text = read(ACTION).replace(
      /( {2}fail-on:\n {4}description: ).*\n/,
      "$1'Edited by hand.'\n  removed-setting:\n    description: 'Gone.'\n",
    );
    fs.writeFileSync(stale, text);
    const staleReadme = path.join(tmp, 'README.md');
    fs.writeFileSync(staleReadme, read(README));
    const [doc] = await renderDocs({ action: stale, readme: staleReadme });
    expect(doc!.current).not.toBe(doc!.updated);
    expect(doc!.updated).toBe(read(ACTION));
    const regenerated = parse(doc!.updated) as typeof action;
    expect(regenerated.outputs).toEqual(action.outputs);
    expect(regenerated.runs).toEqual(action.runs);
    expect(regenerated.branding).toEqual(action.branding);
  });
});

describe('README.md', () => {
  it('lists every setting with its default and description, in schema order', () => {
    const rows = readmeSettings(read(README));
    expect(rows.map(([name]) => name.replace(/^`(.*)`.*$/, '$1'))).toEqual(SETTING_NAMES);
    for (const [name, dflt, description] of rows) {
      const setting = name.replace(/^`(.*)`.*$/, '$1') as (typeof SETTING_NAMES)[number];
      const definition = SETTING_DEFINITIONS[setting];
      expect(dflt, setting).toBe(definition.default === '' ? '`""`' : `\`${definition.default}\``);
      expect(description, setting).toBe(definition.description);
      expect(name.endsWith('(CLI only)'), setting).toBe(!definition.action);
    }
  });

  it('`npm run docs -- --check` passes on the committed files and fails on a stale README', () => {
    const check = runDocs(['--check']);
    expect(check.stdout).toContain('action.yml is up to date with the settings schema');
    expect(check.stdout).toContain('README.md is up to date with the settings schema');
    expect(check.status, check.stderr).toBe(0);

    const staleReadme = path.join(tmp, 'stale-README.md');
    fs.writeFileSync(staleReadme, read(README).replace(/^\| `fail-on` \|.*\n/m, ''));
    const stale = runDocs(['--check', '--readme', staleReadme]);
    expect(stale.status).toBe(1);
    expect(stale.stderr).toContain('stale-README.md is out of date with the settings schema');
    expect(stale.stderr).toContain('npm run docs');
  });

  it('`npm run docs` rewrites a stale README to the committed one', () => {
    const staleReadme = path.join(tmp, 'rewrite-README.md');
    fs.writeFileSync(
      staleReadme,
      read(README).replace(/^\| `sandbox` \|.*$/m, '| `sandbox` | `x` | Old text. |'),
    );
    const staleAction = path.join(tmp, 'rewrite-action.yml');
    fs.writeFileSync(staleAction, read(ACTION));
    const run = runDocs(['--readme', staleReadme, '--action', staleAction]);
    expect(run.status, run.stderr).toBe(0);
    expect(read(staleReadme)).toBe(read(README));
  });
});

describe('the CLI help', () => {
  it('lists every setting with its description, default and environment variable', () => {
    const help = settingsHelp();
    for (const name of SETTING_NAMES) {
      const definition = SETTING_DEFINITIONS[name];
      const shownDefault =
        definition.default && !definition.default.startsWith('${{')
          ? ` (default: ${definition.default})`
          : '';
      expect(`${help}\n`, name).toContain(
        `  --${name} <value>\n      ${definition.description}${shownDefault}\n      env: ${envName(name)}\n`,
      );
    }
  });

  it('is what `codex-review --help` prints', () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', '--help'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain(`\n${settingsHelp()}\n`);
  });
});
