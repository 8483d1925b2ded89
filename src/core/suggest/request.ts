// What the follow-up turn asks Codex for: a replacement of exactly the commented lines of each
// inline finding, as strict structured output, and how its reply is read.
import { validateReply } from '../exec/reply.js';

/** One inline finding a fix is asked for. */
export interface SuggestionTarget {
  /** Numbers the findings in the prompt; the reply refers to them. */
  id: number;
  title: string;
  path: string;
  startLine: number;
  endLine: number;
  /** The commented lines at the reviewed head, without line endings. */
  lines: string[];
}

/** The reply's schema, within the Responses API's strict subset (test/unit lints it). */
export const SUGGESTIONS_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['suggestions'],
  properties: {
    suggestions: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'replacement'],
        properties: {
          id: { type: 'integer', description: 'The number of the finding.' },
          replacement: {
            type: ['string', 'null'],
            description:
              'The full new text of exactly the listed lines, or null when there is no concrete fix confined to them.',
          },
        },
      },
    },
  },
} as const;

/** A fence that no backtick run in `text` can close. */
function fence(text: string): string {
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  return '`'.repeat(Math.max(3, longest + 1));
}

export function suggestionPrompt(targets: SuggestionTarget[]): string {
  const parts = [
    'Your review is posted as inline comments on the lines listed below. For each finding, ' +
      'propose a committable change of exactly those lines, which a reviewer can apply with one click.',
    '',
    'Rules:',
    '- `replacement` is the complete new text of all the listed lines, from the first to the last, ' +
      'as they should read after the fix: unchanged lines included, the same indentation (tabs or ' +
      'spaces as the file uses), no line numbers, no Markdown fence.',
    '- Give a replacement only for a concrete fix that needs no change outside these lines ' +
      'and that you are confident is correct; otherwise `replacement` is null.',
    '- Do not modify any file. You may read files to check your fix.',
    '- Answer for every finding, by its number.',
  ];
  for (const t of targets) {
    const lines = t.lines.join('\n');
    const mark = fence(lines);
    const where =
      t.startLine === t.endLine ? `line ${t.startLine}` : `lines ${t.startLine}-${t.endLine}`;
    parts.push(
      '',
      `Finding ${t.id}: ${t.title}`,
      `${t.path}, ${where}, as they read now:`,
      mark,
      lines,
      mark,
    );
  }
  return parts.join('\n');
}

export type SuggestionReply =
  { ok: true; replacements: Map<number, string> } | { ok: false; error: string };

/** The replacements by finding number; the first answer for a number counts. */
export function readSuggestionReply(message: string): SuggestionReply {
  const check = validateReply(message, SUGGESTIONS_SCHEMA);
  if (!check.ok) {
    return { ok: false, error: `the reply does not match its schema: ${check.errors.join('; ')}` };
  }
  const replacements = new Map<number, string>();
  const { suggestions } = check.value as {
    suggestions: Array<{ id: number; replacement: string | null }>;
  };
  for (const s of suggestions) {
    if (s.replacement !== null && !replacements.has(s.id)) replacements.set(s.id, s.replacement);
  }
  return { ok: true, replacements };
}
