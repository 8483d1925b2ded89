// The whole path of one run, for every front door:
//   settings → post target → (read the change request ∥ prepare Codex) → scope → Codex
//   (∥ load the diff) → findings → placement → render → publish → files and outputs → verdict.
// Adapters hand in what only they know (the change request, a platform, a tracker, a logger)
// and turn the returned RunOutcome into their platform's outputs.
import { errorMessage } from '../errors.js';
import { checkCredentials, prepareCodex, runCodexSession } from '../codex/session.js';
import {
  dismissalInstructions,
  dismissalReason,
  splitDismissed,
} from '../conversation/dismissals.js';
import { keepSession, type SessionStore } from '../conversation/sessions.js';
import type { PackageFetcher, ToolCache } from '../codex/install.js';
import type { CodexInvocation } from '../codex/argv.js';
import { headSha } from '../git.js';
import type { Logger } from '../logger.js';
import type { OutputName } from '../outputs.js';
import type {
  ChangeRequest,
  Dismissal,
  ExistingState,
  IssueTracker,
  ReviewPlatform,
} from '../platform.js';
import { publishTrackingIssue, type AuditOutcome } from '../publish/audit.js';
import { publishReview, type PublishOutcome } from '../publish/publish.js';
import { SUGGESTION_OUTPUT_RULES } from '../publish/suggestion-rules.js';
import { choosePostTarget, type ResolvedPostTarget } from '../publish/target.js';
import type { Redactor } from '../redact.js';
import { writeRunFiles } from '../report/run-files.js';
import { collectResult } from '../review/collect.js';
import { BUILTIN_FINDINGS_SCHEMA } from '../review/builtin-schema.js';
import { countBlocking } from '../review/gate.js';
import type { ReviewResult } from '../review/result.js';
import { chooseScope, type ReviewScope } from './scope.js';
import { applyPathScope, loadReviewRules, type ReviewRules } from './rules.js';
import type { Finding } from '../review/finding.js';
import type { Settings } from '../settings.js';
import { addSuggestions } from '../suggest/suggest.js';
import { believedState, changeScope } from '../state/markers.js';
import { StateKey } from '../state/state-key.js';
import type { PlacementRecord } from '../state/placements.js';
import type { ShardRecord } from '../report/findings-file.js';
import {
  chooseShardScope,
  emptySliceResult,
  keepOwnFindings,
  recordFailedShard,
  shardedCodexSettings,
  shardPostTarget,
  shardRecord,
} from './shard-scope.js';
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
  /**
   * The change request when the run is on one that `changeRequest` leaves out because nothing is
   * read or posted through the platform (a GitLab merge request pipeline without a token, from
   * its CI variables): review rules are still read from its base, and its skip rules apply.
   */
  unreadChange?: ChangeRequest;
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
  /** Keeps the review's Codex session for answers to resume (GitHub: the Actions cache). */
  sessions?: SessionStore;
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

/** A skip rule of the repository configuration ended the run before any model request. */
export interface SkippedRun {
  skipped: string;
}

export function isSkipped(outcome: RunOutcome | SkippedRun): outcome is SkippedRun {
  return 'skipped' in outcome;
}

export async function runReview(given: RunInput): Promise<RunOutcome | SkippedRun> {
  const { venue, logger } = given;
  if (given.settings.openaiApiKey) logger.setSecret(given.settings.openaiApiKey);
  // What the settings switched off on purpose (safety-strategy: unsafe) is said on every run.
  for (const warning of given.settings.warnings) logger.warning(warning);
  // On a change request the rules come from its base commit, never its head; a skip rule ends the
  // run here, before any credential is needed or any request is made.
  const rules = await logger.group('Review rules', () =>
    loadReviewRules({
      settings: given.settings,
      change: venue.changeRequest ?? venue.unreadChange,
      name: venue.name,
      logger,
      tempDir: given.tempDir,
      findingsFile: given.findingsFile,
    }),
  );
  if (rules.skip) {
    logger.info(rules.skip);
    return { skipped: rules.skip };
  }
  const input: RunInput = { ...given, settings: rules.settings };
  if (!input.settings.shard) return runOnce(input, rules);
  // A shard that fails says so in its findings file: the merge job names it as failed.
  return runOnce(input, rules).catch(async (error: unknown) => {
    await recordFailedShard(input, error, rules.writeScope);
    throw error;
  });
}

