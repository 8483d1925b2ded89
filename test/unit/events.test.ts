// The JSONL event stream of `codex exec --json`. Lines marked "real" were printed by Codex
// 0.169.0 against a loopback fake of the Responses API (the temp repo path replaced by /repo);
// the others follow the shapes documented in /work/shared/CODEX.md.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  describeEvent,
  parseEventLine,
  unwrapShell,
  type CodexEvent,
} from '../../src/core/codex/events.js';

const REAL = {
  threadStarted: '{"type":"thread.started","thread_id":"01a1fb7f-c7ce-70c0-b6f8-a0117948d242"}',
  turnStarted: '{"type":"turn.started"}',
  turnCompleted:
    '{"type":"turn.completed","usage":{"input_tokens":50,"cached_input_tokens":10,"cache_write_input_tokens":0,"output_tokens":15,"reasoning_output_tokens":5}}',
  turnFailed:
    '{"type":"turn.failed","error":{"message":"{\\"error\\":{\\"message\\":\\"Invalid request (fixture)\\",\\"type\\":\\"invalid_request_error\\",\\"param\\":null,\\"code\\":null}}"}}',
  reconnecting:
    '{"type":"error","message":"Reconnecting... 1/5 (stream disconnected before completion: stream closed before response.completed)"}',
  catStarted:
    '{"type":"item.started","item":{"id":"item_0","type":"command_execution","command":"/bin/bash -lc \'cat app.js\'","aggregated_output":"","exit_code":null,"status":"in_progress"}}',
  catCompleted:
    '{"type":"item.completed","item":{"id":"item_0","type":"command_execution","command":"/bin/bash -lc \'cat app.js\'","aggregated_output":"a\\nb\\n","exit_code":0,"status":"completed"}}',
  sedStarted:
    '{"type":"item.started","item":{"id":"item_1","type":"command_execution","command":"/bin/bash -lc \\"sed -n \'1,2p\' app.js\\"","aggregated_output":"","exit_code":null,"status":"in_progress"}}',
  nlPipeStarted:
    '{"type":"item.started","item":{"id":"item_2","type":"command_execution","command":"/bin/bash -lc \'nl -ba app.js | sed -n 1,5p\'","aggregated_output":"","exit_code":null,"status":"in_progress"}}',
  failedCommand:
    '{"type":"item.completed","item":{"id":"item_3","type":"command_execution","command":"/bin/bash -lc \\"echo \\\\\\"it\'s\\\\\\" && false\\"","aggregated_output":"it\'s\\n","exit_code":1,"status":"failed"}}',
  bareCommand:
    '{"type":"item.started","item":{"id":"item_0","type":"command_execution","command":"/bin/bash -lc ls","aggregated_output":"","exit_code":null,"status":"in_progress"}}',
  mixedQuotes:
    '{"type":"item.started","item":{"id":"item_1","type":"command_execution","command":"/bin/bash -lc \\"echo \'\\"\'$HOME\'\\"\' \\\\\\\\\\\\\\\\x \\"\'`pwd`\'","aggregated_output":"","exit_code":null,"status":"in_progress"}}',
  reasoning:
    '{"type":"item.completed","item":{"id":"item_0","type":"reasoning","text":"**Checking the diff**\\n\\nLooking at app.js"}}',
  webSearch:
    '{"type":"item.completed","item":{"id":"item_1","type":"web_search","id":"ws_1","query":"js reduce empty array","action":{"type":"search","query":"js reduce empty array"}}}',
  fileChangeStarted:
    '{"type":"item.started","item":{"id":"item_2","type":"file_change","changes":[{"path":"/repo/notes.txt","kind":"add"}],"status":"in_progress"}}',
  fileChangeCompleted:
    '{"type":"item.completed","item":{"id":"item_2","type":"file_change","changes":[{"path":"/repo/notes.txt","kind":"add"}],"status":"completed"}}',
  agentMessage:
    '{"type":"item.completed","item":{"id":"item_3","type":"agent_message","text":"done"}}',
};

const DOCUMENTED = {
  todoStarted:
    '{"type":"item.started","item":{"id":"item_5","type":"todo_list","items":[{"text":"Read the diff","completed":true},{"text":"Write the review","completed":false}]}}',
  todoUpdated:
    '{"type":"item.updated","item":{"id":"item_5","type":"todo_list","items":[{"text":"Read the diff","completed":true},{"text":"Write the review","completed":true}]}}',
  mcpStarted:
    '{"type":"item.started","item":{"id":"item_6","type":"mcp_tool_call","server":"docs","tool":"search","arguments":{"q":"reduce"},"result":null,"error":null,"status":"in_progress"}}',
  mcpCompleted:
    '{"type":"item.completed","item":{"id":"item_6","type":"mcp_tool_call","server":"docs","tool":"search","arguments":{"q":"reduce"},"result":{"content":[]},"error":null,"status":"completed"}}',
  errorItem:
    '{"type":"item.completed","item":{"id":"item_7","type":"error","message":"Falling back from WebSockets to HTTPS transport."}}',
  agentMessageUpdated:
    '{"type":"item.updated","item":{"id":"item_8","type":"agent_message","text":"partial"}}',
};

