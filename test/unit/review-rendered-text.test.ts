// The rendered review text (Codex's final message in review mode), parsed the way the fallback
// path does when the session file is unavailable. The fixtures were recorded from the real
// Codex CLI by scripts/record-review-fixtures.mjs; expected.json is written by hand.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { toFindings, type Finding } from '../../src/core/review/finding.js';
import { parseRenderedReview } from '../../src/core/review/rendered-text.js';
import {
  INTERRUPTED_TEXT,
  NO_RESPONSE_TEXT,
  ReviewOutputSchema,
} from '../../src/core/review/review-output.js';

const FIXTURES = path.resolve(import.meta.dirname, '..', 'fixtures', 'review');
const REPO = { repoRoot: '/repo', workingDirectory: '/repo' };

type ExpectedFinding = Omit<Finding, 'fingerprint'>;

interface Expected {
  explanation: string;
  correctness: string | null;
  incomplete: 'interrupted' | 'no-response' | 'unparsed' | null;
  rendered: {
    kind: 'review' | 'interrupted' | 'no-response';
    explanation: string;
    /** What the text can say about priority: only a [Px] tag in the title. */
    priorities: (number | null)[];
  };
  findings: ExpectedFinding[];
}

const cases = fs
  .readdirSync(FIXTURES)
  .filter((name) => fs.existsSync(path.join(FIXTURES, name, 'expected.json')))
  .sort();

const read = (name: string, file: string) =>
  fs.readFileSync(path.join(FIXTURES, name, file), 'utf8');
const expectedOf = (name: string) => JSON.parse(read(name, 'expected.json')) as Expected;
const withoutFingerprint = ({ fingerprint: _fingerprint, ...rest }: Finding): ExpectedFinding =>
  rest;

function renderedFindings(text: string): Finding[] {
  const parsed = parseRenderedReview(text);
  return parsed.kind === 'review' ? toFindings(parsed.review.findings, REPO) : [];
}

it('finds every recorded fixture', () => {
  expect(cases).toEqual(
    expect.arrayContaining([
      'zero-findings',
      'one-finding',
      'many-findings',
      'multiline-body',
      'path-with-spaces-unicode',
      'title-with-em-dash',
      'outside-repo',
      'unparseable-reply',
      'null-priority',
      'empty-explanation',
      'empty-message',
      'model-error',
    ]),
  );
});

describe.each(cases)('the review Codex rendered for %s', (name) => {
  const text = read(name, 'rendered.txt');
  const expected = expectedOf(name);

  it('is recognised as the right kind of result with the right explanation', () => {
    const parsed = parseRenderedReview(text);
    expect(parsed.kind).toBe(expected.rendered.kind);
    const explanation =
      parsed.kind === 'review' ? parsed.review.overall_explanation : parsed.message;
    expect(explanation).toBe(expected.rendered.explanation);
  });

  it('gives the expected findings, except the confidence and untagged priorities it cannot carry', () => {
    const findings = renderedFindings(text);
    expect(expected.rendered.priorities).toHaveLength(expected.findings.length);
    expect(findings.map(withoutFingerprint)).toEqual(
      expected.findings.map((finding, i) => ({
        ...finding,
        priority: expected.rendered.priorities[i],
        confidence: null,
      })),
    );
  });

  it('gives every finding the fingerprint the session file gives it, so a fallback run matches earlier comments', () => {
    const line = JSON.parse(read(name, 'session-line.json')) as {
      payload: { item: { review_output: unknown } };
    };
    const output = line.payload.item.review_output;
    const fromSession =
      output === null ? [] : toFindings(ReviewOutputSchema.parse(output).findings, REPO);
    const fromText = renderedFindings(text);
    expect(fromText.map((f) => f.fingerprint)).toEqual(fromSession.map((f) => f.fingerprint));
    expect(new Set(fromText.map((f) => f.fingerprint)).size).toBe(fromText.length);
  });
});

describe('rendered text that went through other hands', () => {
  const oneFinding = read('one-finding', 'rendered.txt');
  const multiline = read('multiline-body', 'rendered.txt');

  it('parses CRLF line endings like LF ones', () => {
    const crlf = multiline.replace(/\n/g, '\r\n');
    expect(crlf).toContain('\r\n');
    expect(parseRenderedReview(crlf)).toEqual(parseRenderedReview(multiline));
    expect(renderedFindings(crlf)).toHaveLength(2);
  });

  it('keeps a finding whose location line has trailing spaces', () => {
    const padded = oneFinding
      .split('\n')
      .map((line) => `${line}   `)
      .join('\n');
    const [finding] = renderedFindings(padded);
    expect(finding).toMatchObject({
      title: 'Guard against empty arrays in mean',
      path: 'app.js',
      startLine: 5,
      endLine: 7,
      body: 'Calling `mean([])` divides by zero and returns NaN.',
    });
  });

  it('ignores blank lines and whitespace around the whole message', () => {
    const [finding] = renderedFindings(`\n\n  ${oneFinding}\n\n\t\n`);
    expect(finding?.title).toBe('Guard against empty arrays in mean');
    const parsed = parseRenderedReview(`\n${oneFinding}\n`);
    expect(parsed.kind === 'review' && parsed.review.overall_explanation).toBe(
      'mean() returns NaN for an empty input.',
    );
  });

  it('recognises the interrupted text with CRLF and surrounding whitespace', () => {
    expect(parseRenderedReview(`\r\n  ${INTERRUPTED_TEXT}  \r\n`)).toEqual({
      kind: 'interrupted',
      message: INTERRUPTED_TEXT,
    });
  });

  it('treats an empty final message as no response rather than a clean review', () => {
    expect(parseRenderedReview('')).toEqual({ kind: 'no-response', message: NO_RESPONSE_TEXT });
    expect(parseRenderedReview(' \n\t\n')).toEqual({
      kind: 'no-response',
      message: NO_RESPONSE_TEXT,
    });
  });

  it('does not take a body line that quotes the header for the header', () => {
    const text = [
      'Explanation.',
      '',
      'Full review comments:',
      '',
      '- [P2] First — /repo/a.js:1-2',
      '  The log says:',
      '  ',
      '  Full review comments:',
      '',
      '- [P3] Second — /repo/b.js:3-4',
      '  Body two.',
    ].join('\n');
    const findings = renderedFindings(text);
    expect(findings.map((f) => [f.title, f.path, f.body])).toEqual([
      ['First', 'a.js', 'The log says:\n\nFull review comments:'],
      ['Second', 'b.js', 'Body two.'],
    ]);
  });

  it('reads a location without an end line as a one-line range', () => {
    const [finding] = renderedFindings('X\n\nReview comment:\n\n- Title — /repo/a.js:12\n  Body');
    expect(finding).toMatchObject({ path: 'a.js', startLine: 12, endLine: 12 });
  });

  it('keeps a colon that belongs to the file name', () => {
    const [finding] = renderedFindings(
      'X\n\nReview comment:\n\n- Title — /repo/dir:v2/a.js:3-4\n  Body',
    );
    expect(finding).toMatchObject({ path: 'dir:v2/a.js', startLine: 3, endLine: 4 });
  });

  it('reads a finding with an empty body', () => {
    const findings = renderedFindings(
      'X\n\nFull review comments:\n\n- [P1] A — /repo/a.js:1-1\n\n- [P2] B — /repo/b.js:2-2\n  b',
    );
    expect(findings.map((f) => [f.title, f.body, f.priority])).toEqual([
      ['A', '', 1],
      ['B', 'b', 2],
    ]);
  });
});
