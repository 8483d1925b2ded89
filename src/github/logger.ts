import * as core from '@actions/core';
import type { Logger } from '../core/logger.js';
import type { Redactor } from '../core/redact.js';
import { sanitizeForJobLog, stripTerminalControls } from '../core/render/sanitize.js';

/**
 * The runner's log: groups fold per phase, secrets are masked by the runner and redacted here.
 * Every line may carry model text or what a command Codex ran printed, so none may read as a
 * workflow command (see sanitizeForJobLog).
 */
export class ActionsLogger implements Logger {
  constructor(private readonly redactor: Redactor) {}
  private clean(message: string): string {
    // Controls go before redaction: an escape sequence inside a secret must not hide it.
    return sanitizeForJobLog(this.redactor.redact(stripTerminalControls(message)));
  }
  debug(message: string): void {
    core.debug(this.clean(message));
  }
  info(message: string): void {
    core.info(this.clean(message));
  }
  warning(message: string): void {
    core.warning(this.clean(message));
  }
  error(message: string): void {
    core.error(this.clean(message));
  }
  async group<T>(name: string, fn: () => Promise<T>): Promise<T> {
    return core.group(this.clean(name), fn);
  }
  setSecret(value: string): void {
    core.setSecret(value);
    this.redactor.add(value);
  }
}
