// Everything posted or written where a limit applies stays within it, whatever the number of
// findings and however long the model's text: GitHub's 65,536-character comments and issues,
// GitLab's 1,000,000-character notes, the 1 MiB step summary, bounded outputs. What does not
// fit is counted and pointed to the findings file.
import { describe, expect, it } from 'vitest';
import { buildOutputs, FINAL_MESSAGE_LIMIT, FINDINGS_LIMIT } from '../../src/core/outputs.js';
import type { ChangeRequest } from '../../src/core/platform.js';
import { clipForLog } from '../../src/core/render/fit.js';
import { neutralizeQuickActions } from '../../src/core/render/markdown-escape.js';
import { renderTerminal } from '../../src/core/render/terminal.js';
import { STEP_SUMMARY_LIMIT, renderStepSummary } from '../../src/core/render/step-summary.js';
import { renderSummaryComment } from '../../src/core/render/summary-comment.js';
import { renderTrackingIssue } from '../../src/core/render/tracking-issue.js';
import { fingerprintOf, type Finding } from '../../src/core/review/finding.js';
import type { ReviewResult } from '../../src/core/review/result.js';
import { auditScope, changeScope, inspectState, readState } from '../../src/core/state/markers.js';
import type { PlacementRecord } from '../../src/core/state/placements.js';
import { nextState } from '../../src/core/state/review-state.js';
import { StateKey } from '../../src/core/state/state-key.js';

const GITHUB_LIMIT = 65_536;
const GITLAB_LIMIT = 1_000_000;
const MB = 1024 * 1024;
const key = StateKey.fromSecret('sk-test-render-sizes-0123456789abcdef');
const cr: ChangeRequest = {
  number: 9,
  url: 'https://github.com/octo/demo/pull/9',
  baseSha: 'a'.repeat(40),
  headSha: 'b'.repeat(40),
};
const seal = { key, scope: changeScope(cr) };
const RUN_URL = 'https://github.com/octo/demo/actions/runs/123456789';

/** Realistic: distinct titles, deep paths, a paragraph of body. */
function finding(i: number, overrides: Partial<Finding> = {}): Finding {
  const path = `packages/service-${i % 37}/src/modules/feature-${i % 101}/handlers/request-handler-${i}.ts`;
  const title = `Unchecked input reaches the query builder in handler ${i} (${['auth', 'billing', 'search'][i % 3]})`;
  return {
    title,
    body: `The value read from the request on line ${i} is passed to \`buildQuery\` without validation.\n\nValidate it first.`,
    priority: i % 4,
    confidence: 0.7,
    path,
    startLine: 10 + (i % 50),
    endLine: 12 + (i % 50),
    inRepo: true,
    fingerprint: fingerprintOf(path, title),
    ...overrides,
  };
}

function result(findings: Finding[], overrides: Partial<ReviewResult> = {}): ReviewResult {
  return {
    mode: 'review',
    target: undefined,
    headSha: cr.headSha,
    threadId: 't',
    finalMessage: 'done',
    findings,
    verdict: { correctness: 'patch is incorrect', explanation: 'Many problems.', confidence: 0.8 },
    structured: undefined,
    source: 'session-file',
    incomplete: undefined,
    usage: {
      input_tokens: 1,
      cached_input_tokens: 0,
      output_tokens: 1,
      reasoning_output_tokens: 0,
    },
    blockingCount: 0,
    codex: { version: '0.169.0', durationMs: 1000, fromCache: true },
    exec: undefined,
    ...overrides,
  };
}

const fileUrl = (path: string, start: number | null, end: number | null) =>
  `https://github.com/octo/demo/blob/${cr.headSha}/${path}#L${start}-L${end}`;

function summary(r: ReviewResult, maxLength: number, prior?: ReturnType<typeof nextState>) {
  const placements = new Map<string, PlacementRecord>(
    r.findings.map((f) => [f.fingerprint, { placement: 'summary', reason: 'outside the diff' }]),
  );
  const update =
    prior ??
    nextState({
      prior: undefined,
      findings: r.findings,
      placements,
      reviewedHead: cr.headSha,
      incremental: false,
      changedLines: undefined,
    });
  return renderSummaryComment({
    result: r,
    cr,
    placements,
    range: { base: cr.baseSha, head: cr.headSha, incremental: false },
    state: update.state,
    seal,
    carried: update.carried,
    resolved: update.resolved,
    fileUrl,
    runUrl: RUN_URL,
    maxLength,
  });
}

/** Characters as the platforms count them (code points), after GitLab's escaping. */
const posted = (body: string) => Array.from(neutralizeQuickActions(body)).length;

