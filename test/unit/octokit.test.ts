// The Octokit the action uses: a normal run's few writes go out at once; a long run of writes is
// still spaced (the throttling plugin's protection against secondary rate limits).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { RecordingLogger } from '../../src/core/logger.js';
import { createOctokit } from '../../src/github/octokit.js';

let server: http.Server | undefined;
afterEach(
  () => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())),
);

async function recordingServer(): Promise<{ url: string; arrivals: number[] }> {
  const arrivals: number[] = [];
  server = http.createServer((req, res) => {
    arrivals.push(performance.now());
    req.resume();
    res.writeHead(201, { 'content-type': 'application/json' });
    res.end('{"id":1}');
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server!.address() as AddressInfo).port}`, arrivals };
}

describe('createOctokit', () => {
  it('sends the first three comment writes at once and spaces the ones after', async () => {
    const { url, arrivals } = await recordingServer();
    const octokit = createOctokit('ghs_test', new RecordingLogger(), { GITHUB_API_URL: url });
    const started = performance.now();
    await Promise.all(
      [1, 2, 3, 4].map((n) =>
        octokit.rest.issues.createComment({ owner: 'o', repo: 'r', issue_number: n, body: 'x' }),
      ),
    );
    const offsets = arrivals.map((t) => t - started);
    expect(offsets).toHaveLength(4);
    // The burst: no limiter wait before the third write (the plugin alone spaced them 3 s).
    expect(offsets[2]).toBeLessThan(900);
    // After the burst the bucket refills one write per 3 s for notifying writes.
    expect(offsets[3]! - offsets[2]!).toBeGreaterThan(1_500);
  });
});
