// The JSONL event stream of `codex exec --json`. Schemas are loose on purpose: new CLI
// versions add event and item types, and an unknown one must never break a review.
import { z } from 'zod';

export const UsageSchema = z
  .object({
    input_tokens: z.number().default(0),
    cached_input_tokens: z.number().default(0),
    output_tokens: z.number().default(0),
    reasoning_output_tokens: z.number().default(0),
  })
  .passthrough();

export type CodexUsage = {
  input_tokens: number;
  cached_input_tokens: number;
  output_tokens: number;
  reasoning_output_tokens: number;
};

const ItemSchema = z.object({ id: z.string().optional(), type: z.string() }).passthrough();

export const EventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('thread.started'), thread_id: z.string() }).passthrough(),
  z.object({ type: z.literal('turn.started') }).passthrough(),
  z.object({ type: z.literal('turn.completed'), usage: UsageSchema.optional() }).passthrough(),
  z
    .object({
      type: z.literal('turn.failed'),
      error: z.object({ message: z.string() }).passthrough(),
    })
    .passthrough(),
  z.object({ type: z.literal('item.started'), item: ItemSchema }).passthrough(),
  z.object({ type: z.literal('item.updated'), item: ItemSchema }).passthrough(),
  z.object({ type: z.literal('item.completed'), item: ItemSchema }).passthrough(),
  z.object({ type: z.literal('error'), message: z.string() }).passthrough(),
]);

export type CodexEvent = z.infer<typeof EventSchema> | { type: 'unknown'; raw: unknown };
export type CodexItem = z.infer<typeof ItemSchema>;

