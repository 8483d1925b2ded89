// Every setting of the product, validated by one zod schema. The action, the CLI flags and the
// CODEX_REVIEW_* environment all feed raw strings into parseSettings(); nothing else validates.
import fs from 'node:fs';
import path from 'node:path';
import { parse as parseShellWords } from 'shell-quote';
import { z } from 'zod';
import { ConfigurationError } from './errors.js';
import { formatViolations, lintStrictSchema } from './exec/strict-schema.js';

/** The newest @openai/codex this project is tested against (see test/e2e). */
export const DEFAULT_CODEX_VERSION = '0.171.0';

export interface SettingDefinition {
  /** Default as a raw string; '' means "not set". */
  default: string;
  description: string;
  /** Declared in action.yml (false for settings only the GitLab CLI uses). */
  action: boolean;
  /** Value is a credential: never echoed in errors or logs. */
  secret?: boolean;
}

export const SETTING_DEFINITIONS = {
  mode: {
    default: 'review',
    description:
      '`review` runs `codex exec review`; `exec` runs `codex exec` with a prompt and an output schema.',
    action: true,
  },
  'openai-api-key': {
    default: '',
    description:
      'OpenAI API key. Required unless Codex is already logged in (`codex login status`).',
    action: true,
    secret: true,
  },
  'openai-base-url': {
    default: '',
    description: 'Responses API base URL for OpenAI-compatible endpoints (Azure, gateways).',
    action: true,
  },
  'codex-version': {
    default: DEFAULT_CODEX_VERSION,
    description: 'Version of `@openai/codex` to install.',
    action: true,
  },
  model: { default: '', description: 'Model; empty lets Codex choose.', action: true },
  effort: {
    default: '',
    description:
      'Reasoning effort: `minimal`, `low`, `medium`, `high` or `xhigh`; empty lets Codex choose.',
    action: true,
  },
  sandbox: {
    default: 'read-only',
    description:
      'Sandbox for commands Codex runs: `read-only`, `workspace-write` or `danger-full-access`.',
    action: true,
  },
  prompt: {
    default: '',
    description:
      '`review`: extra review instructions. `exec`: the prompt (this or `prompt-file` is required).',
    action: true,
  },
  'prompt-file': {
    default: '',
    description: 'Same as `prompt`, read from a file (relative to the workspace).',
    action: true,
  },
  'output-schema': {
    default: '',
    description:
      '`exec`: inline JSON Schema for the final message. Empty means the built-in findings schema.',
    action: true,
  },
  'output-schema-file': {
    default: '',
    description: '`exec`: JSON Schema file for the final message (relative to the workspace).',
    action: true,
  },
  base: {
    default: '',
    description: '`review`: base branch or SHA to diff against. Defaults to the pull request base.',
    action: true,
  },
  commit: {
    default: '',
    description: '`review`: review the changes of one commit instead (push / schedule).',
    action: true,
  },
  post: {
    default: 'auto',
    description:
      'Where findings go: `auto` (inline review + summary on a PR/MR, nothing elsewhere), `review`, `summary`, `issue` or `none`.',
    action: true,
  },
  incremental: {
    default: 'true',
    description:
      'On a re-run for the same PR/MR, review only the commits since the last reviewed head.',
    action: true,
  },
  'min-priority': {
    default: '2',
    description:
      'Findings with priority ≤ this (P0 most severe) are posted inline; the rest go to the summary.',
    action: true,
  },
  'max-inline-comments': {
    default: '25',
    description: 'Cap on inline comments per run; the rest go to the summary.',
    action: true,
  },
  'fail-on': {
    default: 'none',
    description:
      '`none`, `p0`, `p1`, `p2`, `p3` or `any`: fail when a finding at or above that priority exists.',
    action: true,
  },
  'github-token': {
    default: '${{ github.token }}',
    description: 'Token for the GitHub API.',
    action: true,
    secret: true,
  },
  'gitlab-token': {
    default: '',
    description: 'GitLab API token with `api` scope (CLI `gitlab`; also `GITLAB_TOKEN`).',
    action: false,
    secret: true,
  },
  'sarif-file': {
    default: '',
    description: 'Write a SARIF 2.1.0 file of all findings here.',
    action: true,
  },
  'codequality-file': {
    default: '',
    description: 'Write a GitLab Code Quality JSON report here.',
    action: true,
  },
  'timeout-minutes': {
    default: '30',
    description: 'Hard limit on the Codex run, in minutes (fractions allowed).',
    action: true,
  },
  'working-directory': {
    default: '',
    description: 'Directory Codex works in. Defaults to the workspace.',
    action: true,
  },
  'codex-args': {
    default: '',
    description: 'Extra arguments for Codex: a JSON array of strings, or a shell-style string.',
    action: true,
  },
  'codex-home': {
    default: '',
    description: '`CODEX_HOME` for the run. Defaults to a fresh temporary directory.',
    action: true,
  },
  'safety-strategy': {
    default: 'drop-sudo',
    description: '`drop-sudo`, `unprivileged-user` or `unsafe` (as in openai/codex-action).',
    action: true,
  },
  'codex-user': {
    default: '',
    description: 'User to run Codex as with `unprivileged-user`.',
    action: true,
  },
  'allow-users': {
    default: '',
    description:
      'Extra GitHub logins allowed to trigger a run (besides users with write access), comma-separated.',
    action: true,
  },
  'allow-bots': {
    default: '',
    description: 'Bot logins allowed to trigger a run, comma-separated.',
    action: true,
  },
  'allow-untrusted-pull-requests': {
    default: 'false',
    description:
      'Allow `pull_request_target` runs whose head is a fork (the agent then reads untrusted code while holding secrets).',
    action: true,
  },
} as const satisfies Record<string, SettingDefinition>;

