// The repository's agent instructions (AGENTS.md, AGENTS.override.md) as Codex would gather them
// — one file per directory from the repository root down to the working directory, the override
// first, at most 32 KiB in all — but read from the commit review rules come from. Codex's own
// discovery is switched off (codex/isolation.ts), so on a pull request the head's copies never
// reach the model, and the base's are handed to Codex as developer instructions, which nothing in
// the checkout can override.
import fs from 'node:fs';
import path from 'node:path';
import { tryGit } from './git.js';
import { readRuleFile, type RuleSource } from './repo-files.js';

/** Codex's default `project_doc_max_bytes`. */
export const AGENT_INSTRUCTIONS_MAX_BYTES = 32 * 1024;
const CANDIDATES = ['AGENTS.override.md', 'AGENTS.md'] as const;

export interface AgentInstructions {
  /** The text for Codex's developer instructions; undefined when there is none. */
  text: string | undefined;
  /** The files used, repository-relative. */
  files: string[];
  /** Files that exist but were not used, and why. */
  warnings: string[];
}

/** The directories Codex reads AGENTS.md in: the repository root down to the working directory. */
function directories(root: string, workingDirectory: string): string[] {
  const relative = path.relative(root, workingDirectory);
  if (relative.startsWith('..') || path.isAbsolute(relative)) return [workingDirectory];
  const dirs = [root];
  let dir = root;
  for (const part of relative.split(path.sep).filter(Boolean)) {
    dir = path.join(dir, part);
    dirs.push(dir);
  }
  return dirs;
}

export async function readAgentInstructions(
  source: RuleSource,
  workingDirectory: string,
): Promise<AgentInstructions> {
  const root = source.repoRoot ?? workingDirectory;
  const sections: Array<{ file: string; text: string }> = [];
  const warnings: string[] = [];
  for (const dir of directories(root, workingDirectory)) {
    for (const name of CANDIDATES) {
      const file = path.join(dir, name);
      const shown = path.relative(root, file).split(path.sep).join('/');
      // Links inside the repository are followed (AGENTS.md → CLAUDE.md is common); a link out
      // of it is not.
      const read = await readRuleFile(source, file, { followLinksInRepo: true });
      if (read.kind === 'missing') continue;
      if (read.kind === 'refused') {
        warnings.push(`${shown} was not used: ${read.reason}`);
        continue;
      }
      if (read.text.trim() !== '') sections.push({ file: shown, text: read.text.trim() });
      break;
    }
  }
  if (sections.length === 0) return { text: undefined, files: [], warnings };
  let budget = AGENT_INSTRUCTIONS_MAX_BYTES;
  const parts: string[] = [];
  for (const section of sections) {
    if (budget <= 0) {
      warnings.push(`${section.file} was left out: the instructions exceed 32 KiB`);
      continue;
    }
    const bytes = Buffer.from(section.text, 'utf8');
    const text =
      bytes.length > budget
        ? `${bytes
            .subarray(0, budget)
            .toString('utf8')
            .replace(/\uFFFD+$/, '')}\n[truncated at 32 KiB]`
        : section.text;
    if (bytes.length > budget) warnings.push(`${section.file} was truncated at 32 KiB`);
    budget -= bytes.length;
    parts.push(`--- ${section.file} ---\n${text}`);
  }
  const text = [
    `# AGENTS.md instructions for ${root}`,
    '',
    `The repository's agent instructions, as of ${source.label}.`,
    '',
    '<INSTRUCTIONS>',
    parts.join('\n\n'),
    '</INSTRUCTIONS>',
  ].join('\n');
  return { text, files: sections.map((s) => s.file), warnings };
}

/**
 * The paths Codex looks up project trust under for this working directory: the working
 * directory, the repository root and, for a linked worktree, the main checkout (Codex resolves
 * trust to it), each as given and as the real path. Marking all of them untrusted keeps the
 * checkout's .codex/ (config, hooks, rules, MCP servers) unloaded even when a `codex-home` says
 * the project is trusted.
 */
export async function projectTrustPaths(workingDirectory: string): Promise<string[]> {
  const paths = [workingDirectory];
  const root = await tryGit(workingDirectory, ['rev-parse', '--show-toplevel']);
  if (root) paths.push(root);
  const common = await tryGit(workingDirectory, [
    'rev-parse',
    '--path-format=absolute',
    '--git-common-dir',
  ]);
  if (common && path.basename(common) === '.git') paths.push(path.dirname(common));
  const all = paths.flatMap((p) => {
    try {
      return [p, fs.realpathSync(p)];
    } catch {
      return [p];
    }
  });
  return [...new Set(all.map((p) => path.resolve(p)))];
}
