// In review mode `turn.completed.usage` is all zeros: the review runs in a sub-agent thread
// whose token counts are recorded only in its own session file (session_meta carries
// parent_thread_id). The last token_count event of each file holds that thread's total.
import fs from 'node:fs';
import type { CodexUsage } from './events.js';
import { linesStartingWith } from './session-lines.js';
import { isThreadFile, listSessionFiles } from './session-files.js';

interface TokenTotals {
  input_tokens?: number;
  cached_input_tokens?: number;
  output_tokens?: number;
  reasoning_output_tokens?: number;
}

function firstLine(file: string): string {
  const fd = fs.openSync(file, 'r');
  try {
    const buffer = Buffer.alloc(64 * 1024);
    const read = fs.readSync(fd, buffer, 0, buffer.length, 0);
    const text = buffer.subarray(0, read).toString('utf8');
    const end = text.indexOf('\n');
    return end < 0 ? text : text.slice(0, end);
  } finally {
    fs.closeSync(fd);
  }
}

function belongsTo(file: string, threadId: string): boolean {
  if (isThreadFile(file, threadId)) return true;
  // session_meta is the first line; a large one may be cut at 64 KiB, so match textually.
  return firstLine(file).includes(`"parent_thread_id":"${threadId}"`);
}

function lastTotals(file: string): TokenTotals | undefined {
  let totals: TokenTotals | undefined;
  // Streamed: the file also holds the model's whole replies (see session-lines.ts).
  for (const line of linesStartingWith(file, '"token_count"')) {
    try {
      const event = JSON.parse(line) as {
        payload?: { type?: string; info?: { total_token_usage?: TokenTotals } | null };
      };
      if (event.payload?.type === 'token_count' && event.payload.info?.total_token_usage) {
        totals = event.payload.info.total_token_usage;
      }
    } catch {
      // a torn line at the end of a killed run
    }
  }
  return totals;
}

/** Token usage of a thread and its sub-agents, from the session files; undefined if none. */
export function readSessionUsage(
  codexHome: string,
  threadId: string | undefined,
): CodexUsage | undefined {
  if (!threadId) return undefined;
  let found = false;
  const usage: CodexUsage = {
    input_tokens: 0,
    cached_input_tokens: 0,
    output_tokens: 0,
    reasoning_output_tokens: 0,
  };
  for (const file of listSessionFiles(codexHome)) {
    if (!belongsTo(file, threadId)) continue;
    const totals = lastTotals(file);
    if (!totals) continue;
    found = true;
    usage.input_tokens += totals.input_tokens ?? 0;
    usage.cached_input_tokens += totals.cached_input_tokens ?? 0;
    usage.output_tokens += totals.output_tokens ?? 0;
    usage.reasoning_output_tokens += totals.reasoning_output_tokens ?? 0;
  }
  return found ? usage : undefined;
}