export type SettingName = keyof typeof SETTING_DEFINITIONS;
export const SETTING_NAMES = Object.keys(SETTING_DEFINITIONS) as SettingName[];
export type RawSettings = Partial<Record<SettingName, string | undefined>>;

export const MODES = ['review', 'exec'] as const;
export const SANDBOXES = ['read-only', 'workspace-write', 'danger-full-access'] as const;
export const POST_TARGETS = ['auto', 'review', 'summary', 'issue', 'none'] as const;
export const FAIL_ON = ['none', 'p0', 'p1', 'p2', 'p3', 'any'] as const;
export const EFFORTS = ['minimal', 'low', 'medium', 'high', 'xhigh'] as const;
export const SAFETY_STRATEGIES = ['drop-sudo', 'unprivileged-user', 'unsafe'] as const;

export type Mode = (typeof MODES)[number];
export type Sandbox = (typeof SANDBOXES)[number];
export type PostTarget = (typeof POST_TARGETS)[number];
export type FailOn = (typeof FAIL_ON)[number];

export interface Settings {
  mode: Mode;
  openaiApiKey: string | undefined;
  openaiBaseUrl: string | undefined;
  codexVersion: string;
  model: string | undefined;
  effort: (typeof EFFORTS)[number] | undefined;
  sandbox: Sandbox;
  /** Inline prompt or the text of prompt-file. */
  prompt: string | undefined;
  /** The parsed output schema for exec (inline or from file); undefined means built-in. */
  outputSchema: Record<string, unknown> | undefined;
  base: string | undefined;
  commit: string | undefined;
  post: PostTarget;
  incremental: boolean;
  minPriority: number;
  maxInlineComments: number;
  failOn: FailOn;
  githubToken: string | undefined;
  gitlabToken: string | undefined;
  sarifFile: string | undefined;
  codequalityFile: string | undefined;
  timeoutMs: number;
  /** Absolute directory Codex works in. */
  workingDirectory: string;
  codexArgs: string[];
  codexHome: string | undefined;
  safetyStrategy: (typeof SAFETY_STRATEGIES)[number];
  codexUser: string | undefined;
  allowUsers: string[];
  allowBots: string[];
  allowUntrustedPullRequests: boolean;
}

export interface ParseContext {
  /** Where relative paths (prompt-file, output-schema-file, working-directory) are resolved. */
  workspace: string;
}

const allowed = (values: readonly string[]) => values.map((v) => `"${v}"`).join(', ');

const oneOf = <T extends readonly [string, ...string[]]>(values: T) =>
  z.string().refine((v): v is T[number] => (values as readonly string[]).includes(v), {
    message: `must be one of ${allowed(values)}`,
  }) as unknown as z.ZodType<T[number], string>;

const optionalText = z.string().transform((v) => (v.trim() === '' ? undefined : v));

const booleanText = z
  .string()
  .refine((v) => /^(true|false)$/i.test(v.trim()), { message: 'must be "true" or "false"' })
  .transform((v) => v.trim().toLowerCase() === 'true');

