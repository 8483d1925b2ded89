// The SARIF file of all findings: valid against the OASIS SARIF 2.1.0 schema (draft-04) and
// shaped the way GitHub code scanning and github/codeql-action/upload-sarif require.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Ajv04 from 'ajv-draft-04';
import type { ErrorObject, ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { afterEach, describe, expect, it } from 'vitest';
import { Redactor } from '../../src/core/redact.js';
import {
  FINGERPRINT_KEY,
  NO_FILE_PATH,
  RULE_DESCRIPTION_LIMIT,
  RULE_NAME_LIMIT,
  buildSarif,
  writeSarifFile,
} from '../../src/core/report/sarif.js';
import { toFindings, type Finding } from '../../src/core/review/finding.js';
import type { ReviewFinding } from '../../src/core/review/review-output.js';
import type { ReviewResult } from '../../src/core/review/result.js';

const SCHEMA_FILE = path.resolve(
  import.meta.dirname,
  '..',
  'fixtures',
  'schemas',
  'sarif-schema-2.1.0.json',
);
const REPO = { repoRoot: '/work/repo', workingDirectory: '/work/repo' };
const OPTIONS = { toolVersion: '1.4.2', informationUri: 'https://example.com/codex-review' };

interface SarifRegion {
  startLine: number;
  endLine?: number;
}
interface SarifLocation {
  physicalLocation?: {
    artifactLocation?: { uri?: string; uriBaseId?: string };
    region?: SarifRegion;
  };
  message?: { text: string };
}
interface SarifResult {
  ruleId: string;
  ruleIndex: number;
  level: string;
  message: { text: string };
  locations?: SarifLocation[];
  partialFingerprints: Record<string, string>;
}
interface SarifRule {
  id: string;
  name?: string;
  shortDescription?: { text: string };
  fullDescription?: { text: string };
  help?: { text: string; markdown?: string };
  defaultConfiguration?: { level: string };
  properties?: { tags?: string[] } & Record<string, unknown>;
}
interface SarifRun {
  tool: {
    driver: {
      name: string;
      version?: string;
      semanticVersion?: string;
      informationUri?: string;
      rules: SarifRule[];
    };
  };
  results: SarifResult[];
  originalUriBaseIds?: Record<string, { uri: string }>;
  automationDetails?: unknown;
}
interface SarifLog {
  $schema: string;
  version: string;
  runs: SarifRun[];
}

function compileSarifSchema(): ValidateFunction {
  const ajv = new Ajv04.default({ allErrors: true, strict: false });
  addFormats.default(ajv);
  return ajv.compile(JSON.parse(fs.readFileSync(SCHEMA_FILE, 'utf8')) as object);
}
const validateSarif = compileSarifSchema();

/** Ajv's errors, one per line, so a failing expectation prints what is wrong and where. */
function schemaErrors(data: unknown): string[] {
  if (validateSarif(data)) return [];
  return (validateSarif.errors ?? []).map(
    (e: ErrorObject) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`,
  );
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
    mode: 'exec',
    target: undefined,
    headSha: '0123456789abcdef0123456789abcdef01234567',
    threadId: 'thread-1',
    finalMessage: '{}',
    findings,
    verdict: { correctness: null, explanation: null, confidence: null },
    structured: null,
    source: 'exec-json',
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

function sarifOf(items: ReviewFinding[], options: Parameters<typeof buildSarif>[1] = OPTIONS) {
  return buildSarif(reviewOf(toFindings(items, REPO)), options) as SarifLog;
}

const onlyRun = (log: SarifLog): SarifRun => log.runs[0]!;
const onlyResult = (log: SarifLog): SarifResult => onlyRun(log).results[0]!;
const locationOf = (result: SarifResult): SarifLocation => result.locations![0]!;

const EVERY_PRIORITY = [0, 1, 2, 3, null].map((priority, i) =>
  item(
    `Finding at ${priority === null ? 'no priority' : `P${priority}`}`,
    `/work/repo/src/m${i}.ts`,
    [i + 1, i + 2],
    {
      priority,
    },
  ),
);

const SCENARIOS: [string, ReviewFinding[]][] = [
  ['a review without findings', []],
  [
    'many findings of every priority, two sharing a title',
    [...EVERY_PRIORITY, item('Finding at P0', '/work/repo/src/other.ts', [3, 3], { priority: 0 })],
  ],
  [
    'a file whose path has spaces and non-ASCII letters',
    [item('Unicode path', '/work/repo/docs/Ünïcode dir/naïve file #1.md')],
  ],
  ['a finding outside the repository', [item('Outside', '/etc/nginx/nginx.conf', [4, 9])]],
  ['a finding without lines', [item('Whole file', '/work/repo/src/app.ts', null)]],
  ['a finding without any file', [item('No file', null)]],
];

describe('the SARIF log validates against the SARIF 2.1.0 schema', () => {
  it.each(SCENARIOS)('for %s', (_name, items) => {
    const log = sarifOf(items);
    expect(schemaErrors(log)).toEqual([]);
    expect(onlyRun(log).results).toHaveLength(items.length);
  });

  it('also with the repository root recorded and a version that is not SemVer', () => {
    const log = sarifOf(EVERY_PRIORITY, { toolVersion: 'dev', repoRoot: '/work/my repo' });
    expect(schemaErrors(log)).toEqual([]);
  });

  it('with a schema check strict enough to reject a raw space in a URI or an unknown level', () => {
    const log = sarifOf([item('Space', '/work/repo/a b.ts')]);
    const broken = structuredClone(log);
    locationOf(onlyResult(broken)).physicalLocation!.artifactLocation!.uri = 'a b.ts';
    expect(schemaErrors(broken).join('\n')).toMatch(/format/);
    const badLevel = structuredClone(log);
    onlyResult(badLevel).level = 'fatal';
    expect(schemaErrors(badLevel)).not.toEqual([]);
  });
});

describe('the log as GitHub code scanning reads it', () => {
  it('declares the 2.1.0 schema and version with a single run of the codex-review driver', () => {
    const log = sarifOf(EVERY_PRIORITY);
    expect(log.$schema).toBe('https://json.schemastore.org/sarif-2.1.0.json');
    expect(log.version).toBe('2.1.0');
    expect(log.runs).toHaveLength(1);
    expect(onlyRun(log).tool.driver).toMatchObject({
      name: 'codex-review',
      version: '1.4.2',
      semanticVersion: '1.4.2',
      informationUri: 'https://example.com/codex-review',
    });
  });

  it('leaves semanticVersion out when the tool version is not SemVer', () => {
    const driver = onlyRun(sarifOf([], { toolVersion: 'dev' })).tool.driver;
    expect(driver.version).toBe('dev');
    expect(driver).not.toHaveProperty('semanticVersion');
    expect(driver).not.toHaveProperty('informationUri');
  });

  it('still writes an empty results array and rule list when Codex found nothing', () => {
    const run = onlyRun(sarifOf([]));
    expect(run.results).toEqual([]);
    expect(run.tool.driver.rules).toEqual([]);
  });

  it('maps P0 and P1 to error, P2 to warning, P3 and no priority to note', () => {
    const levels = onlyRun(sarifOf(EVERY_PRIORITY)).results.map((r) => r.level);
    expect(levels).toEqual(['error', 'error', 'warning', 'note', 'note']);
  });

  it('gives every result at least one and at most ten locations, each with a non-empty URI', () => {
    const everything = SCENARIOS.flatMap(([, items]) => items);
    for (const result of onlyRun(sarifOf(everything)).results) {
      expect(result.locations!.length).toBeGreaterThanOrEqual(1);
      expect(result.locations!.length).toBeLessThanOrEqual(10);
      expect(locationOf(result).physicalLocation?.artifactLocation?.uri).toMatch(/\S/);
    }
  });

  it('keeps rule names within 255 characters and descriptions within 1024, none of them empty', () => {
    const long = 'Very long title '.repeat(120);
    const rules = onlyRun(
      sarifOf([item(long, '/work/repo/a.ts', [1, 1], { body: 'x'.repeat(5000) })]),
    ).tool.driver.rules;
    const rule = rules[0]!;
    expect([...rule.name!].length).toBeLessThanOrEqual(RULE_NAME_LIMIT);
    expect([...rule.shortDescription!.text].length).toBeLessThanOrEqual(RULE_DESCRIPTION_LIMIT);
    expect([...rule.fullDescription!.text].length).toBeLessThanOrEqual(RULE_DESCRIPTION_LIMIT);
    expect(rule.name).toMatch(/^Very long title/);
    expect(rule.help!.text).toContain('x'.repeat(5000));
  });

  it('fills the fields GitHub requires for a rule even when Codex gave no body', () => {
    const rule = onlyRun(sarifOf([item('Bare title', '/work/repo/a.ts', [1, 1], { body: '' })]))
      .tool.driver.rules[0]!;
    expect(rule.shortDescription!.text).toBe('Bare title');
    expect(rule.fullDescription!.text).toBe('Bare title');
    expect(rule.help!.text).toMatch(/^Bare title\n\n/);
  });

  it('claims no security severity and sets no category, so upload-sarif can set its own', () => {
    const log = sarifOf(EVERY_PRIORITY);
    for (const rule of onlyRun(log).tool.driver.rules) {
      expect(rule.properties).not.toHaveProperty('security-severity');
      expect(rule.properties?.tags).not.toContain('security');
      expect(rule.properties!.tags!.length).toBeLessThanOrEqual(20);
    }
    expect(onlyRun(log)).not.toHaveProperty('automationDetails');
  });

  it('tags each rule with the priorities of its findings and takes the most severe level as default', () => {
    const log = sarifOf([
      item('Same problem', '/work/repo/a.ts', [1, 1], { priority: 2 }),
      item('Same problem', '/work/repo/b.ts', [1, 1], { priority: 0 }),
    ]);
    const rule = onlyRun(log).tool.driver.rules[0]!;
    expect(rule.properties!.tags).toEqual(['codex-review', 'priority-P0', 'priority-P2']);
    expect(rule.defaultConfiguration!.level).toBe('error');
    expect(rule.properties!['problem.severity']).toBe('error');
  });

  it('puts the title first in the message and the body after it', () => {
    const result = onlyResult(sarifOf([item('Missing null check', '/work/repo/a.ts')]));
    expect(result.message.text).toBe('Missing null check.\n\nWhy "Missing null check" matters.');
  });
});

describe('rules and results refer to each other', () => {
  const log = sarifOf([
    ...EVERY_PRIORITY,
    item('finding at `P0`', '/work/repo/src/other.ts', [3, 3], { priority: 0 }),
  ]);
  const run = onlyRun(log);

  it('points every ruleIndex at the rule whose id is the ruleId', () => {
    for (const result of run.results) {
      expect(run.tool.driver.rules[result.ruleIndex]?.id).toBe(result.ruleId);
    }
  });

  it('has one rule per distinct title, with unique ids', () => {
    const ids = run.tool.driver.rules.map((r) => r.id);
    expect(ids).toHaveLength(5);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('shares a rule between titles that differ only in case and markup', () => {
    expect(run.results[5]!.ruleId).toBe(run.results[0]!.ruleId);
    expect(run.results[5]!.ruleIndex).toBe(0);
  });

  it('derives readable rule ids from the title', () => {
    expect(run.results[0]!.ruleId).toMatch(/^codex-review\/finding-at-p0-[0-9a-f]{16}$/);
  });

  it('keeps the rule id of a title when other findings come and go', () => {
    const alone = onlyResult(sarifOf([EVERY_PRIORITY[3]!]));
    expect(alone.ruleId).toBe(run.results[3]!.ruleId);
    expect(alone.ruleIndex).toBe(0);
  });
});

describe('locations', () => {
  it('gives a repository file as a %SRCROOT%-relative URI with its lines', () => {
    const location = locationOf(
      onlyResult(sarifOf([item('Bug', '/work/repo/src/app.ts', [10, 12])])),
    );
    expect(location.physicalLocation).toEqual({
      artifactLocation: { uri: 'src/app.ts', uriBaseId: '%SRCROOT%' },
      region: { startLine: 10, endLine: 12 },
    });
  });

  it('percent-encodes spaces, non-ASCII letters and # in a path, segment by segment', () => {
    const file = 'docs/Ünïcode dir/naïve file #1.md';
    const uri = locationOf(onlyResult(sarifOf([item('Unicode path', `/work/repo/${file}`)])))
      .physicalLocation!.artifactLocation!.uri!;
    expect(uri).toBe('docs/%C3%9Cn%C3%AFcode%20dir/na%C3%AFve%20file%20%231.md');
    expect(uri.split('/').map(decodeURIComponent).join('/')).toBe(file);
  });

  it('marks a single line as a region of that one line', () => {
    const region = locationOf(onlyResult(sarifOf([item('One line', '/work/repo/a.ts', [7, 7])])))
      .physicalLocation!.region;
    expect(region).toEqual({ startLine: 7, endLine: 7 });
  });

  it('leaves the region out when Codex gave no lines', () => {
    const location = locationOf(
      onlyResult(sarifOf([item('Whole file', '/work/repo/src/app.ts', null)])),
    );
    expect(location.physicalLocation!.artifactLocation!.uri).toBe('src/app.ts');
    expect(location.physicalLocation).not.toHaveProperty('region');
  });

  it('records the repository root as the %SRCROOT% base, as a file URI ending in a slash', () => {
    const run = onlyRun(sarifOf([], { toolVersion: '1.0.0', repoRoot: '/work/my repo' }));
    expect(run.originalUriBaseIds?.['%SRCROOT%']?.uri).toBe('file:///work/my%20repo/');
    expect(onlyRun(sarifOf([]))).not.toHaveProperty('originalUriBaseIds');
  });
});

describe('a finding code scanning cannot show at a repository file', () => {
  const placeholder = encodeURIComponent(NO_FILE_PATH);

  it('outside the repository stays a result, anchored at the placeholder, saying where Codex pointed', () => {
    const log = sarifOf([item('Outside', '/etc/nginx/nginx.conf', [4, 9], { priority: 0 })]);
    const result = onlyResult(log);
    expect(result.level).toBe('error');
    expect(locationOf(result).physicalLocation).toEqual({
      artifactLocation: { uri: placeholder, uriBaseId: '%SRCROOT%' },
    });
    expect(result.message.text).toContain(
      'Codex pointed outside the repository: /etc/nginx/nginx.conf lines 4–9.',
    );
    expect(locationOf(result).message!.text).toContain('/etc/nginx/nginx.conf');
    expect(JSON.stringify(log)).not.toMatch(/"uri":\s*"[^"]*etc/);
  });

  it('without any file stays a result and says Codex gave no file', () => {
    const result = onlyResult(sarifOf([item('No file', null)]));
    expect(locationOf(result).physicalLocation!.artifactLocation!.uri).toBe(placeholder);
    expect(result.message.text).toContain('Codex gave no file for this finding.');
  });

  it('keeps distinct titles apart under the shared placeholder by their rules', () => {
    const run = onlyRun(sarifOf([item('First', null), item('Second', '/etc/passwd')]));
    expect(run.results[0]!.ruleId).not.toBe(run.results[1]!.ruleId);
  });
});

describe('partialFingerprints', () => {
  const fingerprintAt = (file: string, lines: [number, number], title = 'Guard the index') =>
    onlyResult(sarifOf([item(title, file, lines)])).partialFingerprints;

  it('carry the finding fingerprint under a versioned key', () => {
    const [finding] = toFindings([item('Guard the index', '/work/repo/a.ts', [5, 6])], REPO);
    expect(fingerprintAt('/work/repo/a.ts', [5, 6])).toEqual({
      [FINGERPRINT_KEY]: finding!.fingerprint,
    });
    expect(FINGERPRINT_KEY).toBe('codexReviewFingerprint/v1');
  });

  it('stay the same when only the line numbers change', () => {
    expect(fingerprintAt('/work/repo/a.ts', [5, 6])).toEqual(
      fingerprintAt('/work/repo/a.ts', [105, 120]),
    );
  });

  it('change when the file or the title changes', () => {
    const base = fingerprintAt('/work/repo/a.ts', [5, 6]);
    expect(fingerprintAt('/work/repo/b.ts', [5, 6])).not.toEqual(base);
    expect(fingerprintAt('/work/repo/a.ts', [5, 6], 'Another problem')).not.toEqual(base);
  });

  it('do not carry GitHub primaryLocationLineHash, which upload-sarif computes from the file', () => {
    expect(fingerprintAt('/work/repo/a.ts', [5, 6])).not.toHaveProperty('primaryLocationLineHash');
  });
});

describe('writeSarifFile', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  });

  function writeAndRead(
    items: ReviewFinding[],
    redactor: Redactor,
  ): { text: string; log: SarifLog } {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sarif-test-'));
    dirs.push(dir);
    const file = path.join(dir, 'nested', 'reports', 'codex.sarif');
    writeSarifFile(file, reviewOf(toFindings(items, REPO)), redactor, OPTIONS, { roots: [dir] });
    const text = fs.readFileSync(file, 'utf8');
    return { text, log: JSON.parse(text) as SarifLog };
  }

  it('creates missing directories and writes a log that validates', () => {
    const { log } = writeAndRead(EVERY_PRIORITY, new Redactor());
    expect(schemaErrors(log)).toEqual([]);
    expect(onlyRun(log).results).toHaveLength(EVERY_PRIORITY.length);
  });

  it('redacts a known secret quoted in a finding body', () => {
    const secret = 'hunter2-deploy-password';
    const redactor = new Redactor();
    redactor.add(secret);
    const { text, log } = writeAndRead(
      [item('Hard-coded password', '/work/repo/deploy.sh', [3, 3], { body: `It sets ${secret}.` })],
      redactor,
    );
    expect(text).not.toContain(secret);
    expect(onlyResult(log).message.text).toContain('It sets ***.');
    expect(onlyRun(log).tool.driver.rules[0]!.help!.text).toContain('It sets ***.');
  });

  it('redacts a key in a title before the rule id is made from it', () => {
    const key = 'sk-proj-AbCdEfGhIjKlMnOpQrStUvWx';
    const { text, log } = writeAndRead(
      [item(`Key ${key} committed`, '/work/repo/config.ts', [1, 1])],
      new Redactor(),
    );
    expect(text).not.toContain(key);
    expect(text.toLowerCase()).not.toContain('abcdefghij');
    expect(onlyResult(log).ruleId).toMatch(/^codex-review\/key-committed-[0-9a-f]{16}$/);
  });
});
