// The in-memory FakePlatform must refuse what a platform refuses: every rule it models is shown
// refusing and accepting.
import { describe, expect, it } from 'vitest';
import type { InlineAnchor } from '../../src/core/diff/placement.js';
import { PermissionDeniedError, type ChangeRequest } from '../../src/core/platform.js';
import { findingMarker, SUMMARY_MARKER } from '../../src/core/state/markers.js';
import { FakePlatform, REFUSALS } from '../fakes/fake-platform.js';

// a.js: new 1-6 (2-5 added) and new 24-27 / old 20-22 (old 21 deleted); gone.js deleted.
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
  'diff --git a/gone.js b/gone.js',
  'deleted file mode 100644',
  '--- a/gone.js',
  '+++ /dev/null',
  '@@ -1,2 +0,0 @@',
  '-x',
  '-y',
  '',
].join('\n');

const cr: ChangeRequest = { number: 1, url: undefined, baseSha: 'b', headSha: 'h' };

let n = 0;
const comment = (anchor: Partial<InlineAnchor> & { line: number }) => {
  const fingerprint = `${(++n).toString(16).padStart(16, '0')}`;
  return {
    fingerprint,
    anchor: {
      path: 'a.js',
      side: 'RIGHT' as const,
      startLine: anchor.line,
      clamped: false,
      ...anchor,
    },
    body: `finding\n\n${findingMarker(fingerprint)}`,
  };
};

/** The reason the platform gives for refusing one comment, or undefined when it takes it. */
const refusal = async (platform: FakePlatform, anchor: Parameters<typeof comment>[0]) =>
  (await platform.postReview(cr, [comment(anchor)])).rejected[0]?.reason;

describe('FakePlatform: inline comments', () => {
  it('takes added and context lines on the right, deleted and context lines on the left', async () => {
    const platform = new FakePlatform(DIFF);
    const review = await platform.postReview(cr, [
      comment({ line: 1 }),
      comment({ line: 3 }),
      comment({ line: 27 }),
      comment({ line: 21, side: 'LEFT' }),
      comment({ line: 20, side: 'LEFT' }),
      comment({ line: 2, side: 'LEFT', path: 'gone.js' }),
      comment({ startLine: 2, line: 5 }),
    ]);
    expect(review.rejected).toEqual([]);
    expect(review.posted).toHaveLength(7);
    expect(platform.reviews).toEqual([review.posted]);
    expect(platform.threads).toHaveLength(7);
    expect(review.url).toBeDefined();
  });

  it('refuses a line outside every hunk, or on the side that does not show it', async () => {
    const platform = new FakePlatform(DIFF);
    expect(await refusal(platform, { line: 7 })).toBe(REFUSALS.line);
    expect(await refusal(platform, { line: 15 })).toBe(REFUSALS.line);
    // Old line 21 was deleted: only the left side shows it; old 23 is past the hunk.
    expect(await refusal(platform, { line: 21, side: 'LEFT' })).toBeUndefined();
    expect(await refusal(platform, { line: 23, side: 'LEFT' })).toBe(REFUSALS.line);
    expect(await refusal(platform, { line: 25, side: 'LEFT' })).toBe(REFUSALS.line);
    // A deleted file has no right side.
    expect(await refusal(platform, { line: 1, path: 'gone.js' })).toBe(REFUSALS.line);
  });

  it('refuses a range across hunks or running backwards, and a path the diff does not change', async () => {
    const platform = new FakePlatform(DIFF);
    const review = await platform.postReview(cr, [
      comment({ startLine: 5, line: 25 }),
      comment({ startLine: 4, line: 2 }),
      comment({ line: 1, path: 'untouched.js' }),
    ]);
    expect(review.posted).toEqual([]);
    expect(review.rejected.map((r) => r.reason)).toEqual([
      REFUSALS.acrossHunks,
      REFUSALS.startAfterEnd,
      REFUSALS.path,
    ]);
    // Nothing accepted: no review at all.
    expect(review.url).toBeUndefined();
    expect(platform.reviews).toEqual([]);
    expect(platform.rejected).toHaveLength(3);
  });

  it('refuses every line of an unrendered file, though the diff shows it', async () => {
    const platform = new FakePlatform(DIFF, { unrenderedPaths: ['a.js'] });
    const review = await platform.postReview(cr, [comment({ line: 3 })]);
    expect(review.rejected.map((r) => r.reason)).toEqual([REFUSALS.line]);
  });

  it('takes a comment on a whole changed file only where file comments are supported', async () => {
    const file = comment({ line: 15, side: 'FILE' });
    const without = await new FakePlatform(DIFF).postReview(cr, [file]);
    expect(without.rejected.map((r) => r.reason)).toEqual([REFUSALS.fileComment]);
    const platform = new FakePlatform(DIFF, { supportsFileComments: true });
    expect(platform.supportsFileComments).toBe(true);
    const withSupport = await platform.postReview(cr, [
      file,
      comment({ line: 1, side: 'FILE', path: 'untouched.js' }),
    ]);
    expect(withSupport.posted).toEqual([file]);
    expect(withSupport.rejected.map((r) => r.reason)).toEqual([REFUSALS.path]);
  });

  it('refuses a comment over the length limit', async () => {
    const platform = new FakePlatform(DIFF, { maxCommentLength: 10 });
    const review = await platform.postReview(cr, [comment({ line: 3 })]);
    expect(review.rejected.map((r) => r.reason)).toEqual([REFUSALS.tooLong]);
  });
});