const integerText = (min: number, max: number, what: string) =>
  z
    .string()
    .refine((v) => /^\s*\d+\s*$/.test(v) && Number(v) >= min && Number(v) <= max, {
      message: `must be ${what}`,
    })
    .transform((v) => Number(v));

const listText = z.string().transform((v) =>
  v
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean),
);

const schema = z.object({
  mode: oneOf(MODES),
  'openai-api-key': optionalText,
  'openai-base-url': optionalText.refine((v) => v === undefined || isHttpUrl(v), {
    message: 'must be an http(s) URL such as "https://api.openai.com/v1", or empty',
  }),
  'codex-version': z.string().refine((v) => /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/.test(v.trim()), {
    message: 'must be an exact version of @openai/codex such as "0.169.0"',
  }),
  model: optionalText,
  effort: optionalText.refine(
    (v) => v === undefined || (EFFORTS as readonly string[]).includes(v),
    {
      message: `must be empty or one of ${allowed(EFFORTS)}`,
    },
  ) as unknown as z.ZodType<(typeof EFFORTS)[number] | undefined, string>,
  sandbox: oneOf(SANDBOXES),
  prompt: optionalText,
  'prompt-file': optionalText,
  'output-schema': optionalText,
  'output-schema-file': optionalText,
  base: optionalText,
  commit: optionalText,
  post: oneOf(POST_TARGETS),
  incremental: booleanText,
  'min-priority': integerText(0, 3, 'a whole number from 0 (P0, most severe) to 3'),
  'max-inline-comments': integerText(0, 1000, 'a whole number from 0 to 1000'),
  'fail-on': oneOf(FAIL_ON),
  'github-token': optionalText,
  'gitlab-token': optionalText,
  'sarif-file': optionalText,
  'codequality-file': optionalText,
  'timeout-minutes': z
    .string()
    .refine((v) => /^\s*\d*\.?\d+\s*$/.test(v) && Number(v) > 0 && Number(v) <= 360, {
      message:
        'must be a number of minutes greater than 0 and at most 360 (fractions such as 0.5 are allowed)',
    })
    .transform((v) => Math.round(Number(v) * 60_000)),
  'working-directory': optionalText,
  'codex-args': optionalText,
  'codex-home': optionalText,
  'safety-strategy': oneOf(SAFETY_STRATEGIES),
  'codex-user': optionalText,
  'allow-users': listText,
  'allow-bots': listText,
  'allow-untrusted-pull-requests': booleanText,
});

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

/**
 * Validate raw setting strings (missing or empty ones take their default) into Settings.
 * Every problem is collected, so the user fixes them all in one round.
 */
