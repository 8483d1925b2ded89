// Links to lines of a file at a commit, as each platform spells them.

/**
 * Each segment percent-encoded. encodeURIComponent leaves `(` and `)`, and an unbalanced `)`
 * ends a Markdown link's destination: a path could close its link and add text after it.
 */
export function encodePath(path: string): string {
  return path
    .split('/')
    .map((segment) =>
      encodeURIComponent(segment).replace(
        /[()]/g,
        (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
      ),
    )
    .join('/');
}

/** GitHub: #L4 or #L4-L9. GitLab: #L4 or #L4-9. */
export function lineFragment(
  startLine: number | null,
  endLine: number | null,
  style: 'github' | 'gitlab',
): string {
  if (startLine === null) return '';
  if (endLine === null || endLine === startLine) return `#L${startLine}`;
  return style === 'github' ? `#L${startLine}-L${endLine}` : `#L${startLine}-${endLine}`;
}
