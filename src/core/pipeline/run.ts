// The whole path of one run, for every front door:
//   settings → post target → (read the change request ∥ prepare Codex) → scope → Codex
//   (∥ load the diff) → findings → placement → render → publish → files and outputs → verdict.
// Adapters hand in what only they know (the change request, a platform, a tracker, a logger)
// and turn the returned RunOutcome into their platform's outputs.
import { errorMessage } from '../errors.js';
import { checkCredentials, prepareCodex, runCodexSession } from '../codex/session.js';
import type { PackageFetcher, ToolCache } from '../codex/install.js';
import type { CodexInvocation } from '../codex/argv.js';
import { headSha } from '../git.js';
import type { Logger } from '../logger.js';
import type { OutputName } from '../outputs.js';
import type { ChangeRequest, ExistingState, IssueTracker, ReviewPlatform } from '../platform.js';
import { publishTrackingIssue, type AuditOutcome } from '../publish/audit.js';
import { publishReview, type PublishOutcome } from '../publish/publish.js';
import { choosePostTarget, type ResolvedPostTarget } from '../publish/target.js';
import type { Redactor } from '../redact.js';
import { writeRunFiles } from '../report/run-files.js';
import { collectResult } from '../review/collect.js';
import { BUILTIN_FINDINGS_SCHEMA } from '../review/builtin-schema.js';
import type { ReviewResult } from '../review/result.js';
import { chooseScope, type ReviewScope } from './scope.js';
import type { Settings } from '../settings.js';
import { believedState, changeScope } from '../state/markers.js';
import { StateKey } from '../state/state-key.js';
import type { PlacementRecord } from '../state/placements.js';
import fs from 'node:fs';
import path from 'node:path';

/** What only the front door knows: where the run is and what it may post on. */
export interface Venue {
  /** How the platform calls a change request: "pull request", "merge request". */
  noun: string;
  /** "Pull request #3", "Merge request !3". */
  name(cr: ChangeRequest): string;
  /** Turns a failed read of the change request into an error that says what to do (401, 404). */
  explainReadError(error: unknown, cr: ChangeRequest): Error;
  /** The change request of the event, if any. */
  changeRequest: ChangeRequest | undefined;
  /** Posts on the change request; undefined when this run cannot (no token): reported, not failed. */
  platform: ReviewPlatform | undefined;
  /** Keeps the audit's tracking issue (`post: issue`); undefined when there is none. */
  tracker: IssueTracker | undefined;
  /** The tracking issue's identity: one issue per key. */
  audit: { key: string; title: string; sha: string | undefined };
  /** What to review outside a change request (a push or schedule: its commit). */
  defaults: { base?: string; commit?: string };
  runUrl: string | undefined;
  /**
   * A token that may read but not write: `notice` (GitHub fork pull requests: a fallback, the
   * adapter shows annotations) or `fail` (a misconfigured token).
   */
  onPermissionDenied: 'notice' | 'fail';
}

export interface RunInput {
  settings: Settings;
  venue: Venue;
  logger: Logger;
  redactor: Redactor;
  toolCache: ToolCache;
  fetcher?: PackageFetcher;
  /** Environment Codex inherits (minus credentials); defaults to process.env. */
  env?: NodeJS.ProcessEnv;
  /** Parent of the run's temporary files (RUNNER_TEMP on GitHub). */
  tempDir?: string;
  /** The setting that holds the key, for messages ("openai-api-key", "OPENAI_API_KEY"). */
  keySetting: string;
  findingsFile: string;
}

export interface RunOutcome {
  result: ReviewResult;
  post: ResolvedPostTarget;
  placements: Map<string, PlacementRecord> | undefined;
  /** The review, or the summary / tracking issue when there is no review. */
  reviewUrl: string | undefined;
  summaryUrl: string | undefined;
  scope: ReviewScope | undefined;
  /** The token could read but not write; findings were not posted. */
  permissionDenied: string | undefined;
  outputs: Record<OutputName, string>;
  /** Why the run fails (posting failed, a reply off-schema, blocking findings); else undefined. */
  failure: string | undefined;
}

