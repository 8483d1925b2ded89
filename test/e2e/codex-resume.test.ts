// What the suggested-changes follow-up relies on in the pinned Codex CLI (`codex exec resume`),
// measured with the real binary against the fake Responses API:
// - resuming the review's reviewer sub-agent thread re-sends the review's whole request as the
//   unchanged prefix of the new one, under the same prompt_cache_key (the context is cached);
//   the exec thread of a review holds only the rendered review;
// - `--output-schema` applies to the resumed turn (a strict json_schema text format);
// - `--sandbox read-only` before `resume` holds for the resumed turn, whatever the review ran with;
// - turn.completed.usage of a resumed turn counts the whole thread, not the turn alone.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildCodexArgs, type CodexInvocation } from '../../src/core/codex/argv.js';
import { parseEventLine } from '../../src/core/codex/events.js';
import { listSessionFiles } from '../../src/core/codex/session-files.js';
import { parseSettings } from '../../src/core/settings.js';
import { SUGGESTIONS_SCHEMA } from '../../src/core/suggest/request.js';
import { threadToResume } from '../../src/core/suggest/thread.js';
import { FakeResponsesApi, message, type RecordedRequest } from '../fakes/responses-api.js';
import { CODEX_BINARY } from '../support/codex.js';
import { featureRepo } from '../support/git-repo.js';

const KEY = 'sk-test-resume-0123456789abcdefgh';
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

interface Events {
  code: number | null;
  threadId: string | undefined;
  completed: Array<Record<string, unknown>>;
  message: string | undefined;
}

function codex(args: string[], env: Record<string, string>): Promise<Events> {
  return new Promise((resolve) => {
    const child = spawn(CODEX_BINARY, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.resume();
    child.on('close', (code) => {
      const events: Events = { code, threadId: undefined, completed: [], message: undefined };
      for (const line of out.split('\n')) {
        const e = parseEventLine(line);
        if (e?.type === 'thread.started') events.threadId = e.thread_id;
        if (e?.type === 'turn.completed') events.completed.push({ ...e.usage! });
        if (e?.type === 'item.completed' && e.item.type === 'agent_message')
          events.message = String(e.item.text);
      }
      resolve(events);
    });
  });
}

async function setup(mode: 'review' | 'exec') {
  const { repo, baseSha } = featureRepo();
  cleanups.push(() => repo.remove());
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'codex-review-resume-home-'));
  cleanups.push(() => fs.rmSync(home, { recursive: true, force: true }));
  const review = JSON.stringify({
    findings: [
      {
        title: 'Mean of an empty list',
        body: 'Divides by zero.',
        confidence_score: 0.8,
        priority: 1,
        code_location: {
          absolute_file_path: repo.path('app.js'),
          line_range: { start: 6, end: 6 },
        },
        suggestion: null,
      },
    ],
    overall_correctness: 'patch is incorrect',
    overall_explanation: 'One problem.',
    overall_confidence_score: 0.7,
  });
  const answer = JSON.stringify({ suggestions: [{ id: 1, replacement: '  return 0;' }] });
  // Each request reports different token counts, so a sum is told apart from a single turn.
  const model = await new FakeResponsesApi(
    (_request: RecordedRequest, turn: number) => ({
      kind: 'items',
      items: [message(turn === 0 ? review : answer)],
      usage: { input_tokens: 1000 * (turn + 1), cached_tokens: 10 * turn, output_tokens: 7 },
    }),
    { apiKey: KEY },
  ).start();
  cleanups.push(() => model.stop());
  const settings = parseSettings(
    {
      mode,
      sandbox: 'workspace-write',
      'openai-base-url': model.url,
      ...(mode === 'exec' ? { prompt: 'Audit app.js.' } : {}),
    },
    { workspace: repo.dir },
  );
  const env = { PATH: process.env.PATH ?? '', HOME: home, CODEX_HOME: home, CODEX_API_KEY: KEY };
  const schemaFile = path.join(home, 'schema.json');
  fs.writeFileSync(schemaFile, JSON.stringify(SUGGESTIONS_SCHEMA));
  const run = (invocation: CodexInvocation) => codex(buildCodexArgs(settings, invocation), env);
  const first = await run(
    mode === 'review'
      ? { mode: 'review', target: { kind: 'base', base: baseSha, mergeBase: baseSha } }
      : { mode: 'exec', schemaFile },
  );
  expect(first.code).toBe(0);
  return { home, model, run, first, schemaFile };
}

