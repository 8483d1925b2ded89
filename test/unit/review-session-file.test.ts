// The structured review in Codex's session ("rollout") file, and extractReview's choice between
// it and the rendered text. The session lines and rendered texts were recorded from the real
// Codex CLI by scripts/record-review-fixtures.mjs; expected.json is written by hand.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RecordingLogger } from '../../src/core/logger.js';
import { extractReview } from '../../src/core/review/extract.js';
import { toFindings, type Finding } from '../../src/core/review/finding.js';
import {
  INTERRUPTED_TEXT,
  NO_RESPONSE_TEXT,
  type ReviewOutput,
} from '../../src/core/review/review-output.js';
import { findSessionFile, readSessionReview } from '../../src/core/review/session-file.js';

const FIXTURES = path.resolve(import.meta.dirname, '..', 'fixtures', 'review');
const REPO = { repoRoot: '/repo', workingDirectory: '/repo' };
const UNPARSED = /could not be parsed/;

interface Expected {
  explanation: string;
  correctness: string | null;
  incomplete: 'interrupted' | 'no-response' | 'unparsed' | null;
  rendered: {
    kind: 'review' | 'interrupted' | 'no-response';
    explanation: string;
    priorities: (number | null)[];
  };
  findings: Omit<Finding, 'fingerprint'>[];
}

interface SessionLine {
  payload: { thread_id: string; item: { review_output: unknown } };
}

const cases = fs
  .readdirSync(FIXTURES)
  .filter((name) => fs.existsSync(path.join(FIXTURES, name, 'expected.json')))
  .sort();

const read = (name: string, file: string) =>
  fs.readFileSync(path.join(FIXTURES, name, file), 'utf8');
const expectedOf = (name: string) => JSON.parse(read(name, 'expected.json')) as Expected;
const sessionLineOf = (name: string) => JSON.parse(read(name, 'session-line.json')) as SessionLine;
const withoutFingerprint = ({ fingerprint: _fingerprint, ...rest }: Finding) => rest;

