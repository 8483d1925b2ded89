// The GitHub Action: inputs → settings → the core pipeline → publishing → outputs, step
// summary, exit code. Glue only; decisions live in src/core.
import * as core from '@actions/core';
import os from 'node:os';
import path from 'node:path';
import { git, headSha } from '../core/codex/git.js';
import { CodexRunError, ConfigurationError, errorMessage } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { runReview } from '../core/pipeline.js';
import type { ChangeRequest, ExistingState } from '../core/platform.js';
import { publishTrackingIssue, type AuditOutcome } from '../core/publish/audit.js';
import { chooseReviewScope, type ReviewScope } from '../core/publish/incremental.js';
import { decodeState } from '../core/publish/markers.js';
import type { PlacementRecord } from '../core/publish/placements.js';
import { publishReview, type PublishOutcome } from '../core/publish/publish.js';
import { Redactor } from '../core/redact.js';
import { writeRunFiles } from '../core/report/run-files.js';
import { renderStepSummary } from '../core/render/step-summary.js';
import { renderTerminal } from '../core/render/terminal.js';
import type { ReviewResult } from '../core/review/result.js';
import {
  parseSettings,
  SETTING_DEFINITIONS,
  SETTING_NAMES,
  type PostTarget,
  type RawSettings,
  type Settings,
} from '../core/settings.js';
import { annotate } from './annotations.js';
import { pullRequestOf, readEventContext, reviewDefaults, type EventContext } from './context.js';
import { ActionsLogger } from './logger.js';
import { createOctokit } from './octokit.js';
import { GitHubIssues } from './issues.js';
import { GitHubPlatform } from './platform.js';
import { GitHubToolCache } from './tool-cache.js';
import { decideTrigger } from './trust.js';

export function readInputs(): RawSettings {
  const raw: RawSettings = {};
  for (const name of SETTING_NAMES) {
    if (!SETTING_DEFINITIONS[name].action) continue;
    raw[name] = core.getInput(name);
  }
  return raw;
}

/** What this run posts, given `post` and whether there is a pull request. */
export function postTargetFor(
  post: PostTarget,
  pr: ChangeRequest | undefined,
  logger: Logger,
): 'review' | 'summary' | 'issue' | 'none' {
  switch (post) {
    case 'none':
      return 'none';
    case 'auto':
      return pr ? 'review' : 'none';
    case 'review':
    case 'summary':
      if (pr) return post;
      logger.warning(
        `post: ${post} needs a pull request event; this run posts nothing (see the step summary).`,
      );
      return 'none';
    case 'issue':
      return 'issue';
  }
}

interface Publishing {
  platform: GitHubPlatform;
  cr: ChangeRequest;
  existing: ExistingState;
  target: 'review' | 'summary';
}

async function preparePublishing(
  settings: Settings,
  context: EventContext,
  pr: ChangeRequest,
  target: 'review' | 'summary',
  logger: Logger,
): Promise<Publishing | undefined> {
  if (!settings.githubToken || !context.repository) {
    logger.warning(
      'No `github-token` (or GITHUB_REPOSITORY): the findings are reported in the step summary only.',
    );
    return undefined;
  }
  const octokit = createOctokit(settings.githubToken, logger);
  const platform = new GitHubPlatform(octokit, context.repository, {
    serverUrl: context.serverUrl,
    workspace: settings.workingDirectory,
    logger,
  });
  try {
    const existing = await platform.loadExisting(pr);
    logger.info(
      `Pull request #${pr.number}: ${existing.summary ? 'summary comment found' : 'no summary comment yet'}, ` +
        `${existing.inlineFingerprints.size} finding(s) already posted inline.`,
    );
    return { platform, cr: pr, existing, target };
  } catch (error) {
    const status = (error as { status?: number }).status;
    if (status === 401) {
      throw new ConfigurationError(
        'GitHub rejected `github-token` (401 Bad credentials). Leave it at its default (`${{ github.token }}`) or give a valid token.',
      );
    }
    throw new Error(
      `Could not read pull request #${pr.number} from the GitHub API: ${errorMessage(error)}`,
    );
  }
}

