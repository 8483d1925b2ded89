// The GitHub Action's glue: inputs → settings, the event → a Venue (pull request, platform,
// tracker), the trigger check; then the core's runReview, and its outcome → outputs, step
// summary, annotations, exit code. Decisions live in src/core.
import * as core from '@actions/core';
import os from 'node:os';
import path from 'node:path';
import { CodexRunError, ConfigurationError, errorMessage } from '../core/errors.js';
import type { ChangeRequest } from '../core/platform.js';
import { Redactor } from '../core/redact.js';
import { clipForLog } from '../core/render/fit.js';
import { renderStepSummary, STEP_SUMMARY_LIMIT } from '../core/render/step-summary.js';
import { renderTerminal } from '../core/render/terminal.js';
import { runMerge } from '../core/pipeline/merge.js';
import { isSkipped, runReview } from '../core/pipeline/run.js';
import {
  parseSettings,
  SETTING_DEFINITIONS,
  SETTING_NAMES,
  type RawSettings,
} from '../core/settings.js';
import { annotate } from './annotations.js';
import { readCommentCommand } from './commands.js';
import { pullRequestOf, readEventContext, reviewDefaults } from './context.js';
import { runCommand } from './conversation.js';
import { GitHubIssues } from './issues.js';
import { ActionsLogger } from './logger.js';
import { createOctokit } from './octokit.js';
import { GitHubPlatform } from './platform.js';
import { GitHubSessionStore } from './session-cache.js';
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
    // A comment: is it a command, before anything else (most comments are not).
    const comment = readCommentCommand(context, settings.triggerPhrase);
    if (comment?.kind === 'ignore') {
      logger.info(comment.reason);
      return;
    }
    // Who triggered this, before anything is installed or any model request is made.
    const decision = await decideTrigger({
      context,
      settings,
      octokit: settings.githubToken ? createOctokit(settings.githubToken, logger) : undefined,
      logger,
      ...(comment ? { commenter: comment.comment.author.login } : {}),
    });
    if (decision.kind === 'skip') {
      core.notice(decision.reason);
      await writeStepSummary(`## Codex review skipped\n\n${decision.reason}\n`);
      return;
    }
    if (decision.kind === 'refuse') throw new ConfigurationError(decision.reason);
    let pr = pullRequestOf(context);
    const octokit =
      settings.githubToken && context.repository
        ? createOctokit(settings.githubToken, logger)
        : undefined;
    const repository = context.repository;
    const tempDir = process.env.RUNNER_TEMP ?? os.tmpdir();
    const platform =
      octokit && repository
        ? new GitHubPlatform(octokit, repository, {
            serverUrl: context.serverUrl,
            workspace: settings.workingDirectory,
            logger,
          })
        : undefined;
    if (comment) {
      if (!octokit || !repository || !platform)
        throw new ConfigurationError('Commands in comments need `github-token`.');
      const handled = await runCommand({
        ...comment,
        settings,
        octokit,
        repository,
        platform,
        logger,
        redactor,
        tempDir,
      });
      if (handled.kind === 'done') return;
      pr = handled.pr;
    }
    // `mode: merge` combines the shards' findings files instead of running Codex.
    const run = settings.mode === 'merge' ? runMerge : runReview;
    const outcome = await run({
      settings,
      logger,
      redactor,
      toolCache: new GitHubToolCache(logger),
      tempDir,
      keySetting: 'openai-api-key',
      findingsFile: path.join(tempDir, 'codex-review', 'findings.json'),
      ...(repository && pr
        ? {
            sessions: new GitHubSessionStore(
              { ...repository, pull: pr.number, codexVersion: settings.codexVersion },
              path.join(tempDir, 'codex-review-session'),
              logger,
            ),
          }
        : {}),
      venue: {
        noun: 'pull request',
        name: (cr) => `Pull request #${cr.number}`,
        explainReadError,
        changeRequest: pr,
        platform,
        tracker:
          octokit && repository
            ? new GitHubIssues(octokit, repository, context.serverUrl)
            : undefined,
        audit: {
          key: `${context.workflow}/${context.job}`,
          title: `Codex audit: ${context.workflow}`,
          sha: context.sha,
        },
        defaults: comment && pr ? { base: pr.baseSha } : reviewDefaults(context),
        runUrl: context.runUrl,
        onPermissionDenied: 'notice',
      },
    });
    if (isSkipped(outcome)) {
      core.notice(outcome.skipped);
      await writeStepSummary(`## Codex review skipped\n\n${outcome.skipped}\n`);
      return;
    }
    const { result, placements } = outcome;
    if (outcome.permissionDenied) {
      core.notice(
        redactor.redact(
          `Findings were not posted on the pull request: ${outcome.permissionDenied} They are in the step summary and as annotations.`,
        ),
      );
      annotate(result.findings, redactor);
    }
    await core.group('Result', async () => {
      // Every finding is in the log, whatever happened to posting. One call: redaction and
      // escaping work on the whole text at once, not line by line.
      const report = renderTerminal(
        clipForLog(result, `the findings file ${outcome.outputs['findings-file']}`),
      );
      logger.info(report.trimEnd());
    });
    for (const [name, value] of Object.entries(outcome.outputs)) core.setOutput(name, value);
    const links = outcome.summaryUrl
      ? [`[Summary comment on the pull request](${outcome.summaryUrl})`]
      : [];
    await writeStepSummary(
      redactor.redact(
        renderStepSummary(result, {
          ...(placements ? { placements } : {}),
          links,
          findingsFile: outcome.outputs['findings-file'],
        }),
      ),
    );
    if (outcome.failure) core.setFailed(outcome.failure);
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

function explainReadError(error: unknown, cr: ChangeRequest): Error {
  const status = (error as { status?: number }).status;
  if (status === 401) {
    return new ConfigurationError(
      'GitHub rejected `github-token` (401 Bad credentials). Leave it at its default (`${{ github.token }}`) or give a valid token.',
    );
  }
  return new Error(
    `Could not read pull request #${cr.number} from the GitHub API: ${errorMessage(error)}`,
  );
}

async function writeStepSummary(markdown: string): Promise<void> {
  // Outside a runner (a local `node dist/action/index.js`) there is no summary file.
  if (!process.env.GITHUB_STEP_SUMMARY) return;
  // The renderer keeps within the limit; this catches any other text (a long failure message),
  // since GitHub drops a step summary over 1 MiB whole.
  const text =
    Buffer.byteLength(markdown) <= STEP_SUMMARY_LIMIT - 1_024
      ? markdown
      : `${Buffer.from(markdown)
          .subarray(0, STEP_SUMMARY_LIMIT - 1_024)
          .toString('utf8')
          .replace(/\ufffd$/, '')}\n\n… (cut to GitHub's 1 MiB limit)\n`;
  await core.summary.addRaw(text).write();
}
