// Session files are read as a stream: only the lines whose start names the wanted type are
// kept, however long the others are.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { linesStartingWith } from '../../src/core/codex/session-lines.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'session-lines-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function file(name: string, lines: string[], torn = false): string {
  const full = path.join(dir, name);
  fs.writeFileSync(full, lines.join('\n') + (torn ? '' : '\n'));
  return full;
}

const line = (type: string, text: string) =>
  JSON.stringify({ timestamp: 't', type: 'event_msg', payload: { type, text } });

describe('linesStartingWith', () => {
  it('yields the lines naming the type, in order, across chunk boundaries, with multi-byte text', () => {
    const big = 'é'.repeat(3 * 1024 * 1024);
    const lines = [
      line('token_count', 'first'),
      line('agent_message', big),
      line('token_count', `second ${big}`),
      '',
      line('token_count', 'third ✓'),
    ];
    const got = [...linesStartingWith(file('a.jsonl', lines), '"token_count"')];
    expect(got).toEqual([lines[0], lines[2], lines[4]]);
  });

  it('skips a long line whose start does not name the type, even if its text does later', () => {
    const long = line('agent_message', `${'x'.repeat(200 * 1024)} "token_count" `);
    const got = [
      ...linesStartingWith(file('b.jsonl', [long, line('token_count', 'k')]), '"token_count"'),
    ];
    expect(got).toEqual([line('token_count', 'k')]);
  });

  it('yields a torn last line that names the type (a killed run)', () => {
    const got = [
      ...linesStartingWith(
        file('c.jsonl', [line('x', 'y'), '{"payload":{"type":"token_co'], true),
        'token_co',
      ),
    ];
    expect(got).toEqual(['{"payload":{"type":"token_co']);
  });

  it('reads a 200 MB file in little memory', () => {
    const chunk = `${line('agent_message', 'y'.repeat(50 * 1024 * 1024))}\n`;
    const full = path.join(dir, 'big.jsonl');
    const fd = fs.openSync(full, 'w');
    for (let i = 0; i < 4; i++) fs.writeSync(fd, chunk);
    fs.writeSync(fd, `${line('token_count', 'last')}\n`);
    fs.closeSync(fd);
    const before = process.memoryUsage().rss;
    let peak = before;
    const got: string[] = [];
    for (const l of linesStartingWith(full, '"token_count"')) {
      got.push(l);
      peak = Math.max(peak, process.memoryUsage().rss);
    }
    peak = Math.max(peak, process.memoryUsage().rss);
    expect(got).toEqual([line('token_count', 'last')]);
    expect(peak - before).toBeLessThan(64 * 1024 * 1024);
  });
});
