// Codex's result → ReviewResult: the structured review (session file, else the rendered text)
// or the exec reply checked against its schema, turned into findings with usage and verdict.
import fs from 'node:fs';
import type { ReviewTarget } from '../codex/argv.js';
import type { CodexRunResult } from '../codex/run.js';
import type { CodexInstallation } from '../codex/install.js';
import { readSessionUsage } from '../codex/session-usage.js';
import { validateReply } from '../exec/reply.js';
import { repositoryRoot } from '../git.js';
import type { Logger } from '../logger.js';
import type { Settings } from '../settings.js';
import { BUILTIN_FINDINGS_REPLY_SCHEMA } from './builtin-schema.js';
import { extractReview, parseExecReply } from './extract.js';
import { compareFindings, toFindings } from './finding.js';
import { countBlocking } from './gate.js';
import type { ReviewResult } from './result.js';
import type { ReviewOutput, ReviewSource } from './review-output.js';

export async function collectResult(input: {
  settings: Settings;
  run: CodexRunResult;
  codexHome: string;
  installation: CodexInstallation;
  target: ReviewTarget | undefined;
  headSha: string | undefined;
  logger: Logger;
}): Promise<ReviewResult> {
  const { settings, run, logger } = input;
  let review: ReviewOutput;
  let source: ReviewSource;
  let incomplete: string | undefined;
  let structured: unknown;
  let replyErrors: string[] = [];
  let findingsShaped = false;
  if (settings.mode === 'exec') {
    // Codex passes the reply through unchecked: validate it against the schema here.
    const check = validateReply(
      run.finalMessage,
      settings.outputSchema ?? BUILTIN_FINDINGS_REPLY_SCHEMA,
    );
    structured = check.value;
    source = 'exec-json';
    if (check.ok) {
      const reply = parseExecReply(run.finalMessage);
      findingsShaped = reply.kind === 'findings';
      review = reply.kind === 'findings' ? reply.review : { findings: [] };
      logger.info('The reply matches the output schema.');
    } else {
      replyErrors = check.errors;
      review = { findings: [] };
      logger.warning(
        `The reply does not match the output schema:\n${check.errors.map((e) => `  - ${e}`).join('\n')}`,
      );
    }
  } else {
    ({ review, source, incomplete } = extractReview({
      codexHome: input.codexHome,
      threadId: run.threadId,
      finalMessage: run.finalMessage,
      logger,
    }));
    if (incomplete) logger.warning(`The review is incomplete: ${incomplete}`);
  }
  const repoRoot = (await repositoryRoot(settings.workingDirectory)) ?? settings.workingDirectory;
  const mapped = toFindings(review.findings, {
    repoRoot: fs.realpathSync(repoRoot),
    workingDirectory: fs.realpathSync(settings.workingDirectory),
  });
  // The built-in exec schema carries each finding's fix (unchecked: src/core/suggest decides).
  const proposals = new Map<string, string>();
  if (settings.mode === 'exec' && !settings.outputSchema)
    mapped.forEach((f, i) => {
      const proposal = review.findings[i]?.suggestion;
      if (typeof proposal === 'string') proposals.set(f.fingerprint, proposal);
    });
  const findings = mapped.sort(compareFindings);
  logger.info(`${findings.length} finding(s) from ${source}`);
  return {
    mode: settings.mode,
    target: input.target,
    headSha: input.headSha,
    threadId: run.threadId,
    finalMessage: run.finalMessage,
    findings,
    verdict: {
      correctness: review.overall_correctness || null,
      explanation: review.overall_explanation?.trim() || null,
      confidence: review.overall_confidence_score ?? null,
    },
    structured,
    source,
    incomplete,
    // Review mode reports zero usage on the event stream; the session files have the truth.
    usage: readSessionUsage(input.codexHome, run.threadId) ?? run.usage,
    blockingCount: countBlocking(findings, settings.failOn),
    exec:
      settings.mode === 'exec'
        ? { schema: settings.outputSchema ? 'custom' : 'built-in', replyErrors, findingsShaped }
        : undefined,
    ...(proposals.size > 0 ? { proposals } : {}),
    codex: {
      version: input.installation.version,
      durationMs: run.durationMs,
      fromCache: input.installation.fromCache,
    },
  };
}
