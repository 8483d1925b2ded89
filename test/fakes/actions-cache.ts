// A loopback fake of the GitHub Actions cache service, the legacy v1 protocol @actions/cache
// speaks when ACTIONS_CACHE_URL is set (and always on GitHub Enterprise Server):
//   GET   _apis/artifactcache/cache?keys=k1,k2&version=V   → 200 entry | 204 miss
//   POST  _apis/artifactcache/caches {key, version}         → 201 {cacheId} | 409 taken
//   PATCH _apis/artifactcache/caches/{id} (Content-Range)   → upload a chunk
//   POST  _apis/artifactcache/caches/{id} {size}            → commit
//   GET   archiveLocation                                   → the archive
// What GitHub documents and the fake enforces: an entry is immutable (a second save of the same
// key and version is refused); a run reads the caches of its own ref and of the default branch,
// never another pull request's or branch's; a lookup tries, per key in order, an exact match,
// then the newest entry whose key starts with it, in the run's ref first and then in the
// default branch ("Matching a cache key", docs.github.com). The ref of a run is known from its
// ACTIONS_RUNTIME_TOKEN (the real service reads it from the token's claims).
// Not faked: the v2 protocol (Twirp + Azure Blob storage) github.com runners use now, sizes and
// eviction. The 409 body's wording is plausible.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface CacheEntry {
  id: number;
  key: string;
  version: string;
  /** The ref whose run saved it. */
  scope: string;
  data: Buffer;
  committed: boolean;
  createdAt: number;
}

export class FakeActionsCache {
  readonly entries: CacheEntry[] = [];
  readonly requests: Array<{ method: string; path: string; status: number }> = [];
  private server: http.Server | undefined;
  private nextId = 1;
  private clock = 0;
  private readonly chunks = new Map<number, Array<{ start: number; data: Buffer }>>();

  /**
   * @param tokens runtime token → the ref of the run that holds it (refs/pull/9/merge).
   * @param defaultRef the repository's default branch, readable by every run.
   */
  constructor(
    private readonly tokens: Record<string, string>,
    private readonly defaultRef = 'refs/heads/main',
  ) {}

  get url(): string {
    const addr = this.server?.address() as AddressInfo | undefined;
    if (!addr) throw new Error('fake Actions cache is not started');
    return `http://127.0.0.1:${addr.port}/`;
  }

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake.invalid');
    const method = req.method ?? 'GET';
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);
    const send = (status: number, body?: unknown, binary?: Buffer) => {
      this.requests.push({ method, path: url.pathname, status });
      if (binary) {
        res.writeHead(status, { 'content-type': 'application/octet-stream' }).end(binary);
      } else if (body === undefined) {
        res.writeHead(status).end();
      } else {
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      }
    };
    const archive = /^\/archive\/(\d+)$/.exec(url.pathname);
    if (archive && method === 'GET') {
      // The real archive location is a signed storage URL: no bearer token needed.
      const entry = this.entries.find((e) => e.id === Number(archive[1]) && e.committed);
      return entry ? send(200, undefined, entry.data) : send(404, { message: 'Not Found' });
    }
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const scope = token === undefined ? undefined : this.tokens[token];
    if (scope === undefined) return send(401, { message: 'Unauthorized' });
    const api = url.pathname.replace(/^\/_apis\/artifactcache\//, '');
    if (method === 'GET' && api === 'cache') {
      const keys = (url.searchParams.get('keys') ?? '').split(',').filter(Boolean);
      const entry = this.lookup(keys, url.searchParams.get('version') ?? '', scope);
      if (!entry) return send(204);
      return send(200, {
        scope: entry.scope,
        cacheKey: entry.key,
        cacheVersion: entry.version,
        creationTime: new Date(entry.createdAt).toISOString(),
        archiveLocation: `${this.url}archive/${entry.id}`,
      });
    }
    if (method === 'POST' && api === 'caches') {
      const body = JSON.parse(raw.toString('utf8')) as { key: string; version: string };
      if (
        this.entries.some(
          (e) => e.key === body.key && e.version === body.version && e.scope === scope,
        )
      ) {
        return send(409, {
          message: `Cache already exists. Scope: ${scope}, Key: ${body.key}, Version: ${body.version}`,
        });
      }
      const id = this.nextId++;
      this.entries.push({
        id,
        key: body.key,
        version: body.version,
        scope,
        data: Buffer.alloc(0),
        committed: false,
        createdAt: ++this.clock,
      });
      this.chunks.set(id, []);
      return send(201, { cacheId: id });
    }
    const upload = /^caches\/(\d+)$/.exec(api);
    const entry =
      upload && this.entries.find((e) => e.id === Number(upload[1]) && e.scope === scope);
    if (upload && !entry) return send(404, { message: 'Not Found' });
    if (entry && method === 'PATCH') {
      const range = /^bytes (\d+)-(\d+)\/\*$/.exec(String(req.headers['content-range'] ?? ''));
      if (!range || Number(range[2]) - Number(range[1]) + 1 !== raw.length)
        return send(400, { message: 'Bad Content-Range' });
      this.chunks.get(entry.id)!.push({ start: Number(range[1]), data: raw });
      return send(204);
    }
    if (entry && method === 'POST') {
      const { size } = JSON.parse(raw.toString('utf8')) as { size: number };
      const parts = this.chunks.get(entry.id)!.sort((a, b) => a.start - b.start);
      const data = Buffer.concat(parts.map((p) => p.data));
      if (data.length !== size)
        return send(400, { message: `Uploaded ${data.length} bytes, committed ${size}` });
      entry.data = data;
      entry.committed = true;
      return send(204);
    }
    return send(404, { message: 'Not Found' });
  }

  private lookup(keys: string[], version: string, scope: string): CacheEntry | undefined {
    for (const ref of scope === this.defaultRef ? [scope] : [scope, this.defaultRef]) {
      const candidates = this.entries.filter(
        (e) => e.committed && e.version === version && e.scope === ref,
      );
      for (const key of keys) {
        const exact = candidates.find((e) => e.key === key);
        if (exact) return exact;
        const prefixed = candidates
          .filter((e) => e.key.startsWith(key))
          .sort((a, b) => b.createdAt - a.createdAt);
        if (prefixed[0]) return prefixed[0];
      }
    }
    return undefined;
  }
}
