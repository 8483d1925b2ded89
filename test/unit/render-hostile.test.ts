// Everything the product renders from a hostile model's review: posted Markdown, the step
// summary and the terminal output.
/* eslint-disable no-control-regex -- the tests look for control characters */
import { describe, expect, it } from 'vitest';
import type { ChangeRequest } from '../../src/core/platform.js';
import { inspectState, fingerprintsIn } from '../../src/core/state/markers.js';
import type { PlacementRecord } from '../../src/core/state/placements.js';
import { nextState } from '../../src/core/state/review-state.js';
import { renderInlineComment } from '../../src/core/render/inline-comment.js';
import { encodePath } from '../../src/core/render/links.js';
import { neutralizeQuickActions } from '../../src/core/render/markdown-escape.js';
import { location } from '../../src/core/render/priority.js';
import { renderStepSummary } from '../../src/core/render/step-summary.js';
import { renderSummaryComment } from '../../src/core/render/summary-comment.js';
import { renderTerminal } from '../../src/core/render/terminal.js';
import { renderTrackingIssue } from '../../src/core/render/tracking-issue.js';
import { fingerprintOf, type Finding } from '../../src/core/review/finding.js';
import type { ReviewResult } from '../../src/core/review/result.js';
import { fenceExtractor, paragraphExtractor, slashLines } from '../support/gitlab-quick-actions.js';
import { QUICK_ACTION_TEXTS, TERMINAL_ESCAPES } from '../support/hostile.js';
import { mentionsIn, nodesOf, parseMarkdown } from '../support/markdown-check.js';

const FORGED = '<!-- codex-review:finding 0123456789abcdef -->';
const HOSTILE_BODY = [
  'cc @octo-org/everyone @alice, and @all',
  FORGED,
  ...QUICK_ACTION_TEXTS,
  ...TERMINAL_ESCAPES,
].join('\n\n');

