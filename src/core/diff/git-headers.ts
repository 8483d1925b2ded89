// The per-file headers of a git diff: which paths, what happened to the file, whether it is
// binary. parse-diff reads hunks well but these headers poorly, and a wrong path means a finding
// is never matched to its file, so they are read here:
// - it leaves git's C-style quoting in place ("a/\303\251t\303\251.txt" stays escaped);
// - without ---/+++ lines (a pure rename, a mode change, a binary or empty file) it splits the
//   `diff --git` line with a regex that breaks on paths containing " b/", and ignores the
//   `rename from`/`rename to` lines that say exactly which paths were meant;
// - it has no notion of binary files: "Binary files … differ" is silently skipped.
import type { FileStatus } from './diff-index.js';

export interface FileHeader {
  /** New path; for a deleted file, the path it had. */
  path: string;
  oldPath: string | null;
  status: FileStatus;
  binary: boolean;
}

const DIFF_GIT = 'diff --git ';

export interface FileSection {
  /** Lines before the first hunk. */
  header: string[];
  /** The whole section, for parse-diff to read the hunks. */
  text: string;
}

/**
 * Cut a git diff into one section per file. A content line always starts with ' ', '+', '-' or
 * '\', so a line starting with "diff --git " is always a file header. Text before the first
 * header (a commit message from `git show`, say) belongs to no file and is dropped.
 */
export function splitFileSections(diff: string): FileSection[] {
  const sections: string[][] = [];
  for (const line of diff.split('\n')) {
    if (line.startsWith(DIFF_GIT)) sections.push([line]);
    else sections[sections.length - 1]?.push(line);
  }
  return sections.map((lines) => {
    const firstHunk = lines.findIndex((line) => line.startsWith('@@'));
    return {
      header: firstHunk === -1 ? lines : lines.slice(0, firstHunk),
      text: lines.join('\n'),
    };
  });
}

export function hasGitHeaders(diff: string): boolean {
  return diff.startsWith(DIFF_GIT) || diff.includes(`\n${DIFF_GIT}`);
}

export function readHeaders(header: string[]): FileHeader {
  let fromLine: string | null | undefined;
  let toLine: string | null | undefined;
  let renameFrom: string | undefined;
  let renameTo: string | undefined;
  let copied = false;
  let status: FileStatus = 'modified';
  let binary = false;
  for (const line of header.slice(1)) {
    if (line.startsWith('--- ')) fromLine = sidePath(line.slice(4));
    else if (line.startsWith('+++ ')) toLine = sidePath(line.slice(4));
    else if (line.startsWith('rename from ')) renameFrom = headerPath(line.slice(12));
    else if (line.startsWith('rename to ')) renameTo = headerPath(line.slice(10));
    else if (line.startsWith('copy to ')) {
      renameTo = headerPath(line.slice(8));
      copied = true;
    } else if (line.startsWith('new file mode ')) status = 'added';
    else if (line.startsWith('deleted file mode ')) status = 'deleted';
    else if (/^Binary files .* differ$/.test(line) || line === 'GIT binary patch') binary = true;
  }
  const [gitOld, gitNew] = splitDiffGitLine(header[0]!.slice(DIFF_GIT.length));
  const oldPath = fromLine ?? renameFrom ?? gitOld;
  const newPath = toLine ?? renameTo ?? gitNew;
  if (status === 'modified' && renameFrom !== undefined) status = 'renamed';
  // A copy is a new file to whoever reviews it; its source is left untouched.
  if (copied) status = 'added';
  return {
    path: (status === 'deleted' ? oldPath : newPath) ?? oldPath ?? newPath ?? '',
    oldPath: status === 'renamed' && oldPath !== newPath ? (oldPath ?? null) : null,
    status,
    binary,
  };
}

/** A `---`/`+++` name: null for /dev/null, otherwise without its a/ or b/ prefix. */
function sidePath(raw: string): string | null {
  // git appends a tab to names containing a space, so that GNU patch reads them whole.
  const text = raw.replace(/\t$/, '');
  if (text === '/dev/null') return null;
  return stripPrefix(text.startsWith('"') ? unquoteCPath(text).value : text);
}

/** A `rename from`/`copy to` name: no prefix, possibly quoted. */
function headerPath(raw: string): string {
  return raw.startsWith('"') ? unquoteCPath(raw).value : raw;
}

/**
 * Like `git apply -p1`: drop the first path component, whatever the prefix was (a/ and b/ by
 * default, i/ w/ c/ o/ with diff.mnemonicPrefix).
 */
function stripPrefix(name: string): string {
  const slash = name.indexOf('/');
  return slash === -1 ? name : name.slice(slash + 1);
}

/**
 * The two names on a `diff --git` line. Only needed when nothing else names the file; then the
 * two names are the same (renames and copies have their own lines), which is what makes an
 * unquoted line containing spaces unambiguous.
 */
function splitDiffGitLine(rest: string): [string | undefined, string | undefined] {
  if (rest.startsWith('"')) {
    const first = unquoteCPath(rest);
    const second = rest.slice(first.length + 1);
    return [stripPrefix(first.value), stripPrefix(headerPath(second))];
  }
  const half = (rest.length - 1) / 2;
  if (Number.isInteger(half) && rest[half] === ' ') {
    const a = stripPrefix(rest.slice(0, half));
    const b = stripPrefix(rest.slice(half + 1));
    if (a === b) return [a, b];
  }
  return [undefined, undefined];
}

const ESCAPES: Record<string, number> = {
  a: 7,
  b: 8,
  t: 9,
  n: 10,
  v: 11,
  f: 12,
  r: 13,
  '"': 34,
  '\\': 92,
};

/**
 * Decode a name git quoted C-style (core.quotePath, on by default, quotes every byte outside
 * printable ASCII as octal): the escapes are bytes of UTF-8, so they are decoded as bytes.
 * `length` is how many characters of `text` the quoted name took, closing quote included.
 */
export function unquoteCPath(text: string): { value: string; length: number } {
  const bytes: number[] = [];
  let i = 1;
  for (; i < text.length && text[i] !== '"'; i++) {
    const c = text[i]!;
    if (c !== '\\') {
      bytes.push(...Buffer.from(c, 'utf8'));
      continue;
    }
    const next = text[i + 1];
    if (next === undefined) break;
    const octal = /^[0-7]{3}/.exec(text.slice(i + 1, i + 4));
    if (octal) {
      bytes.push(parseInt(octal[0], 8));
      i += 3;
    } else {
      bytes.push(ESCAPES[next] ?? next.charCodeAt(0));
      i += 1;
    }
  }
  return { value: Buffer.from(bytes).toString('utf8'), length: i + 1 };
}
