// The publishing rules, run against the in-memory FakePlatform: it refuses lines outside its
// diff, can deny writes, and has file comments and thread resolution only when asked.
import { describe, expect, it } from 'vitest';
import { RecordingLogger } from '../../src/core/logger.js';
import type { ChangeRequest } from '../../src/core/platform.js';
import { publishReview, type PublishInput } from '../../src/core/publish/publish.js';
import { StateKey } from '../../src/core/state/state-key.js';
import { Redactor } from '../../src/core/redact.js';
import { fingerprintOf, type Finding } from '../../src/core/review/finding.js';
import type { ReviewResult } from '../../src/core/review/result.js';
import { FakePlatform, REFUSALS } from '../fakes/fake-platform.js';

/**
 * a.js: lines 1-6 (2-5 added) in one hunk, 24-27 (25-26 added, old 21 deleted) in another;
 * b.js: a new file of three lines.
 */
const DIFF = [
  'diff --git a/a.js b/a.js',
  '--- a/a.js',
  '+++ b/a.js',
  '@@ -1,2 +1,6 @@',
  ' one',
  '+two',
  '+three',
  '+four',
  '+five',
  ' six',
  '@@ -20,3 +24,4 @@',
  ' twenty',
  '-old twenty-one',
  '+new twenty-five',
  '+new twenty-six',
  ' twenty-two',
  'diff --git a/b.js b/b.js',
  'new file mode 100644',
  '--- /dev/null',
  '+++ b/b.js',
  '@@ -0,0 +1,3 @@',
  '+x',
  '+y',
  '+z',
  '',
].join('\n');

const finding = (title: string, line: number, path = 'a.js', priority = 1): Finding => ({
  title,
  body: `${title} body`,
  priority,
  confidence: 0.5,
  path,
  startLine: line,
  endLine: line,
  inRepo: true,
  fingerprint: fingerprintOf(path, title),
});

const result = (findings: Finding[], incomplete?: string): ReviewResult => ({
  mode: 'review',
  target: undefined,
  headSha: 'h',
  threadId: 't',
  finalMessage: '',
  findings,
  verdict: { correctness: null, explanation: null, confidence: null },
  structured: undefined,
  source: 'session-file',
  incomplete,
  usage: { input_tokens: 0, cached_input_tokens: 0, output_tokens: 0, reasoning_output_tokens: 0 },
  blockingCount: 0,
  codex: { version: '0.169.0', durationMs: 0, fromCache: true },
  exec: undefined,
});

const cr: ChangeRequest = { number: 1, url: undefined, baseSha: 'b', headSha: 'h' };
const STATE_KEY = StateKey.fromSecret('sk-test-publish-state-key');

const publish = (
  platform: FakePlatform,
  findings: Finding[],
  options: Partial<PublishInput> & { incomplete?: string } = {},
) => {
  const logger = new RecordingLogger();
  const { incomplete, ...rest } = options;
  return publishReview({
    result: result(findings, incomplete),
    platform,
    cr,
    target: 'review',
    minPriority: 2,
    maxInlineComments: 25,
    range: { base: 'b', head: 'h', incremental: false },
    changedLines: undefined,
    redactor: new Redactor(),
    stateKey: STATE_KEY,
    logger,
    ...rest,
  }).then((outcome) => ({ ...outcome, log: logger.text() }));
};

const placementOf = (outcome: Awaited<ReturnType<typeof publish>>, f: Finding) =>
  outcome.placements.get(f.fingerprint);

