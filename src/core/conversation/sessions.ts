// The review's Codex session, kept so an answer can resume it (`codex exec resume`). A platform
// stores the session file (GitHub: the Actions cache); the core decides what may be stored and
// what may be resumed: a restored file is used only when its SHA-256 is the one the review
// wrote into the summary state, so a session planted in the store by someone else (a fork's
// workflow can write to the cache of its pull request) is never resumed.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { isThreadFile, listSessionFiles } from '../codex/session-files.js';
import { errorMessage } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Redactor } from '../redact.js';

export interface SessionStore {
  /** Keep the session file of `threadId`; false when the store is unavailable. */
  save(threadId: string, file: string): Promise<boolean>;
  /** The stored session file of `threadId`, copied somewhere readable; undefined when none. */
  restore(threadId: string): Promise<string | undefined>;
}

/** What the summary state remembers of the review's session. */
export interface SessionRecord {
  threadId: string;
  /** SHA-256 of the session file the review ended with; absent when it is not kept. */
  digest: string | undefined;
}

const ROLLOUT_DATE = /^rollout-(\d{4})-(\d{2})-(\d{2})T/;

function sha256(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

/**
 * Store the session of a finished review. Its digest is known at once (for the summary state,
 * so publishing need not wait for the upload); `saved` settles when the store is done and
 * never rejects. A transcript that holds a secret the redactor knows (the API key, a token) is
 * not stored: the store may be readable more widely than the job.
 */
/** Larger sessions are not kept for answers (see keepSession). */
export const MAX_KEPT_SESSION_BYTES = 32 * 1024 * 1024;

export function keepSession(input: {
  store: SessionStore;
  codexHome: string;
  threadId: string;
  redactor: Redactor;
  logger: Logger;
}): { record: SessionRecord; saved: Promise<boolean> } {
  const { threadId, logger } = input;
  const none = { record: { threadId, digest: undefined }, saved: Promise.resolve(false) };
  const file = listSessionFiles(input.codexHome).find((f) => isThreadFile(f, threadId));
  if (!file) return none;
  // Reading and scanning a huge session (a 50 MB reply makes a 157 MB one) would cost more memory
  // and cache space than resuming saves: such a review's answers start a fresh session.
  const size = fs.statSync(file).size;
  if (size > MAX_KEPT_SESSION_BYTES) {
    logger.info(
      `The review session is ${Math.round(size / 1024 / 1024)} MB; it is not kept, so answers start a fresh session.`,
    );
    return none;
  }
  const text = fs.readFileSync(file, 'utf8');
  if (input.redactor.redact(text) !== text) {
    logger.info(
      'The review session holds a secret; it is not kept, so answers start a fresh session.',
    );
    return none;
  }
  const saved = input.store.save(threadId, file).catch((error: unknown) => {
    logger.warning(
      `Could not keep the review session for answers (they start a fresh one): ${errorMessage(error)}`,
    );
    return false;
  });
  return { record: { threadId, digest: sha256(file) }, saved };
}

/**
 * Put the review's session back into `codexHome`, so `codex exec resume` finds it. True only
 * when the stored file is exactly the one the review kept.
 */
export async function restoreSession(input: {
  store: SessionStore;
  record: SessionRecord;
  codexHome: string;
  logger: Logger;
}): Promise<boolean> {
  const { record, logger } = input;
  if (!record.digest) return false;
  let file: string | undefined;
  try {
    file = await input.store.restore(record.threadId);
  } catch (error) {
    logger.warning(`Could not restore the review session: ${errorMessage(error)}`);
    return false;
  }
  if (!file) {
    logger.info('The review session is not in the cache; starting a fresh session.');
    return false;
  }
  const name = path.basename(file);
  const date = ROLLOUT_DATE.exec(name);
  if (!date || !isThreadFile(name, record.threadId) || sha256(file) !== record.digest) {
    logger.warning(
      'The cached review session is not the one the review kept; starting a fresh session.',
    );
    return false;
  }
  const dir = path.join(input.codexHome, 'sessions', date[1]!, date[2]!, date[3]!);
  fs.mkdirSync(dir, { recursive: true });
  fs.copyFileSync(file, path.join(dir, name));
  return true;
}
