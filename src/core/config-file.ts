// The repository's review configuration (`config-file`, default .github/codex-review.yml): one
// zod schema, read (by the caller) from the commit review rules come from. A key the schema does
// not know, or a value of the wrong type, fails the run before anything is installed, naming the
// file, the key, the value and what is allowed.
import picomatch from 'picomatch';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { ConfigurationError } from './errors.js';

const glob = z
  .string({ error: "must be a glob such as 'src/**'" })
  .refine((g) => g.trim() !== '', { message: "must be a glob such as 'src/**', not empty" })
  .refine((g) => !g.startsWith('/'), {
    message: "must be relative to the repository root, such as 'src/**' (no leading /)",
  })
  .refine((g) => !g.startsWith('!'), {
    message: 'cannot be negated with "!": list what to leave out under `paths.exclude`',
  })
  .refine((g) => !g.split('/').includes('..'), {
    message: 'cannot contain ".." (paths are relative to the repository root)',
  })
  // picomatch turns what it cannot parse (an unclosed brace) into a pattern matching nothing.
  .refine((g) => picomatch.makeRe(g).source !== '$^', {
    message: 'is not a glob picomatch can parse (an unclosed { or [?)',
  });

const globs = z.array(glob, { error: "must be a list of globs such as ['dist/**']" });
const text = z.string({ error: 'must be text' });
const names = z.array(z.string({ error: 'must be text' }), {
  error: "must be a list such as ['wip']",
});

export const REPO_CONFIG_SCHEMA = z.strictObject(
  {
    instructions: text.optional(),
    paths: z
      .strictObject(
        { include: globs.optional(), exclude: globs.optional() },
        { error: 'must be a mapping with `include` and/or `exclude`' },
      )
      .optional(),
    'path-instructions': z
      .array(
        z.strictObject(
          { path: glob, instructions: text },
          { error: 'must be a mapping with `path` and `instructions`' },
        ),
        { error: 'must be a list of {path, instructions}' },
      )
      .optional(),
    skip: z
      .strictObject(
        {
          drafts: z.boolean({ error: 'must be true or false' }).optional(),
          labels: names.optional(),
          authors: names.optional(),
        },
        { error: 'must be a mapping with `drafts`, `labels` and/or `authors`' },
      )
      .optional(),
  },
  { error: 'must be a YAML mapping of instructions, paths, path-instructions and skip' },
);

export type RepoConfig = z.output<typeof REPO_CONFIG_SCHEMA>;

/** The keys each mapping of the file takes, for "allowed keys" in messages. */
const KEYS: Record<string, readonly string[]> = {
  '': ['instructions', 'paths', 'path-instructions', 'skip'],
  paths: ['include', 'exclude'],
  'path-instructions[]': ['path', 'instructions'],
  skip: ['drafts', 'labels', 'authors'],
};

/**
 * Parses and validates the file's text. `where` names the file and where it was read from, for
 * messages ("config file .github/codex-review.yml (from the base commit 1a2b3c4 of …)").
 */
export function parseRepoConfig(source: string, where: string): RepoConfig {
  const document = parseDocument(source, { prettyErrors: true, uniqueKeys: true });
  if (document.errors.length > 0) {
    throw configError(
      where,
      document.errors.map((e) => `is not valid YAML: ${e.message.split('\n')[0]}`),
    );
  }
  const value: unknown = document.toJS({ maxAliasCount: 100 }) ?? {};
  const result = REPO_CONFIG_SCHEMA.safeParse(value);
  if (result.success) return result.data;
  throw configError(
    where,
    result.error.issues.flatMap((issue) => describeIssue(issue, value)),
  );
}

function configError(where: string, problems: string[]): ConfigurationError {
  const lines = problems.map((p) => `${where}: ${p}`);
  return new ConfigurationError(
    lines.length === 1
      ? lines[0]!
      : `${lines.length} problems:\n${lines.map((l) => `  - ${l}`).join('\n')}`,
    lines,
  );
}

function keyPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let value = root;
  for (const part of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[part];
  }
  return value;
}

function shown(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 120 ? `${text.slice(0, 120)}…` : text;
}

