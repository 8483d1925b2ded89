// The key proxy between Codex and the model: it forwards the Responses API only, replaces any
// credential Codex sends with the key, and streams the answer as it comes.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { providerArgs, startKeyProxy, type KeyProxy } from '../../src/core/codex/key-proxy.js';
import { RecordingLogger } from '../../src/core/logger.js';

const KEY = 'sk-proxy-test-0123456789abcdef';

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

/** An upstream that records requests and answers with `handler`. */
async function upstream(
  handler: (req: http.IncomingMessage, res: http.ServerResponse, seen: Seen) => void,
) {
  const seen: Seen[] = [];
  const server = http.createServer(async (req, res) => {
    let body = '';
    for await (const chunk of req) body += chunk;
    const record = { method: req.method!, url: req.url!, headers: req.headers, body };
    seen.push(record);
    handler(req, res, record);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return { seen, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

async function proxyTo(upstreamUrl: string, apiKey = KEY): Promise<KeyProxy> {
  const proxy = await startKeyProxy({
    apiKey,
    upstream: upstreamUrl,
    logger: new RecordingLogger(),
  });
  cleanups.push(() => proxy.close());
  return proxy;
}

const sse = (res: http.ServerResponse) =>
  res.writeHead(200, { 'content-type': 'text/event-stream', 'set-cookie': 'session=upstream' });

describe('the key proxy', () => {
  it('forwards POST /v1/responses with the key, dropping every credential Codex sent', async () => {
    const api = await upstream((_req, res) => {
      sse(res);
      res.end('event: response.completed\ndata: {}\n\n');
    });
    const proxy = await proxyTo(`${api.url}/openai/v1`);
    const answer = await fetch(`${proxy.baseUrl}/responses`, {
      method: 'POST',
      headers: {
        authorization: 'Bearer sk-from-codex-must-not-pass',
        'api-key': 'azure-style-key',
        'x-api-key': 'other-style-key',
        cookie: 'a=b',
        'content-type': 'application/json',
        'x-codex-turn-metadata': '{"turn":1}',
      },
      body: JSON.stringify({ model: 'gpt-test', input: [] }),
    });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toBe('text/event-stream');
    expect(answer.headers.get('set-cookie')).toBeNull();
    expect(await answer.text()).toContain('response.completed');
    expect(api.seen).toHaveLength(1);
    const [request] = api.seen;
    expect(request!.method).toBe('POST');
    expect(request!.url).toBe('/openai/v1/responses');
    expect(request!.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(request!.headers['api-key']).toBeUndefined();
    expect(request!.headers['x-api-key']).toBeUndefined();
    expect(request!.headers.cookie).toBeUndefined();
    expect(request!.headers['x-codex-turn-metadata']).toBe('{"turn":1}');
    expect(JSON.parse(request!.body)).toEqual({ model: 'gpt-test', input: [] });
    expect(proxy.last).toEqual({ status: 200 });
  });

  it('streams the answer: the first event arrives while the upstream is still sending', async () => {
    let finish: () => void = () => undefined;
    const api = await upstream((_req, res) => {
      sse(res);
      res.write('event: response.created\ndata: {}\n\n');
      finish = () => res.end('event: response.completed\ndata: {}\n\n');
    });
    const proxy = await proxyTo(`${api.url}/v1`);
    const answer = await fetch(`${proxy.baseUrl}/responses`, { method: 'POST', body: '{}' });
    const reader = answer.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    expect(first).toContain('response.created');
    expect(first).not.toContain('response.completed');
    finish();
    let rest = '';
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
      rest += new TextDecoder().decode(chunk.value);
    }
    expect(rest).toContain('response.completed');
  });

  it('passes the upstream status and body through, e.g. a rejected key', async () => {
    const api = await upstream((_req, res) => {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end('{"error":{"code":"invalid_api_key"}}');
    });
    const proxy = await proxyTo(`${api.url}/v1`);
    const answer = await fetch(`${proxy.baseUrl}/responses`, { method: 'POST', body: '{}' });
    expect(answer.status).toBe(401);
    expect(await answer.text()).toContain('invalid_api_key');
    expect(proxy.last).toEqual({ status: 401 });
  });

  it('refuses every other path and method, and never forwards them', async () => {
    const api = await upstream((_req, res) => res.end('{}'));
    const proxy = await proxyTo(`${api.url}/v1`);
    const attempts: Array<[string, string]> = [
      ['POST', '/v1/chat/completions'],
      ['GET', '/v1/models'],
      ['POST', '/v1/files'],
      ['POST', '/v1/responses?x=1'],
      ['DELETE', '/v1/responses'],
      ['POST', '/v1/responses/../files'],
      ['POST', '/v2/responses'],
    ];
    for (const [method, path] of attempts) {
      const answer = await fetch(`http://127.0.0.1:${new URL(proxy.baseUrl).port}${path}`, {
        method,
        ...(method === 'POST' ? { body: '{}' } : {}),
      });
      expect(answer.status, `${method} ${path}`).toBe(403);
    }
    expect(api.seen).toEqual([]);
  });

  it("answers Codex's WebSocket attempt with 426, so it falls back to HTTP", async () => {
    const api = await upstream((_req, res) => res.end('{}'));
    const proxy = await proxyTo(`${api.url}/v1`);
    const status = await new Promise<number>((resolve, reject) => {
      const req = http.request(`${proxy.baseUrl}/responses`, {
        headers: {
          connection: 'Upgrade',
          upgrade: 'websocket',
          'sec-websocket-version': '13',
          'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
        },
      });
      req.on('response', (res) => {
        res.resume();
        resolve(res.statusCode!);
      });
      req.on('upgrade', () => reject(new Error('upgraded')));
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(426);
    expect(api.seen).toEqual([]);
  });

  it('answers 502 naming the upstream when it cannot be reached', async () => {
    const api = await upstream((_req, res) => res.end());
    const dead = api.url;
    await cleanups.pop()!(); // stop the upstream: its port now refuses connections
    const proxy = await proxyTo(`${dead}/v1`);
    const answer = await fetch(`${proxy.baseUrl}/responses`, { method: 'POST', body: '{}' });
    expect(answer.status).toBe(502);
    expect(await answer.text()).toContain(`could not reach ${dead}`);
    expect(proxy.last?.error).toMatch(/ECONNREFUSED/);
  });

  it('ends the upstream request when Codex hangs up mid-stream', async () => {
    let upstreamClosed: () => void = () => undefined;
    const closed = new Promise<void>((resolve) => (upstreamClosed = resolve));
    const api = await upstream((_req, res) => {
      sse(res);
      res.write('event: response.created\ndata: {}\n\n');
      res.on('close', () => upstreamClosed());
    });
    const proxy = await proxyTo(`${api.url}/v1`);
    const abort = new AbortController();
    const answer = await fetch(`${proxy.baseUrl}/responses`, {
      method: 'POST',
      body: '{}',
      signal: abort.signal,
    });
    await answer.body!.getReader().read();
    abort.abort();
    await closed;
  });

  it('refuses a key that cannot be a header value, and a base URL with credentials', async () => {
    await expect(proxyTo('http://127.0.0.1:1/v1', `${KEY}\n`)).rejects.toThrow(/stray newline/);
    await expect(proxyTo('https://user:pass@gateway.example.com/v1')).rejects.toThrow(
      /holds a user and password/,
    );
    await expect(proxyTo('ftp://gateway.example.com/v1')).rejects.toThrow(/only http\(s\)/);
  });

  it('gives Codex a provider without any credential of its own', () => {
    const args = providerArgs('http://127.0.0.1:4242/v1');
    expect(args).toEqual([
      '-c',
      'model_providers.codex-review-proxy={ name = "codex-review key proxy", base_url = "http://127.0.0.1:4242/v1", wire_api = "responses" }',
      '-c',
      'model_provider="codex-review-proxy"',
    ]);
    expect(args.join(' ')).not.toMatch(/env_key|bearer|requires_openai_auth/);
  });
});
