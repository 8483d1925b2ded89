import { describe, expect, it } from 'vitest';
import type { ChangeRequest } from '../../src/core/platform.js';
import {
  encodeState,
  inspectState,
  readState,
  fingerprintsIn,
  findingMarker,
  SUMMARY_MARKER,
  type SummaryState,
} from '../../src/core/state/markers.js';
import type { PlacementRecord } from '../../src/core/state/placements.js';
import { StateKey } from '../../src/core/state/state-key.js';
import { nextState } from '../../src/core/state/review-state.js';
import { renderInlineComment } from '../../src/core/render/inline-comment.js';
import { renderSummaryComment, type SummaryInput } from '../../src/core/render/summary-comment.js';
import { fingerprintOf, type Finding } from '../../src/core/review/finding.js';
import type { ReviewResult } from '../../src/core/review/result.js';

function finding(i: number, overrides: Partial<Finding> = {}): Finding {
  const title = overrides.title ?? `Finding ${i}`;
  const path = overrides.path === undefined ? `src/f${i}.ts` : overrides.path;
  return {
    title,
    body: `Body of finding ${i}.\n\nWith detail.`,
    priority: i % 4,
    confidence: 0.5,
    path,
    startLine: 10,
    endLine: 12,
    inRepo: true,
    fingerprint: fingerprintOf(path, title),
    ...overrides,
  };
}

function result(findings: Finding[]): ReviewResult {
  return {
    mode: 'review',
    target: undefined,
    headSha: 'b'.repeat(40),
    threadId: 't',
    finalMessage: '',
    findings,
    verdict: { correctness: 'patch is incorrect', explanation: 'Two problems.', confidence: 0.8 },
    structured: undefined,
    source: 'session-file',
    incomplete: undefined,
    usage: {
      input_tokens: 1000,
      cached_input_tokens: 100,
      output_tokens: 50,
      reasoning_output_tokens: 10,
    },
    blockingCount: 0,
    codex: { version: '0.169.0', durationMs: 1000, fromCache: true },
    exec: undefined,
  };
}

const seal = { key: StateKey.fromSecret('sk-test-summary-state-key'), scope: 'change #5' };

const cr: ChangeRequest = {
  number: 5,
  url: undefined,
  baseSha: 'a'.repeat(40),
  headSha: 'b'.repeat(40),
};

function input(
  findings: Finding[],
  placements: Map<string, PlacementRecord>,
  maxLength = 65_536,
): SummaryInput {
  const update = nextState({
    prior: undefined,
    findings,
    placements,
    reviewedHead: cr.headSha,
    incremental: false,
    changedLines: undefined,
  });
  return {
    result: result(findings),
    cr,
    placements,
    range: { base: cr.baseSha, head: cr.headSha, incremental: false },
    state: update.state,
    seal,
    carried: [],
    resolved: [],
    fileUrl: (path, start, end) =>
      `https://github.com/o/r/blob/${cr.headSha}/${path}#L${start}-L${end}`,
    maxLength,
  };
}

describe('the summary comment', () => {
  it('carries the marker and a state the next run can read back', () => {
    const findings = [finding(1), finding(2)];
    const placements = new Map<string, PlacementRecord>([
      [findings[0]!.fingerprint, { placement: 'inline', reason: undefined }],
      [findings[1]!.fingerprint, { placement: 'file', reason: 'outside the changed lines' }],
    ]);
    const body = renderSummaryComment(input(findings, placements));
    expect(body.startsWith(SUMMARY_MARKER)).toBe(true);
    const reading = readState(body, seal);
    expect(reading.kind).toBe('trusted');
    const state = inspectState(body)!;
    expect(state.reviewedHead).toBe(cr.headSha);
    expect(state.findings.map((f) => [f.fingerprint, f.placement, f.status])).toEqual([
      [findings[0]!.fingerprint, 'inline', 'open'],
      [findings[1]!.fingerprint, 'file', 'open'],
    ]);
  });

  it('lists every finding that is not inline, with a link to its lines at the reviewed commit and why', () => {
    const findings = [finding(1), finding(2, { path: '/etc/hosts', inRepo: false })];
    const placements = new Map<string, PlacementRecord>([
      [findings[0]!.fingerprint, { placement: 'file', reason: 'outside the changed lines' }],
      [findings[1]!.fingerprint, { placement: 'summary', reason: 'path outside the repository' }],
    ]);
    const body = renderSummaryComment(input(findings, placements));
    expect(body).toContain(
      `[\`src/f1.ts:10-12\`](https://github.com/o/r/blob/${cr.headSha}/src/f1.ts#L10-L12)`,
    );
    expect(body).toContain('| outside the changed lines |');
    expect(body).toContain('`/etc/hosts:10-12` (outside the repository)');
    expect(body).toContain('Reviewed the changes `aaaaaaa..bbbbbbb`: 2 findings (1 × P1, 1 × P2)');
    expect(body).toContain('1000 input (100 cached) / 50 output tokens');
  });

  it('shrinks to fit the size limit: bodies collapse first, then the least severe rows go', () => {
    const findings = Array.from({ length: 300 }, (_, i) => finding(i, { body: 'x'.repeat(400) }));
    const placements = new Map<string, PlacementRecord>(
      findings.map((f) => [f.fingerprint, { placement: 'summary', reason: 'r' }]),
    );
    const roomy = renderSummaryComment(input(findings, placements, 1_000_000));
    expect(roomy).toContain('<details>');
    const tight = renderSummaryComment(input(findings, placements, 30_000));
    expect(tight.length).toBeLessThanOrEqual(30_000);
    expect(tight).not.toContain('<details>');
    expect(tight).toMatch(/…and \d+ more findings not listed here, the least severe/);
    // The most severe stay; the state takes at most its share and counts what it left out.
    expect(tight).toContain('🔴 P0');
    const state = inspectState(tight)!;
    expect(state.findings.length + (state.untracked ?? 0)).toBe(300);
    expect(readState(tight, seal).kind).toBe('trusted');
  });
});

