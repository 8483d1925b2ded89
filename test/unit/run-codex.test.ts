// runCodex against small stand-in executables, for the process-level behaviour that the real
// CLI cannot be made to show on demand (exit codes, garbage, background children).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCodex } from '../../src/core/codex/run.js';
import { CodexRunError } from '../../src/core/errors.js';
import { RecordingLogger } from '../../src/core/logger.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'codex-review-fakebin-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function fakeCodex(name: string, script: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, `#!/usr/bin/env bash\n${script}\n`, { mode: 0o755 });
  return file;
}

/** Alive means running: a killed process can linger as a zombie until its parent reaps it. */
function isRunning(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\d+ \(.*\) [ZX]/.test(stat);
  } catch {
    return false;
  }
}

/** SIGKILL is delivered asynchronously; give the kernel a moment before judging. */
async function stopsRunning(pid: number, withinMs = 2_000): Promise<boolean> {
  const deadline = Date.now() + withinMs;
  while (Date.now() < deadline) {
    if (!isRunning(pid)) return true;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return !isRunning(pid);
}

const run = (binary: string, extra: Partial<Parameters<typeof runCodex>[0]> = {}) => {
  const logger = new RecordingLogger();
  return {
    logger,
    promise: runCodex({
      binary,
      args: [],
      cwd: dir,
      env: { PATH: process.env.PATH },
      timeoutMs: 10_000,
      logger,
      ...extra,
    }),
  };
};

const ok = `
echo '{"type":"thread.started","thread_id":"t-1"}'
echo '{"type":"turn.started"}'
echo '{"type":"item.completed","item":{"id":"i0","type":"agent_message","text":"first"}}'
echo '{"type":"item.completed","item":{"id":"i1","type":"agent_message","text":"final answer"}}'
echo '{"type":"turn.completed","usage":{"input_tokens":7,"cached_input_tokens":2,"output_tokens":3,"reasoning_output_tokens":1}}'
`;

describe('runCodex', () => {
  it('succeeds on exit 0 with turn.completed and keeps the last agent message', async () => {
    const result = await run(fakeCodex('ok', ok)).promise;
    expect(result).toMatchObject({
      threadId: 't-1',
      finalMessage: 'final answer',
      usage: {
        input_tokens: 7,
        cached_input_tokens: 2,
        output_tokens: 3,
        reasoning_output_tokens: 1,
      },
    });
  });

  it('closes stdin, so a Codex that reads it to EOF does not hang', async () => {
    const result = await run(fakeCodex('reads-stdin', `cat >/dev/null\n${ok}`)).promise;
    expect(result.finalMessage).toBe('final answer');
  });

  it('fails when the process exits 0 without completing its turn', async () => {
    const { promise } = run(
      fakeCodex('no-turn', `echo '{"type":"thread.started","thread_id":"t"}'`),
    );
    await expect(promise).rejects.toThrow('Codex ended without completing its turn.');
  });

  it('fails with the turn.failed message when Codex exits non-zero', async () => {
    const { promise } = run(
      fakeCodex(
        'failed',
        `echo '{"type":"error","message":"Reconnecting... 1/5 (stream disconnected)"}'
echo '{"type":"turn.failed","error":{"message":"exceeded retry limit, last status: 500 Internal Server Error"}}'
exit 1`,
      ),
    );
    const error = await promise.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CodexRunError);
    expect((error as Error).message).toContain('kept failing with server errors');
    expect((error as Error).message).toContain(
      'Codex said: exceeded retry limit, last status: 500',
    );
  });

  it('explains a context window overflow', async () => {
    const { promise } = run(
      fakeCodex(
        'context',
        `echo '{"type":"turn.failed","error":{"message":"Your input exceeds the context window of this model."}}'; exit 1`,
      ),
    );
    await expect(promise).rejects.toThrow(/ran out of model context/);
  });

  it('falls back to stderr when Codex prints no events', async () => {
    const { promise } = run(
      fakeCodex('stderr', `echo "Error: unknown config key 'foo'" >&2; exit 2`),
    );
    await expect(promise).rejects.toThrow(
      /Codex exited with code 2\.\nCodex said: Error: unknown config key 'foo'/,
    );
  });

  it('ignores garbage and unknown events instead of failing', async () => {
    const { promise, logger } = run(
      fakeCodex(
        'garbage',
        `echo 'not json at all'\necho '{"type":"brand.new.event","x":1}'\n${ok}`,
      ),
    );
    expect((await promise).finalMessage).toBe('final answer');
    expect(logger.text()).toContain('2 Codex output line(s) were not recognised');
  });

  it('kills the whole process group at the timeout, background children included', async () => {
    const pidFile = path.join(dir, 'child.pid');
    const { promise } = run(fakeCodex('hang', `sleep 1000 & echo $! > ${pidFile}\nsleep 1000`), {
      timeoutMs: 500,
    });
    await expect(promise).rejects.toThrow(/did not finish within `timeout-minutes`/);
    const child = Number(fs.readFileSync(pidFile, 'utf8'));
    expect(await stopsRunning(child)).toBe(true);
  });

  it('leaves nothing running after a normal exit either', async () => {
    const pidFile = path.join(dir, 'bg.pid');
    const { promise } = run(
      fakeCodex('bg', `(sleep 1000 >/dev/null 2>&1 &  echo $! > ${pidFile})\n${ok}`),
    );
    await promise;
    const child = Number(fs.readFileSync(pidFile, 'utf8'));
    expect(child).toBeGreaterThan(0);
    expect(await stopsRunning(child)).toBe(true);
  });

  it('refuses to start Codex with an API key in its environment', async () => {
    for (const name of ['CODEX_API_KEY', 'OPENAI_API_KEY']) {
      const { promise } = run(fakeCodex('never', 'exit 0'), {
        env: { PATH: process.env.PATH, [name]: 'sk-should-stay-in-the-proxy' },
      });
      await expect(promise).rejects.toThrow(`refusing to start Codex with ${name}`);
    }
  });

  it('explains an unreachable model endpoint from what the key proxy saw', async () => {
    const keyProxy = {
      baseUrl: 'http://127.0.0.1:1/v1',
      providerArgs: [],
      upstream: 'https://gateway.example.com/v1',
      last: { error: 'getaddrinfo ENOTFOUND gateway.example.com' },
      forwarded: 5,
      close: async () => undefined,
    };
    const { promise } = run(
      fakeCodex(
        'bad-gateway',
        `echo '{"type":"turn.failed","error":{"message":"unexpected status 502 Bad Gateway"}}'; exit 1`,
      ),
      { keyProxy },
    );
    await expect(promise).rejects.toThrow(
      'Codex could not reach the model endpoint https://gateway.example.com/v1: getaddrinfo ENOTFOUND gateway.example.com.',
    );
  });

  it('says it is still working when Codex is quiet for a while', async () => {
    const { promise, logger } = run(fakeCodex('slow', `sleep 1\n${ok}`), { heartbeatMs: 200 });
    await promise;
    expect(logger.text()).toMatch(/Codex is still working \(\d+ s so far, 0 command\(s\) run\)/);
  });
});
