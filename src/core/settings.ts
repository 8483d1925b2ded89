// Every setting of the product, declared once below with its zod type, default, description and
// flags. The action, the CLI flags and the CODEX_REVIEW_* environment all feed raw strings into
// parseSettings(); nothing else validates. The Settings type is inferred from the schema, and
// action.yml's inputs, the CLI help and the README table are generated from it (npm run docs;
// test/unit/settings-docs.test.ts fails when one of them disagrees).
import path from 'node:path';
import { z } from 'zod';
import { findRefusedCodexArgs, parseCodexArgs } from './codex-args.js';
import { ConfigurationError } from './errors.js';
import { formatViolations, lintStrictSchema } from './exec/strict-schema.js';
import { parseShardSpec, type ShardSpec } from './shard.js';
import {
  booleanText,
  httpUrlText,
  integerText,
  isDirectory,
  listText,
  envNamesText,
  oneOf,
  optionalOneOf,
  optionalText,
  parseSchemaText,
} from './setting-values.js';

export { parseCodexArgs } from './codex-args.js';

/** The newest @openai/codex this project is tested against (see test/e2e). */
export const DEFAULT_CODEX_VERSION = '0.171.0';

export const MODES = ['review', 'exec', 'merge'] as const;
export const SANDBOXES = ['read-only', 'workspace-write', 'danger-full-access'] as const;
export const POST_TARGETS = ['auto', 'review', 'summary', 'issue', 'none'] as const;
export const FAIL_ON = ['none', 'p0', 'p1', 'p2', 'p3', 'any'] as const;
export const EFFORTS = ['minimal', 'low', 'medium', 'high', 'xhigh'] as const;
export const SAFETY_STRATEGIES = ['drop-sudo', 'unprivileged-user', 'unsafe'] as const;

export type Mode = (typeof MODES)[number];
export type Sandbox = (typeof SANDBOXES)[number];
export type PostTarget = (typeof POST_TARGETS)[number];
export type FailOn = (typeof FAIL_ON)[number];

/** What the docs and the runner need to know about a setting besides its type. */
export interface SettingMeta {
  /** Default as a raw string; '' means "not set". A `${{ … }}` default is filled in by the runner. */
  default: string;
  description: string;
  /** false: not an action input (only the CLI takes it). */
  action?: false;
  /** A credential: never echoed in errors or logs. */
  secret?: true;
  /** An empty value is a value (it switches the setting off) rather than "use the default". */
  emptyIsValue?: true;
}

/** The metadata of each field schema of SETTINGS_SCHEMA. */
export const settingMeta = z.registry<SettingMeta>();

/** Registers a copy: field types such as optionalText are shared, their metadata is not. */
function setting<T extends z.ZodType>(type: T, meta: SettingMeta): T {
  const own = type.clone() as T;
  settingMeta.add(own, meta);
  return own;
}

const codexArgsText = optionalText.transform((text, ctx): string[] => {
  if (text === undefined) return [];
  const args = parseCodexArgs(text);
  if (typeof args === 'string') {
    ctx.addIssue({ code: 'custom', message: args, input: text });
    return z.NEVER;
  }
  return args;
});