export function parseSettings(raw: RawSettings, context: ParseContext): Settings {
  const withDefaults: Record<string, string> = {};
  for (const name of SETTING_NAMES) {
    const value = raw[name];
    const fallback = SETTING_DEFINITIONS[name].default;
    withDefaults[name] =
      value === undefined || value.trim() === ''
        ? fallback.startsWith('${{')
          ? ''
          : fallback
        : value;
  }

  // Field by field, so one bad value does not hide the checks of the others.
  const problems: string[] = [];
  const problem = (name: SettingName, message: string) =>
    problems.push(describeProblem(name, withDefaults[name] ?? '', message));
  const parsed: Record<string, unknown> = {};
  let fieldsValid = true;
  for (const [name, fieldSchema] of Object.entries(schema.shape)) {
    const result = (fieldSchema as z.ZodType).safeParse(withDefaults[name]);
    if (result.success) parsed[name] = result.data;
    else {
      fieldsValid = false;
      for (const issue of result.error.issues) problem(name as SettingName, issue.message);
    }
  }
  const v = parsed as z.infer<typeof schema>;

  const resolve = (p: string) => path.resolve(context.workspace, p);

  let workingDirectory = context.workspace;
  if (v['working-directory']) {
    workingDirectory = resolve(v['working-directory']);
    if (!isDirectory(workingDirectory))
      problem('working-directory', `is not a directory (${workingDirectory})`);
  }

  let prompt = v.prompt;
  if (v.prompt && v['prompt-file']) {
    problem('prompt-file', 'cannot be combined with `prompt`: set only one of them');
  } else if (v['prompt-file']) {
    const file = resolve(v['prompt-file']);
    const text = readTextFile(file);
    if (text === undefined)
      problem('prompt-file', `does not exist or is not a readable file (${file})`);
    else if (text.trim() === '') problem('prompt-file', `is empty (${file})`);
    else prompt = text;
  }
  if (v.mode === 'exec' && !prompt && !v['prompt-file'] && !v.prompt) {
    problem('prompt', 'is required when `mode` is "exec": set `prompt` or `prompt-file`');
  }

  let outputSchema: Record<string, unknown> | undefined;
  if (v['output-schema'] && v['output-schema-file']) {
    problem('output-schema-file', 'cannot be combined with `output-schema`: set only one of them');
  } else if (v['output-schema']) {
    outputSchema = parseSchemaText(v['output-schema'], (m) => problem('output-schema', m));
  } else if (v['output-schema-file']) {
    const file = resolve(v['output-schema-file']);
    const text = readTextFile(file);
    if (text === undefined)
      problem('output-schema-file', `does not exist or is not a readable file (${file})`);
    else
      outputSchema = parseSchemaText(text, (m) => problem('output-schema-file', `${m} (${file})`));
  }
  if (outputSchema) {
    // Checked now, before anything is installed: the API would reject it after the run started.
    const violations = lintStrictSchema(outputSchema);
    if (violations.length > 0) {
      problem(
        v['output-schema'] ? 'output-schema' : 'output-schema-file',
        `is not a schema the Responses API accepts for strict structured output:\n${formatViolations(violations)}`,
      );
    }
  }
  if (v.mode === 'review' && (v['output-schema'] || v['output-schema-file'])) {
    problem(
      v['output-schema'] ? 'output-schema' : 'output-schema-file',
      'only applies when `mode` is "exec" (Codex ignores an output schema in review mode)',
    );
  }

  if (v.base && v.commit)
    problem('commit', 'cannot be combined with `base`: review either a branch or one commit');

  let codexArgs: string[] = [];
  if (v['codex-args']) {
    const parsed = parseCodexArgs(v['codex-args']);
    if (typeof parsed === 'string') problem('codex-args', parsed);
    else codexArgs = parsed;
  }

  if (v['safety-strategy'] === 'unprivileged-user' && !v['codex-user']) {
    problem('codex-user', 'is required when `safety-strategy` is "unprivileged-user"');
  }

  if (problems.length > 0 || !fieldsValid) throw settingsError(problems);

  return {
    mode: v.mode,
    openaiApiKey: v['openai-api-key'],
    openaiBaseUrl: v['openai-base-url']?.replace(/\/+$/, ''),
    codexVersion: v['codex-version'].trim(),
    model: v.model,
    effort: v.effort,
    sandbox: v.sandbox,
    prompt,
    outputSchema,
    base: v.base?.trim(),
    commit: v.commit?.trim(),
    post: v.post,
    incremental: v.incremental,
    minPriority: v['min-priority'],
    maxInlineComments: v['max-inline-comments'],
    failOn: v['fail-on'],
    githubToken: v['github-token'],
    gitlabToken: v['gitlab-token'],
    sarifFile: v['sarif-file'] && resolve(v['sarif-file']),
    codequalityFile: v['codequality-file'] && resolve(v['codequality-file']),
    timeoutMs: v['timeout-minutes'],
    workingDirectory,
    codexArgs,
    codexHome: v['codex-home'] && resolve(v['codex-home']),
    safetyStrategy: v['safety-strategy'],
    codexUser: v['codex-user'],
    allowUsers: v['allow-users'],
    allowBots: v['allow-bots'],
    allowUntrustedPullRequests: v['allow-untrusted-pull-requests'],
  };
}

function describeProblem(name: SettingName, value: string, message: string): string {
  const def: SettingDefinition = SETTING_DEFINITIONS[name];
  const shown = def.secret
    ? '(hidden)'
    : JSON.stringify(value.length > 200 ? `${value.slice(0, 200)}…` : value);
  return `setting \`${name}\` = ${shown}: ${message}`;
}

function settingsError(problems: string[]): ConfigurationError {
  const head = problems.length === 1 ? 'Invalid setting' : `${problems.length} invalid settings`;
  return new ConfigurationError(
    `${head}:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    problems,
  );
}

function isDirectory(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function readTextFile(p: string): string | undefined {
  try {
    return fs.statSync(p).isFile() ? fs.readFileSync(p, 'utf8') : undefined;
  } catch {
    return undefined;
  }
}

function parseSchemaText(
  text: string,
  fail: (message: string) => void,
): Record<string, unknown> | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    fail(`is not valid JSON: ${(error as Error).message}`);
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    fail('must be a JSON Schema object such as {"type":"object", ...}');
    return undefined;
  }
  return value as Record<string, unknown>;
}

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
