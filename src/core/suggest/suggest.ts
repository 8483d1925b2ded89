// Suggested changes (`suggestions`): for the findings that will be posted inline, a replacement of
// exactly the commented lines where Codex has a concrete, local fix. exec mode's built-in schema
// carries it in the review's own reply; otherwise one follow-up turn resumes the review's thread
// (read-only), where the context the review read is already in the model's prompt cache. Every
// fix is checked (validate.ts) and dropped when doubtful. The follow-up never fails the review:
// when it fails or times out, the findings are posted without suggestions, with a warning.
import fs from 'node:fs';
import path from 'node:path';
import type { CodexUsage } from '../codex/events.js';
import type { CodexRunResult } from '../codex/run.js';
import { readSessionUsage } from '../codex/session-usage.js';
import { runCodexSession, type PreparedCodex } from '../codex/session.js';
import { DiffIndex } from '../diff/diff-index.js';
import { placeFindings, type PlacedFinding } from '../diff/placement.js';
import { CodexRunError, errorMessage } from '../errors.js';
import { fileAtCommit } from '../git.js';
import type { Logger } from '../logger.js';
import type { ChangeRequest } from '../platform.js';
import type { Redactor } from '../redact.js';
import type { Finding, Suggestion } from '../review/finding.js';
import type { ReviewResult } from '../review/result.js';
import type { Settings } from '../settings.js';
import {
  readSuggestionReply,
  suggestionPrompt,
  SUGGESTIONS_SCHEMA,
  type SuggestionTarget,
} from './request.js';
import { threadToResume } from './thread.js';
import {
  checkSuggestion,
  splitLines,
  type OutputRule,
  type SuggestionCandidate,
} from './validate.js';

/** What the findings file records about the suggested changes of a run. */
export interface SuggestionsOutcome {
  /** `reply`: exec's built-in schema carried them; `follow-up`: one more turn asked for them. */
  source: 'reply' | 'follow-up';
  /** Inline findings a fix was looked for. */
  asked: number;
  /** Fixes Codex proposed; `accepted` of them passed every check. */
  proposed: number;
  accepted: number;
  /** Proposed fixes that were dropped, and why. */
  dropped: Array<{ fingerprint: string; reason: string }>;
  /** The follow-up turn's tokens, already counted in the run's usage. */
  usage: CodexUsage | null;
  /** Why no fix could be asked for (the follow-up turn failed or timed out). */
  failure: string | null;
}

export interface SuggestInput {
  result: ReviewResult;
  settings: Settings;
  codex: PreparedCodex;
  /** The review's own Codex run (its thread, its duration). */
  run: CodexRunResult;
  cr: ChangeRequest;
  /** Findings an earlier run posted inline: not posted again, so no fix is asked for. */
  postedBefore: ReadonlySet<string>;
  /** The change request's diff, as the platform serves it. */
  diff: Promise<string>;
  redactor: Redactor;
  /** The renderers' output rules a suggestion must pass unchanged. */
  rules: readonly OutputRule[];
  logger: Logger;
  keySetting: string;
}

const ZERO: CodexUsage = {
  input_tokens: 0,
  cached_input_tokens: 0,
  output_tokens: 0,
  reasoning_output_tokens: 0,
};

/** The follow-up's own time limit: what is left of `timeout-minutes`, and at least a minute. */
export function followUpTimeoutMs(timeoutMs: number, reviewMs: number): number {
  return Math.max(Math.min(60_000, timeoutMs), timeoutMs - reviewMs);
}

