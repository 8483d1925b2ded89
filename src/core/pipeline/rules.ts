// The review rules of this run, settled before anything is installed: the repository
// configuration, `prompt-file`, `output-schema-file` and AGENTS.md, all read from one place — on a
// pull/merge request its base commit (the change cannot rewrite the rules it is reviewed by),
// otherwise the checkout — and never through a symbolic link. Also the skip rules, and where the
// run may write its files.
import os from 'node:os';
import { projectTrustPaths, readAgentInstructions } from '../agent-instructions.js';
import type { RepositoryIsolation } from '../codex/repo-isolation.js';
import {
  configInstructions,
  decideSkip,
  parseRepoConfig,
  PathScope,
  type RepoConfig,
} from '../config-file.js';
import { ConfigurationError } from '../errors.js';
import { repositoryRoot } from '../git.js';
import type { Logger } from '../logger.js';
import type { Finding } from '../review/finding.js';
import { countBlocking } from '../review/gate.js';
import type { ReviewResult } from '../review/result.js';
import type { ChangeRequest } from '../platform.js';
import { hasCommit, readRuleFile, repoRelative, type RuleSource } from '../repo-files.js';
import { prepareTarget, type WriteScope } from '../safe-write.js';
import { parseSchemaText } from '../setting-values.js';
import { strictSchemaProblem, type Settings } from '../settings.js';

export interface ReviewRules {
  /** The settings with `prompt` and `outputSchema` as the run uses them (files read, config added). */
  settings: Settings;
  /** The repository configuration; undefined when there is none. */
  config: RepoConfig | undefined;
  /** Which paths findings are reported for. */
  scope: PathScope;
  isolation: RepositoryIsolation;
  /** Where the run may write its files. */
  writeScope: WriteScope;
  /** Set when a skip rule ends the run now. */
  skip: string | undefined;
}

export interface RulesInput {
  settings: Settings;
  /** The change request the run is on, if any (read from the platform or from the CI variables). */
  change: ChangeRequest | undefined;
  /** "Pull request #3" */
  name: (cr: ChangeRequest) => string;
  logger: Logger;
  /** The run's temp directory parent (RUNNER_TEMP on GitHub). */
  tempDir: string | undefined;
  findingsFile: string;
}

export async function loadReviewRules(input: RulesInput): Promise<ReviewRules> {
  const { settings, change, logger } = input;
  const writeScope = writeScopeOf(settings, input.tempDir);
  const source = await ruleSource(input);
  logger.info(`Review rules are read from ${source.label}.`);

  const config = await readConfig(settings, source, logger, change !== undefined);
  if (change) {
    const decision = decideSkip(config, change, input.name(change));
    if (decision.unchecked.length > 0)
      logger.warning(
        `The repository configuration's ${decision.unchecked.join(', ')} could not be checked: the platform did not say (on GitLab, pass a token so the merge request is read).`,
      );
    if (decision.reason) return { ...base(), skip: `Skipped: ${decision.reason}.` };
  }
  checkWriteTargets(settings, input.findingsFile, writeScope);

  const prompt = settings.promptFile
    ? await readPromptFile(settings.promptFile, source, change !== undefined)
    : settings.prompt;
  const outputSchema = settings.outputSchemaFile
    ? await readSchemaFile(settings.outputSchemaFile, source, change !== undefined)
    : settings.outputSchema;

  const agents = await readAgentInstructions(source, settings.workingDirectory);
  for (const warning of agents.warnings) logger.warning(`AGENTS.md: ${warning}`);
  if (agents.files.length > 0)
    logger.info(`Agent instructions given to Codex: ${agents.files.join(', ')}.`);

  const extra = configInstructions(config);
  return {
    ...base(),
    settings: { ...settings, prompt: joinInstructions(prompt, extra), outputSchema },
    isolation: {
      untrusted: await projectTrustPaths(settings.workingDirectory),
      agentInstructions: agents.text,
    },
    skip: undefined,
  };

  function base(): ReviewRules {
    return {
      settings,
      config,
      scope: PathScope.of(config),
      isolation: { untrusted: [settings.workingDirectory], agentInstructions: undefined },
      writeScope,
      skip: undefined,
    };
  }
}

/** The prompt (inline or from prompt-file) and the configuration's instructions, in that order. */
function joinInstructions(
  prompt: string | undefined,
  extra: string | undefined,
): string | undefined {
  const parts = [prompt?.trim(), extra].filter((p): p is string => !!p);
  return parts.length > 0 ? parts.join('\n\n') : undefined;
}

/** A report path planted as a link in the checkout fails now, before Codex is installed. */
/** Where a run may write: the workspace and its temp directory. */
export function writeScopeOf(settings: Settings, tempDir: string | undefined): WriteScope {
  return { roots: [settings.workspace, tempDir ?? os.tmpdir()] };
}

/** Every file the run will write is checked before anything is installed (and again at write time). */
export function checkWriteTargets(
  settings: Settings,
  findingsFile: string,
  scope: WriteScope,
): void {
  prepareTarget(findingsFile, scope, 'the findings file');
  if (settings.sarifFile) prepareTarget(settings.sarifFile, scope, 'setting `sarif-file`');
  if (settings.codequalityFile)
    prepareTarget(settings.codequalityFile, scope, 'setting `codequality-file`');
}

