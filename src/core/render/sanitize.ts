// Untrusted text (the model's messages and findings, the commands Codex runs) printed where a
// machine reads it: a terminal, or the GitHub runner that turns lines of a job's stdout into
// workflow commands. Pure functions; the loggers and the terminal renderer call them.
//
// Hand-written rather than strip-ansi/ansi-regex: those remove CSI and OSC sequences only, and
// a terminal also obeys DCS/SOS/PM/APC strings, bare C0/C1 controls (BEL, backspace, carriage
// return over a line, 8-bit CSI) and two-byte escapes such as ESC c (reset, clears the screen).
/* eslint-disable no-control-regex -- finding control characters is this module's purpose */

/**
 * Escape sequences as ECMA-48 defines them, whole, so no parameter bytes are left behind:
 * CSI (ESC [ or 8-bit 0x9B) parameters, intermediates and a final byte; OSC, DCS, SOS, PM and
 * APC strings up to their terminator (BEL or ST); other escapes (ESC, intermediates, a final
 * byte). A string without its terminator is not matched: its introducer is dropped below and
 * the rest stays as plain text, which a terminal only prints.
 */
const ESCAPE_SEQUENCE =
  /(?:\u001b\[|\u009b)[\u0030-\u003f]*[\u0020-\u002f]*[\u0040-\u007e]|(?:\u001b[\]PX^_]|[\u0090\u0098\u009d-\u009f])[^\u0007\u001b\u009c]*(?:\u0007|\u001b\\|\u009c)|\u001b[\u0020-\u002f]*[\u0030-\u007e]/g;

/** C0 controls but tab and line feed, DEL, and C1 controls (NEL included). */
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

/**
 * Text safe to print to a terminal: no escape sequence and no control character but tab and
 * line feed. A carriage return ends a line (as the runner and a terminal see it) instead of
 * returning to overwrite what the line already showed.
 */
export function stripTerminalControls(text: string): string {
  return text.replace(/\r\n?/g, '\n').replace(ESCAPE_SEQUENCE, '').replace(CONTROL, '');
}

/**
 * Characters ICU collation ignores: the runner (.NET, on ICU) matches `::` and `##[` with
 * culture-sensitive StartsWith/IndexOf, which skip them, so `#\u200B#[error]` still holds
 * `##[` for it. An escape must therefore use a visible character, and the patterns below
 * look through these.
 */
const IGNORABLE = '[\\p{Default_Ignorable_Code_Point}\\p{Cf}]';
/** What .NET's TrimStart removes (Char.IsWhiteSpace), plus the ignorables. */
const LEADING = `[\\s\\u0085]|${IGNORABLE}`;
const COMMAND_START = new RegExp(`^((?:${LEADING})*)(:${IGNORABLE}*:)`, 'u');
const LEGACY_COMMAND = new RegExp(`(#${IGNORABLE}*#${IGNORABLE}*)\\[`, 'gu');

/**
 * Text safe to print to a GitHub Actions job log. The runner reads every line of the step's
 * stdout (a line ends at LF, CR or CRLF) as a workflow command when, after leading whitespace,
 * it starts with `::` (`::error file=…::`, `::add-mask::`, `::stop-commands::`,
 * `::set-output …`), and as a legacy command when `##[` appears anywhere in it. A backslash
 * goes before the first colon of a leading `::` and before the `[` of `##[`: the line then
 * reads as written but is no command. Escaping each line, rather than wrapping the text in
 * `::stop-commands::<token>`, also keeps the log viewer from styling a forged `##[error]` or
 * `##[group]` line, and needs no token kept out of the text.
 */
export function sanitizeForJobLog(text: string): string {
  return stripTerminalControls(text)
    .split('\n')
    .map((line) => line.replace(COMMAND_START, '$1\\$2').replace(LEGACY_COMMAND, '$1\\['))
    .join('\n');
}
