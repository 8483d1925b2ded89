// The follow-up turn's request (prompt, strict schema), how its reply is read, which thread it
// resumes, and its time limit; the built-in exec schema's `suggestion` field.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildCodexArgs } from '../../src/core/codex/argv.js';
import { lintStrictSchema } from '../../src/core/exec/strict-schema.js';
import { validateReply } from '../../src/core/exec/reply.js';
import {
  BUILTIN_FINDINGS_REPLY_SCHEMA,
  BUILTIN_FINDINGS_SCHEMA,
} from '../../src/core/review/builtin-schema.js';
import { parseSettings } from '../../src/core/settings.js';
import {
  readSuggestionReply,
  suggestionPrompt,
  SUGGESTIONS_SCHEMA,
} from '../../src/core/suggest/request.js';
import { followUpTimeoutMs } from '../../src/core/suggest/suggest.js';
import { threadToResume } from '../../src/core/suggest/thread.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

describe('the follow-up request', () => {
  it('asks with a schema the Responses API accepts for strict structured output', () => {
    expect(lintStrictSchema(SUGGESTIONS_SCHEMA)).toEqual([]);
  });

  it('lists each finding by number with its exact lines, in a fence they cannot close', () => {
    const prompt = suggestionPrompt([
      { id: 1, title: 'Empty input', path: 'app.js', startLine: 6, endLine: 6, lines: ['  x();'] },
      {
        id: 2,
        title: 'Markdown in code',
        path: 'doc.md',
        startLine: 3,
        endLine: 5,
        lines: ['```js', 'a', '```'],
      },
    ]);
    expect(prompt).toContain(
      'Finding 1: Empty input\napp.js, line 6, as they read now:\n```\n  x();\n```',
    );
    expect(prompt).toContain(
      'Finding 2: Markdown in code\ndoc.md, lines 3-5, as they read now:\n````\n```js\na\n```\n````',
    );
    expect(prompt).toMatch(/exactly those lines/);
    expect(prompt).toMatch(/Do not modify any file/);
  });

  it('resumes the thread read-only, whatever the sandbox setting, with its own output schema', () => {
    const settings = parseSettings(
      {
        sandbox: 'workspace-write',
        model: 'gpt-x',
        'codex-args': '["-c", "model_verbosity=\\"low\\""]',
      },
      { workspace: '/tmp' },
    );
    const args = buildCodexArgs(settings, {
      mode: 'resume',
      threadId: '0199-thread',
      schemaFile: '/tmp/s.json',
      prompt: '-starts like an option',
    });
    expect(args[args.indexOf('--sandbox') + 1]).toBe('read-only');
    expect(args.indexOf('--sandbox')).toBeLessThan(args.indexOf('resume'));
    expect(args.slice(-6)).toEqual([
      'resume',
      '--output-schema',
      '/tmp/s.json',
      '--',
      '0199-thread',
      '-starts like an option',
    ]);
    expect(args).toContain('gpt-x');
    expect(args).toContain('model_verbosity="low"');
  });
});

describe('the follow-up reply', () => {
  it('gives the replacements by number, null meaning none, the first answer for a number counting', () => {
    const reply = readSuggestionReply(
      JSON.stringify({
        suggestions: [
          { id: 1, replacement: 'a' },
          { id: 2, replacement: null },
          { id: 1, replacement: 'again' },
          { id: 3, replacement: '' },
        ],
      }),
    );
    expect(reply).toEqual({
      ok: true,
      replacements: new Map([
        [1, 'a'],
        [3, ''],
      ]),
    });
  });

  it('is refused when it is not JSON or not of the schema', () => {
    expect(readSuggestionReply('Sure! Here are fixes.')).toMatchObject({
      ok: false,
      error: expect.stringMatching(/not JSON/),
    });
    expect(readSuggestionReply('{"findings":[]}')).toMatchObject({
      ok: false,
      error: expect.stringMatching(/suggestions/),
    });
  });
});

