// Codex command lines. Nothing secret is ever placed here: Codex talks to the model through
// the key proxy (key-proxy.ts), which adds the key; Codex itself never holds it.
import type { Settings } from '../settings.js';
import { isolationArgs, type RepositoryIsolation } from './repo-isolation.js';

export type ReviewTarget =
  /** Changes since the merge base of `base` and HEAD. */
  | { kind: 'base'; base: string; mergeBase: string }
  /** The changes of one commit. */
  | { kind: 'commit'; sha: string; title?: string }
  /** Staged, unstaged and untracked changes. */
  | { kind: 'uncommitted' };

export type CodexInvocation = (
  | { mode: 'review'; target: ReviewTarget }
  | { mode: 'exec'; schemaFile: string }
  /** A follow-up turn in the thread of an earlier run (suggested changes): always read-only. */
  | { mode: 'resume'; threadId: string; schemaFile: string; prompt: string }
  /** A free-form turn (an answer), resuming the thread `resume` when given. */
  | { mode: 'answer'; prompt: string; resume?: string }
) & {
  /** What keeps the checkout's own instruction files away (repo-isolation.ts); defaults to the cwd. */
  isolation?: RepositoryIsolation;
};

type ArgvSettings = Pick<
  Settings,
  'sandbox' | 'model' | 'effort' | 'openaiBaseUrl' | 'codexArgs' | 'prompt' | 'workingDirectory'
>;

const toml = (value: string) => JSON.stringify(value);

/** Where Codex sends model requests: the key proxy's provider arguments (key-proxy.ts). */
export interface ModelRoute {
  providerArgs: string[];
}

/** Options shared by both modes; they must precede the `review` subcommand. */
function commonArgs(
  settings: ArgvSettings,
  route: ModelRoute | undefined,
  isolation: RepositoryIsolation,
): string[] {
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
  // The checkout's AGENTS.md, skills and .codex/ stay out; the rules' AGENTS.md comes in.
  args.push(...isolationArgs(isolation));
  // Through the proxy the base URL is the proxy's upstream; Codex only knows the loopback.
  if (route) args.push(...route.providerArgs);
  else if (settings.openaiBaseUrl)
    args.push('-c', `openai_base_url=${toml(settings.openaiBaseUrl)}`);
  if (settings.model) args.push('--model', settings.model);
  if (settings.effort) args.push('-c', `model_reasoning_effort=${toml(settings.effort)}`);
  args.push(...settings.codexArgs);
  return args;
}

/**
 * `route` is the key proxy; without it Codex uses its built-in OpenAI provider and its own
 * login (a ChatGPT login in `codex-home`, which cannot be forwarded).
 */
export function buildCodexArgs(
  settings: ArgvSettings,
  invocation: CodexInvocation,
  route?: ModelRoute,
): string[] {
  const isolation = invocation.isolation ?? {
    untrusted: [settings.workingDirectory],
    agentInstructions: undefined,
  };
  if (invocation.mode === 'resume') {
    // `-s` is an option of `exec`, before `resume`; `--output-schema` is one of `resume`.
    return [
      ...commonArgs({ ...settings, sandbox: 'read-only' }, route, isolation),
      'resume',
      '--output-schema',
      invocation.schemaFile,
      '--',
      invocation.threadId,
      invocation.prompt,
    ];
  }
  const args = commonArgs(settings, route, isolation);
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
      // One argument, so a subject starting with `-` is not taken for an option.
      if (target.title) args.push(`--title=${target.title}`);
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