function describeIssue(issue: z.core.$ZodIssue, root: unknown): string[] {
  if (issue.code === 'unrecognized_keys') {
    const parent = keyPath(issue.path);
    const allowed = KEYS[parent.replace(/\[\d+\]$/, '[]')] ?? [];
    return issue.keys.map((key) => {
      const full = parent ? `${parent}.${key}` : key;
      return (
        `\`${full}\` = ${shown(valueAt(root, [...issue.path, key]))}: is not a known key; ` +
        `allowed${parent ? ` in \`${parent}\`` : ''}: ${allowed.join(', ')}`
      );
    });
  }
  const key = keyPath(issue.path);
  const value = valueAt(root, issue.path);
  if (key && value === undefined) return [`\`${key}\` is missing: ${issue.message}`];
  return [
    key
      ? `\`${key}\` = ${shown(value)}: ${issue.message}`
      : `${issue.message} (found ${shown(value)})`,
  ];
}

/** Which repository paths the review covers: `paths.include` minus `paths.exclude`. */
export class PathScope {
  private readonly included: (path: string) => boolean;
  private readonly excludedBy: (path: string) => boolean;

  constructor(
    readonly include: readonly string[] = ['**'],
    readonly exclude: readonly string[] = [],
  ) {
    // dot: `.github/**` must match dotfiles, as a user reading the glob expects.
    this.included = include.length > 0 ? picomatch([...include], { dot: true }) : () => false;
    this.excludedBy = exclude.length > 0 ? picomatch([...exclude], { dot: true }) : () => false;
  }

  static of(config: RepoConfig | undefined): PathScope {
    return new PathScope(config?.paths?.include ?? ['**'], config?.paths?.exclude ?? []);
  }

  /** Everything is in scope (no include narrower than `**`, nothing excluded). */
  get everything(): boolean {
    return this.exclude.length === 0 && this.include.length === 1 && this.include[0] === '**';
  }

  /** A repository-relative POSIX path is reviewed and reported. */
  covers(repoPath: string): boolean {
    return this.included(repoPath) && !this.excludedBy(repoPath);
  }
}

/** The configuration's instructions for the model: its own text, per-path text and the scope. */
export function configInstructions(config: RepoConfig | undefined): string | undefined {
  if (!config) return undefined;
  const parts: string[] = [];
  if (config.instructions?.trim()) parts.push(config.instructions.trim());
  const perPath = (config['path-instructions'] ?? []).filter((p) => p.instructions.trim());
  if (perPath.length > 0) {
    parts.push(
      [
        'Instructions for particular files (paths are globs relative to the repository root):',
        ...perPath.map((p) => `- For files matching \`${p.path}\`: ${p.instructions.trim()}`),
      ].join('\n'),
    );
  }
  const scope = PathScope.of(config);
  if (!scope.everything) {
    const lines = ['Scope of this review (globs relative to the repository root):'];
    if (!(scope.include.length === 1 && scope.include[0] === '**'))
      lines.push(
        `- Only files matching ${scope.include.map((g) => `\`${g}\``).join(', ')} are in scope.`,
      );
    if (scope.exclude.length > 0)
      lines.push(
        `- Files matching ${scope.exclude.map((g) => `\`${g}\``).join(', ')} are out of scope: do not review them and report no findings in them.`,
      );
    parts.push(lines.join('\n'));
  }
  return parts.length > 0 ? parts.join('\n\n') : undefined;
}

/** What the skip rules look at; undefined where the platform did not say. */
export interface ChangeFacts {
  draft?: boolean;
  labels?: string[];
  author?: string;
}

export interface SkipDecision {
  /** Why the run ends now; undefined when it goes on. */
  reason: string | undefined;
  /** Rules that could not be checked because the platform did not say (for a warning). */
  unchecked: string[];
}

/** Whether the configuration's `skip` rules end this run on a change request. */
export function decideSkip(
  config: RepoConfig | undefined,
  facts: ChangeFacts,
  name: string,
): SkipDecision {
  const skip = config?.skip;
  const unchecked: string[] = [];
  if (!skip) return { reason: undefined, unchecked };
  if (skip.drafts) {
    if (facts.draft === undefined) unchecked.push('skip.drafts');
    else if (facts.draft) return { reason: `${name} is a draft (\`skip.drafts\`)`, unchecked };
  }
  const labels = skip.labels ?? [];
  if (labels.length > 0) {
    if (facts.labels === undefined) unchecked.push('skip.labels');
    else {
      const wanted = new Set(labels.map((l) => l.toLowerCase()));
      const hit = facts.labels.find((l) => wanted.has(l.toLowerCase()));
      if (hit !== undefined)
        return { reason: `${name} has the label "${hit}" (\`skip.labels\`)`, unchecked };
    }
  }
  const authors = skip.authors ?? [];
  if (authors.length > 0) {
    if (facts.author === undefined) unchecked.push('skip.authors');
    else if (authors.some((a) => a.toLowerCase() === facts.author!.toLowerCase()))
      return { reason: `${name} is by ${facts.author} (\`skip.authors\`)`, unchecked };
  }
  return { reason: undefined, unchecked };
}