describe('the review state', () => {
  const a = finding(1, { path: 'src/a.ts' });
  const b = finding(2, { path: 'src/b.ts' });
  const prior: SummaryState = nextState({
    prior: undefined,
    findings: [a, b],
    placements: new Map(),
    reviewedHead: 'h1',
    incremental: false,
    changedLines: undefined,
  }).state;

  it('marks an earlier finding resolved when a full review no longer reports it', () => {
    const update = nextState({
      prior,
      findings: [a],
      placements: new Map(),
      reviewedHead: 'h2',
      incremental: false,
      changedLines: undefined,
    });
    expect(update.resolved.map((f) => f.fingerprint)).toEqual([b.fingerprint]);
    expect(update.state.findings.find((f) => f.fingerprint === b.fingerprint)?.status).toBe(
      'resolved',
    );
  });

  it('keeps an earlier finding open when an incremental review did not touch its file', () => {
    const update = nextState({
      prior,
      findings: [],
      placements: new Map(),
      reviewedHead: 'h2',
      incremental: true,
      changedLines: new Map([['src/a.ts', [[11, 11]] as Array<[number, number]>]]),
    });
    expect(update.carried.map((f) => f.fingerprint)).toEqual([b.fingerprint]);
    expect(update.resolved.map((f) => f.fingerprint)).toEqual([a.fingerprint]);
  });

  it('drops findings resolved in an earlier run', () => {
    const once = nextState({
      prior,
      findings: [a],
      placements: new Map(),
      reviewedHead: 'h2',
      incremental: false,
      changedLines: undefined,
    });
    const twice = nextState({
      prior: once.state,
      findings: [a],
      placements: new Map(),
      reviewedHead: 'h3',
      incremental: false,
      changedLines: undefined,
    });
    expect(twice.resolved).toEqual([]);
    expect(twice.state.findings.map((f) => f.fingerprint)).toEqual([a.fingerprint]);
  });

  it('survives a round trip and ignores a tampered marker', () => {
    expect(readState(encodeState(prior, seal).marker, seal)).toEqual({
      kind: 'trusted',
      state: prior,
    });
    expect(readState('<!-- codex-review:state bm90IGRlZmxhdGU= -->', seal).kind).toBe('untrusted');
    expect(readState('no marker', seal)).toEqual({ kind: 'absent' });
  });
});

describe('an inline comment', () => {
  const anchor = {
    path: 'src/f1.ts',
    side: 'RIGHT' as const,
    startLine: 10,
    line: 12,
    clamped: false,
  };

  it('shows the priority, title, body, confidence and a hidden fingerprint', () => {
    const f = finding(1);
    const body = renderInlineComment(f, anchor, 65_536);
    expect(body).toContain('**🟠 P1 · Finding 1**');
    expect(body).toContain('Body of finding 1.');
    expect(body).toContain('confidence 0.50');
    expect(fingerprintsIn(body)).toEqual([f.fingerprint]);
    expect(body).toContain(findingMarker(f.fingerprint));
  });

  it('shows a suggestion the model wrote into its text as plain code: only checked ones are committable (test/unit/suggest-render.test.ts)', () => {
    const f = finding(1, { body: 'Use this:\n```suggestion\nconst x = 1;\n```' });
    expect(renderInlineComment(f, anchor, 65_536, 'github')).not.toContain('```suggestion');
    expect(renderInlineComment(f, anchor, 65_536, 'github')).toContain('```text');
    const clamped = renderInlineComment(f, { ...anchor, startLine: 11, clamped: true }, 65_536);
    expect(clamped).not.toContain('```suggestion');
    expect(clamped).toContain('```text');
    expect(clamped).toContain('reported on lines 10–12; shown on 11–12, the part inside this diff');
  });

  it('stays within the platform limit, keeping the marker', () => {
    const f = finding(1, { body: 'y'.repeat(100_000) });
    const body = renderInlineComment(f, anchor, 65_536);
    expect(body.length).toBeLessThanOrEqual(65_536);
    expect(body).toContain('(truncated; the full text is in the findings file)');
    expect(fingerprintsIn(body)).toEqual([f.fingerprint]);
  });
});
