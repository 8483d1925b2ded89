// Links to lines of a file at a commit, as each platform spells them.

export function encodePath(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
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
