// Publishing findings that carry a checked suggested change, against the in-memory FakePlatform:
// the block goes into the inline comment in the platform's syntax, and a finding whose inline
// comment is refused takes its change to the summary comment as a diff.
import { describe, expect, it } from 'vitest';
import { RecordingLogger } from '../../src/core/logger.js';
import type { ChangeRequest } from '../../src/core/platform.js';
import { publishReview } from '../../src/core/publish/publish.js';
import { Redactor } from '../../src/core/redact.js';
import { fingerprintOf, type Finding } from '../../src/core/review/finding.js';
import type { ReviewResult } from '../../src/core/review/result.js';
import { FakePlatform, type FakePlatformOptions } from '../fakes/fake-platform.js';

// a.js: lines 1-6 (2-5 added) in one hunk.
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
  '',
].join('\n');

const finding = (start: number, end = start): Finding => ({
  title: `Lines ${start}-${end}`,
  body: 'Why.',
  priority: 1,
  confidence: 0.5,
  path: 'a.js',
  startLine: start,
  endLine: end,
  inRepo: true,
  fingerprint: fingerprintOf('a.js', `Lines ${start}-${end}`),
  suggestion: {
    startLine: start,
    endLine: end,
    original: ['one', 'two', 'three', 'four', 'five', 'six'].slice(start - 1, end),
    replacement: ['TWO'],
    lastLineLength: 3,
    lineEnding: '\n',
  },
});

const resultOf = (findings: Finding[]): ReviewResult => ({
  mode: 'review',
  target: undefined,
  headSha: 'h',
  threadId: 't',
  finalMessage: '',
  findings,
  verdict: { correctness: null, explanation: null, confidence: null },
  structured: undefined,
  source: 'session-file',
  incomplete: undefined,
  usage: { input_tokens: 0, cached_input_tokens: 0, output_tokens: 0, reasoning_output_tokens: 0 },
  blockingCount: 0,
  codex: { version: '0.171.0', durationMs: 0, fromCache: true },
  exec: undefined,
});

const cr: ChangeRequest = { number: 1, url: undefined, baseSha: 'b', headSha: 'h' };

async function publish(options: FakePlatformOptions, findings: Finding[]) {
  const platform = new FakePlatform(DIFF, options);
  await publishReview({
    result: resultOf(findings),
    platform,
    cr,
    stateKey: undefined,
    target: 'review',
    minPriority: 2,
    maxInlineComments: 25,
    range: { base: 'b', head: 'h', incremental: false },
    changedLines: undefined,
    redactor: new Redactor(),
    logger: new RecordingLogger(),
  });
  return platform;
}

describe('publishing a finding with a suggested change', () => {
  it("puts the block in the inline comment, in the platform's syntax", async () => {
    const github = await publish({ suggestionSyntax: 'github' }, [finding(2, 4)]);
    expect(github.reviews[0]![0]!.body).toContain('```suggestion\nTWO\n```');
    const gitlab = await publish({ suggestionSyntax: 'gitlab' }, [finding(2, 4)]);
    expect(gitlab.reviews[0]![0]!.body).toContain('```suggestion:-2+0\nTWO\n```');
  });

  it('shows none on a platform that takes none', async () => {
    const platform = await publish({}, [finding(3)]);
    expect(platform.reviews[0]![0]!.body).not.toContain('```suggestion');
  });

  it('takes the change to the summary as a diff when the platform refuses the inline comment', async () => {
    const platform = await publish({ suggestionSyntax: 'github', unrenderedPaths: ['a.js'] }, [
      finding(3),
    ]);
    const summary = platform.summaries[0]!.body;
    expect(summary).toContain('Suggested change of line 3:');
    expect(summary).toContain('```diff\n-three\n+TWO\n```');
  });
});
