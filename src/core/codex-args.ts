// The `codex-args` setting, split into the words Codex receives.
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