export async function run(): Promise<void> {
  const redactor = new Redactor();
  const logger = new ActionsLogger(redactor);
  try {
    const raw = readInputs();
    // Mask credentials before anything can print them, even a validation error.
    for (const secret of [raw['openai-api-key'], raw['github-token']])
      if (secret) logger.setSecret(secret);
    const workspace = process.env.GITHUB_WORKSPACE ?? process.cwd();
    const settings = parseSettings(raw, { workspace });
    for (const name of SETTING_NAMES) {
      if (SETTING_DEFINITIONS[name].action && !('secret' in SETTING_DEFINITIONS[name])) {
        core.debug(`${name}: ${JSON.stringify(raw[name] ?? '')}`);
      }
    }
    const context = readEventContext();
    // Who triggered this, before anything is installed or any model request is made.
    const decision = await decideTrigger({
      context,
      settings,
      octokit: settings.githubToken ? createOctokit(settings.githubToken, logger) : undefined,
      logger,
    });
    if (decision.kind === 'skip') {
      core.notice(decision.reason);
      await writeStepSummary(`## Codex review skipped\n\n${decision.reason}\n`);
      return;
    }
    if (decision.kind === 'refuse') throw new ConfigurationError(decision.reason);
    const pr = pullRequestOf(context);
    const target = postTargetFor(settings.post, pr, logger);

    // Read what earlier runs left before spending tokens: a bad token fails here, and the
    // last reviewed head makes the review incremental.
    const publishing =
      pr && (target === 'review' || target === 'summary')
        ? await logger.group('Read the pull request', () =>
            preparePublishing(settings, context, pr, target, logger),
          )
        : undefined;
    const checkedOut = await headSha(settings.workingDirectory);
    if (pr && settings.mode === 'review' && !settings.base && !settings.commit) {
      await requireHeadInCheckout(settings.workingDirectory, pr, checkedOut);
      if (checkedOut !== pr.headSha && target === 'review') {
        logger.info(
          `The checkout is ${checkedOut?.slice(0, 7)}, not the pull request head ${pr.headSha.slice(0, 7)} ` +
            '(actions/checkout uses a merge commit by default). Comments are placed on the head; for exact lines check out ' +
            '`ref: ${{ github.event.pull_request.head.sha }}`.',
        );
      }
    }
    let defaults = reviewDefaults(context);
    let scope: ReviewScope | undefined;
    if (pr && settings.mode === 'review' && !settings.base && !settings.commit) {
      scope = await chooseReviewScope({
        prior: decodeState(publishing?.existing.summary?.body),
        enabled: settings.incremental && publishing !== undefined,
        fullBase: pr.baseSha,
        head: pr.headSha,
        checkedOut,
        cwd: settings.workingDirectory,
        logger,
      });
      defaults = { base: scope.base };
    }

    const tempDir = process.env.RUNNER_TEMP ?? os.tmpdir();
    const result = await runReview({
      settings,
      logger,
      toolCache: new GitHubToolCache(logger),
      defaults,
      tempDir,
      keySetting: 'openai-api-key',
    });

    const replyErrors = result.exec?.replyErrors ?? [];
    let outcome: PublishOutcome | undefined;
    // A failure to post must not cost the findings: they are still logged, written and
    // summarised below, and the step fails at the end with the reason.
    let publishError: unknown;
    if (publishing && replyErrors.length > 0) {
      logger.warning('Nothing is posted: the reply does not match the output schema.');
    } else if (publishing) {
      outcome = await logger
        .group('Publish', () =>
          publishReview({
            result,
            platform: publishing.platform,
            cr: publishing.cr,
            target: publishing.target,
            minPriority: settings.minPriority,
            maxInlineComments: settings.maxInlineComments,
            range: {
              base: scope?.base ?? settings.base ?? pr?.baseSha,
              head: publishing.cr.headSha,
              incremental: scope?.incremental ?? false,
            },
            changedLines: scope?.changedLines,
            redactor,
            logger,
            ...(context.runUrl ? { runUrl: context.runUrl } : {}),
          }),
        )
        .catch((error: unknown) => {
          publishError = error;
          return undefined;
        });
      if (outcome?.permissionDenied) {
        core.notice(
          redactor.redact(
            `Findings were not posted on the pull request: ${outcome.permissionDenied} They are in the step summary and as annotations.`,
          ),
        );
        annotate(result.findings, redactor);
      }
    }

    let audit: AuditOutcome | undefined;
    if (target === 'issue' && replyErrors.length === 0) {
      audit = await logger
        .group('Tracking issue', () => publishAudit(settings, context, result, redactor, logger))
        .catch((error: unknown) => {
          publishError = error;
          return undefined;
        });
      if (audit?.permissionDenied) {
        core.notice(
          redactor.redact(`The tracking issue was not updated: ${audit.permissionDenied}`),
        );
        annotate(result.findings, redactor);
      }
    }
    const placements =
      outcome?.placements ??
      audit?.placements ??
      (publishError === undefined
        ? undefined
        : new Map<string, PlacementRecord>(
            result.findings.map((f) => [
              f.fingerprint,
              { placement: 'not-posted', reason: `posting failed: ${errorMessage(publishError)}` },
            ]),
          ));
    const postedUrl = outcome?.reviewUrl ?? audit?.url;

    const findingsFile = path.join(tempDir, 'codex-review', 'findings.json');
    const outputs = await writeRunFiles({
      result,
      settings,
      redactor,
      logger,
      findingsFile,
      placements,
      reviewUrl: postedUrl,
      extra: { summaryUrl: outcome?.summaryUrl ?? null, incremental: scope?.incremental ?? false },
    });
    await core.group('Result', async () => {
      // Every finding is in the log, whatever happened to posting.
      for (const line of renderTerminal(result).trimEnd().split('\n')) logger.info(line);
    });
    for (const [name, value] of Object.entries(outputs)) core.setOutput(name, value);
    const links = [
      outcome?.summaryUrl
        ? `[Summary comment on the pull request](${outcome.summaryUrl})`
        : undefined,
    ].filter((l): l is string => l !== undefined);
    await writeStepSummary(
      redactor.redact(renderStepSummary(result, { ...(placements ? { placements } : {}), links })),
    );

    if (publishError !== undefined) {
      core.setFailed(
        redactor.redact(
          `Codex reviewed the change, but posting the results failed: ${errorMessage(publishError)}. ` +
            'Every finding is in this log, the step summary and the findings file.',
        ),
      );
    } else if (replyErrors.length > 0) {
      core.setFailed(
        redactor.redact(
          `Codex's reply does not match the output schema (the raw reply is in \`final-message\` and the findings file):\n` +
            replyErrors.map((e) => `  - ${e}`).join('\n'),
        ),
      );
    } else if (result.blockingCount > 0) {
      core.setFailed(
        `${result.blockingCount} finding(s) at or above \`fail-on: ${settings.failOn}\`; see the step summary.`,
      );
    }
  } catch (error) {
    let message: string;
    if (error instanceof ConfigurationError || error instanceof CodexRunError) {
      message = redactor.redact(error.message);
    } else {
      core.debug(redactor.redact((error as Error)?.stack ?? ''));
      message = redactor.redact(`codex-review failed: ${errorMessage(error)}`);
    }
    core.setFailed(message);
    await writeStepSummary(`## Codex review failed\n\n\`\`\`text\n${message}\n\`\`\`\n`).catch(
      () => undefined,
    );
  }
}