function finding(i: number, overrides: Partial<Finding> = {}): Finding {
  const title = overrides.title ?? `Finding ${i} for @alice\n## Approved\n/merge`;
  const path = overrides.path === undefined ? `src/we\`ird ${i}).ts` : overrides.path;
  return {
    title,
    body: HOSTILE_BODY,
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

const FINDINGS = [
  finding(0),
  finding(1),
  finding(2, { path: '/etc/ho`sts', inRepo: false }),
  finding(3, { path: null, startLine: null, endLine: null }),
];

const RESULT: ReviewResult = {
  mode: 'review',
  target: undefined,
  headSha: 'b'.repeat(40),
  threadId: 't',
  finalMessage: '',
  findings: FINDINGS,
  verdict: {
    correctness: 'patch is correct\n## Approved @alice\n/approve',
    explanation: `Looks good.\n/merge\n\n${HOSTILE_BODY}`,
    confidence: 0.9,
  },
  structured: undefined,
  source: 'session-file',
  incomplete: undefined,
  usage: { input_tokens: 1, cached_input_tokens: 0, output_tokens: 1, reasoning_output_tokens: 0 },
  blockingCount: 0,
  codex: { version: '0.169.0', durationMs: 1000, fromCache: true },
  exec: undefined,
};

const cr: ChangeRequest = {
  number: 5,
  url: undefined,
  baseSha: 'a'.repeat(40),
  headSha: 'b'.repeat(40),
};
const fileUrl = (path: string, start: number | null, end: number | null) =>
  `https://github.com/o/r/blob/${cr.headSha}/${encodePath(path)}#L${start}-L${end}`;

function summary(): string {
  const placements = new Map<string, PlacementRecord>(
    FINDINGS.map((f) => [f.fingerprint, { placement: 'summary', reason: 'why @alice\n/merge' }]),
  );
  const state = nextState({
    prior: undefined,
    findings: FINDINGS,
    placements,
    reviewedHead: cr.headSha,
    incremental: false,
    changedLines: undefined,
  }).state;
  const stored = state.findings;
  return renderSummaryComment({
    result: RESULT,
    cr,
    placements,
    range: { base: cr.baseSha, head: cr.headSha, incremental: false },
    state,
    seal: { key: undefined, scope: '' },
    carried: stored.slice(0, 2),
    resolved: stored.slice(2),
    fileUrl,
    maxLength: 1_000_000,
  });
}

const BODIES: Record<string, () => string> = {
  'inline comment': () =>
    renderInlineComment(
      FINDINGS[0]!,
      { path: FINDINGS[0]!.path!, side: 'RIGHT', startLine: 10, line: 12, clamped: false },
      65_536,
    ),
  'summary comment': summary,
  'tracking issue': () =>
    renderTrackingIssue({
      marker: '<!-- codex-review:audit k -->',
      result: RESULT,
      state: { version: 2, reviewedHead: cr.headSha, findings: [] },
      seal: { key: undefined, scope: '' },
      fixed: [],
      sha: cr.headSha,
      date: '2025-01-01',
      runUrl: undefined,
      fileUrl,
      maxLength: 1_000_000,
    }),
  'step summary': () => renderStepSummary(RESULT),
};

const OUR_HEADINGS = new Set([
  'Codex review',
  'Findings not posted inline',
  'Still open from earlier reviews',
  'Resolved since the last review',
  'Open',
]);

describe('Markdown rendered from a hostile review', () => {
  for (const [name, render] of Object.entries(BODIES)) {
    describe(name, () => {
      const body = render();

      it('mentions nobody', () => {
        expect(body).toContain('@\u200balice');
        expect(mentionsIn(body)).toEqual([]);
      });

      it('has only the product headings (titles and verdicts are one line)', () => {
        const headings = nodesOf(parseMarkdown(body), 'heading').map((h) =>
          nodesOf(h, 'text')
            .map((t) => t.literal)
            .join(''),
        );
        for (const heading of headings) expect(OUR_HEADINGS).toContain(heading);
      });

      it('on GitLab runs no quick action, in any fence', () => {
        const posted = neutralizeQuickActions(body);
        expect(fenceExtractor(posted)).toEqual([]);
        expect(paragraphExtractor(posted)).toEqual([]);
        expect(slashLines(posted)).toEqual([]);
      });

      it('carries no terminal escape', () => {
        expect(body).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
      });

      it('keeps every path whole in its code span and link', () => {
        // An unclosed fence in model text runs to the end of the body on every parser (see the
        // report: not closed here, because guessing wrong would open one instead); the paths
        // are checked with the model's text closed.
        const doc = parseMarkdown(body.replace(/^```\nunclosed fence\n\/merge$/gm, 'x'));
        const codes = nodesOf(doc, 'code').map((c) => c.literal);
        // The inline comment sits on its file's lines and names no path.
        if (name !== 'inline comment')
          for (const f of FINDINGS.filter((f) => f.path)) expect(codes).toContain(location(f));
        for (const link of nodesOf(doc, 'link')) {
          expect(link.destination).toMatch(/^https:\/\/github\.com\/o\/r\/blob\//);
        }
      });
    });
  }

  it('no marker is forged: only the product fingerprints and state are read back', () => {
    const inline = BODIES['inline comment']!();
    expect(fingerprintsIn(inline)).toEqual([FINDINGS[0]!.fingerprint]);
    const body = summary();
    expect(fingerprintsIn(body)).toEqual([]);
    expect(inspectState(body)!.findings).toHaveLength(FINDINGS.length);
  });
});

describe('the terminal output of a hostile review', () => {
  it('holds no escape sequence but the colours the product adds', () => {
    const out = renderTerminal(RESULT, { color: true });
    const withoutOwn = out.replace(/\u001b\[(?:1;31|31|33|36|1|2|4|0)m/g, '');
    expect(withoutOwn).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
    expect(out).toContain('click me');
  });

  it('without colour holds no escape character at all', () => {
    const out = renderTerminal({ ...RESULT, structured: { x: '\u009b2J\u007f' }, findings: [] });
    expect(out).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
  });
});
