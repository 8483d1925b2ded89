// What GitHub and GitLab make of a posted Markdown body, judged with commonmark.js: the text a
// reader sees (where mentions are linked), the headings, the code spans and links.
import { Parser, type Node } from 'commonmark';

export function parseMarkdown(body: string): Node {
  return new Parser().parse(body);
}

export function nodesOf(doc: Node, type: string): Node[] {
  const found: Node[] = [];
  const walker = doc.walker();
  for (let e = walker.next(); e; e = walker.next())
    if (e.entering && e.node.type === type) found.push(e.node);
  return found;
}

const decodeEntities = (html: string) =>
  html.replace(/&(#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);?/g, (entity) => {
    // commonmark.js decodes character references in text with the HTML5 table.
    const [text] = nodesOf(parseMarkdown(`x${entity}x`), 'text').map((n) => n.literal ?? '');
    return text && text.length > 2 ? text.slice(1, -1) : entity;
  });

/**
 * Every piece of text a reader sees, code included (mentions are not linked in code, but which
 * lines are code differs between parsers, so none may hold one). Raw HTML counts by its text.
 */
export function visibleText(body: string): string[] {
  const out: string[] = [];
  const walker = parseMarkdown(body).walker();
  let paragraph = '';
  for (let e = walker.next(); e; e = walker.next()) {
    const n = e.node;
    if (!e.entering) {
      if (n.type === 'paragraph' || n.type === 'heading') {
        out.push(paragraph);
        paragraph = '';
      }
      continue;
    }
    if (n.type === 'text' || n.type === 'code') paragraph += n.literal ?? '';
    else if (n.type === 'softbreak' || n.type === 'linebreak') paragraph += '\n';
    else if (n.type === 'html_inline')
      paragraph += decodeEntities((n.literal ?? '').replace(/<[^>]*>/g, ''));
    else if (n.type === 'code_block') out.push(n.literal ?? '');
    else if (n.type === 'html_block')
      out.push(decodeEntities((n.literal ?? '').replace(/<[^>]*>/g, '')));
  }
  return out;
}

// html-pipeline's MentionFilter (GitHub) and TeamMentionFilter: an `@` after the start or a
// non-word character, then a login (and `/team`).
const GITHUB_USER =
  /(?:^|[^A-Za-z0-9_])@([a-z0-9][a-z0-9-]*)(?!\/)(?=\.+[ \t\W]|\.+$|[^0-9a-zA-Z_.]|$)/gim;
const GITHUB_TEAM = /(?:^|[^A-Za-z0-9_])@([a-z0-9][a-z0-9-]*)\/([a-z][a-z0-9_-]*)/gim;
// GitLab's User.reference_pattern: `(?<!\w)@` then a namespace path; `@all` is one of them.
const GITLAB_USER = /(?<![A-Za-z0-9_])@([a-zA-Z0-9_.][a-zA-Z0-9_.\-/]*)/gm;

/** Mentions GitHub or GitLab would link (and notify) in a posted body. */
export function mentionsIn(body: string): string[] {
  const found: string[] = [];
  for (const text of visibleText(body)) {
    for (const pattern of [GITHUB_USER, GITHUB_TEAM, GITLAB_USER]) {
      for (const m of text.matchAll(pattern)) found.push(m[0].trim());
    }
  }
  return found;
}
