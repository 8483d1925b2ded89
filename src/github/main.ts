// The GitHub Action: inputs → settings → the core pipeline → outputs, step summary, exit code.
import * as core from '@actions/core';
import os from 'node:os';
import path from 'node:path';
import { CodexRunError, ConfigurationError, errorMessage } from '../core/errors.js';
import { buildOutputs } from '../core/outputs.js';
import { runReview } from '../core/pipeline.js';
import { Redactor } from '../core/redact.js';
import { writeFindingsFile } from '../core/report/findings-file.js';
import { renderStepSummary } from '../core/render/step-summary.js';
import { renderTerminal } from '../core/render/terminal.js';
import {
  parseSettings,
  SETTING_DEFINITIONS,
  SETTING_NAMES,
  type RawSettings,
} from '../core/settings.js';
import { readEventContext, reviewDefaults } from './context.js';
import { ActionsLogger } from './logger.js';
import { GitHubToolCache } from './tool-cache.js';

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
    const tempDir = process.env.RUNNER_TEMP ?? os.tmpdir();
    const result = await runReview({
      settings,
      logger,
      toolCache: new GitHubToolCache(logger),
      defaults: reviewDefaults(readEventContext()),
      tempDir,
      keySetting: 'openai-api-key',
    });

    const findingsFile = path.join(tempDir, 'codex-review', 'findings.json');
    writeFindingsFile(findingsFile, result, redactor);
    await core.group('Result', async () => {
      // Every finding is in the log, whatever happens to posting later.
      for (const line of renderTerminal(result).trimEnd().split('\n')) logger.info(line);
    });
    const outputs = buildOutputs(result, { findingsFile });
    for (const [name, value] of Object.entries(outputs))
      core.setOutput(name, redactor.redact(value));
    await writeStepSummary(redactor.redact(renderStepSummary(result)));

    if (result.blockingCount > 0) {
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
      message = redactor.redact(`codex-review failed unexpectedly: ${errorMessage(error)}`);
    }
    core.setFailed(message);
    await writeStepSummary(`## Codex review failed\n\n\`\`\`text\n${message}\n\`\`\`\n`).catch(
      () => undefined,
    );
  }
}

async function writeStepSummary(markdown: string): Promise<void> {
  // Outside a runner (a local `node dist/action/index.js`) there is no summary file.
  if (!process.env.GITHUB_STEP_SUMMARY) return;
  await core.summary.addRaw(markdown).write();
}
