// The GitLab Code Quality report: valid for GitLab's parser and shaped as GitLab documents it, one
// entry per finding with a file in the repository, stable unique fingerprints, no secrets.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { afterEach, describe, expect, it } from 'vitest';
import { Redactor } from '../../src/core/redact.js';
import {
  DESCRIPTION_LIMIT,
  buildCodeQuality,
  buildCodeQualityReport,
  severityOf,
  writeCodeQualityFile,
  type CodeQualityIssue,
} from '../../src/core/report/codequality.js';
import { ruleIdOf } from '../../src/core/report/sarif.js';
import { toFindings, type Finding } from '../../src/core/review/finding.js';
import type { ReviewFinding } from '../../src/core/review/review-output.js';
import type { ReviewResult } from '../../src/core/review/result.js';

const REPO = { repoRoot: '/work/repo', workingDirectory: '/work/repo' };

/**
 * What GitLab's parser accepts: app/validators/json_schemas/codeclimate.json in gitlabhq/gitlabhq
 * (commit f986ce9ffa56e25d0a3010c78d9481664742d766), verbatim. The parser checks every entry
 * against it and stops at the first entry that fails (lib/gitlab/ci/parsers/codequality/
 * code_climate.rb).
 */
const GITLAB_PARSER_SCHEMA = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  description: 'Codequality used by codeclimate parser',
  type: 'object',
  required: ['description', 'fingerprint', 'severity', 'location'],
  properties: {
    description: { type: 'string' },
    fingerprint: { type: 'string' },
    severity: { type: 'string' },
    location: {
      type: 'object',
      properties: {
        path: { type: 'string' },
        lines: { type: 'object', properties: { begin: { type: 'integer' } } },
        positions: {
          type: 'object',
          properties: {
            begin: { type: 'object', properties: { line: { type: 'integer' } } },
          },
        },
      },
    },
  },
  additionalProperties: true,
};

/**
 * The documented format, stricter than the parser: gitlabhq doc/ci/testing/code_quality.md, "Code
 * Quality report format" (a single JSON array; each object has at least description, check_name,
 * fingerprint, severity in info|minor|major|critical|blocker, location.path relative to the
 * repository and location.lines.begin), with the Code Climate spec's rules for what those hold
 * (codeclimate/platform spec/analyzers/SPEC.md: one-line descriptions, 1-based inclusive line
 * ranges `lines.begin`/`lines.end`). Other properties are ignored by GitLab, so none are emitted.
 */
const DOCUMENTED_SCHEMA = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  type: 'array',
  items: {
    type: 'object',
    additionalProperties: false,
    required: ['description', 'check_name', 'fingerprint', 'severity', 'location'],
    properties: {
      description: { type: 'string', minLength: 1, pattern: '^[^\\r\\n]+$' },
      check_name: { type: 'string', minLength: 1 },
      fingerprint: { type: 'string', pattern: '^[0-9a-f]{32}$' },
      severity: { type: 'string', enum: ['info', 'minor', 'major', 'critical', 'blocker'] },
      location: {
        type: 'object',
        additionalProperties: false,
        required: ['path', 'lines'],
        properties: {
          // Relative POSIX path: no leading slash, drive letter, backslash, `.` or `..` segment.
          path: {
            type: 'string',
            minLength: 1,
            pattern: '^(?![A-Za-z]:)(?!/)(?!.*\\\\)(?!(?:.*/)?\\.{1,2}(?:/|$)).+$',
          },
          lines: {
            type: 'object',
            additionalProperties: false,
            required: ['begin'],
            properties: {
              begin: { type: 'integer', minimum: 1 },
              end: { type: 'integer', minimum: 2 },
            },
          },
        },
      },
    },
  },
};

function compile(schema: object): ValidateFunction {
  return new Ajv({ allErrors: true, strict: true }).compile(schema);
}
const validateParser = compile(GITLAB_PARSER_SCHEMA);
const validateDocumented = compile(DOCUMENTED_SCHEMA);