/**
 * Codex reviews the checkout. Without the pull request's head in it (pull_request_target
 * checks out the base branch by default) the review would see nothing of the change.
 */
async function requireHeadInCheckout(
  cwd: string,
  pr: ChangeRequest,
  checkedOut: string | undefined,
): Promise<void> {
  if (checkedOut === pr.headSha) return;
  const contained = await git(cwd, ['merge-base', '--is-ancestor', pr.headSha, 'HEAD']).then(
    () => true,
    () => false,
  );
  if (!contained) {
    throw new ConfigurationError(
      `The checkout (${checkedOut?.slice(0, 7) ?? 'none'}) does not contain the pull request head ${pr.headSha.slice(0, 7)}, ` +
        'so Codex would not see the change. Check out the pull request: actions/checkout with ' +
        '`ref: ${{ github.event.pull_request.head.sha }}` and `fetch-depth: 0`.',
    );
  }
}

async function publishAudit(
  settings: Settings,
  context: EventContext,
  result: ReviewResult,
  redactor: Redactor,
  logger: Logger,
): Promise<AuditOutcome | undefined> {
  if (!settings.githubToken || !context.repository) {
    logger.warning(
      'No `github-token` (or GITHUB_REPOSITORY): no tracking issue; the findings are in the step summary.',
    );
    return undefined;
  }
  const sha = result.headSha ?? context.sha ?? '';
  return publishTrackingIssue({
    result,
    tracker: new GitHubIssues(
      createOctokit(settings.githubToken, logger),
      context.repository,
      context.serverUrl,
    ),
    key: `${context.workflow}/${context.job}`,
    title: `Codex audit: ${context.workflow}`,
    sha,
    runUrl: context.runUrl,
    date: new Date().toISOString().slice(0, 10),
    redactor,
    logger,
  });
}

async function writeStepSummary(markdown: string): Promise<void> {
  // Outside a runner (a local `node dist/action/index.js`) there is no summary file.
  if (!process.env.GITHUB_STEP_SUMMARY) return;
  await core.summary.addRaw(markdown).write();
}
