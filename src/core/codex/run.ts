// One Codex run: spawn, stream events into the log, decide success, explain failure.
import { CodexRunError } from '../errors.js';
import type { Logger } from '../logger.js';
import { describeEvent, parseEventLine, type CodexUsage } from './events.js';
import type { KeyProxy } from './key-proxy.js';
import { runProcess } from './process.js';
import { spawnAs } from './run-as.js';
import type { RunAs } from './safety.js';

/** Names under which Codex would take a key from its environment; the key proxy holds it. */
const KEY_VARIABLES = ['CODEX_API_KEY', 'OPENAI_API_KEY'];

export interface CodexRunOptions {
  binary: string;
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  timeoutMs: number;
  logger: Logger;
  /** Shown in the "key rejected" message: the setting that holds the key. */
  keySetting?: string;
  baseUrl?: string;
  /** Log a "still working" line after this long without events (default 30 s). */
  heartbeatMs?: number;
  /** Start Codex as another user (safety-strategy). */
  runAs?: RunAs;
  /** The key proxy Codex talks to (see buildCodexArgs): what it saw explains failures. */
  keyProxy?: KeyProxy;
}

export interface CodexRunResult {
  threadId: string | undefined;
  /** The last agent_message: Codex's answer. */
  finalMessage: string;
  usage: CodexUsage;
  durationMs: number;
  commandsRun: number;
}

const ZERO_USAGE: CodexUsage = {
  input_tokens: 0,
  cached_input_tokens: 0,
  output_tokens: 0,
  reasoning_output_tokens: 0,
};

export async function runCodex(options: CodexRunOptions): Promise<CodexRunResult> {
  const { logger } = options;
  let threadId: string | undefined;
  let finalMessage: string | undefined;
  let usage: CodexUsage = { ...ZERO_USAGE };
  let completed = false;
  let failure: string | undefined;
  const errors: string[] = [];
  let commandsRun = 0;
  let unknownLines = 0;
  let lastEventAt = Date.now();
  const startedAt = Date.now();
  const heartbeatMs = options.heartbeatMs ?? 30_000;
  // A model thinking for minutes prints nothing; say so, so a waiting user knows it is alive.
  const heartbeat = setInterval(() => {
    if (Date.now() - lastEventAt < heartbeatMs) return;
    const seconds = Math.round((Date.now() - startedAt) / 1000);
    logger.info(`Codex is still working (${seconds} s so far, ${commandsRun} command(s) run)`);
    lastEventAt = Date.now();
  }, heartbeatMs / 2);
  heartbeat.unref();

  const present = KEY_VARIABLES.filter((name) => options.env[name] !== undefined);
  if (present.length > 0) {
    // A bug, not a setting: every command the agent runs could read it.
    throw new Error(`refusing to start Codex with ${present.join(', ')} in its environment`);
  }
  const runAs = options.runAs ?? { kind: 'self' };
  const spawn =
    runAs.kind === 'self'
      ? { command: options.binary, args: options.args, env: options.env }
      : spawnAs(runAs, options.binary, options.args, options.env);
  const result = await runProcess({
    ...spawn,
    cwd: options.cwd,
    timeoutMs: options.timeoutMs,
    onStdoutLine(line) {
      const event = parseEventLine(line);
      if (!event) return;
      lastEventAt = Date.now();
      switch (event.type) {
        case 'thread.started':
          threadId = event.thread_id;
          break;
        case 'turn.completed':
          completed = true;
          if (event.usage) usage = addUsage(usage, event.usage);
          break;
        case 'turn.failed':
          failure = event.error.message;
          break;
        case 'error':
          errors.push(event.message);
          break;
        case 'item.started':
          if (event.item.type === 'command_execution') commandsRun++;
          break;
        case 'item.completed':
          if (event.item.type === 'agent_message' && typeof event.item.text === 'string') {
            finalMessage = event.item.text;
          }
          break;
        case 'unknown':
          unknownLines++;
          logger.debug(
            `Codex event not understood (ignored): ${JSON.stringify(event.raw).slice(0, 300)}`,
          );
          break;
      }
      const line_ = describeEvent(event);
      if (line_) logger[line_.level](line_.text);
    },
    onStderrLine(line) {
      logger.debug(`codex stderr: ${line}`);
    },
  });
  clearInterval(heartbeat);
  if (unknownLines > 0) logger.debug(`${unknownLines} Codex output line(s) were not recognised`);

  if (result.timedOut) {
    const minutes = options.timeoutMs / 60_000;
    throw new CodexRunError(
      `Codex did not finish within \`timeout-minutes\` (${+minutes.toFixed(2)} min) and was stopped. ` +
        'Raise `timeout-minutes`, narrow the review (`base`, a smaller change) or check that the model endpoint answers.',
      { timedOut: true, exitCode: result.exitCode, stderrTail: result.stderrTail.join('\n') },
    );
  }
  if (result.exitCode === 0 && completed && !failure) {
    return {
      threadId,
      finalMessage: finalMessage ?? '',
      usage,
      durationMs: result.durationMs,
      commandsRun,
    };
  }
  const upstream = options.keyProxy?.last?.error
    ? `Codex could not reach the model endpoint ${options.keyProxy.upstream}: ${options.keyProxy.last.error}. Check \`openai-base-url\` and the runner's network (and HTTPS_PROXY, if it needs one).`
    : undefined;
  throw new CodexRunError(
    [
      upstream,
      explainFailure({
        failure,
        errors,
        stderr: result.stderrTail,
        exitCode: result.exitCode,
        signal: result.signal,
        options,
      }),
    ]
      .filter(Boolean)
      .join('\n'),
    {
      exitCode: result.exitCode,
      stderrTail: result.stderrTail.join('\n'),
    },
  );
}