/** The settings, in the order the docs list them. Each field parses the setting's raw string. */
export const SETTINGS_SCHEMA = z.object({
  mode: setting(oneOf(MODES), {
    default: 'review',
    description:
      '`review` runs `codex exec review`; `exec` runs `codex exec` with a prompt and an output schema; `merge` runs no Codex and combines the findings files of sharded jobs named by `merge-from`.',
  }),
  'openai-api-key': setting(optionalText, {
    default: '',
    description:
      'OpenAI API key. Required unless Codex is already logged in (`codex login status`).',
    secret: true,
  }),
  'openai-base-url': setting(httpUrlText, {
    default: '',
    description: 'Responses API base URL for OpenAI-compatible endpoints (Azure, gateways).',
  }),
  'codex-version': setting(
    z
      .string()
      .refine((v) => /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/.test(v.trim()), {
        message: 'must be an exact version of @openai/codex such as "0.169.0"',
      })
      .transform((v) => v.trim()),
    { default: DEFAULT_CODEX_VERSION, description: 'Version of `@openai/codex` to install.' },
  ),
  model: setting(optionalText, { default: '', description: 'Model; empty lets Codex choose.' }),
  effort: setting(optionalOneOf(EFFORTS), {
    default: '',
    description:
      'Reasoning effort: `minimal`, `low`, `medium`, `high` or `xhigh`; empty lets Codex choose.',
  }),
  sandbox: setting(oneOf(SANDBOXES), {
    default: 'read-only',
    description:
      'Sandbox for commands Codex runs: `read-only`, `workspace-write` or `danger-full-access`.',
  }),
  prompt: setting(optionalText, {
    default: '',
    description:
      '`review`: extra review instructions. `exec`: the prompt (this or `prompt-file` is required).',
  }),
  'prompt-file': setting(optionalText, {
    default: '',
    description:
      'Same as `prompt`, read from a file (relative to the workspace). On a pull/merge request it is read from the base commit, never through a symbolic link.',
  }),
  'output-schema': setting(optionalText, {
    default: '',
    description:
      '`exec`: inline JSON Schema for the final message. Empty means the built-in findings schema.',
  }),
  'output-schema-file': setting(optionalText, {
    default: '',
    description:
      '`exec`: JSON Schema file for the final message (relative to the workspace). On a pull/merge request it is read from the base commit, never through a symbolic link.',
  }),
  base: setting(optionalText, {
    default: '',
    description: '`review`: base branch or SHA to diff against. Defaults to the pull request base.',
  }),
  commit: setting(optionalText, {
    default: '',
    description: '`review`: review the changes of one commit instead (push / schedule).',
  }),
  post: setting(oneOf(POST_TARGETS), {
    default: 'auto',
    description:
      'Where findings go: `auto` (inline review + summary on a PR/MR, nothing elsewhere), `review`, `summary`, `issue` or `none`.',
  }),
  incremental: setting(booleanText, {
    default: 'true',
    description:
      'On a re-run for the same PR/MR, review only the commits since the last reviewed head.',
  }),
  'min-priority': setting(integerText(0, 3, 'a whole number from 0 (P0, most severe) to 3'), {
    default: '2',
    description:
      'Findings with priority ≤ this (P0 most severe) are posted inline; the rest go to the summary.',
  }),
  'max-inline-comments': setting(integerText(0, 1000, 'a whole number from 0 to 1000'), {
    default: '25',
    description: 'Cap on inline comments per run; the rest go to the summary.',
  }),
  'fail-on': setting(oneOf(FAIL_ON), {
    default: 'none',
    description:
      '`none`, `p0`, `p1`, `p2`, `p3` or `any`: fail when a finding at or above that priority exists.',
  }),
  'github-token': setting(optionalText, {
    default: '${{ github.token }}',
    description: 'Token for the GitHub API.',
    secret: true,
  }),
  'gitlab-token': setting(optionalText, {
    default: '',
    description: 'GitLab API token with `api` scope (CLI `gitlab`; also `GITLAB_TOKEN`).',
    action: false,
    secret: true,
  }),
  'sarif-file': setting(optionalText, {
    default: '',
    description: 'Write a SARIF 2.1.0 file of all findings here.',
  }),
  'codequality-file': setting(optionalText, {
    default: '',
    description: 'Write a GitLab Code Quality JSON report here.',
  }),
  'timeout-minutes': setting(
    z
      .string()
      .refine((v) => /^\s*\d*\.?\d+\s*$/.test(v) && Number(v) > 0 && Number(v) <= 360, {
        message:
          'must be a number of minutes greater than 0 and at most 360 (fractions such as 0.5 are allowed)',
      })
      .transform((v) => Math.round(Number(v) * 60_000)),
    {
      default: '30',
      description: 'Hard limit on the Codex run, in minutes (fractions allowed).',
    },
  ),
  'working-directory': setting(optionalText, {
    default: '',
    description: 'Directory Codex works in. Defaults to the workspace.',
  }),
  'codex-args': setting(codexArgsText, {
    default: '',
    description:
      'Extra arguments for Codex: a JSON array of strings, or a shell-style string. Arguments that would undo a protection (sandbox, project trust, environment filter, provider, working directory) are refused unless `safety-strategy` is `unsafe`.',
  }),
  'codex-home': setting(optionalText, {
    default: '',
    description: '`CODEX_HOME` for the run. Defaults to a fresh temporary directory.',
  }),
  'safety-strategy': setting(oneOf(SAFETY_STRATEGIES), {
    default: 'drop-sudo',
    description:
      '`drop-sudo`, `unprivileged-user` or `unsafe` (as in openai/codex-action). `unsafe` also accepts `codex-args` that undo a protection, with a warning.',
  }),
  'codex-user': setting(optionalText, {
    default: '',
    description: 'User to run Codex as with `unprivileged-user`.',
  }),
  'codex-env': setting(envNamesText, {
    default: '',
    description:
      'Names of environment variables the commands Codex runs may see, comma-separated (besides PATH, locale, TERM, proxies and CI). Nothing else reaches them.',
  }),
  'allow-users': setting(listText, {
    default: '',
    description:
      'Extra GitHub logins allowed to trigger a run (besides users with write access), comma-separated.',
  }),
  'allow-bots': setting(listText, {
    default: '',
    description: 'Bot logins allowed to trigger a run, comma-separated.',
  }),
  shard: setting(
    optionalText.transform((text, ctx): ShardSpec | undefined => {
      if (text === undefined) return undefined;
      const spec = parseShardSpec(text);
      if (typeof spec === 'string') {
        ctx.addIssue({ code: 'custom', message: spec, input: text });
        return z.NEVER;
      }
      return spec;
    }),
    {
      default: '',
      description:
        '`i/n` (e.g. `2/4`): this job reviews or audits the i-th of n disjoint slices of the files (a matrix job); a `merge` job combines them. On GitLab, `parallel:` sets it when empty.',
    },
  ),
  'merge-from': setting(optionalText, {
    default: '',
    description:
      "`mode: merge`: glob of the shards' findings files to combine (e.g. `shards/*/findings.json`).",
  }),
  'allow-untrusted-pull-requests': setting(booleanText, {
    default: 'false',
    description:
      'Allow `pull_request_target` runs whose head is a fork (the agent then reads untrusted code while holding secrets).',
  }),
  'config-file': setting(optionalText, {
    default: '.github/codex-review.yml',
    description:
      "The repository's review configuration (YAML: instructions, paths, path-instructions, skip), relative to the workspace. On a pull/merge request it is read from the base commit. Empty disables it.",
    emptyIsValue: true,
  }),
  suggestions: setting(booleanText, {
    default: 'true',
    description:
      "Inline comments carry a committable suggested change where Codex has a concrete fix for exactly the commented lines (one more Codex turn, in the review's own thread).",
  }),
  'trigger-phrase': setting(
    z
      .string()
      .transform((v) => v.trim())
      .refine((v) => /^\S{2,100}$/.test(v), {
        message: 'must be one word of 2 to 100 characters without spaces, such as "@codex-review"',
      }),
    {
      default: '@codex-review',
      description:
        'A pull request comment or review-thread reply that starts with this phrase is a command: `review`, `dismiss [reason]`, or a question (GitHub `issue_comment` and `pull_request_review_comment` events).',
    },
  ),
});

