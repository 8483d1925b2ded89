// A small typed GitLab REST client on Node's fetch. A library (gitbeaker) would bring dozens
// of endpoints and its own retry policy for the ten calls this tool makes; what matters here
// (retries that never duplicate a write, Retry-After, pagination, errors a user can act on)
// is a few dozen lines.
import type { Logger } from '../core/logger.js';

export class GitLabApiError extends Error {
  /** GitLab's own words: its message, error or error_description, else the body. */
  readonly detail: string;
  constructor(
    readonly status: number,
    readonly method: string,
    readonly path: string,
    readonly body: unknown,
  ) {
    const detail = describeBody(body);
    super(`${method} ${path} → ${status}: ${detail}`);
    this.name = 'GitLabApiError';
    this.detail = detail;
  }
}

/** No answer from GitLab: refused, unresolvable, or the connection broke. */
export class GitLabConnectionError extends Error {
  constructor(
    message: string,
    /** True when the request certainly never reached GitLab (a write did not happen). */
    readonly unsent: boolean,
  ) {
    super(message);
    this.name = 'GitLabConnectionError';
  }
}

function describeBody(body: unknown): string {
  if (body && typeof body === 'object') {
    const b = body as { message?: unknown; error?: unknown; error_description?: unknown };
    const m = b.message ?? b.error_description ?? b.error;
    if (m !== undefined) return typeof m === 'string' ? m : JSON.stringify(m);
  }
  return typeof body === 'string' ? body.slice(0, 300) : JSON.stringify(body);
}

export interface GitLabClientOptions {
  /** CI_API_V4_URL, e.g. https://gitlab.example.com/api/v4 */
  baseUrl: string;
  token: string;
  logger: Logger;
  retries?: number;
  baseDelayMs?: number;
  /** How to wait between attempts (tests record the delays instead of waiting). */
  sleep?: (ms: number) => Promise<void>;
}

interface RequestOptions {
  query?: Record<string, string | number | undefined>;
  body?: unknown;
}

export class GitLabClient {
  private readonly baseUrl: string;
  private readonly retries: number;
  private readonly baseDelayMs: number;

  constructor(private readonly options: GitLabClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.retries = options.retries ?? 4;
    this.baseDelayMs = options.baseDelayMs ?? 1_000;
  }

  private url(path: string, query: RequestOptions['query']): string {
    const url = new URL(`${this.baseUrl}${path}`);
    for (const [k, v] of Object.entries(query ?? {}))
      if (v !== undefined) url.searchParams.set(k, String(v));
    return url.toString();
  }

  /**
   * Reads and idempotent writes are retried on 5xx, 429 and network errors. A POST is retried
   * only when it certainly did not happen (429, or no connection): after a 5xx it may have,
   * and the caller decides (see GitLabPlatform).
   */
  async request<T>(
    method: string,
    path: string,
    options: RequestOptions = {},
  ): Promise<{ data: T; headers: Headers }> {
    const idempotent = method !== 'POST';
    for (let attempt = 0; ; attempt++) {
      let response: Response;
      try {
        response = await fetch(this.url(path, options.query), {
          method,
          headers: {
            'PRIVATE-TOKEN': this.options.token,
            accept: 'application/json',
            ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
          },
          ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
        });
      } catch (error) {
        // A POST whose connection broke after sending may have landed; retry only when it
        // certainly never left (refused, unresolvable).
        const cause = (error as { cause?: { code?: string; message?: string } }).cause;
        const code = cause?.code ?? '';
        const unsent = ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN'].includes(code);
        // fetch says only "fetch failed"; the cause says why.
        const why = [(error as Error).message, code || cause?.message].filter(Boolean).join(': ');
        if (attempt >= this.retries || (!idempotent && !unsent)) {
          throw new GitLabConnectionError(
            `Could not reach GitLab at ${this.baseUrl} (${method} ${path}): ${why}`,
            unsent,
          );
        }
        await this.wait(attempt, undefined, `${method} ${path}: ${why}`);
        continue;
      }
      if (response.ok) {
        const text = await response.text();
        return { data: (text ? JSON.parse(text) : undefined) as T, headers: response.headers };
      }
      const retryable = response.status === 429 || (response.status >= 500 && idempotent);
      if (retryable && attempt < this.retries) {
        await response.text();
        await this.wait(
          attempt,
          response.headers.get('retry-after'),
          `${method} ${path} → ${response.status}`,
        );
        continue;
      }
      const text = await response.text();
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        // not JSON
      }
      throw new GitLabApiError(response.status, method, path, body);
    }
  }

  private async wait(
    attempt: number,
    retryAfter: string | null | undefined,
    what: string,
  ): Promise<void> {
    // Retry-After is delay-seconds or an HTTP date (RFC 9110 §10.2.3); GitLab sends seconds.
    const seconds = retryAfter ? Number(retryAfter) : NaN;
    const date =
      retryAfter && !Number.isFinite(seconds) ? Date.parse(retryAfter) - Date.now() : NaN;
    const delay =
      Number.isFinite(seconds) && seconds > 0
        ? seconds * 1000
        : Number.isFinite(date) && date > 0
          ? date
          : this.baseDelayMs * 2 ** attempt;
    this.options.logger.warning(`GitLab: ${what}; retrying in ${(delay / 1000).toFixed(1)} s`);
    await (this.options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))))(
      delay,
    );
  }

  async get<T>(path: string, query?: RequestOptions['query']): Promise<T> {
    return (await this.request<T>('GET', path, { query })).data;
  }

  /** Every page, following x-next-page. */
  async paginate<T>(path: string, query: RequestOptions['query'] = {}): Promise<T[]> {
    const all: T[] = [];
    let page: string | null = '1';
    while (page) {
      const { data, headers }: { data: T[]; headers: Headers } = await this.request<T[]>(
        'GET',
        path,
        {
          query: { ...query, per_page: 100, page },
        },
      );
      all.push(...data);
      page = headers.get('x-next-page') || null;
    }
    return all;
  }
}