const parse = (line: string): CodexEvent => {
  const event = parseEventLine(line);
  if (!event) throw new Error(`no event for ${line}`);
  return event;
};
const describeLine = (line: string) => describeEvent(parse(line));
const commandOf = (line: string): string => {
  const event = parse(line);
  if (event.type !== 'item.started' && event.type !== 'item.completed') throw new Error(line);
  return String(event.item.command);
};

describe('parsing the events Codex prints', () => {
  it('reads thread.started with its thread id', () => {
    expect(parse(REAL.threadStarted)).toEqual({
      type: 'thread.started',
      thread_id: '01a1fb7f-c7ce-70c0-b6f8-a0117948d242',
    });
  });

  it('reads turn.started', () => {
    expect(parse(REAL.turnStarted)).toEqual({ type: 'turn.started' });
  });

  it('reads turn.completed with its usage, keeping fields newer than the schema', () => {
    const event = parse(REAL.turnCompleted);
    expect(event.type).toBe('turn.completed');
    expect(event.type === 'turn.completed' && event.usage).toEqual({
      input_tokens: 50,
      cached_input_tokens: 10,
      cache_write_input_tokens: 0,
      output_tokens: 15,
      reasoning_output_tokens: 5,
    });
  });

  it('fills usage fields a turn.completed leaves out with zeros', () => {
    const event = parse('{"type":"turn.completed","usage":{"input_tokens":3}}');
    expect(event.type === 'turn.completed' && event.usage).toEqual({
      input_tokens: 3,
      cached_input_tokens: 0,
      output_tokens: 0,
      reasoning_output_tokens: 0,
    });
  });

  it('reads turn.failed with the error message', () => {
    const event = parse(REAL.turnFailed);
    expect(event.type === 'turn.failed' && event.error.message).toContain(
      'Invalid request (fixture)',
    );
  });

  it('reads an error event', () => {
    expect(parse(REAL.reconnecting)).toEqual({
      type: 'error',
      message:
        'Reconnecting... 1/5 (stream disconnected before completion: stream closed before response.completed)',
    });
  });

  it.each([
    ['agent_message', REAL.agentMessage, 'item.completed'],
    ['agent_message (updated)', DOCUMENTED.agentMessageUpdated, 'item.updated'],
    ['reasoning', REAL.reasoning, 'item.completed'],
    ['command_execution', REAL.catStarted, 'item.started'],
    ['command_execution', REAL.catCompleted, 'item.completed'],
    ['file_change', REAL.fileChangeStarted, 'item.started'],
    ['file_change', REAL.fileChangeCompleted, 'item.completed'],
    ['mcp_tool_call', DOCUMENTED.mcpStarted, 'item.started'],
    ['mcp_tool_call', DOCUMENTED.mcpCompleted, 'item.completed'],
    ['web_search', REAL.webSearch, 'item.completed'],
    ['todo_list', DOCUMENTED.todoStarted, 'item.started'],
    ['todo_list', DOCUMENTED.todoUpdated, 'item.updated'],
    ['error', DOCUMENTED.errorItem, 'item.completed'],
  ])('reads a %s item with all its fields', (itemType, line, eventType) => {
    const event = parse(line);
    const raw = JSON.parse(line) as { item: Record<string, unknown> };
    expect(event.type).toBe(eventType);
    const item = (event as { item: Record<string, unknown> }).item;
    expect(item.type).toBe(itemType.replace(/ \(.*\)$/, ''));
    expect(item).toEqual(raw.item);
  });

  it('reads a web_search item despite its duplicate id key (the last one wins)', () => {
    expect(REAL.webSearch.match(/"id":/g)).toHaveLength(2);
    const event = parse(REAL.webSearch);
    expect(event.type === 'item.completed' && event.item).toMatchObject({
      id: 'ws_1',
      type: 'web_search',
      query: 'js reduce empty array',
    });
  });

  it('passes an item type it does not know through untouched', () => {
    const line =
      '{"type":"item.completed","item":{"id":"item_9","type":"collab_tool_call","agent":"x"}}';
    expect(parse(line)).toEqual({
      type: 'item.completed',
      item: { id: 'item_9', type: 'collab_tool_call', agent: 'x' },
    });
    expect(describeLine(line)).toBeUndefined();
  });

  it('reports an event type it does not know as unknown, with the parsed JSON', () => {
    const line = '{"type":"thread.compacted","thread_id":"t"}';
    expect(parse(line)).toEqual({
      type: 'unknown',
      raw: { type: 'thread.compacted', thread_id: 't' },
    });
    expect(describeLine(line)).toBeUndefined();
  });

  it('reports a known event type with an unexpected shape as unknown', () => {
    expect(parse('{"type":"thread.started"}')).toEqual({
      type: 'unknown',
      raw: { type: 'thread.started' },
    });
    expect(parse('{"type":"item.completed","item":"text"}').type).toBe('unknown');
  });

  it('reports a line that is not JSON as unknown, with its text', () => {
    expect(parse('WARN codex_core: something happened')).toEqual({
      type: 'unknown',
      raw: 'WARN codex_core: something happened',
    });
    expect(parse('{"type":"turn.started"')).toEqual({
      type: 'unknown',
      raw: '{"type":"turn.started"',
    });
  });

  it('reports JSON that is not an object as unknown', () => {
    for (const line of ['42', 'null', '[]', '"text"']) {
      expect(parse(line).type).toBe('unknown');
    }
  });

  it('skips blank lines', () => {
    expect(parseEventLine('')).toBeUndefined();
    expect(parseEventLine('   \r')).toBeUndefined();
  });

  it('understands every line the real CLI printed in the recorded reviews', () => {
    const dir = path.resolve(import.meta.dirname, '..', 'fixtures', 'review');
    const lines = fs
      .readdirSync(dir)
      .filter((name) => fs.existsSync(path.join(dir, name, 'events.jsonl')))
      .flatMap((name) => fs.readFileSync(path.join(dir, name, 'events.jsonl'), 'utf8').split('\n'))
      .filter((line) => line.trim() !== '');
    expect(lines.length).toBeGreaterThan(20);
    const types = lines.map((line) => parse(line).type);
    expect(types).not.toContain('unknown');
    expect(new Set(types)).toEqual(
      new Set([
        'thread.started',
        'turn.started',
        'item.completed',
        'turn.completed',
        'error',
        'turn.failed',
      ]),
    );
  });
});

