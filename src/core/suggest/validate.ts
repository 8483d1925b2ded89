// The checks a suggested change passes before it is posted. A suggestion is applied with one
// click, so a wrong one is worse than none: anything doubtful is dropped (never repaired, since
// any repair would change the code), and the finding is posted without it.
import type { DiffIndex } from '../diff/diff-index.js';
import type { InlineAnchor } from '../diff/placement.js';
import type { Redactor } from '../redact.js';
import type { Suggestion } from '../review/finding.js';

/**
 * One of the rules every posted text passes (neutralised markers, GitLab quick actions, terminal
 * controls). Other layers own them; they are handed in. A suggestion must come out unchanged:
 * escaping it would change the code it commits.
 */
export interface OutputRule {
  /** What the rule keeps out, in words for the log ("a GitLab quick action"). */
  keepsOut: string;
  apply(text: string): string;
}

export interface SuggestionCandidate {
  /** Where the inline comment goes. */
  anchor: InlineAnchor;
  /** The lines the replacement was written for; the anchor's when not given. */
  lines?: { start: number; end: number };
  /** The replacement as Codex wrote it. */
  replacement: string;
}

export interface SuggestionContext {
  /** The change request's diff, as the platform accepts comments on it. */
  diff: DiffIndex;
  /** The commented file at the reviewed head; undefined when git could not read it. */
  fileText: string | undefined;
  redactor: Redactor;
  rules: readonly OutputRule[];
}

export type SuggestionCheck = { ok: true; suggestion: Suggestion } | { ok: false; reason: string };

const span = (start: number, end: number) =>
  start === end ? `line ${start}` : `lines ${start}–${end}`;

export function checkSuggestion(
  candidate: SuggestionCandidate,
  context: SuggestionContext,
): SuggestionCheck {
  const { anchor } = candidate;
  const refuse = (reason: string): SuggestionCheck => ({ ok: false, reason });
  if (anchor.side !== 'RIGHT') {
    return refuse(
      anchor.side === 'LEFT'
        ? 'the comment is on removed lines (the old side); a suggestion can only change new lines'
        : 'the comment is on the whole file, not on lines',
    );
  }
  const start = anchor.startLine;
  const end = anchor.line;
  const claimed = candidate.lines ?? { start, end };
  if (claimed.start !== start || claimed.end !== end) {
    return refuse(
      `the fix was written for ${span(claimed.start, claimed.end)}, the comment covers ${span(start, end)}`,
    );
  }
  const hunk = context.diff.rightHunk(anchor.path, start, end);
  if (!hunk || hunk.start !== start || hunk.end !== end) {
    return refuse(`${span(start, end)} are not all on the new side of one hunk of the diff`);
  }
  if (context.fileText === undefined)
    return refuse('the file could not be read at the reviewed head');

  const file = splitLines(context.fileText);
  if (end > file.length) {
    return refuse(`the file has ${file.length} line(s) at the reviewed head, fewer than ${end}`);
  }
  const covered = file.slice(start - 1, end);
  const endings = new Set(covered.map((l) => l.ending).filter((e) => e !== ''));
  if (endings.size > 1) return refuse('the commented lines mix LF and CRLF line endings');
  const lineEnding = [...endings][0] ?? dominantEnding(file);

  let text = candidate.replacement;
  if (lineEnding === '\r\n') text = text.replace(/\r\n/g, '\n');
  if (text.includes('\r')) {
    return refuse(
      lineEnding === '\n'
        ? 'it has carriage returns (CRLF) in a file with LF line endings'
        : 'it has a carriage return that ends no line',
    );
  }
  // A reply usually ends its text with a newline; the lines themselves do not include it.
  if (text.endsWith('\n')) text = text.slice(0, -1);
  if (text === '') return refuse('it is empty (deleting lines is not suggested)');
  const replacement = text.split('\n');
  const original = covered.map((l) => l.text);
  if (replacement.length === original.length && replacement.every((l, i) => l === original[i])) {
    return refuse('it changes nothing');
  }

  const style = indentStyle(original) ?? indentStyle(file.map((l) => l.text));
  const misfit = replacement.find((l) => !fitsIndentStyle(l, style));
  if (misfit !== undefined) {
    return refuse(
      style === 'tabs'
        ? 'it indents with spaces where the file indents with tabs'
        : 'it indents with tabs where the file indents with spaces',
    );
  }

  // Committed with one click, a bidi override or a zero-width character hides what the code
  // does from the reviewer who applies it (Trojan Source, CVE-2021-42574).
  const hidden = [...text.matchAll(/\p{Cf}/gu)].find((m) => !original.join('\n').includes(m[0]));
  if (hidden) {
    return refuse(
      `it adds an invisible or text-direction character (U+${hidden[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')})`,
    );
  }
  if (context.redactor.redact(text) !== text) return refuse('it contains what looks like a secret');
  for (const rule of context.rules) {
    if (rule.apply(text) !== text) return refuse(`it contains ${rule.keepsOut}`);
  }
  return {
    ok: true,
    suggestion: {
      startLine: start,
      endLine: end,
      original,
      replacement,
      lastLineLength: original[original.length - 1]!.length,
      lineEnding,
    },
  };
}

interface FileLine {
  text: string;
  /** '' for a last line without a newline. */
  ending: '\n' | '\r\n' | '';
}

/** A file's lines with their endings; a trailing newline ends the last line, it starts none. */
export function splitLines(content: string): FileLine[] {
  const lines: FileLine[] = [];
  let at = 0;
  while (at < content.length) {
    const nl = content.indexOf('\n', at);
    if (nl < 0) {
      lines.push({ text: content.slice(at), ending: '' });
      break;
    }
    const crlf = nl > at && content[nl - 1] === '\r';
    lines.push({ text: content.slice(at, crlf ? nl - 1 : nl), ending: crlf ? '\r\n' : '\n' });
    at = nl + 1;
  }
  return lines;
}

function dominantEnding(file: FileLine[]): '\n' | '\r\n' {
  const crlf = file.filter((l) => l.ending === '\r\n').length;
  return crlf > file.length / 2 ? '\r\n' : '\n';
}

type IndentStyle = 'tabs' | 'spaces';

/**
 * How lines are indented: by tabs or by (at least two) spaces, whichever starts more lines;
 * undefined when no line is indented or as many use each. One space is left out of the count:
 * it is how a block comment continues (` * text`) in either style.
 */
function indentStyle(lines: string[]): IndentStyle | undefined {
  let tabs = 0;
  let spaces = 0;
  for (const line of lines) {
    if (line.startsWith('\t')) tabs++;
    else if (line.startsWith('  ')) spaces++;
  }
  if (tabs === spaces) return undefined;
  return tabs > spaces ? 'tabs' : 'spaces';
}

function fitsIndentStyle(line: string, style: IndentStyle | undefined): boolean {
  if (style === undefined || line.trim() === '') return true;
  const indent = /^[ \t]*/.exec(line)![0];
  // Tabs may be followed by spaces that align (gofmt); spaces may not be followed by tabs.
  return style === 'tabs' ? !indent.startsWith('  ') : !indent.includes('\t');
}
