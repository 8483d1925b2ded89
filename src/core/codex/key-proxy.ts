// The key out of Codex's reach: a loopback forwarder in this process adds the API key to
// Codex's model requests, so neither Codex's environment nor any file it can read holds it
// (what openai/codex's responses-api-proxy does; that package is not on the registry here).
// Only the Responses API is forwarded; any Authorization Codex sends is dropped. Bodies are
// streamed both ways (the answer is server-sent events).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { pipeline } from 'node:stream/promises';
import { Agent, EnvHttpProxyAgent, request, type Dispatcher } from 'undici';
import { ConfigurationError, errorMessage } from '../errors.js';
import type { Logger } from '../logger.js';

export const DEFAULT_UPSTREAM = 'https://api.openai.com/v1';
const PROVIDER_ID = 'codex-review-proxy';
/** Paths under the provider's base URL that Codex uses for a turn and for compaction. */
const FORWARDED = new Set(['/v1/responses', '/v1/responses/compact']);
/** Hop-by-hop headers (RFC 9110 §7.6.1) and every way a client could send its own credentials. */
const DROPPED_REQUEST_HEADERS = new Set([
  'authorization',
  'proxy-authorization',
  'api-key',
  'x-api-key',
  'cookie',
  'host',
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
]);
const DROPPED_RESPONSE_HEADERS = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'set-cookie',
]);

export interface KeyProxyOptions {
  apiKey: string;
  /** The real base URL (`openai-base-url`), e.g. https://api.openai.com/v1. */
  upstream: string;
  logger: Logger;
  /** Tests inject a dispatcher; by default HTTP(S)_PROXY / NO_PROXY of this process apply. */
  dispatcher?: Dispatcher;
}

export interface UpstreamOutcome {
  status?: number;
  error?: string;
}

export interface KeyProxy {
  /** http://127.0.0.1:PORT/v1 */
  baseUrl: string;
  /** `-c` arguments that make Codex use the proxy as its model provider. */
  providerArgs: string[];
  upstream: string;
  /** What the last forwarded request got back, for explaining a failed run. */
  readonly last: UpstreamOutcome | undefined;
  readonly forwarded: number;
  close(): Promise<void>;
}