function errorsOf(validate: ValidateFunction, data: unknown): string[] {
  if (validate(data)) return [];
  return (validate.errors ?? []).map(
    (e: ErrorObject) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`,
  );
}

/** Both schemas, plus the rules JSON Schema cannot say: a range ends after it begins. */
function formatErrors(issues: unknown): string[] {
  const errors = [...errorsOf(validateDocumented, issues)];
  if (!Array.isArray(issues)) return [...errors, '/ not an array'];
  issues.forEach((issue, i) => {
    errors.push(...errorsOf(validateParser, issue).map((e) => `/${i}${e}`));
    const lines = (issue as CodeQualityIssue).location?.lines;
    if (lines?.end !== undefined && lines.end <= lines.begin) {
      errors.push(`/${i}/location/lines end ${lines.end} is not after begin ${lines.begin}`);
    }
  });
  return errors;
}

function item(
  title: string,
  file: string | null,
  lines: [number, number] | null = [10, 12],
  extra: Partial<ReviewFinding> = {},
): ReviewFinding {
  return {
    title,
    body: `Why "${title}" matters.`,
    confidence_score: 0.7,
    priority: 1,
    code_location:
      file === null
        ? null
        : {
            absolute_file_path: file,
            line_range: lines ? { start: lines[0], end: lines[1] } : null,
          },
    ...extra,
  };
}

function reviewOf(findings: Finding[]): ReviewResult {
  return {
    mode: 'review',
    target: undefined,
    headSha: '0123456789abcdef0123456789abcdef01234567',
    threadId: 'thread-1',
    finalMessage: '',
    findings,
    verdict: { correctness: null, explanation: null, confidence: null },
    structured: null,
    source: 'session-file',
    incomplete: undefined,
    usage: {
      input_tokens: 1,
      cached_input_tokens: 0,
      output_tokens: 1,
      reasoning_output_tokens: 0,
    },
    blockingCount: 0,
    codex: { version: '0.169.0', durationMs: 1000, fromCache: false },
    exec: undefined,
  };
}

const reportOf = (items: ReviewFinding[]) =>
  buildCodeQualityReport(reviewOf(toFindings(items, REPO)));
const issuesOf = (items: ReviewFinding[]) => buildCodeQuality(reviewOf(toFindings(items, REPO)));

const EVERY_PRIORITY = [0, 1, 2, 3, null].map((priority, i) =>
  item(
    `Finding at ${priority === null ? 'no priority' : `P${priority}`}`,
    `/work/repo/src/m${i}.ts`,
    [i + 1, i + 2],
    { priority },
  ),
);

const SCENARIOS: [string, ReviewFinding[]][] = [
  ['a review without findings', []],
  [
    'findings of every priority, two sharing a title',
    [...EVERY_PRIORITY, item('Finding at P0', '/work/repo/src/other.ts', [3, 3], { priority: 0 })],
  ],
  ['a path with spaces and non-ASCII letters', [item('Unicode', '/work/repo/docs/Ünï dir/a b.md')]],
  ['a path given relative to the working directory', [item('Relative', './src/./app.ts')]],
  ['a finding without lines', [item('Whole file', '/work/repo/src/app.ts', null)]],
  ['a one-line finding', [item('One line', '/work/repo/src/app.ts', [7, 7])]],
  [
    'a multi-line body with Markdown',
    [item('Body', '/work/repo/a.ts', [1, 4], { body: 'First line.\n\n```ts\nx()\n```\n- a\n- b' })],
  ],
  ['findings outside the repository or without a file', [item('Out', '/etc/x'), item('No', null)]],
];

describe('the report is valid for GitLab', () => {
  it.each(SCENARIOS)('for %s', (_name, items) => {
    expect(formatErrors(issuesOf(items))).toEqual([]);
  });

  it('with checks strict enough to catch what GitLab rejects or misreads', () => {
    const [good] = issuesOf([item('Good', '/work/repo/a.ts')]);
    const broken = (change: (issue: CodeQualityIssue) => void) => {
      const copy = structuredClone(good!);
      change(copy);
      return formatErrors([copy]);
    };
    expect(broken((i) => (i.severity = 'error' as never))).not.toEqual([]);
    expect(broken((i) => (i.location.lines.begin = '3' as never))).not.toEqual([]);
    expect(broken((i) => (i.location.path = '/work/repo/a.ts'))).not.toEqual([]);
    expect(broken((i) => (i.location.path = '../a.ts'))).not.toEqual([]);
    expect(broken((i) => (i.location.path = 'src\\a.ts'))).not.toEqual([]);
    expect(broken((i) => (i.description = 'two\nlines'))).not.toEqual([]);
    expect(broken((i) => delete (i as Partial<CodeQualityIssue>).fingerprint)).not.toEqual([]);
    expect(broken((i) => (i.location.lines = { begin: 5, end: 5 }))).not.toEqual([]);
    // A file named `..x` or `.env` is inside the repository.
    expect(broken((i) => (i.location.path = 'src/..x/.env'))).toEqual([]);
  });
});

describe('each field', () => {
  it('maps priorities to GitLab severities: P0 blocker … P3 minor, none info', () => {
    expect([0, 1, 2, 3, null].map(severityOf)).toEqual([
      'blocker',
      'critical',
      'major',
      'minor',
      'info',
    ]);
    const issues = issuesOf(EVERY_PRIORITY);
    expect(issues.map((i) => [i.location.path, i.severity])).toEqual([
      ['src/m0.ts', 'blocker'],
      ['src/m1.ts', 'critical'],
      ['src/m2.ts', 'major'],
      ['src/m3.ts', 'minor'],
      ['src/m4.ts', 'info'],
    ]);
  });

  it('describes a finding on one line: its title, then its body shortened', () => {
    const long = `${'word '.repeat(200)}end`;
    const [short, cut, titled, bare] = issuesOf([
      item('Null check missing', '/work/repo/a.ts', [1, 1], {
        priority: 0,
        body: 'It  crashes\n\nwhen x is null.',
      }),
      item('Long body', '/work/repo/b.ts', [1, 1], { priority: 1, body: long }),
      item('Ends with a stop.', '/work/repo/c.ts', [1, 1], { priority: 2, body: 'More.' }),
      item('No body', '/work/repo/d.ts', [1, 1], { priority: 3, body: '' }),
    ]);
    expect(short!.description).toBe('Null check missing: It crashes when x is null.');
    expect([...cut!.description]).toHaveLength(DESCRIPTION_LIMIT);
    expect(cut!.description).toMatch(/^Long body: word word .*…$/);
    expect(titled!.description).toBe('Ends with a stop. More.');
    expect(bare!.description).toBe('No body');
  });

  it('names the check after the title, as the SARIF rule id does', () => {
    const issues = issuesOf([
      item('[P1] SQL built from user input', '/work/repo/a.ts'),
      item('SQL built from user input', '/work/repo/b.ts'),
      item('Another problem', '/work/repo/c.ts'),
    ]);
    const [a, b, c] = ['a.ts', 'b.ts', 'c.ts'].map(
      (file) => issues.find((i) => i.location.path === file)!.check_name,
    );
    expect(a).toBe(ruleIdOf('SQL built from user input'));
    expect(b).toBe(a);
    expect(c).not.toBe(a);
    expect(a).toMatch(/^codex-review\/sql-built-from-user-input-[0-9a-f]{16}$/);
  });

  it('locates a finding by repository-relative path, first line and (for a range) last line', () => {
    const [range, single, whole] = issuesOf([
      item('Range', '/work/repo/src/a.ts', [12, 10], { priority: 0 }),
      item('Single', 'src/b.ts', [7, 7], { priority: 1 }),
      item('Whole file', '/work/repo/src/c.ts', null, { priority: 2 }),
    ]);
    expect(range!.location).toEqual({ path: 'src/a.ts', lines: { begin: 10, end: 12 } });
    expect(single!.location).toEqual({ path: 'src/b.ts', lines: { begin: 7 } });
    // GitLab requires a line: a finding about a whole file is shown at its first line.
    expect(whole!.location).toEqual({ path: 'src/c.ts', lines: { begin: 1 } });
  });
});

describe('fingerprints', () => {
  it('are unique, also for findings that share a title, a file or a fingerprint', () => {
    const sameFile = [
      item('Same title', '/work/repo/src/a.ts', [1, 1]),
      item('Same title', '/work/repo/src/a.ts', [9, 9]),
      item('Same title', '/work/repo/src/b.ts', [1, 1]),
      item('Other title', '/work/repo/src/a.ts', [1, 1]),
    ];
    const findings = toFindings(sameFile, REPO);
    // Two findings carrying the very same fingerprint (e.g. merged from two sources).
    const twin: Finding = { ...findings[0]!, startLine: 30, endLine: 31 };
    const issues = buildCodeQuality(reviewOf([...findings, twin]));
    expect(issues).toHaveLength(5);
    expect(new Set(issues.map((i) => i.fingerprint)).size).toBe(5);
  });

  it('stay the same from run to run: reordered, moved to other lines, re-prioritised', () => {
    const first = issuesOf([
      item('Alpha', '/work/repo/src/a.ts', [10, 12], { priority: 1 }),
      item('Beta', '/work/repo/src/b.ts', [3, 3], { priority: 2 }),
    ]);
    const second = issuesOf([
      item('Beta', '/work/repo/src/b.ts', [40, 41], { priority: 0 }),
      item('alpha', '/work/repo/src/a.ts', [110, 112], { priority: 3 }),
    ]);
    const byPath = (issues: CodeQualityIssue[]) =>
      Object.fromEntries(issues.map((i) => [i.location.path, i.fingerprint]));
    expect(byPath(second)).toEqual(byPath(first));
  });

  it('differ between files and titles, and from the finding fingerprint itself (namespaced)', () => {
    const findings = toFindings(
      [
        item('Alpha', '/work/repo/a.ts'),
        item('Alpha', '/work/repo/b.ts'),
        item('Beta', '/work/repo/a.ts'),
      ],
      REPO,
    );
    const issues = buildCodeQuality(reviewOf(findings));
    expect(new Set(issues.map((i) => i.fingerprint)).size).toBe(3);
    for (const f of findings) expect(issues.map((i) => i.fingerprint)).not.toContain(f.fingerprint);
  });

  it('of twins do not depend on the order Codex reported them in', () => {
    const [a] = toFindings([item('Twin', '/work/repo/a.ts', [1, 1])], REPO);
    const b: Finding = { ...a!, startLine: 20, endLine: 20 };
    const forward = buildCodeQuality(reviewOf([a!, b]));
    const backward = buildCodeQuality(reviewOf([b, a!]));
    const byLine = (issues: CodeQualityIssue[]) =>
      Object.fromEntries(issues.map((i) => [i.location.lines.begin, i.fingerprint]));
    expect(byLine(backward)).toEqual(byLine(forward));
  });
});

describe('findings GitLab cannot place', () => {
  it('are left out with the reason, not placed at a made-up path', () => {
    const report = reportOf([
      item('Inside', '/work/repo/src/a.ts'),
      item('Outside', '/etc/nginx/nginx.conf', [4, 9]),
      item('Sibling directory', '/work/repo-other/x.ts'),
      item('Nowhere', null),
    ]);
    expect(report.issues.map((i) => i.location.path)).toEqual(['src/a.ts']);
    // In the report's order: priority, then path (none first).
    expect(report.skipped.map((s) => [s.title, s.reason])).toEqual([
      ['Nowhere', expect.stringContaining('Codex gave no file')],
      ['Outside', expect.stringContaining('outside the repository (/etc/nginx/nginx.conf)')],
      [
        'Sibling directory',
        expect.stringContaining('outside the repository (/work/repo-other/x.ts)'),
      ],
    ]);
    expect(report.skipped.every((s) => /^[0-9a-f]{16}/.test(s.fingerprint))).toBe(true);
  });
});

/** The temp directory a test file lives in (two levels up: <dir>/nested/<file>). */
const scopeOf = (file: string) => ({ roots: [path.dirname(path.dirname(file))] });

describe('writeCodeQualityFile', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  });
  const tempFile = () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'codequality-'));
    dirs.push(dir);
    return path.join(dir, 'nested', 'gl-codequality.json');
  };

  it('writes the array as UTF-8 JSON without a byte order mark, creating the directory', () => {
    const file = tempFile();
    const findings = toFindings([...EVERY_PRIORITY, item('Nowhere', null)], REPO);
    const written = writeCodeQualityFile(file, reviewOf(findings), new Redactor(), scopeOf(file));
    const bytes = fs.readFileSync(file);
    expect(bytes.subarray(0, 3).equals(Buffer.from([0xef, 0xbb, 0xbf]))).toBe(false);
    const parsed: unknown = JSON.parse(bytes.toString('utf8'));
    expect(formatErrors(parsed)).toEqual([]);
    expect(parsed).toEqual(written.issues);
    expect(written.file).toBe(file);
    expect(written.issues).toHaveLength(5);
    expect(written.skipped.map((s) => s.title)).toEqual(['Nowhere']);
  });

  it('writes an empty array for a review without findings', () => {
    const file = tempFile();
    writeCodeQualityFile(file, reviewOf([]), new Redactor(), scopeOf(file));
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toEqual([]);
  });

  it('redacts secrets from every field, also where a shortened description cuts them', () => {
    const token = 'glpat-SECRETSECRETSECRET1234';
    const known = 'hunter2-very-private';
    const redactor = new Redactor();
    redactor.add(known);
    const file = tempFile();
    const findings = toFindings(
      [
        item(`Token ${token} committed`, `/work/repo/config/${known}.env`, [1, 1], {
          body: `${'x '.repeat(110)}the key sk-proj-ABCDEFGHIJKLMNOPQRSTUVWX and ${known}`,
        }),
        item(`Leaked ${known}`, '/work/repo/a.ts', [2, 2], {
          body: `${'y'.repeat(DESCRIPTION_LIMIT - 20)} ${token}`,
        }),
        item(`Outside ${known}`, `/opt/${known}`),
      ],
      REPO,
    );
    const written = writeCodeQualityFile(file, reviewOf(findings), redactor, scopeOf(file));
    const text = fs.readFileSync(file, 'utf8');
    for (const secret of [token, known, 'sk-proj-ABCDEFGHIJKLMNOPQRSTUVWX', 'glpat-', 'hunter2']) {
      expect(text).not.toContain(secret);
      expect(JSON.stringify(written)).not.toContain(secret);
    }
    expect(text).toContain('***');
    expect(formatErrors(JSON.parse(text))).toEqual([]);
  });
});
