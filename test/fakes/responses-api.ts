// A loopback fake of the OpenAI Responses API, faithful enough for the real Codex CLI:
// it refuses the WebSocket upgrade (so Codex falls back to HTTP + SSE), checks the bearer
// key like the real service (401 with the real error body), and streams scripted turns.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface OutputItem {
  type: string;
  [key: string]: unknown;
}

export interface Usage {
  input_tokens: number;
  cached_tokens?: number;
  output_tokens: number;
  reasoning_tokens?: number;
}

/** What the fake does with one POST /v1/responses. */
export type Reply =
  | { kind: 'items'; items: OutputItem[]; usage?: Usage }
  | { kind: 'status'; status: number; body: unknown }
  /** Accept the request and never answer: the "hangs forever" hazard. */
  | { kind: 'hang' };

export interface RecordedRequest {
  /** performance.timeOrigin + performance.now() when the request arrived (ms since the epoch). */
  receivedAt: number;
  path: string;
  authorization: string | undefined;
  body: ResponsesRequestBody;
  raw: string;
}

export interface ResponsesRequestBody {
  model?: string;
  input?: unknown[];
  instructions?: string;
  text?: { format?: { type?: string; schema?: unknown; strict?: boolean } };
  [key: string]: unknown;
}

export type Script = (request: RecordedRequest, turnIndex: number) => Reply;

export const message = (text: string): OutputItem => ({
  type: 'message',
  role: 'assistant',
  id: `msg_${Math.random().toString(36).slice(2)}`,
  content: [{ type: 'output_text', text, annotations: [] }],
});

export const shellCall = (cmd: string, callId = `call_${Math.random().toString(36).slice(2)}`) => ({
  type: 'function_call',
  id: `fc_${callId}`,
  call_id: callId,
  name: 'exec_command',
  arguments: JSON.stringify({ cmd }),
});

/** Text of every function_call_output the model received back (what commands printed). */
export function toolOutputs(requests: RecordedRequest[]): string[] {
  const out: string[] = [];
  for (const r of requests) {
    for (const item of r.body.input ?? []) {
      const i = item as { type?: string; output?: unknown };
      if (i.type === 'function_call_output') out.push(JSON.stringify(i.output));
    }
  }
  return out;
}

export class FakeResponsesApi {
  readonly requests: RecordedRequest[] = [];
  private server: http.Server | undefined;
  private readonly hung: http.ServerResponse[] = [];

  constructor(
    private script: Script,
    private readonly options: {
      apiKey?: string;
      /**
       * The model "thinks" this long before its reply starts streaming (benchmarks); a function
       * of the request for a model whose time grows with what it is given.
       */
      latencyMs?: number | ((request: RecordedRequest) => number);
    } = {},
  ) {}

  setScript(script: Script): void {
    this.script = script;
  }

  get url(): string {
    const addr = this.server?.address() as AddressInfo | undefined;
    if (!addr) throw new Error('fake Responses API is not started');
    return `http://127.0.0.1:${addr.port}/v1`;
  }

  /** Model requests only (the WebSocket probe is not counted). */
  get modelRequests(): RecordedRequest[] {
    return this.requests;
  }

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return this;
  }

  async stop(): Promise<void> {
    for (const res of this.hung) res.destroy();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = req.url ?? '';
    if (req.method === 'GET' && url.startsWith('/v1/responses')) {
      // Codex tries a WebSocket first; the real API answers it, we say "not here".
      res.writeHead(426, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: 'Upgrade Required' } }));
      return;
    }
    if (req.method !== 'POST' || !url.startsWith('/v1/responses')) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: `Unknown route ${req.method} ${url}` } }));
      return;
    }
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const authorization = req.headers.authorization;
    const recorded: RecordedRequest = {
      receivedAt: performance.timeOrigin + performance.now(),
      path: url,
      authorization,
      body: JSON.parse(raw) as ResponsesRequestBody,
      raw,
    };
    this.requests.push(recorded);

    if (this.options.apiKey !== undefined && authorization !== `Bearer ${this.options.apiKey}`) {
      // The real service's answer to a wrong key.
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          error: {
            message:
              'Incorrect API key provided: sk-***. You can find your API key at https://platform.openai.com/account/api-keys.',
            type: 'invalid_request_error',
            param: null,
            code: 'invalid_api_key',
          },
        }),
      );
      return;
    }

    const reply = this.script(recorded, this.requests.length - 1);
    const latency =
      typeof this.options.latencyMs === 'function'
        ? this.options.latencyMs(recorded)
        : this.options.latencyMs;
    if (latency) await new Promise((resolve) => setTimeout(resolve, latency));
    if (reply.kind === 'hang') {
      this.hung.push(res);
      return;
    }
    if (reply.kind === 'status') {
      res.writeHead(reply.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(reply.body));
      return;
    }
    const id = `resp_${this.requests.length}`;
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    const send = (type: string, data: Record<string, unknown>) =>
      res.write(`event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`);
    send('response.created', { response: { id } });
    reply.items.forEach((item, index) => {
      send('response.output_item.done', { output_index: index, item });
    });
    const u = reply.usage ?? {
      input_tokens: 100,
      cached_tokens: 20,
      output_tokens: 30,
      reasoning_tokens: 5,
    };
    send('response.completed', {
      response: {
        id,
        usage: {
          input_tokens: u.input_tokens,
          input_tokens_details: { cached_tokens: u.cached_tokens ?? 0 },
          output_tokens: u.output_tokens,
          output_tokens_details: { reasoning_tokens: u.reasoning_tokens ?? 0 },
          total_tokens: u.input_tokens + u.output_tokens,
        },
      },
    });
    res.end();
  }
}
