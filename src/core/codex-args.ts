// The `codex-args` setting: split into words, then checked for arguments that would switch off a
// protection codex-review sets up (sandbox, untrusted project, filtered environment, the key's
// provider) or break what it reads back (event stream, session file, working directory).
// The list follows `codex exec --help` and `codex exec review --help` of @openai/codex 0.169.0 and
// 0.171.0, hidden aliases included (`--yolo`, `--not-so-yolo`, `--experimental-json`, `--full-auto`).
import { parse as parseShellWords } from 'shell-quote';

/**
 * `codex-args` is a JSON array of strings or a shell-style string. shell-quote splits words but
 * silently accepts an unclosed quote and expands `$VARS` to "", so those two cases are checked
 * here: a user's typo must fail loudly instead of changing Codex's arguments.
 */
export function parseCodexArgs(text: string): string[] | string {
  const trimmed = text.trim();
  if (trimmed.startsWith('[')) {
    let value: unknown;
    try {
      value = JSON.parse(trimmed);
    } catch (error) {
      return `is not a valid JSON array: ${(error as Error).message}`;
    }
    if (!Array.isArray(value) || !value.every((a) => typeof a === 'string')) {
      return 'must be a JSON array of strings, e.g. ["--config", "model_verbosity=\\"low\\""]';
    }
    return value;
  }
  const unclosed = findUnclosedQuote(trimmed);
  if (unclosed)
    return `has an unclosed ${unclosed} quote; use a JSON array of strings for complex arguments`;
  const words = parseShellWords(trimmed, (key) => `$${key}`);
  const args: string[] = [];
  for (const word of words) {
    if (typeof word !== 'string') {
      const op = 'op' in word ? word.op : 'comment';
      return `contains the shell operator ${JSON.stringify(op)}; codex-args is not run by a shell. Quote it or use a JSON array of strings`;
    }
    args.push(word);
  }
  return args;
}

function findUnclosedQuote(text: string): 'single' | 'double' | undefined {
  let quote: "'" | '"' | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote === undefined) {
      if (c === '\\') i++;
      else if (c === "'" || c === '"') quote = c;
    } else if (quote === '"' && c === '\\') {
      i++;
    } else if (c === quote) {
      quote = undefined;
    }
  }
  if (quote === "'") return 'single';
  if (quote === '"') return 'double';
  return undefined;
}

/** Why an argument is refused, and what to set instead. */
interface Protection {
  effect: string;
  instead: string;
}

const SANDBOX: Protection = {
  effect: 'changes the sandbox that confines the commands Codex runs',
  instead: 'use the `sandbox` setting instead',
};
const TRUST: Protection = {
  effect:
    "makes Codex trust the checked-out project, whose own .codex/ config, hooks and MCP servers then run, some of them outside the sandbox, with the pull request's content deciding what they do",
  instead: 'no setting does this: the code under review must not configure its reviewer',
};
const SHELL_ENVIRONMENT: Protection = {
  effect:
    'changes which environment variables the commands Codex runs can see (codex-review keeps credentials away from them)',
  instead: 'no setting loosens this: pass what a build needs through the job, not the agent',
};
const PROVIDER: Protection = {
  effect: 'changes the model provider, its base URL or how Codex authenticates',
  instead: 'use the `openai-base-url` and `openai-api-key` settings instead',
};
const PROJECT_DOCS: Protection = {
  effect:
    'changes which instruction files (AGENTS.md and the like) Codex loads from the checkout, which a pull request can rewrite to steer its own review',
  instead: 'use the `prompt` or `prompt-file` setting for review instructions instead',
};
const WORKING_DIRECTORY: Protection = {
  effect: 'moves Codex out of the directory codex-review reviews',
  instead: 'use the `working-directory` setting instead',
};
const WRITABLE_DIRECTORIES: Protection = {
  effect: 'makes more directories writable to the commands Codex runs',
  instead: 'use the `sandbox` and `working-directory` settings instead',
};
const REMOTE: Protection = {
  effect: "runs the session on another Codex app server, outside this run's sandbox and settings",
  instead: 'no setting does this',
};
const LAST_MESSAGE: Protection = {
  effect: 'writes the final message to a file of its own',
  instead:
    'use the `final-message` output or the findings file (`findings-file`) instead, which codex-review always writes',
};
const EVENT_STREAM: Protection = {
  effect: 'is already passed by codex-review, which reads the JSONL event stream',
  instead: 'leave it out',
};
const SESSION_FILE: Protection = {
  effect: 'stops Codex from writing the session file codex-review reads the review result from',
  instead: 'leave it out; `codex-home` decides where session files go',
};
const OUTPUT_SCHEMA: Protection = {
  effect: 'replaces the output schema codex-review passes',
  instead: 'use the `output-schema` or `output-schema-file` setting instead',
};

/** Long options (without `--`), aliases included. */
const LONG_OPTIONS: Record<string, Protection> = {
  'dangerously-bypass-approvals-and-sandbox': SANDBOX,
  yolo: SANDBOX,
  sandbox: SANDBOX,
  'full-auto': SANDBOX,
  // Escalations out of the sandbox are approved by a model instead of refused.
  'approve-for-me': SANDBOX,
  'not-so-yolo': SANDBOX,
  trust: TRUST,
  'dangerously-bypass-hook-trust': TRUST,
  oss: PROVIDER,
  'local-provider': PROVIDER,
  remote: REMOTE,
  'remote-auth-token-env': REMOTE,
  cd: WORKING_DIRECTORY,
  worktree: WORKING_DIRECTORY,
  'add-dir': WRITABLE_DIRECTORIES,
  'output-last-message': LAST_MESSAGE,
  json: EVENT_STREAM,
  'experimental-json': EVENT_STREAM,
  ephemeral: SESSION_FILE,
  'output-schema': OUTPUT_SCHEMA,
};

