// Size budgets for what is posted or written where a limit applies (a comment, an issue, the
// step summary). A renderer decides what matters most, asks the budget piece by piece, and
// says what it left out; it never produces a body the platform would refuse.
import { neutralizeMarkers } from '../state/markers.js';
import type { ReviewResult } from '../review/result.js';
import { neutralizeQuickActions } from './markdown-escape.js';

/** Measures one line as it will be sent. */
export type Measure = (line: string) => number;

/**
 * A line's length once posted: markers neutralised by the renderer, and (on GitLab) a
 * backslash before a leading `/`. Counting the GitLab escape everywhere costs GitHub at most a
 * character per such line and keeps one measure for both platforms. UTF-16 code units, never
 * fewer than the characters (code points) the platforms count.
 */
export const postedLength: Measure = (line) =>
  neutralizeQuickActions(neutralizeMarkers(line)).length;

/** Bytes of UTF-8: how the runner measures the step summary file. */
export const utf8Length: Measure = (line) => Buffer.byteLength(line, 'utf8');

export class Budget {
  private used = 0;

  constructor(
    private readonly limit: number,
    private readonly measure: Measure,
  ) {}

  /** What `lines` cost, a line break after each. */
  cost(lines: readonly string[]): number {
    let total = 0;
    for (const line of lines) total += this.measure(line) + 1;
    return total;
  }

  get left(): number {
    return this.limit - this.used;
  }

  /** Takes `lines` when they fit with `reserve` still left after them. */
  take(lines: readonly string[], reserve = 0): boolean {
    const cost = this.cost(lines);
    if (cost + reserve > this.left) return false;
    this.used += cost;
    return true;
  }

  /** Takes `lines` whatever they cost: parts that must be there, measured so the rest fits. */
  force(lines: readonly string[]): void {
    this.used += this.cost(lines);
  }
}

/**
 * At most `max` characters of model text, cut on a line boundary when one is near, with a note
 * saying where the whole text is. Applied before escaping, so a huge reply costs no more work
 * than its first `max` characters.
 */
export function clipText(text: string, max: number, whereWhole: string): string {
  if (text.length <= max) return text;
  const note = `\n\n… (cut at ${max.toLocaleString('en-US')} of ${text.length.toLocaleString('en-US')} characters; ${whereWhole})`;
  let end = Math.max(0, max - note.length);
  const lineEnd = text.lastIndexOf('\n', end);
  if (lineEnd > end - 200 && lineEnd > 0) end = lineEnd;
  if (end > 0 && /[\ud800-\udbff]/.test(text[end - 1]!)) end--;
  return `${text.slice(0, end)}${note}`;
}

/** `n thing(s)` in words. */
export function count(n: number, noun: string): string {
  return `${n.toLocaleString('en-US')} ${noun}${n === 1 ? '' : 's'}`;
}

/**
 * The result with its model text cut for printing in a job log (GitHub's log viewer, GitLab's
 * 4 MB job log): every finding is still there, with its title, location and the start of its
 * body; the whole text stays in the findings file.
 */
export function clipForLog(result: ReviewResult, whereWhole: string): ReviewResult {
  const cut = `the whole text is in ${whereWhole}`;
  return {
    ...result,
    incomplete: result.incomplete && clipText(result.incomplete, 4_000, cut),
    verdict: {
      ...result.verdict,
      correctness: result.verdict.correctness && clipText(result.verdict.correctness, 1_000, cut),
      explanation: result.verdict.explanation && clipText(result.verdict.explanation, 64_000, cut),
    },
    findings: result.findings.map((f) => ({
      ...f,
      title: clipText(f.title, 1_000, cut),
      body: clipText(f.body, 16_000, cut),
    })),
  };
}
