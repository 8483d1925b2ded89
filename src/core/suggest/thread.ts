// Which Codex thread the follow-up turn resumes. Measured on @openai/codex 0.171.0 against the
// fake Responses API (test/e2e/codex-resume.test.ts):
// - `codex exec review` runs the review in a sub-agent thread of its own session file, whose
//   session_meta names the exec thread as `parent_thread_id` and `source.subagent` "review".
//   Resuming that thread re-sends the reviewer's whole conversation (instructions, the diff, the
//   files it read, its answer) as the unchanged prefix of the request, under the same
//   `prompt_cache_key`: the context is cached, not paid for again.
// - Resuming the exec thread itself would send only the rendered review text: the follow-up
//   would start without the code it reviewed.
// - In exec mode the exec thread is the conversation; it is resumed as it is.
import fs from 'node:fs';
import { listSessionFiles } from '../codex/session-files.js';

/** session_meta is one line that carries the base instructions: it can be long. */
const MAX_META_BYTES = 4 * 1024 * 1024;

function firstLine(file: string): string | undefined {
  const fd = fs.openSync(file, 'r');
  try {
    const chunks: Buffer[] = [];
    let total = 0;
    while (total < MAX_META_BYTES) {
      const buffer = Buffer.alloc(64 * 1024);
      const read = fs.readSync(fd, buffer, 0, buffer.length, total);
      if (read === 0) break;
      const chunk = buffer.subarray(0, read);
      const newline = chunk.indexOf(0x0a);
      if (newline >= 0) {
        chunks.push(chunk.subarray(0, newline));
        return Buffer.concat(chunks).toString('utf8');
      }
      chunks.push(chunk);
      total += read;
    }
    return undefined;
  } finally {
    fs.closeSync(fd);
  }
}

interface SessionMeta {
  id?: string;
  parent_thread_id?: string;
  source?: { subagent?: unknown };
}

function sessionMeta(file: string): SessionMeta | undefined {
  const line = firstLine(file);
  if (!line) return undefined;
  try {
    const event = JSON.parse(line) as { type?: string; payload?: SessionMeta };
    return event.type === 'session_meta' ? event.payload : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The thread to resume for the follow-up turn: in review mode the reviewer sub-agent of
 * `threadId` (the last one, should Codex have started more), else `threadId` itself.
 */
export function threadToResume(
  codexHome: string,
  threadId: string,
  mode: 'review' | 'exec' | 'merge',
): string {
  if (mode === 'exec') return threadId;
  const reviewers: string[] = [];
  for (const file of listSessionFiles(codexHome).sort()) {
    const meta = sessionMeta(file);
    if (meta?.parent_thread_id === threadId && meta.source?.subagent === 'review' && meta.id)
      reviewers.push(meta.id);
  }
  return reviewers.at(-1) ?? threadId;
}
