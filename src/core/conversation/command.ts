// What a comment asks for, when it starts with the trigger phrase. Platform-neutral: GitHub's
// comment events and a GitLab pipeline started for a note both read commands this way.

export type Command =
  /** Review the change request now. */
  | { kind: 'review' }
  /** Dismiss the finding of the thread the command is in. */
  | { kind: 'dismiss'; reason: string }
  /** Anything else after the phrase is a question. */
  | { kind: 'ask'; question: string };

/** The longest question or reason taken; a comment can be 65,536 characters. */
const MAX_TEXT = 8_000;

/**
 * The command in `body`, or undefined when the body does not start with `phrase` (case
 * ignored, after leading blanks) followed by a word boundary — `@codex-reviewer` is not
 * `@codex-review` — or when nothing follows it.
 */
export function parseCommand(body: string, phrase: string): Command | undefined {
  const text = body.replace(/^\s+/, '');
  if (text.slice(0, phrase.length).toLowerCase() !== phrase.toLowerCase()) return undefined;
  const after = text.slice(phrase.length);
  if (after !== '' && /^[\p{L}\p{N}_-]/u.test(after)) return undefined;
  const rest = after.replace(/^[\s:,]+/, '').trimEnd();
  if (rest === '') return undefined;
  const [word = '', ...more] = rest.split(/\s+/);
  const verb = word.toLowerCase().replace(/[.!:]$/, '');
  if (verb === 'review' && more.length === 0) return { kind: 'review' };
  if (verb === 'dismiss') {
    const reason = rest.slice(word.length).replace(/^[\s:,-]+/, '');
    return { kind: 'dismiss', reason: reason.slice(0, MAX_TEXT) };
  }
  return { kind: 'ask', question: rest.slice(0, MAX_TEXT) };
}