/** The result with each inline finding's checked suggestion, the follow-up's tokens counted. */
export async function addSuggestions(input: SuggestInput): Promise<ReviewResult> {
  const { result, settings, logger } = input;
  let diff: DiffIndex;
  try {
    diff = DiffIndex.parse(await input.diff);
  } catch {
    // Publishing reports the diff that could not be loaded; without it nothing is inline.
    return result;
  }
  const inline = placeFindings(
    result.findings.filter((f) => !input.postedBefore.has(f.fingerprint)),
    diff,
    { minPriority: settings.minPriority, maxInlineComments: settings.maxInlineComments },
  ).filter(
    (p): p is PlacedFinding & { anchor: NonNullable<PlacedFinding['anchor']> } =>
      p.placement === 'inline' && p.anchor?.side === 'RIGHT',
  );
  if (inline.length === 0) return result;

  const files = new Map<string, string | undefined>();
  for (const p of inline) {
    if (!files.has(p.anchor.path))
      files.set(
        p.anchor.path,
        await fileAtCommit(settings.workingDirectory, input.cr.headSha, p.anchor.path),
      );
  }

  const builtIn = result.mode === 'exec' && !settings.outputSchema;
  const asked = builtIn
    ? { candidates: fromReply(result, inline), usage: ZERO }
    : await followUp(input, inline, files);
  const outcome: SuggestionsOutcome = {
    source: builtIn ? 'reply' : 'follow-up',
    asked: inline.length,
    proposed: asked.candidates.length,
    accepted: 0,
    dropped: [],
    usage: builtIn ? null : asked.usage,
    failure: 'failure' in asked ? (asked.failure ?? null) : null,
  };

  const accepted = new Map<string, Suggestion>();
  for (const { finding, candidate } of asked.candidates) {
    const check = checkSuggestion(candidate, {
      diff,
      fileText: files.get(candidate.anchor.path),
      redactor: input.redactor,
      rules: input.rules,
    });
    const stale =
      check.ok && builtIn
        ? await changedSinceReview(input, check.suggestion, candidate)
        : undefined;
    if (check.ok && !stale) {
      accepted.set(finding.fingerprint, check.suggestion);
      continue;
    }
    const reason = check.ok ? stale! : check.reason;
    outcome.dropped.push({ fingerprint: finding.fingerprint, reason });
    logger.info(
      `The suggested change for "${finding.title}" (${candidate.anchor.path}:${candidate.anchor.startLine}) is left out: ${reason}.`,
    );
  }
  outcome.accepted = accepted.size;
  if (!outcome.failure) {
    logger.info(
      `${accepted.size} of ${inline.length} inline finding(s) carry a suggested change` +
        (outcome.proposed > 0
          ? ` (${outcome.proposed} proposed, ${outcome.dropped.length} left out)`
          : '') +
        '.',
    );
  }
  return {
    ...result,
    findings: result.findings.map((f) => {
      const suggestion = accepted.get(f.fingerprint);
      return suggestion ? { ...f, suggestion } : f;
    }),
    usage: addUsage(result.usage, outcome.usage ?? ZERO),
    suggestions: outcome,
  };
}

interface Asked {
  candidates: Array<{ finding: Finding; candidate: SuggestionCandidate }>;
  usage: CodexUsage;
  failure?: string;
}

/** exec's built-in schema: each finding's `suggestion`, written for the finding's own lines. */
function fromReply(
  result: ReviewResult,
  inline: Array<PlacedFinding & { anchor: NonNullable<PlacedFinding['anchor']> }>,
) {
  return inline.flatMap((p) => {
    const replacement = result.proposals?.get(p.finding.fingerprint);
    const { startLine, endLine } = p.finding;
    if (replacement === undefined || startLine === null) return [];
    return [
      {
        finding: p.finding,
        candidate: {
          anchor: p.anchor,
          lines: { start: startLine, end: endLine ?? startLine },
          replacement,
        },
      },
    ];
  });
}

/**
 * A reply's fix was written for the lines Codex read in the checkout. When the checkout is not
 * the head the comments go on (a merge commit), those lines must read the same at both.
 */
async function changedSinceReview(
  input: SuggestInput,
  suggestion: Suggestion,
  candidate: SuggestionCandidate,
): Promise<string | undefined> {
  const reviewed = input.result.headSha;
  if (!reviewed || reviewed === input.cr.headSha) return undefined;
  const text = await fileAtCommit(input.settings.workingDirectory, reviewed, candidate.anchor.path);
  const lines =
    text === undefined
      ? undefined
      : splitLines(text).slice(suggestion.startLine - 1, suggestion.endLine);
  const same =
    lines?.length === suggestion.original.length &&
    lines.every((l, i) => l.text === suggestion.original[i]);
  return same
    ? undefined
    : 'the reviewed checkout differs from the head the comment is on at these lines';
}