describe('describing events for the log', () => {
  it('names the session when the thread starts', () => {
    expect(describeLine(REAL.threadStarted)).toEqual({
      level: 'info',
      text: 'Codex session 01a1fb7f-c7ce-70c0-b6f8-a0117948d242 started',
    });
  });

  it('says nothing about turn.started', () => {
    expect(describeLine(REAL.turnStarted)).toBeUndefined();
  });

  it('sums up the usage when the turn completes', () => {
    expect(describeLine(REAL.turnCompleted)).toEqual({
      level: 'info',
      text: 'Codex finished: 50 input tokens (10 cached), 15 output tokens (5 reasoning)',
    });
    expect(describeLine('{"type":"turn.completed"}')).toEqual({
      level: 'info',
      text: 'Codex finished',
    });
  });

  it('does not claim zero tokens for a review, whose usage is not on the event stream', () => {
    const zeros =
      '{"type":"turn.completed","usage":{"input_tokens":0,"cached_input_tokens":0,"cache_write_input_tokens":0,"output_tokens":0,"reasoning_output_tokens":0}}';
    expect(describeLine(zeros)).toEqual({ level: 'info', text: 'Codex finished' });
  });

  it('warns about a failed turn', () => {
    expect(describeLine(REAL.turnFailed)).toMatchObject({
      level: 'warning',
      text: expect.stringContaining('Codex turn failed: {"error":{"message":"Invalid request'),
    });
  });

  it('shows a retry notice as a warning, not an error', () => {
    expect(describeLine(REAL.reconnecting)).toEqual({
      level: 'warning',
      text: 'Codex: Reconnecting... 1/5 (stream disconnected before completion: stream closed before response.completed)',
    });
  });

  it('shows a command without its /bin/bash -lc wrapper', () => {
    expect(describeLine(REAL.bareCommand)).toEqual({ level: 'info', text: '▶ ls' });
    expect(
      describeLine(
        '{"type":"item.started","item":{"type":"command_execution","command":"/bin/bash -lc \'rg -n mean src\'"}}',
      ),
    ).toEqual({ level: 'info', text: '▶ rg -n mean src' });
  });

  it('shows `cat FILE` as reading the file', () => {
    expect(describeLine(REAL.catStarted)).toEqual({ level: 'info', text: '📄 reading app.js' });
  });

  it('shows `sed -n` as reading the file, even when Codex double-quotes the script', () => {
    expect(describeLine(REAL.sedStarted)).toEqual({ level: 'info', text: '📄 reading app.js' });
  });

  it('shows `nl -ba FILE | sed -n …` as reading the file', () => {
    expect(describeLine(REAL.nlPipeStarted)).toEqual({ level: 'info', text: '📄 reading app.js' });
  });

  it('shows `head -n 40 FILE` and a quoted file name as reading the file', () => {
    const started = (command: string) =>
      JSON.stringify({ type: 'item.started', item: { type: 'command_execution', command } });
    expect(describeLine(started("/bin/bash -lc 'head -n 40 src/a.ts'"))?.text).toBe(
      '📄 reading src/a.ts',
    );
    expect(describeLine(started(`/bin/bash -lc "cat 'my file.ts'"`))?.text).toBe(
      '📄 reading my file.ts',
    );
  });

  it('does not take a command that does more than read for a read', () => {
    const started = (command: string) =>
      JSON.stringify({ type: 'item.started', item: { type: 'command_execution', command } });
    expect(describeLine(started("/bin/bash -lc 'cat a.ts > b.ts'"))?.text).toBe(
      '▶ cat a.ts > b.ts',
    );
    expect(describeLine(started("/bin/bash -lc 'cat a.ts && rm b.ts'"))?.text).toBe(
      '▶ cat a.ts && rm b.ts',
    );
  });

  it('mentions a command that exited non-zero, and stays quiet about one that succeeded', () => {
    expect(describeLine(REAL.failedCommand)).toEqual({
      level: 'info',
      text: `  ↳ exited 1: echo "it's" && false`,
    });
    expect(describeLine(REAL.catCompleted)).toBeUndefined();
  });

  it('lists the files a file change touched', () => {
    expect(describeLine(REAL.fileChangeStarted)).toBeUndefined();
    expect(describeLine(REAL.fileChangeCompleted)).toEqual({
      level: 'info',
      text: '✎ add /repo/notes.txt',
    });
  });

  it('shows the first line of reasoning and of a message at debug level', () => {
    expect(describeLine(REAL.reasoning)).toEqual({
      level: 'debug',
      text: 'thinking: **Checking the diff**',
    });
    expect(describeLine(REAL.agentMessage)).toEqual({ level: 'debug', text: 'message: done' });
  });

  it('shows the query of a web search', () => {
    expect(describeLine(REAL.webSearch)).toEqual({
      level: 'info',
      text: '🔎 web search: js reduce empty array',
    });
  });

  it('names the MCP server and tool when a tool call starts', () => {
    expect(describeLine(DOCUMENTED.mcpStarted)).toEqual({
      level: 'info',
      text: '⚙ tool docs/search',
    });
    expect(describeLine(DOCUMENTED.mcpCompleted)).toBeUndefined();
  });

  it('counts the steps of a plan once, when it starts', () => {
    expect(describeLine(DOCUMENTED.todoStarted)).toEqual({ level: 'info', text: 'plan: 2 steps' });
    expect(describeLine(DOCUMENTED.todoUpdated)).toBeUndefined();
  });

  it('shows an error item as a warning', () => {
    expect(describeLine(DOCUMENTED.errorItem)).toEqual({
      level: 'warning',
      text: 'Codex warning: Falling back from WebSockets to HTTPS transport.',
    });
  });

  it('says nothing about a line it could not parse', () => {
    expect(describeLine('not json')).toBeUndefined();
  });
});

