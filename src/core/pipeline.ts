// settings → install Codex → authenticate → run Codex → findings. No platform I/O here:
// adapters hand in a logger and a tool cache, and publish the result themselves.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { applySafetyStrategy } from './codex/safety.js';
import { buildCodexArgs, type CodexInvocation, type ReviewTarget } from './codex/argv.js';
import { hasStoredLogin } from './codex/env.js';
import { headSha, repositoryRoot, resolveReviewTarget } from './codex/git.js';
import { installCodex, type PackageFetcher, type ToolCache } from './codex/install.js';
import { isolateCodexRun, type IsolatedRun } from './codex/isolation.js';
import { runCodex } from './codex/run.js';
import { readSessionUsage } from './codex/session-usage.js';
import { ConfigurationError } from './errors.js';
import { validateReply } from './exec/reply.js';
import type { Logger } from './logger.js';
import { BUILTIN_FINDINGS_SCHEMA } from './review/builtin-schema.js';
import { extractReview, parseExecReply } from './review/extract.js';
import { compareFindings, toFindings } from './review/finding.js';
import { countBlocking } from './review/gate.js';
import type { ReviewResult } from './review/result.js';
import type { ReviewOutput, ReviewSource } from './review/review-output.js';
import type { Settings } from './settings.js';

export interface RunReviewOptions {
  settings: Settings;
  logger: Logger;
  toolCache: ToolCache;
  /** What to review when `base`/`commit` are not set: the adapter's knowledge (PR base, push). */
  defaults?: { base?: string; commit?: string };
  /** Environment Codex inherits (minus credentials); defaults to process.env. */
  env?: NodeJS.ProcessEnv;
  /** Directory for temporary files (RUNNER_TEMP on GitHub). */
  tempDir?: string;
  /** The setting name that holds the key, for messages ("openai-api-key" or "OPENAI_API_KEY"). */
  keySetting?: string;
  fetcher?: PackageFetcher;
}

