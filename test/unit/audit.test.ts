// publishTrackingIssue: a scheduled audit's one tracking issue, run after run, against the
// in-memory FakeIssueTracker.
import { describe, expect, it } from 'vitest';
import { RecordingLogger } from '../../src/core/logger.js';
import { PermissionDeniedError } from '../../src/core/platform.js';
import { publishTrackingIssue, type AuditInput } from '../../src/core/publish/audit.js';
import { StateKey } from '../../src/core/state/state-key.js';
import { auditMarker } from '../../src/core/state/markers.js';
import { Redactor } from '../../src/core/redact.js';
import { fingerprintOf, type Finding } from '../../src/core/review/finding.js';
import type { ReviewResult } from '../../src/core/review/result.js';
import { FakeIssueTracker } from '../fakes/fake-issue-tracker.js';

const SHA = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678';
const KEY = 'nightly.yml/audit';

const finding = (title: string, line = 3, path = 'src/app.ts'): Finding => ({
  title,
  body: `${title} body`,
  priority: 1,
  confidence: 0.5,
  path,
  startLine: line,
  endLine: line + 1,
  inRepo: true,
  fingerprint: fingerprintOf(path, title),
});

const result = (findings: Finding[], incomplete?: string): ReviewResult => ({
  mode: 'review',
  target: undefined,
  headSha: SHA,
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

const STATE_KEY = StateKey.fromSecret('sk-test-audit-state-key');

async function audit(
  tracker: FakeIssueTracker,
  findings: Finding[],
  options: Partial<AuditInput> & { incomplete?: string } = {},
) {
  const logger = new RecordingLogger();
  const { incomplete, ...rest } = options;
  const outcome = await publishTrackingIssue({
    result: result(findings, incomplete),
    tracker,
    key: KEY,
    title: 'Nightly audit',
    sha: SHA,
    runUrl: 'https://ci.test/run/1',
    date: '2026-02-03',
    redactor: new Redactor(),
    stateKey: STATE_KEY,
    logger,
    ...rest,
  });
  return { ...outcome, log: logger.text() };
}

const writes = (tracker: FakeIssueTracker) =>
  tracker.calls.filter((c) => c.method !== 'findIssue').map((c) => c.method);

describe('publishTrackingIssue', () => {
  it('posts nothing while there is nothing to track', async () => {
    const tracker = new FakeIssueTracker();
    const outcome = await audit(tracker, []);
    expect(outcome.url).toBeUndefined();
    expect(tracker.issues).toEqual([]);
    expect(outcome.log).toContain('No open findings and no tracking issue yet: nothing to post.');
  });

  it('opens one issue listing the findings with links at the audited commit', async () => {
    const tracker = new FakeIssueTracker();
    const findings = [finding('Unsafe eval'), finding('Leaky handle', 10, 'src/io.ts')];
    const outcome = await audit(tracker, findings);
    expect(tracker.issues).toHaveLength(1);
    const [issue] = tracker.issues;
    expect(issue).toMatchObject({ title: 'Nightly audit', state: 'open' });
    expect(outcome.url).toBe(issue!.url);
    expect(issue!.body.startsWith(auditMarker(KEY))).toBe(true);
    expect(issue!.body).toContain('Unsafe eval');
    expect(issue!.body).toContain(`https://fake.test/blob/${SHA}/src/io.ts#L10-L11`);
    expect([...outcome.placements.values()].map((p) => p.placement)).toEqual(['issue', 'issue']);
  });

  it('updates the same issue on the next run, never opening a second', async () => {
    const tracker = new FakeIssueTracker();
    await audit(tracker, [finding('Unsafe eval')]);
    await audit(tracker, [finding('Unsafe eval'), finding('New one')]);
    expect(tracker.issues).toHaveLength(1);
    expect(tracker.issues[0]).toMatchObject({ state: 'open', edits: 1 });
    expect(tracker.issues[0]!.body).toContain('New one');
    expect(writes(tracker)).toEqual(['createIssue', 'updateIssue']);
  });

  it('closes the issue when nothing is open, listing what was fixed, and reopens it when findings return', async () => {
    const tracker = new FakeIssueTracker();
    await audit(tracker, [finding('Unsafe eval')]);
    const closed = await audit(tracker, []);
    expect(tracker.issues[0]!.state).toBe('closed');
    expect(tracker.issues[0]!.body).toContain('~~Unsafe eval~~');
    expect(closed.log).toContain('0 open, 1 fixed since the last run; closed');
    await audit(tracker, [finding('Unsafe eval')]);
    expect(tracker.issues).toHaveLength(1);
    expect(tracker.issues[0]!.state).toBe('open');
  });

  it('takes nothing from a state it cannot verify: no finding listed as fixed', async () => {
    const tracker = new FakeIssueTracker();
    await audit(tracker, [finding('Unsafe eval')]);
    const other = await audit(tracker, [finding('New one')], {
      stateKey: StateKey.fromSecret('sk-test-another-key-0123456789'),
    });
    expect(tracker.issues[0]!.body).not.toContain('~~Unsafe eval~~');
    expect(other.log).toContain('1 open, 0 fixed since the last run');
  });

  it('keeps one issue per audit key', async () => {
    const tracker = new FakeIssueTracker();
    await audit(tracker, [finding('A')]);
    await audit(tracker, [finding('B')], { key: 'weekly.yml/audit', title: 'Weekly audit' });
    await audit(tracker, []);
    expect(tracker.issues.map((i) => [i.title, i.state])).toEqual([
      ['Nightly audit', 'closed'],
      ['Weekly audit', 'open'],
    ]);
  });

  it('finds an issue left by an earlier run by its marker', async () => {
    const tracker = new FakeIssueTracker();
    tracker.seed('Unrelated', 'a person mentions nothing');
    tracker.seed('Nightly audit', `${auditMarker(KEY)}\nold`, 'closed');
    await audit(tracker, [finding('Back again')]);
    expect(tracker.issues.map((i) => i.state)).toEqual(['open', 'open']);
    expect(tracker.issues[1]!.body).toContain('Back again');
  });

  it('leaves the issue as it is after an unfinished audit', async () => {
    const tracker = new FakeIssueTracker();
    await audit(tracker, [finding('Unsafe eval')]);
    const outcome = await audit(tracker, [], { incomplete: 'Codex stopped after 10 minutes' });
    expect(writes(tracker)).toEqual(['createIssue']);
    expect(tracker.issues[0]!.state).toBe('open');
    expect(outcome.url).toBeUndefined();
    expect(outcome.log).toContain(
      'The audit did not finish (Codex stopped after 10 minutes); the tracking issue is left unchanged.',
    );
  });

  it('redacts secrets from the title and the body', async () => {
    const tracker = new FakeIssueTracker();
    const redactor = new Redactor();
    redactor.add('hunter2-secret-value');
    const leaky = {
      ...finding('Key hunter2-secret-value in code'),
      body: 'uses hunter2-secret-value',
    };
    await audit(tracker, [leaky], { title: 'Audit hunter2-secret-value', redactor });
    expect(tracker.issues[0]!.title).toBe('Audit ***');
    expect(tracker.issues[0]!.body).not.toContain('hunter2-secret-value');
  });

  it('marks every finding not-posted when the token cannot open or update the issue', async () => {
    const findings = [finding('A'), finding('B')];
    for (const denied of [['create'], ['update']] as const) {
      const tracker = new FakeIssueTracker({ denied: [...denied] });
      if (denied[0] === 'update') tracker.seed('Nightly audit', auditMarker(KEY));
      const outcome = await audit(tracker, findings);
      expect(outcome.permissionDenied).toMatch(
        /The Fake token cannot (open|update) the tracking issue/,
      );
      expect(outcome.url).toBeUndefined();
      for (const f of findings) {
        expect(outcome.placements.get(f.fingerprint)).toEqual({
          placement: 'not-posted',
          reason: outcome.permissionDenied,
        });
      }
    }
  });

  it('fits a long list into the limit by leaving out details, and says so', async () => {
    const tracker = new FakeIssueTracker({ maxCommentLength: 6_000 });
    const findings = Array.from({ length: 12 }, (_, i) => ({
      ...finding(`Finding ${i}`, i + 1),
      body: 'a long explanation '.repeat(40),
    }));
    await audit(tracker, findings);
    const body = tracker.issues[0]!.body;
    expect(body.length).toBeLessThanOrEqual(6_000);
    // Every item is listed; details only under those that still fit, the rest counted.
    for (let i = 0; i < 12; i++) expect(body).toContain(`Finding ${i}**`);
    const shown = body.split('<details>').length - 1;
    expect(shown).toBeLessThan(12);
    expect(body).toContain(`The details of ${12 - shown} findings are left out to fit this issue`);
  });
});

describe('FakeIssueTracker (the fake itself)', () => {
  it('finds the newest issue carrying the marker', async () => {
    const tracker = new FakeIssueTracker();
    tracker.seed('old', 'marker-x');
    const newer = tracker.seed('new', 'also marker-x', 'closed');
    expect(await tracker.findIssue('marker-x')).toEqual({
      number: newer.number,
      url: newer.url,
      body: 'also marker-x',
      state: 'closed',
    });
    expect(await tracker.findIssue('marker-y')).toBeUndefined();
  });

  it('refuses a body over the limit and an empty title, as GitHub answers 422', async () => {
    const tracker = new FakeIssueTracker({ maxCommentLength: 5 });
    await expect(tracker.createIssue('t', '123456')).rejects.toThrow('body is too long');
    await expect(tracker.createIssue(' ', '1')).rejects.toThrow('title is missing');
    const issue = await tracker.createIssue('t', '12345');
    await expect(tracker.updateIssue(issue, { body: '123456', state: 'open' })).rejects.toThrow(
      'body is too long',
    );
    expect(tracker.issues).toMatchObject([{ body: '12345', edits: 0 }]);
  });

  it('denies the writes it is told to, from the next call on', async () => {
    const tracker = new FakeIssueTracker();
    const issue = await tracker.createIssue('t', 'b');
    tracker.denied.add('update');
    await expect(tracker.updateIssue(issue, { body: 'c', state: 'closed' })).rejects.toThrow(
      PermissionDeniedError,
    );
    await expect(tracker.createIssue('t2', 'b')).resolves.toMatchObject({ number: 2 });
    expect(tracker.issues[0]).toMatchObject({ body: 'b', state: 'open' });
  });
});
