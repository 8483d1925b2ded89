// What a hostile model writes to break out of where its text is printed or posted.

/** Lines the runner would take as workflow commands if printed as they are. */
export const WORKFLOW_COMMANDS = [
  '::error file=x,line=1,title=pwned::forged annotation',
  '  ::add-mask::P1',
  '\t::stop-commands::x',
  '::set-output name=review-url::https://evil.example',
  '\u00a0::warning::after a no-break space',
  '\u3000::notice::after an ideographic space',
  '\u200b::error::after a zero-width space',
  ':\u200b:error::with a zero-width space between the colons',
  'text then ##[error]legacy command',
  '##[group]forged group',
  '#\u200b#[add-mask]P2',
  'a\r::error::after a carriage return',
  '\u001b[0m::error::after an escape sequence',
  '\u0085::error::after a next-line control',
];

/** Sequences a terminal would obey if printed as they are. */
export const TERMINAL_ESCAPES = [
  '\u001b]52;c;ZXZpbA==\u0007', // OSC 52: write the clipboard
  '\u001b]8;;https://evil.example\u001b\\click me\u001b]8;;\u001b\\', // OSC 8: hidden link
  '\u001b[2J\u001b[H', // clear the screen
  '\u001b]0;owned\u0007', // window title
  '\u001bP+q544e\u001b\\', // DCS
  '\u009b2J', // 8-bit CSI
  '\u009d0;owned\u009c', // 8-bit OSC
  '\u001bc', // reset
  'safe\rEVIL', // carriage return over the line
  'abc\b\b\bXYZ', // backspaces
  '\u0007', // bell
];

/** Lines GitLab would run as quick actions, each in a different fence or indent. */
export const QUICK_ACTION_TEXTS = [
  '/merge',
  'Looks fine.\n/approve\n/label ~approved',
  '    ```\n/merge\n    ```\n/approve',
  '\t```\n/merge\n\t```\n/approve',
  '\u00a0```\n/merge\n```\n/approve',
  '``` a`b\n/merge\n```\n/approve',
  '~~~\n/merge\n~~~\n/approve',
  '  ```\n/merge\n  ```\n/approve',
  '```\nunclosed fence\n/merge',
  ' /approve',
  '\u00a0/merge',
  '\u200b/merge',
  '> quote\n/merge',
  '- item\n/merge',
  'a\r/merge',
  '<details>\n/merge\n</details>',
];

/** The secret in every form the redactor must follow (issue 11). */
export function secretForms(secret: string): Record<string, string> {
  const every = (f: (c: string) => string) => [...secret].map(f).join('');
  const code = (c: string) => c.charCodeAt(0);
  return {
    verbatim: secret,
    'Markdown-escaped': secret.replace(/[-_]/g, '\\$&'),
    'named entities': secret.replace(/-/g, '&hyphen;').replace(/_/g, '&lowbar;'),
    'decimal entities': every((c) => `&#${code(c)};`),
    'hex entities': every((c) => `&#x${code(c).toString(16)};`),
    'URL-encoded': every((c) => `%${code(c).toString(16).toUpperCase()}`),
    'zero-width characters': [...secret].join('\u200b'),
    'soft hyphens': [...secret].join('\u00ad'),
    'upper case': secret.toUpperCase(),
    base64: Buffer.from(`OPENAI_API_KEY=${secret}`).toString('base64'),
    'base64, second alignment': Buffer.from(`x${secret}`).toString('base64'),
    'base64, third alignment': Buffer.from(`xy${secret}`).toString('base64'),
    'URL-safe base64': Buffer.from(`?${secret}>`).toString('base64url'),
    hex: Buffer.from(secret).toString('hex'),
    'upper-case hex': Buffer.from(secret).toString('hex').toUpperCase(),
    'prefix dropped': secret.slice(secret.indexOf('-', 3) + 1),
  };
}

const NAMED: Record<string, string> = { hyphen: '-', dash: '-', lowbar: '_', UnderBar: '_' };

/** The text as it shows or decodes, written apart from the product's redactor on purpose. */
function shown(text: string): string {
  return text
    .replace(/[\u00ad\u200b-\u200f\u2060\ufeff]/g, '')
    .replace(/\\([!-/:-@[-`{-~])/g, '$1')
    .replace(/&#(\d+);?/g, (_, d: string) => String.fromCharCode(Number(d)))
    .replace(/&#x([0-9a-f]+);?/gi, (_, h: string) => String.fromCharCode(parseInt(h, 16)))
    .replace(/&([A-Za-z]+);/g, (m, name: string) => NAMED[name] ?? m)
    .replace(/%([0-9a-f]{2})/gi, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
}

/** Pieces of `secret` (16 characters of it, or the matching run of its hex or base64) in `text`. */
export function leaks(text: string, secret: string): string[] {
  const haystacks = [text.toLowerCase(), shown(text).toLowerCase()];
  const pieces: string[] = [];
  const add = (form: string, size: number) => {
    for (let i = 0; i + size <= form.length; i++)
      pieces.push(form.slice(i, i + size).toLowerCase());
  };
  add(secret, 16);
  add(Buffer.from(secret).toString('hex'), 32);
  for (const align of [0, 1, 2]) {
    const b64 = Buffer.from(`${'\0'.repeat(align)}${secret}`).toString('base64');
    const stable = b64.slice(
      Math.ceil((8 * align) / 6),
      Math.floor((8 * (align + secret.length)) / 6),
    );
    add(stable, 22);
    add(stable.replace(/\+/g, '-').replace(/\//g, '_'), 22);
  }
  return [...new Set(pieces.filter((p) => haystacks.some((h) => h.includes(p))))];
}
