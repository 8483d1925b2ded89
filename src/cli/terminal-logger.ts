import type { Logger } from '../core/logger.js';
import type { Redactor } from '../core/redact.js';
import { stripTerminalControls } from '../core/render/sanitize.js';

/**
 * Terminal log on stderr (stdout carries the result), redacted. Messages carry model text and
 * what Codex's commands printed, so their escape sequences are stripped; the only colour is
 * the one this logger adds to its prefixes.
 */
export class TerminalLogger implements Logger {
  constructor(
    private readonly redactor: Redactor,
    private readonly options: { verbose?: boolean; color?: boolean } = {},
  ) {}
  private write(message: string, prefix: { text: string; color: string } | undefined): void {
    // Controls go before redaction: an escape sequence inside a secret must not hide it.
    const text = this.redactor.redact(stripTerminalControls(message));
    const head = !prefix
      ? '  '
      : this.options.color
        ? `\u001b[${prefix.color}m${prefix.text}\u001b[0m `
        : `${prefix.text} `;
    process.stderr.write(`${head}${text}\n`);
  }
  debug(message: string): void {
    if (this.options.verbose) this.write(message, undefined);
  }
  info(message: string): void {
    this.write(message, undefined);
  }
  warning(message: string): void {
    this.write(message, { text: 'warning:', color: '33' });
  }
  error(message: string): void {
    this.write(message, { text: 'error:', color: '31' });
  }
  async group<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const text = this.redactor.redact(stripTerminalControls(`▸ ${name}`));
    process.stderr.write(this.options.color ? `\u001b[1m${text}\u001b[0m\n` : `${text}\n`);
    return fn();
  }
  setSecret(value: string): void {
    this.redactor.add(value);
  }
}
