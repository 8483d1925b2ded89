import type { Logger } from '../core/logger.js';
import type { Redactor } from '../core/redact.js';

/** Terminal log on stderr (stdout carries the result), redacted. */
export class TerminalLogger implements Logger {
  constructor(
    private readonly redactor: Redactor,
    private readonly options: { verbose?: boolean; color?: boolean } = {},
  ) {}
  private write(text: string): void {
    process.stderr.write(`${this.redactor.redact(text)}\n`);
  }
  debug(message: string): void {
    if (this.options.verbose) this.write(`  ${message}`);
  }
  info(message: string): void {
    this.write(`  ${message}`);
  }
  warning(message: string): void {
    this.write(
      this.options.color ? `\u001b[33mwarning:\u001b[0m ${message}` : `warning: ${message}`,
    );
  }
  error(message: string): void {
    this.write(this.options.color ? `\u001b[31merror:\u001b[0m ${message}` : `error: ${message}`);
  }
  async group<T>(name: string, fn: () => Promise<T>): Promise<T> {
    this.write(this.options.color ? `\u001b[1m▸ ${name}\u001b[0m` : `▸ ${name}`);
    return fn();
  }
  setSecret(value: string): void {
    this.redactor.add(value);
  }
}
