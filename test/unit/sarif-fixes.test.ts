// Suggested changes in the SARIF file: `fixes` replacing exactly the commented lines, valid
// against the OASIS SARIF 2.1.0 schema (draft-04).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Ajv04 from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { Redactor } from '../../src/core/redact.js';
import { buildSarif, writeSarifFile } from '../../src/core/report/sarif.js';
import type { Finding, Suggestion } from '../../src/core/review/finding.js';
import type { ReviewResult } from '../../src/core/review/result.js';

const ajv = new Ajv04.default({ allErrors: true, strict: false });
addFormats.default(ajv);
const validateSarif = ajv.compile(
  JSON.parse(
    fs.readFileSync(
      path.resolve(import.meta.dirname, '..', 'fixtures', 'schemas', 'sarif-schema-2.1.0.json'),
      'utf8',
    ),
  ) as object,
);

const finding = (extra: Partial<Finding> = {}): Finding => ({
  title: 'Division by zero',
  body: 'Guard it.',
  priority: 1,
  confidence: 0.8,
  path: 'src/math.ts',
  startLine: 6,
  endLine: 6,
  inRepo: true,
  fingerprint: '0123456789abcdef',
  ...extra,
});

const suggestion = (extra: Partial<Suggestion> = {}): Suggestion => ({
  startLine: 6,
  endLine: 7,
  original: ['  const m = s / n;', '  return m;'],
  replacement: ['  if (n === 0) return 0;', '  return s / n;'],
  lastLineLength: '  return m;'.length,
  lineEnding: '\n',
  ...extra,
});

function resultOf(findings: Finding[]): ReviewResult {
  return {
    mode: 'review',
    target: undefined,
    headSha: 'abc',
    threadId: 't',
    finalMessage: '',
    findings,
    verdict: { correctness: null, explanation: null, confidence: null },
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
    codex: { version: '0.171.0', durationMs: 1, fromCache: true },
    exec: undefined,
  };
}

interface Log {
  runs: Array<{ columnKind?: string; results: Array<{ fixes?: unknown[] }> }>;
}

describe('a suggested change in the SARIF file', () => {
  it('is a fix replacing the commented lines up to the end of the last one, and valid SARIF', () => {
    const log = buildSarif(resultOf([finding({ endLine: 7, suggestion: suggestion() })]), {
      toolVersion: '1.0.0',
      repoRoot: '/repo',
    }) as Log;
    expect(validateSarif(log), JSON.stringify(validateSarif.errors)).toBe(true);
    expect(log.runs[0]!.columnKind).toBe('utf16CodeUnits');
    expect(log.runs[0]!.results[0]!.fixes).toEqual([
      {
        description: { text: 'Suggested change by Codex, checked against the reviewed commit.' },
        artifactChanges: [
          {
            artifactLocation: { uri: 'src/math.ts', uriBaseId: '%SRCROOT%' },
            replacements: [
              {
                deletedRegion: { startLine: 6, startColumn: 1, endLine: 7, endColumn: 12 },
                insertedContent: { text: '  if (n === 0) return 0;\n  return s / n;' },
              },
            ],
          },
        ],
      },
    ]);
  });

  it("joins the new lines with the file's CRLF", () => {
    const log = buildSarif(
      resultOf([finding({ suggestion: suggestion({ lineEnding: '\r\n' }) })]),
      { toolVersion: '1.0.0' },
    ) as Log;
    expect(JSON.stringify(log.runs[0]!.results[0]!.fixes)).toContain(
      '"text":"  if (n === 0) return 0;\\r\\n  return s / n;"',
    );
  });

  it('is absent for findings without one, and columnKind with it', () => {
    const log = buildSarif(resultOf([finding()]), { toolVersion: '1.0.0' }) as Log;
    expect(log.runs[0]!.results[0]!.fixes).toBeUndefined();
    expect(log.runs[0]!.columnKind).toBeUndefined();
    expect(validateSarif(log)).toBe(true);
  });

  it('ends where the unredacted line ends, even when the written file redacts that line', () => {
    const secret = 'sk-proj-linesecret0123456789abcdef';
    const redactor = new Redactor();
    redactor.add(secret);
    const line = `  const key = "${secret}";`;
    const s = suggestion({
      startLine: 6,
      endLine: 6,
      original: [line],
      replacement: ['  const key = process.env.KEY;'],
      lastLineLength: line.length,
    });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'codex-review-sarif-'));
    const file = path.join(dir, 'x.sarif');
    writeSarifFile(
      file,
      resultOf([finding({ suggestion: s })]),
      redactor,
      { toolVersion: '1.0.0' },
      { roots: [dir] },
    );
    const text = fs.readFileSync(file, 'utf8');
    expect(text).not.toContain(secret);
    expect(text).toContain(`"endColumn": ${line.length + 1}`);
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
  });
});
