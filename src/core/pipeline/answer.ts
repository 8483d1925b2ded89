// One answer to a question about a review, for every front door that can receive one:
// prepare Codex (read-only, whatever `sandbox` says: an answer changes nothing), resume the
// review's session when it can be restored or start a fresh one with the change as context,
// ask, and post the reply through every output rule (escaping, markers, redaction).
import { renderAnswer } from '../conversation/answer-comment.js';
import { answerPrompt, type QuestionContext } from '../conversation/prompt.js';
import { restoreSession, type SessionRecord, type SessionStore } from '../conversation/sessions.js';
import type { PackageFetcher, ToolCache } from '../codex/install.js';
import type { CodexUsage } from '../codex/events.js';
import { checkCredentials, prepareCodex, runCodexSession } from '../codex/session.js';
import { giveTo } from '../codex/user-access.js';
import { errorMessage } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Redactor } from '../redact.js';
import type { Settings } from '../settings.js';

export interface AnswerInput {
  settings: Settings;
  logger: Logger;
  redactor: Redactor;
  toolCache: ToolCache;
  fetcher?: PackageFetcher;
  env?: NodeJS.ProcessEnv;
  tempDir?: string;
  keySetting: string;
  context: QuestionContext;
  /** The review's session, from the summary state (believed only from our own comment). */
  session: SessionRecord | undefined;
  store: SessionStore | undefined;
  /** The change's diff, for a fresh session; a failure only costs that context. */
  loadDiff: () => Promise<string>;
  /** Posts the rendered answer where the question was asked. */
  post: (body: string) => Promise<{ url: string | undefined }>;
  maxCommentLength: number;
}

export interface AnswerOutcome {
  answer: string;
  url: string | undefined;
  threadId: string | undefined;
  /** The review's session was resumed (otherwise a fresh one with the change as context). */
  resumed: boolean;
  usage: CodexUsage;
}

export async function answerQuestion(input: AnswerInput): Promise<AnswerOutcome> {
  const { logger, redactor } = input;
  const settings: Settings = { ...input.settings, sandbox: 'read-only' };
  if (settings.openaiApiKey) logger.setSecret(settings.openaiApiKey);
  checkCredentials({ ...input, settings });
  const codex = await prepareCodex({ ...input, settings });
  try {
    const resumed =
      input.store && input.session
        ? await logger.group('Restore the review session', () =>
            restoreSession({
              store: input.store!,
              record: input.session!,
              codexHome: codex.codexHome,
              logger,
            }),
          )
        : false;
    // The restored session file was written by this process; Codex may run as another user,
    // which must be able to append to it.
    const runAs = codex.isolated.runAs;
    if (resumed && runAs.kind !== 'self') await giveTo(runAs, codex.codexHome);
    let diff: string | undefined;
    if (!resumed) {
      diff = await input.loadDiff().catch((error: unknown) => {
        logger.warning(`Could not load the diff (Codex can still run git): ${errorMessage(error)}`);
        return undefined;
      });
    }
    const prompt = answerPrompt(input.context, { resumed, diff });
    logger.info(
      resumed
        ? `Resuming the review's Codex session ${input.session!.threadId}.`
        : 'Starting a fresh Codex session with the finding, the thread and the change as context.',
    );
    const run = await runCodexSession(
      codex,
      { mode: 'answer', prompt, ...(resumed ? { resume: input.session!.threadId } : {}) },
      { ...input, settings },
    );
    const body = redactor.redact(
      renderAnswer(run.finalMessage, { maxLength: input.maxCommentLength, resumed }),
    );
    const posted = await logger.group('Post the answer', () => input.post(body));
    if (posted.url) logger.info(`Answered: ${posted.url}`);
    return {
      answer: redactor.redact(run.finalMessage),
      url: posted.url,
      threadId: run.threadId,
      resumed,
      usage: run.usage,
    };
  } finally {
    await codex.close();
  }
}