/** The refused long options that take a value (`--cd DIR` or `--cd=DIR`). */
const LONG_WITH_VALUE = new Set([
  'sandbox',
  'local-provider',
  'remote',
  'remote-auth-token-env',
  'cd',
  'add-dir',
  'output-last-message',
  'output-schema',
]);

/** Short options; each of these takes a value, which may be attached (`-sread-only`, `-s=…`). */
const SHORT_OPTIONS: Record<string, Protection> = {
  s: SANDBOX,
  C: WORKING_DIRECTORY,
  o: LAST_MESSAGE,
};

/** `-c key=value` overrides, by the first segment of the dotted key. */
const CONFIG_KEYS: Record<string, Protection> = {
  sandbox_mode: SANDBOX,
  sandbox_workspace_write: SANDBOX,
  sandbox_permissions: SANDBOX,
  permissions: SANDBOX,
  default_permissions: SANDBOX,
  approval_policy: SANDBOX,
  approvals_reviewer: SANDBOX,
  projects: TRUST,
  shell_environment_policy: SHELL_ENVIRONMENT,
  model_provider: PROVIDER,
  model_providers: PROVIDER,
  openai_base_url: PROVIDER,
  chatgpt_base_url: PROVIDER,
  oss_provider: PROVIDER,
  forced_login_method: PROVIDER,
  forced_chatgpt_workspace_id: PROVIDER,
  cli_auth_credentials_store: PROVIDER,
  project_doc_max_bytes: PROJECT_DOCS,
  project_doc_fallback_filenames: PROJECT_DOCS,
  project_root_markers: PROJECT_DOCS,
  // skills.include_instructions=true would offer the checkout's .codex/skills to the model again.
  skills: PROJECT_DOCS,
};

export interface CodexArgRefusal {
  /** The argument as given (for `-c`, the option and its value). */
  argument: string;
  /** What it would do, and what to set instead. */
  reason: string;
}

/**
 * Arguments in `args` that switch off a protection or break what codex-review reads back.
 * Codex parses its command line with clap: a word starting with `-` before a bare `--` is always
 * an option (values never start with `-`), long options are never abbreviated, and `-c`/`--config`
 * keys are trimmed and split on `.` (codex-rs utils/cli config_override.rs).
 */
export function findRefusedCodexArgs(args: readonly string[]): CodexArgRefusal[] {
  const refusals: CodexArgRefusal[] = [];
  const refuse = (argument: string, protection: Protection) =>
    refusals.push({ argument, reason: `${protection.effect}; ${protection.instead}` });
  for (let i = 0; i < args.length; i++) {
    const word = args[i]!;
    if (word === '--') break;
    const config = configValue(word, args[i + 1]);
    if (config) {
      if (config.consumesNext) i++;
      const protection = CONFIG_KEYS[configKeyRoot(config.value)];
      if (protection) refuse(config.consumesNext ? `${word} ${config.value}` : word, protection);
      continue;
    }
    // Name a separate value with its option: "`--cd /`" says more than "`--cd`".
    const withValue = () => (isValue(args[i + 1]) ? `${word} ${args[++i]}` : word);
    if (word.startsWith('--')) {
      const name = word.slice(2);
      const protection = LONG_OPTIONS[name.split('=', 1)[0]!];
      if (protection) refuse(LONG_WITH_VALUE.has(name) ? withValue() : word, protection);
    } else if (word.startsWith('-') && word.length > 1) {
      const protection = SHORT_OPTIONS[word[1]!];
      if (protection) refuse(word.length === 2 ? withValue() : word, protection);
    }
  }
  return refusals;
}

/** The `key=value` of a `-c`/`--config` option in any of clap's spellings. */
function configValue(
  word: string,
  next: string | undefined,
): { value: string; consumesNext: boolean } | undefined {
  if (word === '-c' || word === '--config')
    return isValue(next) ? { value: next, consumesNext: true } : { value: '', consumesNext: false };
  if (word.startsWith('--config='))
    return { value: word.slice('--config='.length), consumesNext: false };
  if (word.startsWith('-c') && !word.startsWith('--')) {
    return { value: word.slice(2).replace(/^=/, ''), consumesNext: false };
  }
  return undefined;
}

/** clap never takes a word starting with `-` as an option's value: it is the next option. */
const isValue = (word: string | undefined): word is string =>
  word !== undefined && !word.startsWith('-');

/**
 * `sandbox_mode` of ` sandbox_mode = "x"`, and of `"sandbox_mode".y=1` too: Codex would take the
 * quotes as part of the key, but refusing it as well costs nothing.
 */
function configKeyRoot(override: string): string {
  const key = override.split('=', 1)[0]!.trim();
  return key
    .split('.', 1)[0]!
    .trim()
    .replace(/^(["'])(.*)\1$/, '$2')
    .trim();
}