export async function runReview(input: RunInput): Promise<RunOutcome> {
  const { settings, venue, logger } = input;
  if (settings.openaiApiKey) logger.setSecret(settings.openaiApiKey);
  // What the settings switched off on purpose (safety-strategy: unsafe) is said on every run.
  for (const warning of settings.warnings) logger.warning(warning);
  const post = choosePostTarget(settings.post, venue, logger);
  const posting =
    (post === 'review' || post === 'summary') && venue.changeRequest && venue.platform
      ? { platform: venue.platform, cr: venue.changeRequest }
      : undefined;

  checkCredentials(input);
  // Everything that can fail without Codex fails before it is installed: a bad token, a base
  // that does not resolve. What earlier runs left on the change request (the last reviewed head)
  // makes the review incremental.
  const prior = posting
    ? await logger.group(`Read the ${venue.noun}`, () => readExisting(posting, venue, logger))
    : undefined;
  const scope =
    settings.mode === 'review'
      ? await logger.group('Scope', () =>
          chooseScope({
            cwd: settings.workingDirectory,
            base: settings.base,
            commit: settings.commit,
            change: venue.changeRequest
              ? {
                  cr: venue.changeRequest,
                  noun: venue.noun,
                  // Signed with a key derived from the API key (state/state-key.ts).
                  prior: believedState(
                    prior?.summary?.body,
                    {
                      key: StateKey.fromSecret(settings.openaiApiKey),
                      scope: changeScope(venue.changeRequest),
                    },
                    (message) => logger.info(message),
                  ),
                  incremental: settings.incremental && posting !== undefined,
                }
              : undefined,
            defaults: venue.defaults,
            logger,
          }),
        )
      : undefined;
  const codex = await prepareCodex(input);
  try {
    const invocation = codexInvocation(settings, scope, codex.tempDir);
    const head = await headSha(settings.workingDirectory);

    // The diff is only needed after Codex; fetch it while Codex works.
    const diff =
      posting && post === 'review' ? settle(posting.platform.loadDiff(posting.cr)) : undefined;
    const run = await runCodexSession(codex, invocation, input);
    const result = await logger.group('Findings', () =>
      collectResult({
        settings,
        run,
        codexHome: codex.codexHome,
        installation: codex.installation,
        target: scope?.target,
        headSha: head,
        logger,
      }),
    );
    return await publishAndReport(input, {
      result,
      post,
      posting,
      scope,
      diff: diff?.then(unsettle),
    });
  } finally {
    // The temporary CODEX_HOME holds session transcripts of this run; nothing else needs it.
    codex.close();
  }
}