/** Parse one stdout line. Non-JSON lines and unknown shapes are reported, never thrown. */
export function parseEventLine(line: string): CodexEvent | undefined {
  const trimmed = line.trim();
  if (trimmed === '') return undefined;
  let json: unknown;
  try {
    json = JSON.parse(trimmed);
  } catch {
    return { type: 'unknown', raw: trimmed };
  }
  const parsed = EventSchema.safeParse(json);
  return parsed.success ? parsed.data : { type: 'unknown', raw: json };
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/**
 * `/bin/bash -lc 'cmd'` → `cmd`, so the log shows what the agent actually asked for. Codex
 * quotes the script like a POSIX shell word: single quotes, double quotes when the script holds
 * a single quote (`/bin/bash -lc "sed -n '1,5p' a.js"`), bare when nothing needs quoting, or a
 * mix of those; all of them are unwrapped. Anything else is returned unchanged.
 */
export function unwrapShell(command: string): string {
  const trimmed = command.trim();
  const prefix = /^(?:\/\S*\/)?(?:ba|z)?sh -l?c /.exec(trimmed);
  if (!prefix) return command;
  return shellWord(trimmed.slice(prefix[0].length)) ?? command;
}

/** The value of exactly one POSIX shell word, or undefined when `text` is not one word. */
function shellWord(text: string): string | undefined {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === "'") {
      const end = text.indexOf("'", i + 1);
      if (end < 0) return undefined;
      out += text.slice(i + 1, end);
      i = end + 1;
    } else if (c === '"') {
      i++;
      for (;;) {
        if (i >= text.length) return undefined;
        const d = text[i]!;
        if (d === '"') break;
        if (d === '\\' && i + 1 < text.length && '"\\$`\n'.includes(text[i + 1]!)) {
          if (text[i + 1] !== '\n') out += text[i + 1];
          i += 2;
        } else {
          out += d;
          i++;
        }
      }
      i++;
    } else if (c === '\\') {
      if (i + 1 >= text.length) return undefined;
      if (text[i + 1] !== '\n') out += text[i + 1];
      i += 2;
    } else if (/\s/.test(c)) {
      return undefined;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

// `cat FILE`, `nl -ba FILE`, `head -n 40 FILE`, `sed -n '1,200p' FILE`, optionally piped into
// `sed -n …`, `head …` or `tail …` (how agents page through a file). FILE is bare or single-quoted.
const READ_COMMAND =
  /^(?:cat|nl|head|tail|less|bat|sed -n \S+)(?:\s+-[A-Za-z0-9]+(?:\s+\d+)?)*\s+((?:[^\s|;&<>$`'"\\]|'[^']*')+)(?:\s*\|\s*(?:sed -n \S+|head|tail)(?:\s+-?[\w,]+)*)?$/;

function firstLine(text: string, max = 160): string {
  const line = text.split('\n').find((l) => l.trim() !== '') ?? '';
  return line.length > max ? `${line.slice(0, max)}…` : line;
}

/** A readable log line for an event, or undefined when the event is not worth a line. */
export function describeEvent(
  event: CodexEvent,
): { level: 'info' | 'warning' | 'debug'; text: string } | undefined {
  switch (event.type) {
    case 'thread.started':
      return { level: 'info', text: `Codex session ${event.thread_id} started` };
    case 'turn.completed': {
      const u = event.usage;
      // Review mode reports all zeros here (its usage lives in the session files).
      const counted = u && u.input_tokens + u.output_tokens > 0;
      return counted
        ? {
            level: 'info',
            text: `Codex finished: ${u.input_tokens} input tokens (${u.cached_input_tokens} cached), ${u.output_tokens} output tokens (${u.reasoning_output_tokens} reasoning)`,
          }
        : { level: 'info', text: 'Codex finished' };
    }
    case 'turn.failed':
      return { level: 'warning', text: `Codex turn failed: ${event.error.message}` };
    case 'error':
      // Mostly retry notices ("Reconnecting... 1/5 (...)"), not fatal by themselves.
      return { level: 'warning', text: `Codex: ${event.message}` };
    case 'item.started':
    case 'item.completed':
      return describeItem(event.type, event.item);
    default:
      return undefined;
  }
}

function describeItem(phase: 'item.started' | 'item.completed', item: CodexItem) {
  const started = phase === 'item.started';
  switch (item.type) {
    case 'command_execution': {
      const command = unwrapShell(str(item.command) ?? '');
      if (started) {
        const read = READ_COMMAND.exec(command);
        return {
          level: 'info' as const,
          text: read ? `📄 reading ${shellWord(read[1]!) ?? read[1]}` : `▶ ${command}`,
        };
      }
      const code = item.exit_code;
      return typeof code === 'number' && code !== 0
        ? { level: 'info' as const, text: `  ↳ exited ${code}: ${command}` }
        : undefined;
    }
    case 'file_change': {
      if (started) return undefined;
      const changes = Array.isArray(item.changes) ? item.changes : [];
      const paths = changes.map(
        (c) =>
          `${(c as { kind?: string }).kind ?? 'change'} ${(c as { path?: string }).path ?? '?'}`,
      );
      return { level: 'info' as const, text: `✎ ${paths.join(', ') || 'file change'}` };
    }
    case 'reasoning':
      return started
        ? undefined
        : { level: 'debug' as const, text: `thinking: ${firstLine(str(item.text) ?? '')}` };
    case 'agent_message':
      return started
        ? undefined
        : { level: 'debug' as const, text: `message: ${firstLine(str(item.text) ?? '')}` };
    case 'web_search':
      return started
        ? undefined
        : { level: 'info' as const, text: `🔎 web search: ${str(item.query) ?? ''}` };
    case 'mcp_tool_call':
      return started
        ? {
            level: 'info' as const,
            text: `⚙ tool ${str(item.server) ?? '?'}/${str(item.tool) ?? '?'}`,
          }
        : undefined;
    case 'todo_list': {
      const items = Array.isArray(item.items) ? item.items : [];
      return started ? { level: 'info' as const, text: `plan: ${items.length} steps` } : undefined;
    }
    case 'error':
      return { level: 'warning' as const, text: `Codex warning: ${str(item.message) ?? ''}` };
    default:
      return undefined;
  }
}