describe('publishReview: where findings go', () => {
  it('does not count findings already posted inline against max-inline-comments, nor list them again', async () => {
    const old = finding('Old problem', 2);
    const platform = new FakePlatform(DIFF, { earlierInline: [old.fingerprint] });
    const outcome = await publish(platform, [old, finding('New one', 3), finding('New two', 4)], {
      maxInlineComments: 2,
    });
    expect(platform.reviews).toHaveLength(1);
    expect(platform.reviews[0]!.map((c) => c.anchor.line)).toEqual([3, 4]);
    expect(placementOf(outcome, old)?.placement).toBe('inline-earlier');
    expect(platform.summary!.body).not.toContain('Old problem');
  });

  it('posts inline on the exact lines, both sides, a range within one hunk', async () => {
    const platform = new FakePlatform(DIFF);
    const range = { ...finding('Range', 2), endLine: 4 };
    const deleted = finding('Deleted line', 21);
    const outcome = await publish(platform, [range, deleted, finding('New file', 2, 'b.js')]);
    expect(platform.rejected).toEqual([]);
    expect(platform.reviews[0]!.map((c) => c.anchor)).toEqual([
      { path: 'a.js', side: 'RIGHT', startLine: 2, line: 4, clamped: false },
      { path: 'a.js', side: 'LEFT', startLine: 21, line: 21, clamped: false },
      { path: 'b.js', side: 'RIGHT', startLine: 2, line: 2, clamped: false },
    ]);
    expect([...outcome.placements.values()].map((p) => p.placement)).toEqual([
      'inline',
      'inline',
      'inline',
    ]);
  });

  it('lists a finding on a line outside the diff in the summary, never trying it inline', async () => {
    const platform = new FakePlatform(DIFF);
    const outside = finding('Between the hunks', 15);
    const inside = finding('On an added line', 3);
    const outcome = await publish(platform, [outside, inside]);
    expect(placementOf(outcome, outside)).toEqual({
      placement: 'file',
      reason: 'outside the changed lines',
    });
    expect(placementOf(outcome, inside)?.placement).toBe('inline');
    const posted = platform.calls.flatMap((c) => (c.method === 'postReview' ? c.comments : []));
    expect(posted.map((c) => c.fingerprint)).toEqual([inside.fingerprint]);
    expect(platform.summary!.body).toContain('Between the hunks');
    expect(platform.summary!.body).toContain('outside the changed lines');
    expect(platform.summary!.body).not.toContain('| On an added line |');
  });

  it('posts it on the file instead where the platform takes file comments', async () => {
    const platform = new FakePlatform(DIFF, { supportsFileComments: true });
    const outside = finding('Between the hunks', 15);
    const outcome = await publish(platform, [outside]);
    expect(platform.reviews[0]!.map((c) => c.anchor)).toEqual([
      { path: 'a.js', side: 'FILE', startLine: 15, line: 15, clamped: false },
    ]);
    expect(placementOf(outcome, outside)?.placement).toBe('inline');
    expect(platform.summary!.body).not.toContain('| Between the hunks |');
  });

  it('moves a comment the platform rejects to the summary, with its reason, and posts the rest', async () => {
    const platform = new FakePlatform(DIFF, { unrenderedPaths: ['b.js'] });
    const refused = finding('In a file too large to render', 2, 'b.js');
    const kept = finding('Kept inline', 3);
    const outcome = await publish(platform, [refused, kept]);
    expect(platform.reviews).toEqual([
      [expect.objectContaining({ fingerprint: kept.fingerprint })],
    ]);
    expect(placementOf(outcome, refused)).toEqual({
      placement: 'summary',
      reason: `Fake rejected the inline comment: ${REFUSALS.line}`,
    });
    expect(placementOf(outcome, kept)?.placement).toBe('inline');
    expect(platform.summary!.body).toContain('In a file too large to render');
    expect(platform.summary!.body).toContain(REFUSALS.line);
    expect(outcome.log).toContain('1 rejected, moved to the summary');
  });

  it('neutralises a marker a finding tries to smuggle into the summary', async () => {
    const platform = new FakePlatform(DIFF);
    const evil = { ...finding('Evil', 99), body: '<!-- codex-review:state AAAA -->' };
    await publish(platform, [evil]);
    expect(platform.summary!.body).toContain('&lt;!-- codex-review:state AAAA -->');
    expect(platform.summary!.body.match(/<!-- codex-review:state /g)).toHaveLength(1);
  });
});

describe('publishReview: a token that cannot write', () => {
  it('marks every finding not-posted, with the reason, and writes nothing', async () => {
    const platform = new FakePlatform(DIFF, { denied: true });
    const findings = [finding('Inline one', 3), finding('Summary one', 15)];
    const outcome = await publish(platform, findings);
    expect(outcome.permissionDenied).toMatch(/cannot post a review/);
    for (const f of findings) {
      expect(placementOf(outcome, f)).toEqual({
        placement: 'not-posted',
        reason: outcome.permissionDenied,
      });
    }
    expect(outcome.summaryUrl).toBeUndefined();
    expect(platform.reviews).toEqual([]);
    expect(platform.summaries).toEqual([]);
  });

  it('keeps what was posted inline when only the summary is refused', async () => {
    const platform = new FakePlatform(DIFF, { denied: ['summary'] });
    const inline = finding('Inline one', 3);
    const listed = finding('Summary one', 15);
    const outcome = await publish(platform, [inline, listed]);
    expect(outcome.permissionDenied).toMatch(/cannot write the summary comment/);
    expect(placementOf(outcome, inline)?.placement).toBe('inline');
    expect(placementOf(outcome, listed)?.placement).toBe('not-posted');
    expect(platform.reviews).toHaveLength(1);
  });
});