describe('FakePlatform: state between runs', () => {
  it('finds its summary by the marker and the fingerprints of inline threads', async () => {
    const platform = new FakePlatform(DIFF, {
      earlierInline: ['00000000000000aa'],
      earlierSummary: `${SUMMARY_MARKER}\nearlier`,
    });
    await platform.postReview(cr, [comment({ line: 3 })]);
    const existing = await platform.loadExisting();
    expect(existing.summary).toMatchObject({ body: `${SUMMARY_MARKER}\nearlier` });
    expect([...existing.inlineFingerprints]).toEqual([
      '00000000000000aa',
      platform.threads[1]!.comment.fingerprint,
    ]);
    // A comment without the marker is not the summary.
    expect(
      (await new FakePlatform(DIFF, { earlierSummary: 'hello' }).loadExisting()).summary,
    ).toBeUndefined();
  });

  it('edits the summary in place when given it, and posts a second one when not', async () => {
    const platform = new FakePlatform(DIFF);
    await platform.upsertSummary(cr, `${SUMMARY_MARKER}\nv1`, undefined);
    const { summary } = await platform.loadExisting();
    await platform.upsertSummary(cr, `${SUMMARY_MARKER}\nv2`, summary);
    expect(platform.summaries).toEqual([
      { id: summary!.id, body: `${SUMMARY_MARKER}\nv2`, edits: 1 },
    ]);
    await platform.upsertSummary(cr, `${SUMMARY_MARKER}\nduplicate`, undefined);
    expect(platform.summaries).toHaveLength(2);
  });

  it('posts a new summary when the one it was given has been deleted', async () => {
    const platform = new FakePlatform(DIFF, { earlierSummary: `${SUMMARY_MARKER}\nold` });
    const { summary } = await platform.loadExisting();
    platform.deleteSummary();
    await platform.upsertSummary(cr, `${SUMMARY_MARKER}\nnew`, summary);
    expect(platform.summaries.map((s) => s.body)).toEqual([`${SUMMARY_MARKER}\nnew`]);
  });

  it('refuses a summary over the length limit', async () => {
    const platform = new FakePlatform(DIFF, { maxCommentLength: 10 });
    await expect(platform.upsertSummary(cr, 'x'.repeat(11), undefined)).rejects.toThrow(
      REFUSALS.tooLong,
    );
  });
});

describe('FakePlatform: permissions and capabilities', () => {
  it('throws PermissionDeniedError on the writes it is told to deny, and records the attempt', async () => {
    const platform = new FakePlatform(DIFF, { denied: true, resolvesThreads: true });
    await expect(platform.postReview(cr, [comment({ line: 3 })])).rejects.toBeInstanceOf(
      PermissionDeniedError,
    );
    await expect(platform.upsertSummary(cr, SUMMARY_MARKER, undefined)).rejects.toBeInstanceOf(
      PermissionDeniedError,
    );
    await expect(platform.resolveFixed!(cr, ['x'])).rejects.toBeInstanceOf(PermissionDeniedError);
    expect(platform.calls.map((c) => c.method)).toEqual([
      'postReview',
      'upsertSummary',
      'resolveFixed',
    ]);
    expect(platform.reviews).toEqual([]);
    expect(platform.summaries).toEqual([]);
    // Reads still work, as with a read-only token.
    await expect(platform.loadDiff()).resolves.toBe(DIFF);
  });

  it('denies only the writes named, from the next call on', async () => {
    const platform = new FakePlatform(DIFF, { denied: ['summary'] });
    await expect(platform.postReview(cr, [comment({ line: 3 })])).resolves.toMatchObject({
      rejected: [],
    });
    await expect(platform.upsertSummary(cr, SUMMARY_MARKER, undefined)).rejects.toThrow(
      /cannot write the summary comment/,
    );
    platform.denied.add('review');
    await expect(platform.postReview(cr, [comment({ line: 4 })])).rejects.toThrow(
      /cannot post a review/,
    );
  });

  it('offers resolveFixed only when asked, resolving each open thread of the fingerprints once', async () => {
    expect(new FakePlatform(DIFF).resolveFixed).toBeUndefined();
    const platform = new FakePlatform(DIFF, { resolvesThreads: true });
    const [a, b] = [comment({ line: 3 }), comment({ line: 4 })];
    await platform.postReview(cr, [a, b]);
    expect(await platform.resolveFixed!(cr, [a.fingerprint, 'ffffffffffffffff'])).toBe(1);
    expect(await platform.resolveFixed!(cr, [a.fingerprint])).toBe(0);
    expect(platform.threads.map((t) => t.resolved)).toEqual([true, false]);
  });
});
