import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  configInstructions,
  decideSkip,
  parseRepoConfig,
  PathScope,
} from '../../src/core/config-file.js';
import { ConfigurationError } from '../../src/core/errors.js';

const WHERE =
  'config file .github/codex-review.yml (the base commit 1a2b3c4d5e6f of pull request #3)';

function problemsOf(text: string): string[] {
  try {
    parseRepoConfig(text, WHERE);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigurationError);
    return (error as ConfigurationError).problems;
  }
  throw new Error('expected the file to be rejected');
}

const FULL = `
instructions: |
  Focus on correctness and security.
paths:
  include: ['**']
  exclude: ['dist/**', '**/*.lock']
path-instructions:
  - path: 'src/db/**'
    instructions: Check every query for injection.
skip:
  drafts: true
  labels: [wip]
  authors: ['dependabot[bot]']
`;

describe('parseRepoConfig', () => {
  it('reads every key of the documented example', () => {
    expect(parseRepoConfig(FULL, WHERE)).toEqual({
      instructions: 'Focus on correctness and security.\n',
      paths: { include: ['**'], exclude: ['dist/**', '**/*.lock'] },
      'path-instructions': [
        { path: 'src/db/**', instructions: 'Check every query for injection.' },
      ],
      skip: { drafts: true, labels: ['wip'], authors: ['dependabot[bot]'] },
    });
  });

  it("accepts the README's example as it is written", () => {
    const readme = fs.readFileSync(path.join(import.meta.dirname, '..', '..', 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Repository configuration'));
    const example = /```yaml\n([\s\S]*?)```/.exec(section)![1]!;
    expect(parseRepoConfig(example, 'README.md')).toEqual({
      instructions: 'Focus on correctness and security.\n',
      paths: { include: ['**'], exclude: ['dist/**', '**/*.lock'] },
      'path-instructions': [
        { path: 'src/db/**', instructions: 'Check every query for injection.' },
      ],
      skip: { drafts: false, labels: [], authors: [] },
    });
  });

  it('takes an empty file or one with only comments as no configuration', () => {
    expect(parseRepoConfig('', WHERE)).toEqual({});
    expect(parseRepoConfig('# nothing yet\n', WHERE)).toEqual({});
  });

  it('names the file, the key, the value and the allowed keys for an unknown key', () => {
    expect(problemsOf('instruction: be strict\n')).toEqual([
      `${WHERE}: \`instruction\` = "be strict": is not a known key; allowed: instructions, paths, path-instructions, skip`,
    ]);
    expect(problemsOf('skip:\n  draft: true\n')).toEqual([
      `${WHERE}: \`skip.draft\` = true: is not a known key; allowed in \`skip\`: drafts, labels, authors`,
    ]);
    expect(
      problemsOf('path-instructions:\n  - path: a\n    instructions: b\n    glob: c\n'),
    ).toEqual([
      `${WHERE}: \`path-instructions[0].glob\` = "c": is not a known key; allowed in \`path-instructions[0]\`: path, instructions`,
    ]);
  });

  it('names the key, the value and what is allowed for a wrong type', () => {
    // YAML 1.2: `yes` is a string, not a boolean.
    expect(problemsOf('skip:\n  drafts: yes\n')).toEqual([
      `${WHERE}: \`skip.drafts\` = "yes": must be true or false`,
    ]);
    expect(problemsOf('paths:\n  exclude: dist/**\n')).toEqual([
      `${WHERE}: \`paths.exclude\` = "dist/**": must be a list of globs such as ['dist/**']`,
    ]);
    expect(problemsOf('skip:\n  labels: [1]\n')).toEqual([
      `${WHERE}: \`skip.labels[0]\` = 1: must be text`,
    ]);
    expect(problemsOf('path-instructions:\n  - path: src/**\n')[0]).toBe(
      `${WHERE}: \`path-instructions[0].instructions\` is missing: must be text`,
    );
    expect(problemsOf('- a\n- b\n')[0]).toContain(
      'must be a YAML mapping of instructions, paths, path-instructions and skip (found ["a","b"])',
    );
  });

  it('refuses globs that cannot match a repository path', () => {
    expect(problemsOf("paths:\n  exclude: ['/dist/**', '!src/**', '../x', 'a/{b']\n")).toEqual([
      `${WHERE}: \`paths.exclude[0]\` = "/dist/**": must be relative to the repository root, such as 'src/**' (no leading /)`,
      `${WHERE}: \`paths.exclude[1]\` = "!src/**": cannot be negated with "!": list what to leave out under \`paths.exclude\``,
      `${WHERE}: \`paths.exclude[2]\` = "../x": cannot contain ".." (paths are relative to the repository root)`,
      `${WHERE}: \`paths.exclude[3]\` = "a/{b": is not a glob picomatch can parse (an unclosed { or [?)`,
    ]);
  });

  it('reports every problem at once', () => {
    const problems = problemsOf('skip:\n  drafts: 1\n  authors: bob\nextra: 1\n');
    expect(problems).toHaveLength(3);
  });

  it('says where YAML that does not parse goes wrong', () => {
    const [problem] = problemsOf('paths:\n  exclude: [a\n');
    expect(problem).toContain(`${WHERE}: is not valid YAML`);
    expect(problem).toMatch(/line \d+/);
  });

  it('refuses a duplicate key rather than letting the second one win silently', () => {
    expect(problemsOf('instructions: a\ninstructions: b\n')[0]).toContain('is not valid YAML');
  });
});

describe('PathScope', () => {
  it('covers everything by default', () => {
    const scope = PathScope.of(undefined);
    expect(scope.everything).toBe(true);
    expect(scope.covers('.github/workflows/ci.yml')).toBe(true);
  });

  it('takes include minus exclude, with ** across directories and dotfiles matched', () => {
    const scope = PathScope.of({
      paths: { include: ['src/**', '.github/**'], exclude: ['**/*.lock', 'src/gen/**'] },
    });
    expect(scope.everything).toBe(false);
    expect(scope.covers('src/app.ts')).toBe(true);
    expect(scope.covers('.github/workflows/ci.yml')).toBe(true);
    expect(scope.covers('src/gen/api.ts')).toBe(false);
    expect(scope.covers('src/deps/yarn.lock')).toBe(false);
    expect(scope.covers('docs/readme.md')).toBe(false);
  });
});

describe('configInstructions', () => {
  it('says the instructions, the per-path instructions and the scope', () => {
    const text = configInstructions(parseRepoConfig(FULL, WHERE))!;
    expect(text).toContain('Focus on correctness and security.');
    expect(text).toContain('- For files matching `src/db/**`: Check every query for injection.');
    expect(text).toContain(
      'Files matching `dist/**`, `**/*.lock` are out of scope: do not review them and report no findings in them.',
    );
    expect(text).not.toContain('Only files matching');
  });

  it('is nothing for a configuration without instructions or scope', () => {
    expect(configInstructions(parseRepoConfig('skip: {drafts: true}\n', WHERE))).toBeUndefined();
    expect(configInstructions(undefined)).toBeUndefined();
  });
});

describe('decideSkip', () => {
  const config = parseRepoConfig(FULL, WHERE);
  const name = 'Pull request #3';

  it('skips drafts, labelled and listed authors, comparing names case-insensitively', () => {
    expect(decideSkip(config, { draft: true }, name).reason).toBe(
      'Pull request #3 is a draft (`skip.drafts`)',
    );
    expect(decideSkip(config, { draft: false, labels: ['bug', 'WIP'] }, name).reason).toBe(
      'Pull request #3 has the label "WIP" (`skip.labels`)',
    );
    expect(decideSkip(config, { author: 'Dependabot[bot]' }, name).reason).toBe(
      'Pull request #3 is by Dependabot[bot] (`skip.authors`)',
    );
  });

  it('goes on otherwise, and says which rules it could not check', () => {
    expect(decideSkip(config, { draft: false, labels: ['bug'], author: 'octocat' }, name)).toEqual({
      reason: undefined,
      unchecked: [],
    });
    expect(decideSkip(config, {}, name)).toEqual({
      reason: undefined,
      unchecked: ['skip.drafts', 'skip.labels', 'skip.authors'],
    });
    expect(
      decideSkip(parseRepoConfig('skip: {drafts: false}\n', WHERE), { draft: true }, name),
    ).toEqual({ reason: undefined, unchecked: [] });
  });
});