describe("exec mode's built-in schema", () => {
  it('carries a nullable suggestion per finding and stays strict', () => {
    expect(lintStrictSchema(BUILTIN_FINDINGS_SCHEMA)).toEqual([]);
    const item = BUILTIN_FINDINGS_SCHEMA.properties.findings.items;
    expect(item.required).toContain('suggestion');
    expect(item.properties.suggestion.type).toEqual(['string', 'null']);
    const finding = {
      title: 't',
      body: 'b',
      confidence_score: 0.5,
      priority: 1,
      code_location: { absolute_file_path: '/r/a.js', line_range: { start: 1, end: 1 } },
    };
    const reply = (suggestion: unknown) =>
      JSON.stringify({
        findings: [{ ...finding, suggestion }],
        overall_correctness: 'patch is correct',
        overall_explanation: 'ok',
        overall_confidence_score: 0.5,
      });
    expect(validateReply(reply(null), BUILTIN_FINDINGS_SCHEMA).ok).toBe(true);
    expect(validateReply(reply('x();'), BUILTIN_FINDINGS_SCHEMA).ok).toBe(true);
    expect(validateReply(reply(3), BUILTIN_FINDINGS_SCHEMA).ok).toBe(false);
  });

  it('checks replies without requiring it: a finding without one has no fix, the reply is fine', () => {
    const value = {
      findings: [
        {
          title: 't',
          body: 'b',
          confidence_score: 0.5,
          priority: 1,
          code_location: { absolute_file_path: '/r/a.js', line_range: { start: 1, end: 1 } },
        },
      ],
      overall_correctness: 'patch is correct',
      overall_explanation: 'ok',
      overall_confidence_score: 0.5,
    };
    expect(validateReply(JSON.stringify(value), BUILTIN_FINDINGS_SCHEMA).ok).toBe(false);
    expect(validateReply(JSON.stringify(value), BUILTIN_FINDINGS_REPLY_SCHEMA).ok).toBe(true);
    const wrong = { ...value, findings: [{ ...value.findings[0], suggestion: 3 }] };
    expect(validateReply(JSON.stringify(wrong), BUILTIN_FINDINGS_REPLY_SCHEMA).ok).toBe(false);
  });
});

describe('the thread the follow-up resumes', () => {
  function sessions(files: Array<{ id: string; meta: Record<string, unknown> }>): string {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'codex-review-threads-'));
    dirs.push(home);
    const dir = path.join(home, 'sessions', '2026', '01', '02');
    fs.mkdirSync(dir, { recursive: true });
    files.forEach((f, i) => {
      const line = JSON.stringify({ type: 'session_meta', payload: { id: f.id, ...f.meta } });
      fs.writeFileSync(
        path.join(dir, `rollout-2026-01-02T10-00-0${i}-${f.id}.jsonl`),
        `${line}\n{}\n`,
      );
    });
    return home;
  }

  it('in review mode: the reviewer sub-agent of the exec thread (its context is the review)', () => {
    const home = sessions([
      { id: 'root', meta: { base_instructions: { text: 'x'.repeat(200_000) } } },
      { id: 'other', meta: { parent_thread_id: 'someone-else', source: { subagent: 'review' } } },
      { id: 'reviewer', meta: { parent_thread_id: 'root', source: { subagent: 'review' } } },
    ]);
    expect(threadToResume(home, 'root', 'review')).toBe('reviewer');
  });

  it('in review mode without a reviewer session: the exec thread itself', () => {
    const home = sessions([{ id: 'root', meta: {} }]);
    expect(threadToResume(home, 'root', 'review')).toBe('root');
    expect(threadToResume(path.join(home, 'missing'), 'root', 'review')).toBe('root');
  });

  it('in exec mode: the exec thread, which holds the whole conversation', () => {
    const home = sessions([
      { id: 'sub', meta: { parent_thread_id: 'root', source: { subagent: 'review' } } },
    ]);
    expect(threadToResume(home, 'root', 'exec')).toBe('root');
  });
});

describe("the follow-up's time limit", () => {
  it('is what the review left of timeout-minutes, and at least a minute (or the whole limit)', () => {
    expect(followUpTimeoutMs(30 * 60_000, 10 * 60_000)).toBe(20 * 60_000);
    expect(followUpTimeoutMs(30 * 60_000, 29.9 * 60_000)).toBe(60_000);
    expect(followUpTimeoutMs(6_000, 5_000)).toBe(6_000);
  });
});