describe('unwrapping the shell Codex runs commands in', () => {
  it('unwraps a single-quoted script, including an escaped quote', () => {
    expect(unwrapShell("/bin/bash -lc 'cat app.js'")).toBe('cat app.js');
    expect(unwrapShell(`/bin/bash -lc 'echo '\\''hi'\\'''`)).toBe("echo 'hi'");
  });

  it('unwraps a double-quoted script and its escapes', () => {
    const command = commandOf(REAL.failedCommand);
    expect(command).toBe(`/bin/bash -lc "echo \\"it's\\" && false"`);
    expect(unwrapShell(command)).toBe(`echo "it's" && false`);
  });

  it('unwraps a script Codex quoted in several pieces', () => {
    const command = commandOf(REAL.mixedQuotes);
    expect(unwrapShell(command)).toBe("echo '$HOME' \\\\x `pwd`");
  });

  it('unwraps other shells and a bare script', () => {
    expect(unwrapShell("bash -c 'ls -la'")).toBe('ls -la');
    expect(unwrapShell("/usr/bin/zsh -lc 'ls'")).toBe('ls');
    expect(unwrapShell('/bin/sh -c ls')).toBe('ls');
  });

  it('leaves anything else as it is', () => {
    for (const command of [
      'git status',
      "/bin/bash -lc 'unterminated",
      '/bin/bash -lc "unterminated',
      '/bin/bash -lc two words',
      "/bin/bash -lc 'a' 'b'",
      '',
    ]) {
      expect(unwrapShell(command)).toBe(command);
    }
  });
});