export type SettingName = keyof typeof SETTINGS_SCHEMA.shape;
export const SETTING_NAMES = Object.keys(SETTINGS_SCHEMA.shape) as SettingName[];
export type RawSettings = Partial<Record<SettingName, string | undefined>>;

export interface SettingDefinition {
  default: string;
  description: string;
  /** Declared in action.yml (false for settings only the CLI takes). */
  action: boolean;
  secret?: true;
  emptyIsValue?: true;
}

/** Each setting's metadata, read back from the schema. */
export const SETTING_DEFINITIONS = Object.fromEntries(
  SETTING_NAMES.map((name) => {
    const meta = settingMeta.get(SETTINGS_SCHEMA.shape[name]);
    if (!meta) throw new Error(`setting ${name} has no metadata`);
    const { action, ...rest } = meta;
    return [name, { ...rest, action: action ?? true }];
  }),
) as Readonly<Record<SettingName, SettingDefinition>>;

export interface ParseContext {
  /** Where relative paths (prompt-file, output-schema-file, working-directory) are resolved. */
  workspace: string;
}

/**
 * The whole schema: the fields above, then what depends on more than one setting or on the
 * workspace (files read, paths resolved, combinations refused). Its output is Settings.
 */
export function settingsSchema(context: ParseContext) {
  return SETTINGS_SCHEMA.transform((v, ctx) => {
    const problem = (name: SettingName, message: string) =>
      ctx.addIssue({ code: 'custom', path: [name], message, input: v[name] });
    const resolve = (p: string) => path.resolve(context.workspace, p);

    let workingDirectory = context.workspace;
    if (v['working-directory']) {
      workingDirectory = resolve(v['working-directory']);
      if (!isDirectory(workingDirectory))
        problem('working-directory', `is not a directory (${workingDirectory})`);
    }

    // prompt-file and output-schema-file are read later, from the commit review rules come from
    // (src/core/pipeline/rules.ts): on a pull request its base, never the checkout.
    if (v.prompt && v['prompt-file']) {
      problem('prompt-file', 'cannot be combined with `prompt`: set only one of them');
    }
    if (v.mode === 'exec' && !v['prompt-file'] && !v.prompt) {
      problem('prompt', 'is required when `mode` is "exec": set `prompt` or `prompt-file`');
    }

    /** The parsed inline output schema for exec; undefined means built-in (or the file's). */
    let outputSchema: Record<string, unknown> | undefined;
    if (v['output-schema'] && v['output-schema-file']) {
      problem(
        'output-schema-file',
        'cannot be combined with `output-schema`: set only one of them',
      );
    } else if (v['output-schema']) {
      outputSchema = parseSchemaText(v['output-schema'], (m) => problem('output-schema', m));
    }
    if (outputSchema) {
      // Checked now, before anything is installed: the API would reject it after the run started.
      const violation = strictSchemaProblem(outputSchema);
      if (violation) problem('output-schema', violation);
    }
    if (v.mode === 'review' && (v['output-schema'] || v['output-schema-file'])) {
      problem(
        v['output-schema'] ? 'output-schema' : 'output-schema-file',
        'only applies when `mode` is "exec" (Codex ignores an output schema in review mode)',
      );
    }

    if (v.mode === 'merge' && !v['merge-from'])
      problem(
        'merge-from',
        'is required when `mode` is "merge": a glob of the shards\' findings files',
      );
    if (v['merge-from'] && v.mode !== 'merge')
      problem('merge-from', 'only applies when `mode` is "merge"');
    if (v.shard && v.mode === 'merge')
      problem('shard', 'does not apply when `mode` is "merge" (the merge combines every shard)');
    if (v.shard && v.shard.total > 1 && ['review', 'summary', 'issue'].includes(v.post)) {
      problem(
        'post',
        `cannot be "${v.post}" in a shard (\`shard\` is ${v.shard.index}/${v.shard.total}): a shard posts nothing; set \`post\` on the merge job (\`mode: merge\`)`,
      );
    }

    if (v.base && v.commit)
      problem('commit', 'cannot be combined with `base`: review either a branch or one commit');

    if (v['safety-strategy'] === 'unprivileged-user' && !v['codex-user']) {
      problem('codex-user', 'is required when `safety-strategy` is "unprivileged-user"');
    }

    /** What the caller should log: protections the workflow chose to switch off. */
    const warnings: string[] = [];
    for (const { argument, reason } of findRefusedCodexArgs(v['codex-args'])) {
      if (v['safety-strategy'] === 'unsafe') {
        warnings.push(
          `setting \`codex-args\`: \`${argument}\` ${reason}. Accepted because \`safety-strategy\` is "unsafe".`,
        );
      } else {
        problem(
          'codex-args',
          `\`${argument}\` ${reason}; or set \`safety-strategy\` to "unsafe" if you mean it`,
        );
      }
    }

    return {
      mode: v.mode,
      openaiApiKey: v['openai-api-key'],
      openaiBaseUrl: v['openai-base-url']?.replace(/\/+$/, ''),
      codexVersion: v['codex-version'],
      model: v.model,
      effort: v.effort,
      sandbox: v.sandbox,
      /** The inline prompt; the text of `prompt-file` is read with the other review rules. */
      prompt: v.prompt,
      /** Absolute path of `prompt-file`. */
      promptFile: v['prompt-file'] && resolve(v['prompt-file']),
      outputSchema,
      /** Absolute path of `output-schema-file`. */
      outputSchemaFile: v['output-schema-file'] && resolve(v['output-schema-file']),
      /** Absolute path of `config-file`; undefined when switched off. */
      configFile: v['config-file'] && resolve(v['config-file']),
      /** `config-file` was set to something else than its default (so a missing file is an error). */
      configFileExplicit:
        v['config-file'] !== undefined &&
        resolve(v['config-file']) !== resolve(SETTING_DEFINITIONS['config-file'].default),
      /** The directory relative paths were resolved against. */
      workspace: context.workspace,
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
      /** Absolute directory Codex works in. */
      workingDirectory,
      codexArgs: v['codex-args'],
      codexHome: v['codex-home'] && resolve(v['codex-home']),
      safetyStrategy: v['safety-strategy'],
      codexUser: v['codex-user'],
      codexEnv: v['codex-env'],
      allowUsers: v['allow-users'],
      allowBots: v['allow-bots'],
      allowUntrustedPullRequests: v['allow-untrusted-pull-requests'],
      /** This job's slice; undefined (or 1/1) for a whole run. */
      shard: v.shard,
      /** `mode: merge`: glob of the shards' findings files, matched in the workspace. */
      mergeFrom: v['merge-from'] ? { pattern: v['merge-from'], cwd: context.workspace } : undefined,
      suggestions: v.suggestions,
      triggerPhrase: v['trigger-phrase'],
      warnings,
    };
  });
}