export async function runReview(options: RunReviewOptions): Promise<ReviewResult> {
  const { settings, logger } = options;
  const tempDir = fs.mkdtempSync(path.join(options.tempDir ?? os.tmpdir(), 'codex-review-'));
  const codexHome = settings.codexHome ?? path.join(tempDir, 'codex-home');
  let isolated: IsolatedRun | undefined;
  if (settings.openaiApiKey) logger.setSecret(settings.openaiApiKey);

  try {
    // Everything that can be checked without Codex is checked before installing it.
    const target = await logger.group('Prepare', async () => {
      if (!settings.openaiApiKey && !hasStoredLogin(codexHome)) {
        throw new ConfigurationError(
          `No OpenAI API key: set \`${options.keySetting ?? 'openai-api-key'}\` (e.g. \`openai-api-key: \${{ secrets.OPENAI_API_KEY }}\`), ` +
            'or point `codex-home` at a directory where Codex is already logged in.',
        );
      }
      if (settings.sandbox === 'danger-full-access') {
        logger.warning(
          'sandbox is "danger-full-access": commands Codex runs are not isolated: they have the network (and the model, through the key proxy) and can read every file and process of the user they run as; unless that is a separate user, this includes this process\'s environment, which holds the API key.',
        );
      }
      if (settings.mode !== 'review') return undefined;
      const request = settings.commit
        ? { commit: settings.commit }
        : settings.base
          ? { base: settings.base }
          : (options.defaults ?? {});
      const resolved = await resolveReviewTarget(settings.workingDirectory, request);
      logger.info(`Reviewing ${describe(resolved)} in ${settings.workingDirectory}`);
      return resolved;
    });

    // Before anything is installed: a runner that cannot honour the strategy stops here.
    const runAs = await logger.group('Safety', () => applySafetyStrategy(settings, logger));

    const installation = await logger.group('Install Codex', () =>
      installCodex({
        version: settings.codexVersion,
        cache: options.toolCache,
        logger,
        ...(options.fetcher ? { fetcher: options.fetcher } : {}),
      }),
    );

    isolated = await isolateCodexRun({
      settings,
      runAs,
      codexRoot: installation.root,
      binary: installation.binary,
      parentEnv: options.env ?? process.env,
      logger,
      keySetting: options.keySetting ?? 'openai-api-key',
    });
    const run_ = isolated;

    let invocation: CodexInvocation;
    if (settings.mode === 'exec') {
      const schemaFile = path.join(run_.filesDir, 'output-schema.json');
      fs.writeFileSync(
        schemaFile,
        JSON.stringify(settings.outputSchema ?? BUILTIN_FINDINGS_SCHEMA, null, 2),
      );
      invocation = { mode: 'exec', schemaFile };
    } else {
      invocation = { mode: 'review', target: target! };
    }
    const args = buildCodexArgs(settings, invocation, run_.keyProxy);
    const head = await headSha(settings.workingDirectory);

    const run = await logger.group('Run Codex', async () => {
      logger.info(`codex ${args.map(shellQuoteForLog).join(' ')}`);
      try {
        return await runCodex({
          binary: run_.binary,
          args,
          cwd: settings.workingDirectory,
          env: run_.env,
          timeoutMs: settings.timeoutMs,
          logger,
          keySetting: options.keySetting ?? 'openai-api-key',
          runAs: run_.runAs,
          ...(run_.keyProxy ? { keyProxy: run_.keyProxy } : {}),
          ...(settings.openaiBaseUrl ? { baseUrl: settings.openaiBaseUrl } : {}),
        });
      } finally {
        await run_.close();
      }
    });

    return await logger.group('Findings', async () => {
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
          settings.outputSchema ?? BUILTIN_FINDINGS_SCHEMA,
        );
        structured = check.value;
        source = 'exec-json';
        incomplete = undefined;
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
          codexHome: run_.codexHome,
          threadId: run.threadId,
          finalMessage: run.finalMessage,
          logger,
        }));
        if (incomplete) logger.warning(`The review is incomplete: ${incomplete}`);
      }
      const repoRoot =
        (await repositoryRoot(settings.workingDirectory)) ?? settings.workingDirectory;
      const findings = toFindings(review.findings, {
        repoRoot: fs.realpathSync(repoRoot),
        workingDirectory: fs.realpathSync(settings.workingDirectory),
      }).sort(compareFindings);
      logger.info(`${findings.length} finding(s) from ${source}`);
      // Review mode reports zero usage on the event stream; the session files have the truth.
      const usage = readSessionUsage(run_.codexHome, run.threadId) ?? run.usage;
      const result: ReviewResult = {
        mode: settings.mode,
        target,
        headSha: head,
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
        usage,
        blockingCount: countBlocking(findings, settings.failOn),
        exec:
          settings.mode === 'exec'
            ? { schema: settings.outputSchema ? 'custom' : 'built-in', replyErrors, findingsShaped }
            : undefined,
        codex: {
          version: installation.version,
          durationMs: run.durationMs,
          fromCache: installation.fromCache,
        },
      };
      return result;
    });
  } finally {
    // The temporary CODEX_HOME holds session transcripts of this run; nothing else needs it.
    await isolated?.close();
    isolated?.remove();
    fs.rmSync(tempDir, { recursive: true, force: true });
  }
}

function describe(target: ReviewTarget): string {
  switch (target.kind) {
    case 'base':
      return `the changes since ${target.base} (merge base ${target.mergeBase.slice(0, 12)})`;
    case 'commit':
      return `commit ${target.sha.slice(0, 12)}${target.title ? ` "${target.title}"` : ''}`;
    case 'uncommitted':
      return 'the uncommitted changes';
  }
}

function shellQuoteForLog(arg: string): string {
  const short = arg.length > 200 ? `${arg.slice(0, 200)}…` : arg;
  return /^[\w@%+=:,./-]+$/.test(short) ? short : `'${short.replace(/'/g, "'\\''")}'`;
}