function addUsage(a: CodexUsage, b: Partial<CodexUsage>): CodexUsage {
  return {
    input_tokens: a.input_tokens + (b.input_tokens ?? 0),
    cached_input_tokens: a.cached_input_tokens + (b.cached_input_tokens ?? 0),
    output_tokens: a.output_tokens + (b.output_tokens ?? 0),
    reasoning_output_tokens: a.reasoning_output_tokens + (b.reasoning_output_tokens ?? 0),
  };
}

/** The most useful sentence we can give: the model's refusal first, then errors, then stderr. */
export function explainFailure(input: {
  failure: string | undefined;
  errors: string[];
  stderr: string[];
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  options: Pick<CodexRunOptions, 'keySetting' | 'baseUrl'>;
}): string {
  const lastError =
    [...input.errors].reverse().find((e) => !/^Reconnecting\.\.\./.test(e)) ?? input.errors.at(-1);
  const stderr = input.stderr
    .filter((l) => /error|fatal|panic|denied|not found/i.test(l))
    .slice(-5)
    .join('\n');
  const detail = input.failure ?? lastError ?? (stderr || input.stderr.slice(-5).join('\n'));
  const keySetting = input.options.keySetting ?? 'openai-api-key';
  const hint = hintFor(detail, keySetting, input.options.baseUrl);
  const how =
    input.signal !== null
      ? `was killed by ${input.signal}`
      : input.exitCode === 0
        ? 'ended without completing its turn'
        : `exited with code ${input.exitCode ?? 'unknown'}`;
  return [hint ?? `Codex ${how}.`, detail ? `Codex said: ${detail.trim()}` : undefined]
    .filter(Boolean)
    .join('\n');
}

function hintFor(
  detail: string,
  keySetting: string,
  baseUrl: string | undefined,
): string | undefined {
  if (/\b401\b|unauthorized|invalid_api_key|incorrect api key/i.test(detail)) {
    return `The OpenAI API rejected the API key (401 Unauthorized). Check that \`${keySetting}\` holds a valid, active key for this endpoint.`;
  }
  if (/\b403\b|forbidden/i.test(detail)) {
    return 'The OpenAI API refused the request (403 Forbidden): the key has no access to this model or project.';
  }
  if (/model.*(not found|does not exist)|\b404\b/i.test(detail)) {
    return 'The model was not found (404). Check the `model` setting, or leave it empty to let Codex choose.';
  }
  if (/\b429\b|rate limit|quota|insufficient_quota/i.test(detail)) {
    return 'The OpenAI API is rate limiting this key or its quota is used up (429). Retry later or raise the limits of the project.';
  }
  if (
    /context (window|length)|maximum context|too many tokens|context_length_exceeded/i.test(detail)
  ) {
    return 'The review ran out of model context. Review a smaller change (`base`, `commit`) or a model with a larger context window.';
  }
  if (/connection refused|error sending request|dns|could not resolve|network/i.test(detail)) {
    return `Codex could not reach the model endpoint${baseUrl ? ` ${baseUrl}` : ''}. Check \`openai-base-url\` and the runner's network.`;
  }
  if (/\b5\d\d\b|internal server error|bad gateway|service unavailable/i.test(detail)) {
    return 'The model endpoint kept failing with server errors after Codex retried. Re-run the job later.';
  }
  return undefined;
}