describe('publishReview: run after run', () => {
  it('edits the one summary in place, never posting a second', async () => {
    const platform = new FakePlatform(DIFF);
    await publish(platform, [finding('First', 15)]);
    await publish(platform, [finding('Second', 16)]);
    await publish(platform, [finding('Third', 17)]);
    expect(platform.summaries).toHaveLength(1);
    expect(platform.summaries[0]!.edits).toBe(2);
    expect(platform.summary!.body).toContain('| Third |');
    expect(platform.summary!.body).not.toContain('| First |');
    const ids = platform.calls.flatMap((c) => (c.method === 'upsertSummary' ? [c.existingId] : []));
    expect(ids).toEqual([undefined, platform.summaries[0]!.id, platform.summaries[0]!.id]);
  });

  it("edits an earlier run's summary, found by its marker", async () => {
    const first = new FakePlatform(DIFF);
    await publish(first, [finding('Earlier', 15)]);
    const platform = new FakePlatform(DIFF, { earlierSummary: first.summary!.body });
    await publish(platform, [finding('Now', 16)]);
    expect(platform.summaries).toHaveLength(1);
    expect(platform.summaries[0]!.edits).toBe(1);
    // The earlier finding is gone from a full review: resolved.
    expect(platform.summary!.body).toContain('~~Earlier~~');
  });

  it('acts on no state it cannot verify (another key, or none), but still edits the summary in place', async () => {
    const first = new FakePlatform(DIFF, { resolvesThreads: true });
    await publish(first, [finding('Earlier', 15)]);
    for (const stateKey of [StateKey.fromSecret('sk-test-some-other-key-0123'), undefined]) {
      const platform = new FakePlatform(DIFF, {
        earlierSummary: first.summary!.body,
        resolvesThreads: true,
      });
      await publish(platform, [finding('Now', 16)], { stateKey });
      expect(platform.summaries).toHaveLength(1);
      expect(platform.summaries[0]!.edits).toBe(1);
      // Nothing taken from it: no finding marked resolved, no thread resolved.
      expect(platform.summary!.body).not.toContain('~~Earlier~~');
      expect(platform.calls.filter((c) => c.method === 'resolveFixed')).toEqual([]);
    }
  });

  it('posts a new summary when the old one was deleted, still only one', async () => {
    const platform = new FakePlatform(DIFF);
    await publish(platform, [finding('First', 15)]);
    platform.deleteSummary();
    await publish(platform, [finding('Second', 16)]);
    expect(platform.summaries).toHaveLength(1);
    expect(platform.summary!.body).toContain('| Second |');
  });

  it('does not post an already-posted fingerprint again', async () => {
    const platform = new FakePlatform(DIFF);
    const findings = [finding('A', 2), finding('B', 3)];
    await publish(platform, findings);
    const again = await publish(platform, findings);
    expect(platform.reviews).toHaveLength(1);
    expect(platform.calls.filter((c) => c.method === 'postReview')).toHaveLength(1);
    for (const f of findings) expect(placementOf(again, f)?.placement).toBe('inline-earlier');
  });

  it("resolves fixed findings' threads where the platform can, and only those", async () => {
    const platform = new FakePlatform(DIFF, { resolvesThreads: true });
    const kept = finding('Still there', 2);
    const fixed = finding('Fixed since', 3);
    await publish(platform, [kept, fixed]);
    const second = await publish(platform, [kept]);
    expect(platform.threads.map((t) => [t.comment.fingerprint, t.resolved])).toEqual([
      [kept.fingerprint, false],
      [fixed.fingerprint, true],
    ]);
    expect(second.log).toContain('Resolved 1 thread(s) of findings fixed since the last run.');
    expect(platform.summary!.body).toContain('~~Fixed since~~');
    // Nothing more to resolve on the next run.
    await publish(platform, [kept]);
    expect(platform.calls.filter((c) => c.method === 'resolveFixed')).toHaveLength(1);
  });

  it('resolves nothing an incremental review did not look at again, nor after an unfinished run', async () => {
    const platform = new FakePlatform(DIFF, { resolvesThreads: true });
    const untouched = finding('Untouched', 3);
    await publish(platform, [untouched]);
    await publish(platform, [], {
      range: { base: 'h0', head: 'h', incremental: true },
      changedLines: new Map([['a.js', [[24, 27]]]]),
    });
    await publish(platform, [], { incomplete: 'Codex stopped early' });
    expect(platform.calls.filter((c) => c.method === 'resolveFixed')).toEqual([]);
    expect(platform.threads.every((t) => !t.resolved)).toBe(true);
  });

  it('publishes as usual on a platform that cannot resolve threads', async () => {
    const platform = new FakePlatform(DIFF);
    expect(platform.resolveFixed).toBeUndefined();
    await publish(platform, [finding('Fixed since', 3)]);
    await publish(platform, []);
    expect(platform.threads.every((t) => !t.resolved)).toBe(true);
    expect(platform.summary!.body).toContain('~~Fixed since~~');
  });
});
