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