/** One follow-up turn in the review's thread, asking for every inline finding's fix at once. */
async function followUp(
  input: SuggestInput,
  inline: Array<PlacedFinding & { anchor: NonNullable<PlacedFinding['anchor']> }>,
  files: Map<string, string | undefined>,
): Promise<Asked> {
  const { settings, codex, run, logger } = input;
  const targets: Array<SuggestionTarget & { placed: (typeof inline)[number] }> = [];
  for (const p of inline) {
    const text = files.get(p.anchor.path);
    if (text === undefined) continue;
    const lines = splitLines(text).slice(p.anchor.startLine - 1, p.anchor.line);
    if (lines.length !== p.anchor.line - p.anchor.startLine + 1) continue;
    targets.push({
      id: targets.length + 1,
      title: p.finding.title,
      path: p.anchor.path,
      startLine: p.anchor.startLine,
      endLine: p.anchor.line,
      lines: lines.map((l) => l.text),
      placed: p,
    });
  }
  if (targets.length === 0) return { candidates: [], usage: ZERO };
  const notice = (failure: string, usage: CodexUsage): Asked => {
    logger.warning(`No suggested changes: ${failure}. The findings are posted without them.`);
    return { candidates: [], usage, failure };
  };
  if (!run.threadId) return notice('Codex reported no thread to resume', ZERO);

  const schemaFile = path.join(codex.filesDir, 'suggestions-schema.json');
  fs.writeFileSync(schemaFile, JSON.stringify(SUGGESTIONS_SCHEMA));
  const thread = threadToResume(codex.codexHome, run.threadId, settings.mode);
  const before = readSessionUsage(codex.codexHome, run.threadId);
  const timeoutMs = followUpTimeoutMs(settings.timeoutMs, run.durationMs);
  let reply: CodexRunResult | undefined;
  let failure: string | undefined;
  try {
    reply = await runCodexSession(
      codex,
      { mode: 'resume', threadId: thread, schemaFile, prompt: suggestionPrompt(targets) },
      {
        settings: { ...settings, timeoutMs },
        logger: withoutGroups(logger),
        keySetting: input.keySetting,
      },
    );
  } catch (error) {
    failure =
      error instanceof CodexRunError && error.details.timedOut
        ? `the follow-up turn did not finish within ${+(timeoutMs / 60_000).toFixed(2)} min`
        : `the follow-up turn failed: ${errorMessage(error).split('\n').join(' ')}`;
  }
  // Tokens spent count even when the turn failed; the session files have them.
  const after = readSessionUsage(codex.codexHome, run.threadId);
  const usage =
    before && after
      ? subtractUsage(after, before)
      : // The resumed thread's turn.completed counts the whole thread (measured): take off what
        // the review's own turn in that same thread already counted.
        subtractUsage(reply?.usage ?? ZERO, thread === run.threadId ? run.usage : ZERO);
  if (failure) return notice(failure, usage);
  const parsed = readSuggestionReply(reply!.finalMessage);
  if (!parsed.ok) return notice(parsed.error, usage);
  const candidates = targets.flatMap((t) => {
    const replacement = parsed.replacements.get(t.id);
    return replacement === undefined
      ? []
      : [{ finding: t.placed.finding, candidate: { anchor: t.placed.anchor, replacement } }];
  });
  return { candidates, usage };
}

/** The follow-up's Codex run logs inside the caller's group: GitHub cannot nest groups. */
function withoutGroups(logger: Logger): Logger {
  return {
    debug: (m) => logger.debug(m),
    info: (m) => logger.info(m),
    warning: (m) => logger.warning(m),
    error: (m) => logger.error(m),
    group: (_name, fn) => fn(),
    setSecret: (v) => logger.setSecret(v),
  };
}

function addUsage(a: CodexUsage, b: CodexUsage): CodexUsage {
  return {
    input_tokens: a.input_tokens + b.input_tokens,
    cached_input_tokens: a.cached_input_tokens + b.cached_input_tokens,
    output_tokens: a.output_tokens + b.output_tokens,
    reasoning_output_tokens: a.reasoning_output_tokens + b.reasoning_output_tokens,
  };
}

function subtractUsage(a: CodexUsage, b: CodexUsage): CodexUsage {
  return {
    input_tokens: Math.max(0, a.input_tokens - b.input_tokens),
    cached_input_tokens: Math.max(0, a.cached_input_tokens - b.cached_input_tokens),
    output_tokens: Math.max(0, a.output_tokens - b.output_tokens),
    reasoning_output_tokens: Math.max(0, a.reasoning_output_tokens - b.reasoning_output_tokens),
  };
}
