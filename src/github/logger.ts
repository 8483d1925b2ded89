import * as core from '@actions/core';
import type { Logger } from '../core/logger.js';
import type { Redactor } from '../core/redact.js';

/** The runner's log: groups fold per phase, secrets are masked by the runner and redacted here. */
export class ActionsLogger implements Logger {
  constructor(private readonly redactor: Redactor) {}
  debug(message: string): void {
    core.debug(this.redactor.redact(message));
  }
  info(message: string): void {
    core.info(this.redactor.redact(message));
  }
  warning(message: string): void {
    core.warning(this.redactor.redact(message));
  }
  error(message: string): void {
    core.error(this.redactor.redact(message));
  }
  async group<T>(name: string, fn: () => Promise<T>): Promise<T> {
    return core.group(name, fn);
  }
  setSecret(value: string): void {
    core.setSecret(value);
    this.redactor.add(value);
  }
}