async function publishAndReport(
  input: RunInput,
  run: {
    result: ReviewResult;
    post: ResolvedPostTarget;
    posting: { platform: ReviewPlatform; cr: ChangeRequest } | undefined;
    scope: ReviewScope | undefined;
    diff: Promise<string> | undefined;
  },
): Promise<RunOutcome> {
  const { settings, venue, logger, redactor } = input;
  const stateKey = StateKey.fromSecret(settings.openaiApiKey);
  const { result, post, posting, scope } = run;
  const replyErrors = result.exec?.replyErrors ?? [];
  let review: PublishOutcome | undefined;
  let audit: AuditOutcome | undefined;
  // A failure to post must not cost the findings: they are still logged and written, and the
  // run fails at the end with the reason.
  let publishError: string | undefined;
  if (replyErrors.length > 0 && post !== 'none') {
    logger.warning('Nothing is posted: the reply does not match the output schema.');
  } else if (posting) {
    review = await logger
      .group('Publish', () =>
        publishReview({
          result,
          platform: posting.platform,
          cr: posting.cr,
          target: post === 'summary' ? 'summary' : 'review',
          minPriority: settings.minPriority,
          maxInlineComments: settings.maxInlineComments,
          range: {
            base: scope?.base ?? settings.base ?? posting.cr.baseSha,
            head: posting.cr.headSha,
            incremental: scope?.incremental ?? false,
          },
          changedLines: scope?.changedLines,
          redactor,
          stateKey,
          logger,
          ...(venue.runUrl ? { runUrl: venue.runUrl } : {}),
          ...(run.diff ? { diff: run.diff } : {}),
        }),
      )
      .catch((error: unknown) => {
        publishError = errorMessage(error);
        return undefined;
      });
  } else if (post === 'issue' && venue.tracker) {
    const tracker = venue.tracker;
    audit = await logger
      .group('Tracking issue', () =>
        publishTrackingIssue({
          result,
          tracker,
          key: venue.audit.key,
          title: venue.audit.title,
          sha: result.headSha ?? venue.audit.sha ?? '',
          runUrl: venue.runUrl,
          date: new Date().toISOString().slice(0, 10),
          redactor,
          stateKey,
          logger,
        }),
      )
      .catch((error: unknown) => {
        publishError = errorMessage(error);
        return undefined;
      });
  }
  const permissionDenied = review?.permissionDenied ?? audit?.permissionDenied;
  if (permissionDenied && venue.onPermissionDenied === 'fail') publishError = permissionDenied;
  const placements =
    review?.placements ??
    audit?.placements ??
    (publishError === undefined
      ? undefined
      : new Map<string, PlacementRecord>(
          result.findings.map((f) => [
            f.fingerprint,
            { placement: 'not-posted', reason: `posting failed: ${publishError}` },
          ]),
        ));
  const reviewUrl = review?.reviewUrl ?? audit?.url;
  const outputs = await writeRunFiles({
    result,
    settings,
    redactor,
    logger,
    findingsFile: input.findingsFile,
    placements,
    reviewUrl,
    extra: { summaryUrl: review?.summaryUrl ?? null, incremental: scope?.incremental ?? false },
  });
  return {
    result,
    post,
    placements,
    reviewUrl,
    summaryUrl: review?.summaryUrl,
    scope,
    permissionDenied,
    outputs,
    failure: redactor.redact(failureOf(result, settings, publishError) ?? '') || undefined,
  };
}

function failureOf(
  result: ReviewResult,
  settings: Settings,
  publishError: string | undefined,
): string | undefined {
  if (publishError !== undefined) {
    return (
      `Codex reviewed the change, but posting the results failed: ${publishError}. ` +
      'Every finding is in the log, the step summary and the findings file.'
    );
  }
  const replyErrors = result.exec?.replyErrors ?? [];
  if (replyErrors.length > 0) {
    return (
      "Codex's reply does not match the output schema (the raw reply is in `final-message` and the findings file):\n" +
      replyErrors.map((e) => `  - ${e}`).join('\n')
    );
  }
  if (result.blockingCount > 0) {
    return `${result.blockingCount} finding(s) at or above \`fail-on: ${settings.failOn}\`.`;
  }
  return undefined;
}

function codexInvocation(
  settings: Settings,
  scope: ReviewScope | undefined,
  tempDir: string,
): CodexInvocation {
  if (settings.mode === 'exec') {
    const schemaFile = path.join(tempDir, 'output-schema.json');
    fs.writeFileSync(
      schemaFile,
      JSON.stringify(settings.outputSchema ?? BUILTIN_FINDINGS_SCHEMA, null, 2),
    );
    return { mode: 'exec', schemaFile };
  }
  return { mode: 'review', target: scope!.target };
}

async function readExisting(
  posting: { platform: ReviewPlatform; cr: ChangeRequest },
  venue: Venue,
  logger: Logger,
): Promise<ExistingState> {
  try {
    const existing = await posting.platform.loadExisting(posting.cr);
    logger.info(
      `${venue.name(posting.cr)}: ${existing.summary ? 'summary comment found' : 'no summary comment yet'}, ` +
        `${existing.inlineFingerprints.size} finding(s) already posted inline.`,
    );
    return existing;
  } catch (error) {
    throw venue.explainReadError(error, posting.cr);
  }
}

type Settled<T> = { value: T } | { error: unknown };

/** A promise started early must not become an unhandled rejection while nobody awaits it. */
function settle<T>(promise: Promise<T>): Promise<Settled<T>> {
  return promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
}

function unsettle<T>(outcome: Settled<T>): T {
  if ('error' in outcome) throw outcome.error;
  return outcome.value;
}
