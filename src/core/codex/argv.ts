// Codex command lines. Nothing secret is ever placed here: the key travels in the
// environment of the Codex process only (see env.ts).
import type { Settings } from '../settings.js';

export type ReviewTarget =
  /** Changes since the merge base of `base` and HEAD. */
  | { kind: 'base'; base: string; mergeBase: string }
  /** The changes of one commit. */
  | { kind: 'commit'; sha: string; title?: string }
  /** Staged, unstaged and untracked changes. */
  | { kind: 'uncommitted' };

export type CodexInvocation =
  | { mode: 'review'; target: ReviewTarget }
  | { mode: 'exec'; schemaFile: string }
  /** A free-form turn (an answer), resuming the thread `resume` when given. */
  | { mode: 'answer'; prompt: string; resume?: string };

type ArgvSettings = Pick<
  Settings,
  'sandbox' | 'model' | 'effort' | 'openaiBaseUrl' | 'codexArgs' | 'prompt' | 'workingDirectory'
>;

const toml = (value: string) => JSON.stringify(value);

/** Options shared by both modes; they must precede the `review` subcommand. */
function commonArgs(settings: ArgvSettings): string[] {
  const args = [
    'exec',
    '--json',
    '--cd',
    settings.workingDirectory,
    // Exec mode may audit a directory that is not a repository.
    '--skip-git-repo-check',
    // `-s` is rejected after `review`, so the sandbox is always set here.
    '--sandbox',
    settings.sandbox,
    // Without this a refused connection retries forever ("Reconnecting… waiting for network").
    '--disable',
    'unbounded_connection_retries',
    // Commands the agent runs get no *KEY*, *SECRET*, *TOKEN* variables (CODEX_API_KEY included).
    '-c',
    'shell_environment_policy.inherit="all"',
    '-c',
    'shell_environment_policy.ignore_default_excludes=false',
  ];
  if (settings.openaiBaseUrl) args.push('-c', `openai_base_url=${toml(settings.openaiBaseUrl)}`);
  if (settings.model) args.push('--model', settings.model);
  if (settings.effort) args.push('-c', `model_reasoning_effort=${toml(settings.effort)}`);
  args.push(...settings.codexArgs);
  return args;
}

export function buildCodexArgs(settings: ArgvSettings, invocation: CodexInvocation): string[] {
  const args = commonArgs(settings);
  if (invocation.mode === 'answer') {
    // `resume` takes no --cd/--sandbox of its own: the options before it apply to the turn.
    if (invocation.resume) args.push('resume', invocation.resume);
    args.push('--', invocation.prompt);
    return args;
  }
  if (invocation.mode === 'exec') {
    args.push('--output-schema', invocation.schemaFile, '--', settings.prompt ?? '');
    return args;
  }
  args.push('review');
  const { target } = invocation;
  if (settings.prompt) {
    // Codex cannot combine custom instructions with --base/--commit, so the target is
    // described in the instructions themselves, as Codex's own review presets do.
    args.push(
      '--',
      `${describeTarget(target)}\n\nAdditional review instructions:\n${settings.prompt.trim()}`,
    );
    return args;
  }
  switch (target.kind) {
    case 'base':
      args.push('--base', target.base);
      break;
    case 'commit':
      args.push('--commit', target.sha);
      if (target.title) args.push('--title', target.title);
      break;
    case 'uncommitted':
      args.push('--uncommitted');
      break;
  }
  return args;
}

export function describeTarget(target: ReviewTarget): string {
  switch (target.kind) {
    case 'base':
      return (
        `Review the code changes against the base branch '${target.base}'. ` +
        `The merge base commit for this comparison is ${target.mergeBase}. ` +
        `Run \`git diff ${target.mergeBase}\` to inspect the changes relative to ${target.base}. ` +
        'Provide prioritized, actionable findings.'
      );
    case 'commit':
      return (
        `Review the code changes introduced by commit ${target.sha}` +
        (target.title ? ` ("${target.title}")` : '') +
        `. Run \`git show ${target.sha}\` to inspect them. Provide prioritized, actionable findings.`
      );
    case 'uncommitted':
      return 'Review the current code changes (staged, unstaged, and untracked files) and provide prioritized findings.';
  }
}