export async function startKeyProxy(options: KeyProxyOptions): Promise<KeyProxy> {
  const { apiKey, logger } = options;
  if (!/^[\x21-\x7e]+$/.test(apiKey)) {
    throw new ConfigurationError(
      'The OpenAI API key contains spaces, line breaks or other characters that cannot be sent in an HTTP header; check the secret for a stray newline.',
    );
  }
  const upstream = parseUpstream(options.upstream);
  const dispatcher = options.dispatcher ?? defaultDispatcher(process.env);
  const inFlight = new Set<AbortController>();
  let last: UpstreamOutcome | undefined;
  let forwarded = 0;

  const refuse = (res: http.ServerResponse, status: number, message: string) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: { message, type: 'codex_review_key_proxy' } }));
  };

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (req.method === 'GET' && url.pathname === '/v1/responses') {
      // Codex's WebSocket attempt: "not here" makes it fall back to HTTP and SSE.
      refuse(res, 426, 'WebSocket is not offered here; use HTTP.');
      return;
    }
    if (req.method !== 'POST' || !FORWARDED.has(url.pathname) || url.search !== '') {
      logger.debug(`key proxy: refused ${req.method} ${url.pathname}`);
      refuse(res, 403, `Only POST /v1/responses is forwarded, not ${req.method} ${url.pathname}.`);
      req.resume();
      return;
    }
    void forward(req, res, url.pathname);
  });

  async function forward(req: http.IncomingMessage, res: http.ServerResponse, pathname: string) {
    const target = new URL(upstream);
    target.pathname = upstream.pathname.replace(/\/+$/, '') + pathname.slice('/v1'.length);
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined && !DROPPED_REQUEST_HEADERS.has(name)) headers[name] = value;
    }
    headers.authorization = `Bearer ${apiKey}`;
    const abort = new AbortController();
    inFlight.add(abort);
    // Codex giving up (its idle timeout, or being stopped) ends the upstream request too.
    res.on('close', () => {
      if (!res.writableFinished) abort.abort();
    });
    const started = Date.now();
    forwarded++;
    try {
      const answer = await request(target, {
        method: 'POST',
        headers,
        body: req,
        dispatcher,
        signal: abort.signal,
        // Codex has its own stream idle timeout and the run a wall clock; a model that thinks
        // for minutes must not be cut off here first.
        headersTimeout: 0,
        bodyTimeout: 0,
      });
      last = { status: answer.statusCode };
      const out: Record<string, string | string[]> = {};
      for (const [name, value] of Object.entries(answer.headers)) {
        if (value !== undefined && !DROPPED_RESPONSE_HEADERS.has(name)) out[name] = value;
      }
      res.writeHead(answer.statusCode, out);
      await pipeline(answer.body, res);
      logger.debug(
        `key proxy: POST ${pathname} → ${answer.statusCode} (${Date.now() - started} ms)`,
      );
    } catch (error) {
      if (abort.signal.aborted) return;
      const message = errorMessage(causeOf(error));
      last = { error: message };
      logger.debug(`key proxy: POST ${pathname} → ${target.origin} failed: ${message}`);
      if (!res.headersSent) {
        refuse(res, 502, `codex-review could not reach ${target.origin}: ${message}`);
      } else {
        res.destroy();
      }
    } finally {
      inFlight.delete(abort);
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const baseUrl = `http://127.0.0.1:${port}/v1`;
  logger.info(
    `Codex reaches the model through a key proxy in this process (${baseUrl} → ${upstream.origin}${upstream.pathname}); the API key is not given to Codex.`,
  );
  let closing: Promise<void> | undefined;
  return {
    baseUrl,
    upstream: upstream.toString(),
    providerArgs: providerArgs(baseUrl),
    get last() {
      return last;
    },
    get forwarded() {
      return forwarded;
    },
    close() {
      closing ??= (async () => {
        for (const abort of inFlight) abort.abort();
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        if (!options.dispatcher) await dispatcher.close();
      })();
      return closing;
    },
  };
}

/** A custom provider: no env_key and no OpenAI login, so Codex sends no credential at all. */
export function providerArgs(baseUrl: string): string[] {
  const table =
    `{ name = "codex-review key proxy", base_url = ${JSON.stringify(baseUrl)}, ` +
    'wire_api = "responses" }';
  return ['-c', `model_providers.${PROVIDER_ID}=${table}`, '-c', `model_provider="${PROVIDER_ID}"`];
}

function parseUpstream(value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigurationError(
      `setting \`openai-base-url\` = "${value}": not a URL. Use the API's base URL, e.g. ${DEFAULT_UPSTREAM}.`,
    );
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ConfigurationError(
      `setting \`openai-base-url\` = "${value}": only http(s) URLs are allowed, e.g. ${DEFAULT_UPSTREAM}.`,
    );
  }
  if (url.username || url.password) {
    throw new ConfigurationError(
      '`openai-base-url` holds a user and password; remove them (the API key is sent as a bearer token).',
    );
  }
  return url;
}

/** The runner's proxy settings, as Codex itself would have used them to reach the API. */
function defaultDispatcher(env: NodeJS.ProcessEnv): Dispatcher {
  const proxied = ['HTTPS_PROXY', 'HTTP_PROXY', 'https_proxy', 'http_proxy'].some((n) => env[n]);
  // EnvHttpProxyAgent warns that it is experimental; only runners behind a proxy need it.
  return proxied ? new EnvHttpProxyAgent() : new Agent();
}

/** undici wraps socket errors ("fetch failed"/"other side closed"); the cause says more. */
function causeOf(error: unknown): unknown {
  const cause = (error as { cause?: unknown }).cause;
  return cause instanceof Error ? cause : error;
}
