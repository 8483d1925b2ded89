import { describe, expect, it } from 'vitest';
import { buildCodexArgs, describeTarget } from '../../src/core/codex/argv.js';
import { parseSettings, type RawSettings } from '../../src/core/settings.js';

const settings = (raw: RawSettings) => parseSettings(raw, { workspace: '/tmp' });
const KEY = 'sk-should-never-be-in-argv-000000';

describe('buildCodexArgs', () => {
  it('reviews against a base with JSON events, the sandbox before `review`, and no endless reconnects', () => {
    const args = buildCodexArgs(settings({ 'openai-api-key': KEY }), {
      mode: 'review',
      target: { kind: 'base', base: 'origin/main', mergeBase: 'abc123' },
    });
    expect(args.slice(0, 2)).toEqual(['exec', '--json']);
    expect(args.indexOf('--sandbox')).toBeLessThan(args.indexOf('review'));
    expect(args[args.indexOf('--sandbox') + 1]).toBe('read-only');
    expect(args.join(' ')).toContain('--disable unbounded_connection_retries');
    expect(args.join(' ')).toContain('shell_environment_policy.ignore_default_excludes=false');
    expect(args.slice(-3)).toEqual(['review', '--base', 'origin/main']);
    expect(args.join(' ')).not.toContain(KEY);
  });

  it('reviews one commit with its title', () => {
    const args = buildCodexArgs(settings({}), {
      mode: 'review',
      target: { kind: 'commit', sha: 'deadbeef', title: 'Fix it' },
    });
    expect(args.slice(-4)).toEqual(['review', '--commit', 'deadbeef', '--title=Fix it']);
  });

  it('keeps a title that starts with "-" one argument, so it is not taken for an option', () => {
    const args = buildCodexArgs(settings({}), {
      mode: 'review',
      target: { kind: 'commit', sha: 'deadbeef', title: '--help: fix the -x flag' },
    });
    expect(args.at(-1)).toBe('--title=--help: fix the -x flag');
    expect(args).not.toContain('--help: fix the -x flag');
  });

  it('sends model requests to the key proxy instead of the base URL, with no key anywhere', () => {
    const route = {
      providerArgs: [
        '-c',
        'model_providers.p={ base_url = "http://127.0.0.1:1/v1" }',
        '-c',
        'model_provider="p"',
      ],
    };
    const args = buildCodexArgs(
      settings({ 'openai-api-key': KEY, 'openai-base-url': 'https://gateway.example.com/v1' }),
      { mode: 'review', target: { kind: 'uncommitted' } },
      route,
    );
    expect(args.join(' ')).not.toContain('openai_base_url');
    expect(args.join(' ')).not.toContain('gateway.example.com');
    expect(args.join(' ')).not.toContain(KEY);
    const at = args.indexOf(route.providerArgs[1]!);
    expect(args.slice(at - 1, at + 3)).toEqual(route.providerArgs);
    expect(at).toBeLessThan(args.indexOf('review'));
  });

  it('reviews uncommitted changes', () => {
    expect(
      buildCodexArgs(settings({}), { mode: 'review', target: { kind: 'uncommitted' } }).slice(-2),
    ).toEqual(['review', '--uncommitted']);
  });

  it('folds the target into custom instructions, since Codex cannot combine a prompt with --base', () => {
    const target = { kind: 'base', base: 'origin/main', mergeBase: 'abc123' } as const;
    const args = buildCodexArgs(settings({ prompt: 'Focus on security.' }), {
      mode: 'review',
      target,
    });
    expect(args).not.toContain('--base');
    const prompt = args.at(-1)!;
    expect(args.at(-2)).toBe('--');
    expect(prompt).toContain(describeTarget(target));
    expect(prompt).toContain('git diff abc123');
    expect(prompt).toContain('Additional review instructions:\nFocus on security.');
  });

  it('passes model, effort, base URL, sandbox and extra args', () => {
    const args = buildCodexArgs(
      settings({
        model: 'gpt-5.1-codex',
        effort: 'high',
        sandbox: 'workspace-write',
        'openai-base-url': 'https://gateway.example.com/v1/',
        'codex-args': '["-c", "model_verbosity=\\"low\\""]',
      }),
      { mode: 'review', target: { kind: 'uncommitted' } },
    );
    const joined = args.join(' ');
    expect(joined).toContain('--model gpt-5.1-codex');
    expect(joined).toContain('-c model_reasoning_effort="high"');
    expect(joined).toContain('--sandbox workspace-write');
    expect(joined).toContain('-c openai_base_url="https://gateway.example.com/v1"');
    expect(args.indexOf('model_verbosity="low"')).toBeLessThan(args.indexOf('review'));
  });

  it('runs exec with the output schema file and the prompt last', () => {
    const args = buildCodexArgs(settings({ mode: 'exec', prompt: '--looks like a flag' }), {
      mode: 'exec',
      schemaFile: '/tmp/schema.json',
    });
    expect(args.slice(-4)).toEqual([
      '--output-schema',
      '/tmp/schema.json',
      '--',
      '--looks like a flag',
    ]);
    expect(args).not.toContain('review');
  });

  it('runs Codex in the working directory', () => {
    const args = buildCodexArgs(settings({}), { mode: 'review', target: { kind: 'uncommitted' } });
    expect(args[args.indexOf('--cd') + 1]).toBe('/tmp');
  });

  it("keeps the checkout's AGENTS.md, skills and .codex/ out, before codex-args so they cannot be overridden by accident", () => {
    const args = buildCodexArgs(settings({ 'codex-args': '["-c", "model_verbosity=\\"low\\""]' }), {
      mode: 'review',
      target: { kind: 'uncommitted' },
      isolation: { untrusted: ['/repo'], agentInstructions: 'BASE "rules"' },
    });
    const at = (arg: string) => args.indexOf(arg);
    for (const arg of [
      'project_doc_max_bytes=0',
      'skills.include_instructions=false',
      'projects={"/repo"={trust_level="untrusted"}}',
      'developer_instructions="BASE \\"rules\\""',
    ]) {
      expect(args[at(arg) - 1]).toBe('-c');
      expect(at(arg)).toBeLessThan(at('model_verbosity="low"'));
    }
  });

  it('marks the working directory untrusted when no rules say more', () => {
    const args = buildCodexArgs(settings({}), { mode: 'review', target: { kind: 'uncommitted' } });
    expect(args).toContain('projects={"/tmp"={trust_level="untrusted"}}');
    expect(args.some((a) => a.startsWith('developer_instructions='))).toBe(false);
  });
});