async function ruleSource(input: RulesInput): Promise<RuleSource> {
  const { settings, change } = input;
  const repoRoot = await repositoryRoot(settings.workingDirectory);
  if (!change)
    return { commit: undefined, label: 'the checkout', repoRoot, workspace: settings.workspace };
  const label = `the base commit ${change.baseSha.slice(0, 12)} of ${input.name(change).replace(/^\w/, (c) => c.toLowerCase())}`;
  if (!repoRoot || !(await hasCommit(repoRoot, change.baseSha))) {
    throw new ConfigurationError(
      `The base commit ${change.baseSha.slice(0, 12)} of ${input.name(change)} is not in the checkout. ` +
        'Review rules (the config file, prompt-file, output-schema-file, AGENTS.md) are read from it, so that the change cannot rewrite them. ' +
        'Fetch it: on GitHub, actions/checkout with `fetch-depth: 0`; on GitLab, `GIT_DEPTH: 0`.',
    );
  }
  return { commit: change.baseSha, label, repoRoot, workspace: settings.workspace };
}

function shownPath(file: string, source: RuleSource): string {
  return repoRelative(source, file) ?? file;
}

function settingProblem(setting: string, file: string, problem: string): ConfigurationError {
  return new ConfigurationError(`setting \`${setting}\` = ${JSON.stringify(file)}: ${problem}`);
}

const LINK_RULE =
  'codex-review never reads a file that configures a review through a symbolic link';

async function readConfig(
  settings: Settings,
  source: RuleSource,
  logger: Logger,
  onChange: boolean,
): Promise<RepoConfig | undefined> {
  if (!settings.configFile) return undefined;
  const shown = shownPath(settings.configFile, source);
  const read = await readRuleFile(source, settings.configFile);
  if (read.kind === 'refused')
    throw settingProblem('config-file', shown, `${read.reason}; ${LINK_RULE}`);
  if (read.kind === 'missing') {
    if (settings.configFileExplicit && !onChange)
      throw settingProblem('config-file', shown, `does not exist in ${source.label}`);
    logger.info(
      onChange
        ? `No repository configuration (${shown}) in ${source.label}; a version the change adds or edits applies once it is merged.`
        : `No repository configuration (${shown}).`,
    );
    return undefined;
  }
  const config = parseRepoConfig(read.text, `config file ${shown} (${source.label})`);
  const scope = PathScope.of(config);
  const summary = [
    config.instructions?.trim() ? 'instructions' : undefined,
    config['path-instructions']?.length
      ? `${config['path-instructions'].length} path instruction(s)`
      : undefined,
    scope.everything
      ? undefined
      : `paths: include ${scope.include.join(', ')}; exclude ${scope.exclude.join(', ') || 'nothing'}`,
    config.skip ? 'skip rules' : undefined,
  ].filter(Boolean);
  logger.info(`Repository configuration ${shown}: ${summary.join('; ') || 'empty'}.`);
  return config;
}

function missingHint(onChange: boolean): string {
  return onChange
    ? ' (on a pull/merge request it is read from the base commit: commit it to the base branch first)'
    : '';
}

async function readPromptFile(
  file: string,
  source: RuleSource,
  onChange: boolean,
): Promise<string> {
  const shown = shownPath(file, source);
  const read = await readRuleFile(source, file);
  if (read.kind === 'refused')
    throw settingProblem('prompt-file', shown, `${read.reason}; ${LINK_RULE}`);
  if (read.kind === 'missing')
    throw settingProblem(
      'prompt-file',
      shown,
      `does not exist in ${source.label}${missingHint(onChange)}`,
    );
  if (read.text.trim() === '')
    throw settingProblem('prompt-file', shown, `is empty in ${source.label}`);
  return read.text;
}

async function readSchemaFile(
  file: string,
  source: RuleSource,
  onChange: boolean,
): Promise<Record<string, unknown>> {
  const shown = shownPath(file, source);
  const read = await readRuleFile(source, file);
  if (read.kind === 'refused')
    throw settingProblem('output-schema-file', shown, `${read.reason}; ${LINK_RULE}`);
  if (read.kind === 'missing')
    throw settingProblem(
      'output-schema-file',
      shown,
      `does not exist in ${source.label}${missingHint(onChange)}`,
    );
  const problems: string[] = [];
  const schema = parseSchemaText(read.text, (m) => problems.push(m));
  if (!schema) throw settingProblem('output-schema-file', shown, problems.join('; '));
  const strict = strictSchemaProblem(schema);
  if (strict) throw settingProblem('output-schema-file', shown, strict);
  return schema;
}

/** Findings whose file the configuration excludes are kept apart: not posted, not reported. */
export function splitByScope<T extends { path: string | null; inRepo: boolean }>(
  findings: T[],
  scope: PathScope,
): { included: T[]; excluded: T[] } {
  if (scope.everything) return { included: findings, excluded: [] };
  const included: T[] = [];
  const excluded: T[] = [];
  for (const f of findings) {
    // A finding without a file in the repository is about the change as a whole: kept.
    if (!f.inRepo || f.path === null || f.path === '') included.push(f);
    else (scope.covers(f.path) ? included : excluded).push(f);
  }
  return { included, excluded };
}

/** Findings in excluded paths leave the result (not posted, not counted, not in reports). */
export function applyPathScope(
  result: ReviewResult,
  rules: ReviewRules,
  logger: Logger,
): { result: ReviewResult; excluded: Finding[] } {
  const { included, excluded } = splitByScope(result.findings, rules.scope);
  if (excluded.length === 0) return { result, excluded };
  logger.info(
    `${excluded.length} finding(s) in paths the repository configuration excludes are not posted (they are in the findings file).`,
  );
  return {
    result: {
      ...result,
      findings: included,
      blockingCount: countBlocking(included, rules.settings.failOn),
    },
    excluded,
  };
}
