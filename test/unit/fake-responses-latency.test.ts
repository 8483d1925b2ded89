// The fake model's latency knob (benchmarks): a fixed delay, or one computed from the request.
import { afterEach, describe, expect, it } from 'vitest';
import { FakeResponsesApi, message } from '../fakes/responses-api.js';

const fakes: FakeResponsesApi[] = [];
afterEach(async () => {
  while (fakes.length) await fakes.pop()!.stop();
});

async function timedPost(url: string, text: string): Promise<number> {
  const started = performance.now();
  const res = await fetch(`${url}/responses`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ input: [{ role: 'user', content: text }] }),
  });
  await res.text();
  return performance.now() - started;
}

describe('the fake Responses API latency', () => {
  it('delays each reply by what a function of the request returns', async () => {
    const seen: string[] = [];
    const fake = await new FakeResponsesApi(() => ({ kind: 'items', items: [message('ok')] }), {
      latencyMs: (request) => {
        seen.push(JSON.stringify(request.body.input));
        return JSON.stringify(request.body.input).includes('slow') ? 300 : 0;
      },
    }).start();
    fakes.push(fake);
    expect(await timedPost(fake.url, 'slow please')).toBeGreaterThanOrEqual(290);
    expect(await timedPost(fake.url, 'fast')).toBeLessThan(250);
    expect(seen).toHaveLength(2);
  });
});