export type Settings = z.output<ReturnType<typeof settingsSchema>>;

/** The raw string each setting is parsed from: missing or empty ones take their default. */
function withDefaults(raw: RawSettings): Record<SettingName, string> {
  const values = {} as Record<SettingName, string>;
  for (const name of SETTING_NAMES) {
    const value = raw[name];
    const fallback = SETTING_DEFINITIONS[name].default;
    const unset =
      value === undefined || (value.trim() === '' && !SETTING_DEFINITIONS[name].emptyIsValue);
    values[name] = unset ? (fallback.startsWith('${{') ? '' : fallback) : value;
  }
  return values;
}

/**
 * Validate raw setting strings into Settings. Every bad field is reported at once; checks that
 * combine settings (or read files) run once the fields they use are valid.
 */
export function parseSettings(raw: RawSettings, context: ParseContext): Settings {
  const values = withDefaults(raw);
  const schema = settingsSchema(context);
  const result = schema.safeParse(values);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => ({ name: issue.path[0], issue }));
  // zod runs the checks that combine settings (and read files) only once every field is valid.
  // Every problem is reported in one round: run them again with each bad field at its default,
  // keeping what they say about the fields that were not already wrong.
  const bad = new Set(problems.map((p) => p.name));
  const repaired = { ...values };
  for (const name of bad)
    if (typeof name === 'string' && name in SETTING_DEFINITIONS)
      repaired[name as SettingName] = SETTING_DEFINITIONS[name as SettingName].default;
  const again = schema.safeParse(repaired);
  if (!again.success)
    for (const issue of again.error.issues)
      if (!bad.has(issue.path[0])) problems.push({ name: issue.path[0], issue });
  throw settingsError(
    problems.map(({ name, issue }) =>
      typeof name === 'string' && name in values
        ? describeProblem(name as SettingName, values[name as SettingName], issue.message)
        : issue.message,
    ),
  );
}

function describeProblem(name: SettingName, value: string, message: string): string {
  const shown = SETTING_DEFINITIONS[name].secret
    ? '(hidden)'
    : JSON.stringify(value.length > 200 ? `${value.slice(0, 200)}…` : value);
  return `setting \`${name}\` = ${shown}: ${message}`;
}

/**
 * Why a parsed output schema cannot be used for strict structured output, or undefined. Checked
 * before anything is installed: the API would reject it after the run started.
 */
export function strictSchemaProblem(schema: Record<string, unknown>): string | undefined {
  const violations = lintStrictSchema(schema);
  return violations.length === 0
    ? undefined
    : `is not a schema the Responses API accepts for strict structured output:\n${formatViolations(violations)}`;
}

function settingsError(problems: string[]): ConfigurationError {
  const head = problems.length === 1 ? 'Invalid setting' : `${problems.length} invalid settings`;
  return new ConfigurationError(
    `${head}:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    problems,
  );
}