describe('the summary comment', () => {
  for (const n of [1_500, 10_000]) {
    it(`stays within GitHub's limit with ${n.toLocaleString('en-US')} findings, counting what it leaves out`, () => {
      const findings = Array.from({ length: n }, (_, i) => finding(i));
      const started = performance.now();
      const body = summary(result(findings), GITHUB_LIMIT);
      expect(performance.now() - started).toBeLessThan(5_000);
      expect(posted(body)).toBeLessThanOrEqual(GITHUB_LIMIT);
      const listed = (body.match(/^\| 🔴|^\| 🟠|^\| 🟡|^\| 🔵/gmu) ?? []).length;
      expect(listed).toBeGreaterThan(50);
      expect(body).toContain(
        `…and ${(n - listed).toLocaleString('en-US')} more findings not listed here, the least severe, to keep this comment within the size limit: every finding is in the findings file of [this run](${RUN_URL}).`,
      );
      // The most severe are the ones listed.
      expect(body).toContain('🔴 P0');
      expect(body).not.toMatch(/^\| 🔵 P3/mu);
      // The state is signed, bounded and says how much it could not track.
      const state = inspectState(body)!;
      expect(readState(body, seal).kind).toBe('trusted');
      expect(state.findings.length + (state.untracked ?? 0)).toBe(n);
      expect(body).toMatch(
        /The state kept for the next run holds the [\d,]+ most severe open findings; [\d,]+ others are not tracked between runs/,
      );
    });
  }

  it("stays within GitLab's limit once GitLab's quick-action escaping is added", () => {
    // Every body line starts with `/`: GitLab's escape adds a character to each.
    const slashes = Array.from({ length: 4_000 }, (_, i) => `/label ~x${i}`).join('\n');
    const findings = Array.from({ length: 3_000 }, (_, i) => finding(i, { body: slashes }));
    const body = summary(result(findings), GITLAB_LIMIT);
    expect(posted(body)).toBeLessThanOrEqual(GITLAB_LIMIT);
    expect(body).toContain('are left out to fit this comment');
  });

  it('cuts a 50 MB explanation and a 50 MB finding body, quickly, and says where the whole text is', () => {
    const huge = `${'word '.repeat(10 * MB)}`;
    const r = result([finding(1, { body: huge, title: 'T'.repeat(5 * MB) })], {
      verdict: { correctness: 'x'.repeat(MB), explanation: huge, confidence: null },
    });
    const started = performance.now();
    const body = summary(r, GITHUB_LIMIT);
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(posted(body)).toBeLessThanOrEqual(GITHUB_LIMIT);
    expect(body).toMatch(
      /… \(cut at [\d,]+ of 52,428,800 characters; the whole text is in the findings file of \[this run\]/,
    );
  });

  it('bounds the lists of earlier findings still open and resolved', () => {
    const earlier = Array.from({ length: 2_000 }, (_, i) => finding(i));
    const first = nextState({
      prior: undefined,
      findings: earlier,
      placements: new Map(),
      reviewedHead: 'h1',
      incremental: false,
      changedLines: undefined,
    });
    const update = nextState({
      prior: first.state,
      findings: [],
      placements: new Map(),
      reviewedHead: cr.headSha,
      incremental: true,
      changedLines: new Map(earlier.slice(0, 1_000).map((f) => [f.path!, [[1, 1_000]]])),
    });
    expect(update.carried.length).toBe(1_000);
    expect(update.resolved.length).toBe(1_000);
    const body = summary(result([]), GITHUB_LIMIT, update);
    expect(posted(body)).toBeLessThanOrEqual(GITHUB_LIMIT);
    expect(body).toMatch(/- …and [\d,]+ more, left out to fit this comment\./);
  });

  it('shows a custom schema result only as far as it fits', () => {
    const structured = { items: Array.from({ length: 20_000 }, (_, i) => `item ${i}`) };
    const r = result([], {
      mode: 'exec',
      structured,
      exec: { schema: 'custom', replyErrors: [], findingsShaped: false },
    });
    const body = summary(r, GITHUB_LIMIT);
    expect(posted(body)).toBeLessThanOrEqual(GITHUB_LIMIT);
    expect(body).toContain('… (cut here; the whole result is in the findings file');
  });
});

describe('the tracking issue', () => {
  function issue(findings: Finding[], maxLength: number) {
    const r = result(findings);
    const update = nextState({
      prior: undefined,
      findings,
      placements: new Map(),
      reviewedHead: cr.headSha,
      incremental: false,
      changedLines: undefined,
    });
    return renderTrackingIssue({
      marker: '<!-- codex-review:audit nightly/audit -->',
      result: r,
      state: update.state,
      seal: { key, scope: auditScope('nightly/audit') },
      fixed: [],
      sha: cr.headSha,
      date: '2026-01-01',
      runUrl: RUN_URL,
      fileUrl,
      maxLength,
    });
  }

  for (const n of [300, 10_000]) {
    it(`stays within GitHub's limit with ${n.toLocaleString('en-US')} findings on realistic paths`, () => {
      const body = issue(
        Array.from({ length: n }, (_, i) => finding(i)),
        GITHUB_LIMIT,
      );
      expect(posted(body)).toBeLessThanOrEqual(GITHUB_LIMIT);
      expect(body).toMatch(
        /…and [\d,]+ more open findings not listed here|The details of [\d,]+ findings are left out/,
      );
      expect(readState(body, { key, scope: auditScope('nightly/audit') }).kind).toBe('trusted');
    });
  }
});

describe('the step summary', () => {
  it('stays under 1 MiB with 10,000 findings of multi-byte text, rows first, the rest counted', () => {
    const findings = Array.from({ length: 10_000 }, (_, i) =>
      finding(i, { title: `${'界'.repeat(60)} ${i}`, body: '説明'.repeat(500) }),
    );
    const text = renderStepSummary(result(findings), {
      findingsFile: '/home/runner/work/_temp/codex-review/findings.json',
    });
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(STEP_SUMMARY_LIMIT);
    expect(Buffer.byteLength(text)).toBeGreaterThan(STEP_SUMMARY_LIMIT / 2);
    expect(text).toMatch(
      /…and [\d,]+ more findings not listed here, the least severe, to keep this summary within GitHub's 1 MiB: every finding is in the findings file \(`findings-file` output: `\/home\/runner\/work\/_temp\/codex-review\/findings.json`\)\./,
    );
  });

  it('cuts a 50 MB explanation and reply errors without end', () => {
    const r = result([], {
      verdict: { correctness: 'fine', explanation: 'x'.repeat(50 * MB), confidence: null },
      exec: {
        schema: 'custom',
        replyErrors: Array.from({ length: 100_000 }, (_, i) => `error ${i}`),
        findingsShaped: false,
      },
      structured: { big: 'y'.repeat(5 * MB) },
    });
    const text = renderStepSummary(r);
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(STEP_SUMMARY_LIMIT);
    expect(text).toContain('> - …and 99950 more');
  });
});

describe('the outputs', () => {
  const files = { findingsFile: '/tmp/run/codex-review/findings.json' };

  it('cut final-message to its limit with a note naming the findings file', () => {
    const message = 'é'.repeat(25 * MB);
    const { outputs, notes } = buildOutputs(result([], { finalMessage: message }), files);
    const out = outputs['final-message'];
    expect(Buffer.byteLength(out)).toBeLessThanOrEqual(FINAL_MESSAGE_LIMIT);
    expect(out.startsWith('éé')).toBe(true);
    expect(out).not.toContain('\ufffd');
    expect(out).toMatch(
      /\[codex-review: the final message is cut here, at 262,144 of 52,428,800 bytes\. The whole message is "finalMessage" in the findings file: \/tmp\/run\/codex-review\/findings\.json\]$/,
    );
    expect(notes.join('\n')).toContain('/tmp/run/codex-review/findings.json');
  });

  it('keep findings a JSON array of whole findings, the most severe, under its limit', () => {
    const findings = Array.from({ length: 10_000 }, (_, i) => finding(i));
    const { outputs, notes } = buildOutputs(result(findings), files);
    expect(Buffer.byteLength(outputs.findings)).toBeLessThanOrEqual(FINDINGS_LIMIT);
    const parsed = JSON.parse(outputs.findings) as Finding[];
    expect(parsed.length).toBeGreaterThan(100);
    expect(parsed.length).toBeLessThan(10_000);
    const worst = Math.max(...parsed.map((f) => f.priority!));
    const left = findings.filter((f) => !parsed.some((p) => p.fingerprint === f.fingerprint));
    expect(Math.min(...left.map((f) => f.priority!))).toBeGreaterThanOrEqual(worst);
    expect(outputs['findings-count']).toBe('10000');
    expect(notes.join('\n')).toMatch(/holds [\d]+ of 10000 findings.*findings file/);
  });

  it('leave small results alone', () => {
    const { outputs, notes } = buildOutputs(result([finding(1)], { finalMessage: 'short' }), files);
    expect(outputs['final-message']).toBe('short');
    expect(JSON.parse(outputs.findings)).toHaveLength(1);
    expect(notes).toEqual([]);
  });
});

describe('the report printed in the job log and the terminal', () => {
  it('keeps every finding but cuts long model text, saying where the whole is', () => {
    const findings = Array.from({ length: 3 }, (_, i) => finding(i, { body: 'b'.repeat(MB) }));
    const r = result(findings, {
      verdict: { correctness: 'c', explanation: 'e'.repeat(50 * MB), confidence: null },
    });
    const text = renderTerminal(clipForLog(r, 'the findings file /tmp/f.json'));
    expect(text.length).toBeLessThan(200_000);
    for (const f of findings) expect(text).toContain(f.title);
    expect(text).toContain('the whole text is in the findings file /tmp/f.json');
    // The result itself is untouched.
    expect(r.verdict.explanation).toHaveLength(50 * MB);
  });
});
