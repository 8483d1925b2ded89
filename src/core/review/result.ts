import type { ReviewTarget } from '../codex/argv.js';
import type { CodexUsage } from '../codex/events.js';
import type { Mode } from '../settings.js';
import type { SuggestionsOutcome } from '../suggest/suggest.js';
import type { Finding } from './finding.js';
import type { ReviewSource } from './review-output.js';

export interface Verdict {
  correctness: string | null;
  explanation: string | null;
  confidence: number | null;
}

/** Everything one run produced; the findings file is this object, redacted. */
export interface ReviewResult {
  mode: Mode;
  target: ReviewTarget | undefined;
  /** HEAD of the working directory when Codex ran (the reviewed commit). */
  headSha: string | undefined;
  threadId: string | undefined;
  finalMessage: string;
  findings: Finding[];
  verdict: Verdict;
  /** exec mode: the parsed JSON reply. */
  structured: unknown;
  source: ReviewSource;
  /** Set when Codex completed but the review itself did not (interrupted, no response). */
  incomplete: string | undefined;
  usage: CodexUsage;
  blockingCount: number;
  codex: { version: string; durationMs: number; fromCache: boolean };
  /** exec mode: which schema, and whether the reply matched it. */
  exec: ExecOutcome | undefined;
  /** exec's built-in schema: the fix Codex proposed per finding (by fingerprint), unchecked. */
  proposals?: ReadonlyMap<string, string>;
  /** `suggestions`: how the inline findings' suggested changes were asked for and checked. */
  suggestions?: SuggestionsOutcome;
}

export interface ExecOutcome {
  schema: 'built-in' | 'custom';
  /** Empty when the reply matches the schema; otherwise why not (the run then fails). */
  replyErrors: string[];
  /** The reply carries a `findings` array of the review shape (so findings were posted). */
  findingsShaped: boolean;
}
