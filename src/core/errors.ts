/**
 * A problem the user can fix by changing a setting or the workflow. Kept apart from internal
 * errors so entry points can print it without a stack trace.
 */
export class ConfigurationError extends Error {
  constructor(
    message: string,
    readonly problems: string[] = [message],
  ) {
    super(message);
    this.name = 'ConfigurationError';
  }
}

/** Codex ran but did not produce a usable result; the message says what to do about it. */
export class CodexRunError extends Error {
  constructor(
    message: string,
    readonly details: { exitCode?: number | null; timedOut?: boolean; stderrTail?: string } = {},
  ) {
    super(message);
    this.name = 'CodexRunError';
  }
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