const homes: string[] = [];
afterEach(() => {
  for (const dir of homes.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function tempHome(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'codex-review-session-test-'));
  homes.push(dir);
  return dir;
}

/** A CODEX_HOME with one rollout file laid out like Codex 0.169.0 lays it out. */
function codexHomeWith(threadId: string, lines: unknown[], day = '2026/11/21'): string {
  const home = tempHome();
  const dir = path.join(home, 'sessions', ...day.split('/'));
  fs.mkdirSync(dir, { recursive: true });
  const stamp = `${day.replace(/\//g, '-')}T00-27-45`;
  const body = lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n');
  fs.writeFileSync(path.join(dir, `rollout-${stamp}-${threadId}.jsonl`), `${body}\n`);
  return home;
}

/** The lines around the ExitedReviewMode one in a real rollout file (shortened). */
function surroundingLines(threadId: string) {
  return {
    before: [
      {
        timestamp: '2026-11-21T00:27:45.479Z',
        type: 'session_meta',
        payload: { session_id: threadId, id: threadId, cwd: '/repo' },
      },
      {
        type: 'event_msg',
        payload: {
          type: 'item_completed',
          thread_id: threadId,
          item: { type: 'EnteredReviewMode', id: 'x', target: { type: 'baseBranch' } },
        },
      },
      // Mentions the marker in text but is not the item: the cheap filter lets it through.
      {
        type: 'response_item',
        payload: {
          type: 'message',
          role: 'user',
          content: [{ type: 'input_text', text: 'ExitedReviewMode is coming' }],
        },
      },
      '{"truncated line mentioning ExitedReviewMode',
    ],
    after: [
      {
        type: 'event_msg',
        payload: { type: 'task_complete', turn_id: 't', last_agent_message: null },
      },
    ],
  };
}

function homeForFixture(name: string): { home: string; threadId: string } {
  const line = sessionLineOf(name);
  const threadId = line.payload.thread_id;
  const { before, after } = surroundingLines(threadId);
  return { home: codexHomeWith(threadId, [...before, line, ...after]), threadId };
}

function incompleteMatcher(kind: Expected['incomplete']) {
  if (kind === 'interrupted') return INTERRUPTED_TEXT;
  if (kind === 'no-response') return NO_RESPONSE_TEXT;
  if (kind === 'unparsed') return expect.stringMatching(UNPARSED);
  return undefined;
}

const findingsOf = (review: ReviewOutput) => toFindings(review.findings, REPO);

describe.each(cases)('the session file recorded for %s', (name) => {
  const expected = expectedOf(name);
  const reviewOutput = sessionLineOf(name).payload.item.review_output;

  it('is found under sessions/YYYY/MM/DD by its thread id', () => {
    const { home, threadId } = homeForFixture(name);
    const file = findSessionFile(home, threadId);
    expect(file).toMatch(new RegExp(`/sessions/2026/11/21/rollout-[^/]+-${threadId}\\.jsonl$`));
  });

  it('is read as the review Codex produced, or as empty when it produced none', () => {
    const { home, threadId } = homeForFixture(name);
    const session = readSessionReview(home, threadId);
    if (reviewOutput === null) {
      expect(session.kind).toBe('empty');
      return;
    }
    expect(session.kind).toBe('found');
    if (session.kind !== 'found') return;
    expect(session.review.overall_explanation).toBe(expected.explanation);
    expect(session.review.overall_correctness).toBe(expected.correctness);
  });

  it('is preferred by extractReview and gives exactly the expected findings, priority and confidence included', () => {
    const { home, threadId } = homeForFixture(name);
    const logger = new RecordingLogger();
    // A final message that disagrees with the session file: the file must win.
    const extracted = extractReview({
      codexHome: home,
      threadId,
      finalMessage: read('title-with-em-dash', 'rendered.txt'),
      logger,
    });
    expect(extracted.source).toBe('session-file');
    expect(findingsOf(extracted.review).map(withoutFingerprint)).toEqual(expected.findings);
    expect(extracted.review.overall_explanation).toBe(expected.explanation);
    expect(extracted.review.overall_correctness ?? null).toBe(expected.correctness);
    expect(extracted.incomplete).toEqual(incompleteMatcher(expected.incomplete));
    expect(logger.records.filter((r) => r.level === 'warning')).toEqual([]);
  });

  it('falls back to the rendered text, with a warning, when the session file is missing', () => {
    const { threadId } = homeForFixture(name);
    const emptyHome = tempHome();
    const logger = new RecordingLogger();
    const extracted = extractReview({
      codexHome: emptyHome,
      threadId,
      finalMessage: read(name, 'rendered.txt'),
      logger,
    });
    expect(extracted.source).toBe('rendered-text');
    expect(logger.records).toContainEqual({
      level: 'warning',
      message: expect.stringContaining(`no session file for thread ${threadId}`),
    });
    expect(findingsOf(extracted.review).map(withoutFingerprint)).toEqual(
      expected.findings.map((f, i) => ({
        ...f,
        priority: expected.rendered.priorities[i],
        confidence: null,
      })),
    );
    expect(extracted.review.overall_explanation).toBe(expected.rendered.explanation);
    const renderedIncomplete =
      expected.rendered.kind === 'interrupted'
        ? INTERRUPTED_TEXT
        : expected.rendered.kind === 'no-response'
          ? NO_RESPONSE_TEXT
          : undefined;
    expect(extracted.incomplete).toBe(renderedIncomplete);
  });
});

describe('reading the session file', () => {
  const oneFinding = sessionLineOf('one-finding');

  it('reports a missing thread id instead of searching', () => {
    const session = readSessionReview(tempHome(), undefined);
    expect(session).toEqual({ kind: 'missing', reason: 'Codex reported no thread id' });
  });

  it('picks the rollout file of the thread asked for among other sessions', () => {
    const threadId = oneFinding.payload.thread_id;
    const home = codexHomeWith(threadId, [oneFinding]);
    const other = JSON.parse(JSON.stringify(sessionLineOf('zero-findings'))) as SessionLine;
    const otherDir = path.join(home, 'sessions', '2026', '11', '20');
    fs.mkdirSync(otherDir, { recursive: true });
    fs.writeFileSync(
      path.join(otherDir, `rollout-2026-11-20T10-00-00-${other.payload.thread_id}.jsonl`),
      `${JSON.stringify(other)}\n`,
    );
    const session = readSessionReview(home, threadId);
    expect(session.kind).toBe('found');
    expect(session.kind === 'found' && session.review.findings).toHaveLength(1);
    const otherSession = readSessionReview(home, other.payload.thread_id);
    expect(otherSession.kind === 'found' && otherSession.review.findings).toEqual([]);
  });

  it('is missing, with the reason, when the file has no ExitedReviewMode item', () => {
    const threadId = oneFinding.payload.thread_id;
    const { before, after } = surroundingLines(threadId);
    const home = codexHomeWith(threadId, [...before, ...after]);
    const session = readSessionReview(home, threadId);
    expect(session.kind).toBe('missing');
    expect(session.kind === 'missing' && session.reason).toMatch(/no ExitedReviewMode item in /);
  });

  it('is missing when review_output has a shape Codex never wrote', () => {
    const threadId = oneFinding.payload.thread_id;
    const broken = JSON.parse(JSON.stringify(oneFinding)) as SessionLine;
    broken.payload.item.review_output = { findings: 'not a list' };
    const session = readSessionReview(codexHomeWith(threadId, [broken]), threadId);
    expect(session.kind).toBe('missing');
    expect(session.kind === 'missing' && session.reason).toMatch(/unexpected review_output shape/);
  });
});

describe('extractReview on an interrupted review', () => {
  const interrupted = sessionLineOf('model-error');
  const threadId = interrupted.payload.thread_id;

  it('reports the review as interrupted from review_output null, whatever the final message says', () => {
    for (const finalMessage of ['', read('one-finding', 'rendered.txt')]) {
      const extracted = extractReview({
        codexHome: codexHomeWith(threadId, [interrupted]),
        threadId,
        finalMessage,
        logger: new RecordingLogger(),
      });
      expect(extracted.incomplete).toBe(INTERRUPTED_TEXT);
      expect(extracted.review.findings).toEqual([]);
      expect(extracted.source).toBe('session-file');
    }
  });

  it('reports an interrupted review from the rendered text when the session file is gone', () => {
    const logger = new RecordingLogger();
    const extracted = extractReview({
      codexHome: tempHome(),
      threadId,
      finalMessage: read('model-error', 'rendered.txt'),
      logger,
    });
    expect(extracted).toEqual({
      review: { findings: [], overall_explanation: INTERRUPTED_TEXT },
      source: 'rendered-text',
      incomplete: INTERRUPTED_TEXT,
    });
    expect(logger.records.map((r) => r.level)).toContain('warning');
  });

  it('does not pass off an empty final message without a session file as a clean review', () => {
    const extracted = extractReview({
      codexHome: tempHome(),
      threadId: undefined,
      finalMessage: '',
      logger: new RecordingLogger(),
    });
    expect(extracted.incomplete).toBe(NO_RESPONSE_TEXT);
  });
});
