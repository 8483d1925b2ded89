/** Where the core writes what it does. GitHub, the CLI and tests each provide one. */
export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warning(message: string): void;
  error(message: string): void;
  /** A collapsible phase in the log ("Install Codex", "Run Codex", ...). */
  group<T>(name: string, fn: () => Promise<T>): Promise<T>;
  /** Register a value that must never appear in logs. */
  setSecret(value: string): void;
}

export interface LogRecord {
  level: 'debug' | 'info' | 'warning' | 'error' | 'group';
  message: string;
}

/** Keeps every line; used by tests and by the CLI's quiet mode. */
export class RecordingLogger implements Logger {
  readonly records: LogRecord[] = [];
  readonly secrets: string[] = [];
  debug(message: string): void {
    this.records.push({ level: 'debug', message });
  }
  info(message: string): void {
    this.records.push({ level: 'info', message });
  }
  warning(message: string): void {
    this.records.push({ level: 'warning', message });
  }
  error(message: string): void {
    this.records.push({ level: 'error', message });
  }
  async group<T>(name: string, fn: () => Promise<T>): Promise<T> {
    this.records.push({ level: 'group', message: name });
    return fn();
  }
  setSecret(value: string): void {
    this.secrets.push(value);
  }
  text(): string {
    return this.records.map((r) => `${r.level}: ${r.message}`).join('\n');
  }
}