/** The sandbox of each turn of a thread, from its session file. */
function sandboxes(home: string, threadId: string): string[] {
  const file = listSessionFiles(home).find((f) => f.endsWith(`-${threadId}.jsonl`))!;
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.includes('"turn_context"'))
    .map((l) => (JSON.parse(l) as { payload: { sandbox_policy: { type: string } } }).payload)
    .map((p) => p.sandbox_policy.type);
}

describe('codex exec resume (the suggested-changes follow-up)', () => {
  it("review mode: the reviewer's thread is resumed with its context as a cached prefix, read-only, with the schema", async () => {
    const { home, model, run, first, schemaFile } = await setup('review');
    const reviewer = threadToResume(home, first.threadId!, 'review');
    expect(reviewer).not.toBe(first.threadId);
    const resumed = await run({ mode: 'resume', threadId: reviewer, schemaFile, prompt: 'Fix?' });
    expect(resumed.code).toBe(0);
    expect(resumed.threadId).toBe(reviewer);
    expect(JSON.parse(resumed.message!)).toEqual({
      suggestions: [{ id: 1, replacement: '  return 0;' }],
    });

    expect(model.requests).toHaveLength(2);
    const [review, followUp] = model.requests.map((r) => r.body);
    expect(followUp!.text?.format).toMatchObject({
      type: 'json_schema',
      strict: true,
      schema: SUGGESTIONS_SCHEMA,
    });
    // The review's whole input is the unchanged start of the follow-up's: cacheable.
    expect(followUp!.input!.slice(0, review!.input!.length)).toEqual(review!.input);
    expect(followUp!.prompt_cache_key).toBe(review!.prompt_cache_key);
    expect(JSON.stringify(followUp!.input!.at(-1))).toContain('Fix?');

    expect(sandboxes(home, reviewer)).toEqual(['workspace-write', 'read-only']);
    // The thread's total: the review's request (1000) and the follow-up's (2000).
    expect(resumed.completed.at(-1)).toMatchObject({ input_tokens: 3000, output_tokens: 14 });
  });

  it("review mode: the exec thread holds only the rendered review, not the reviewer's context", async () => {
    const { model, run, first, schemaFile } = await setup('review');
    const resumed = await run({
      mode: 'resume',
      threadId: first.threadId!,
      schemaFile,
      prompt: 'Fix?',
    });
    expect(resumed.code).toBe(0);
    const [review, followUp] = model.requests.map((r) => JSON.stringify(r.body.input));
    expect(review).toContain('Review the code changes');
    expect(followUp).not.toContain('Review the code changes');
    expect(followUp).toContain('Mean of an empty list');
  });

  it('exec mode: the thread itself is resumed, its conversation re-sent as the prefix', async () => {
    const { model, run, first, schemaFile } = await setup('exec');
    const resumed = await run({
      mode: 'resume',
      threadId: first.threadId!,
      schemaFile,
      prompt: 'Fix?',
    });
    expect(resumed.code).toBe(0);
    const [exec, followUp] = model.requests.map((r) => r.body);
    expect(followUp!.input!.slice(0, exec!.input!.length)).toEqual(exec!.input);
    expect(first.completed.at(-1)).toMatchObject({ input_tokens: 1000 });
    expect(resumed.completed.at(-1)).toMatchObject({ input_tokens: 3000 });
  });
});