async function runOnce(input: RunInput, rules: ReviewRules): Promise<RunOutcome> {
  const { settings, venue, logger } = input;
  const post = settings.shard
    ? shardPostTarget(settings, venue, logger)
    : choosePostTarget(settings.post, venue, logger);
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
  const shard = settings.shard
    ? await logger.group('Shard', () =>
        chooseShardScope({ settings, target: scope?.target, logger }),
      )
    : undefined;
  if (shard && shard.slice.files.length === 0) {
    const result = emptySliceResult(
      settings,
      scope?.target,
      await headSha(settings.workingDirectory),
    );
    logger.info(`Shard ${shard.spec.index}/${shard.spec.total} has no files: Codex is not run.`);
    return publishAndReport(input, {
      result,
      excluded: [],
      writeScope: rules.writeScope,
      post,
      posting,
      scope,
      diff: undefined,
      shard: shardRecord(shard, result, []),
    });
  }
  // What people dismissed is named to Codex, so it is not raised again in other words.
  const dismissed = prior?.dismissed;
  const instructions = dismissalInstructions(dismissed?.values() ?? []);
  if (instructions) logger.info(`${dismissed!.size} dismissed finding(s) are named to Codex.`);
  const withDismissals = instructions
    ? { ...settings, prompt: [settings.prompt, instructions].filter(Boolean).join('\n\n') }
    : settings;
  const codex = await prepareCodex(input);
  let session: ReturnType<typeof keepSession> | undefined;
  try {
    const invocation = {
      ...codexInvocation(settings, scope, codex.filesDir),
      isolation: rules.isolation,
    };
    const head = await headSha(settings.workingDirectory);
    const codexSettings = shard
      ? shardedCodexSettings(withDismissals, shard, codex.codexHome)
      : withDismissals;

    // The diff is only needed after Codex; fetch it while Codex works.
    const diff =
      posting && post === 'review' ? settle(posting.platform.loadDiff(posting.cr)) : undefined;
    const run = await runCodexSession(codex, invocation, { ...input, settings: codexSettings });
    // Kept for answers to resume; the upload goes on while the review is published.
    session =
      posting && input.sessions && run.threadId
        ? keepSession({
            store: input.sessions,
            codexHome: codex.codexHome,
            threadId: run.threadId,
            redactor: input.redactor,
            logger,
          })
        : undefined;
    // Read again after Codex, not when the run started (a run that finished meanwhile may have
    // posted), while the findings are collected.
    const existingNow = posting ? settle(posting.platform.loadExisting(posting.cr)) : undefined;
    const collected = await logger.group('Findings', () =>
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
    const own = shard ? keepOwnFindings(collected, shard, settings, logger) : undefined;
    const scoped = applyPathScope(own?.result ?? collected, rules, logger);
    const { excluded } = scoped;
    let { result } = scoped;
    // Before close(): the follow-up turn resumes the review's thread in this CODEX_HOME, through
    // the same key proxy, with the credentials still hidden.
    if (settings.suggestions && posting && post === 'review' && diff) {
      const reviewed = result;
      result = await logger.group('Suggested changes', () =>
        addSuggestions({
          result: reviewed,
          settings,
          codex,
          run,
          cr: posting.cr,
          postedBefore: prior?.inlineFingerprints ?? new Set(),
          diff: diff.then(unsettle),
          redactor: input.redactor,
          rules: SUGGESTION_OUTPUT_RULES,
          logger,
          keySetting: input.keySetting,
        }),
      );
    }
    // Codex is done: every credential goes back and the proxy stops before anything is posted.
    await codex.isolated.close();
    return await publishAndReport(input, {
      result,
      excluded,
      writeScope: rules.writeScope,
      post,
      posting,
      scope,
      diff: diff?.then(unsettle),
      existing: existingNow?.then(unsettle),
      ...(shard ? { shard: shardRecord(shard, result, own!.outOfShard) } : {}),
      dismissed,
      session: session?.record,
    });
  } finally {
    // The store copies the session file out of CODEX_HOME, which close() removes.
    await session?.saved;
    // The temporary CODEX_HOME holds session transcripts of this run; nothing else needs it.
    await codex.close();
  }
}

/** Everything after Codex: publish, write the files, decide the outcome (also `mode: merge`'s path). */
export async function publishAndReport(
  input: Omit<RunInput, 'toolCache' | 'keySetting'>,
  run: {
    result: ReviewResult;
    /** Findings in paths the repository configuration excludes (findings file only). */
    excluded: Finding[];
    writeScope: ReviewRules['writeScope'];
    post: ResolvedPostTarget;
    posting: { platform: ReviewPlatform; cr: ChangeRequest } | undefined;
    scope: ReviewScope | undefined;
    diff: Promise<string> | undefined;
    existing?: Promise<ExistingState>;
    /** A sharded job's record for its findings file. */
    shard?: ShardRecord;
    dismissed?: ReadonlyMap<string, Dismissal>;
    session?: { threadId: string; digest: string | undefined };
  },
): Promise<RunOutcome> {
  const { settings, venue, logger, redactor } = input;
  const stateKey = StateKey.fromSecret(settings.openaiApiKey);
  const { post, posting, scope } = run;
  // Dismissed findings are not posted and block nothing; the findings file still lists them.
  const split = splitDismissed(run.result.findings, run.dismissed);
  const result =
    split.dismissed.length > 0
      ? { ...run.result, blockingCount: countBlocking(split.kept, settings.failOn) }
      : run.result;
  const shown = split.dismissed.length > 0 ? { ...result, findings: split.kept } : result;
  if (split.dismissed.length > 0)
    logger.info(
      `${split.dismissed.length} finding(s) were dismissed earlier on this ${venue.noun}; not posted again.`,
    );
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
          result: shown,
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
          ...(run.existing ? { existing: run.existing } : {}),
          ...(run.session ? { session: run.session } : {}),
          ...(run.dismissed?.size ? { dismissed: new Set(run.dismissed.keys()) } : {}),
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
  for (const { finding, dismissal } of split.dismissed)
    placements?.set(finding.fingerprint, {
      placement: 'dismissed',
      reason: dismissalReason(dismissal),
    });
  const reviewUrl = review?.reviewUrl ?? audit?.url;
  const outputs = await writeRunFiles({
    result,
    settings,
    redactor,
    logger,
    findingsFile: input.findingsFile,
    placements,
    reviewUrl,
    extra: {
      summaryUrl: review?.summaryUrl ?? null,
      incremental: scope?.incremental ?? false,
      ...(result.suggestions ? { suggestions: result.suggestions } : {}),
    },
    ...(run.shard ? { shard: run.shard } : {}),
    excluded: run.excluded,
    scope: run.writeScope,
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
