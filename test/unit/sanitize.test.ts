/* eslint-disable no-control-regex -- the tests look for control characters */
import * as core from '@actions/core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TerminalLogger } from '../../src/cli/terminal-logger.js';
import { Redactor } from '../../src/core/redact.js';
import { sanitizeForJobLog, stripTerminalControls } from '../../src/core/render/sanitize.js';
import { fingerprintOf, type Finding } from '../../src/core/review/finding.js';
import { annotate } from '../../src/github/annotations.js';
import { ActionsLogger } from '../../src/github/logger.js';
import { TERMINAL_ESCAPES, WORKFLOW_COMMANDS } from '../support/hostile.js';
import { legacyMarkers, runnerCommands } from '../support/runner-commands.js';

// Any control character but tab and line feed, or the escape character.
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

describe('text printed to a terminal', () => {
  for (const escape of TERMINAL_ESCAPES) {
    it(`obeys no ${JSON.stringify(escape)}`, () => {
      const out = stripTerminalControls(`before ${escape} after`);
      expect(out).not.toMatch(CONTROL);
      expect(out.startsWith('before ')).toBe(true);
      expect(out.endsWith(' after')).toBe(true);
    });
  }

  it('drops whole sequences, not only their escape character', () => {
    expect(
      stripTerminalControls('a\u001b]8;;https://evil.example\u001b\\link\u001b]8;;\u001b\\b'),
    ).toBe('alinkb');
    expect(stripTerminalControls('a\u001b]52;c;ZXZpbA==\u0007b')).toBe('ab');
    expect(stripTerminalControls('\u001b[1;31mred\u001b[0m')).toBe('red');
  });

  it('leaves the rest of an unterminated string as inert text', () => {
    expect(stripTerminalControls('a\u001b]52;c;ZXZpbA==')).toBe('a52;c;ZXZpbA==');
  });

  it('keeps tabs, line feeds, Unicode and emoji; a carriage return ends a line', () => {
    expect(stripTerminalControls('a\tb\nc — é 🔴\r\nd\re')).toBe('a\tb\nc — é 🔴\nd\ne');
  });
});

describe('text printed to a GitHub Actions job log', () => {
  for (const line of WORKFLOW_COMMANDS) {
    it(`is no command: ${JSON.stringify(line)}`, () => {
      const out = sanitizeForJobLog(`${line}\n  ${line}`);
      expect(runnerCommands(out)).toEqual([]);
      expect(legacyMarkers(out)).toEqual([]);
    });
  }

  it('the planted lines are commands when printed raw (the port of the runner finds them)', () => {
    const raw = WORKFLOW_COMMANDS.map((l) => stripTerminalControls(l)).join('\n');
    expect(runnerCommands(raw).length).toBe(WORKFLOW_COMMANDS.length);
  });

  it('reads as written, with a backslash before the command', () => {
    expect(sanitizeForJobLog('  ::add-mask::P1')).toBe('  \\::add-mask::P1');
    expect(sanitizeForJobLog('x ##[error]y')).toBe('x ##\\[error]y');
    expect(sanitizeForJobLog('a::b ## [c] plain')).toBe('a::b ## [c] plain');
  });
});

function captureStdout(): { text: () => string; restore: () => void } {
  let out = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: unknown) => {
    out += String(chunk);
    return true;
  });
  return { text: () => out, restore: () => spy.mockRestore() };
}

describe('the Actions logger', () => {
  let stdout: ReturnType<typeof captureStdout>;
  beforeEach(() => {
    process.env.RUNNER_DEBUG = '1';
    stdout = captureStdout();
  });
  afterEach(() => {
    stdout.restore();
    delete process.env.RUNNER_DEBUG;
  });
  const hostile = [...WORKFLOW_COMMANDS, ...TERMINAL_ESCAPES].join('\n');

  it('prints model text as information without any command', () => {
    new ActionsLogger(new Redactor()).info(hostile);
    expect(runnerCommands(stdout.text())).toEqual([]);
    expect(stdout.text()).not.toMatch(CONTROL);
    expect(stdout.text()).toContain('\\::add-mask::P1');
  });

  it('issues exactly the warning, error, debug and group commands it means to', async () => {
    const logger = new ActionsLogger(new Redactor());
    logger.warning(hostile);
    logger.error(hostile);
    logger.debug(hostile);
    await logger.group(`Group ${hostile}`, async () => logger.info(hostile));
    const commands = runnerCommands(stdout.text()).map((c) => c.command);
    expect(commands).toEqual(['warning', 'error', 'debug', 'group', 'endgroup']);
    // The runner prints a warning's decoded message into the log as lines of its own.
    for (const c of runnerCommands(stdout.text())) {
      expect(runnerCommands(c.data)).toEqual([]);
      expect(legacyMarkers(c.data)).toEqual([]);
    }
  });

  it('redacts a secret hidden by an escape sequence inside it', () => {
    const redactor = new Redactor();
    const logger = new ActionsLogger(redactor);
    const key = 'sk-proj-Q7v_R2mXk9-Lp4TzW8eYc3Nf6Hj1BsGd5Ua0IoKq';
    redactor.add(key);
    logger.info(`key: ${key.slice(0, 20)}\u001b[0m${key.slice(20)}`);
    expect(stdout.text()).not.toContain(key.slice(20));
    expect(stdout.text()).toContain('***');
  });
});

describe('annotations made from findings', () => {
  let stdout: ReturnType<typeof captureStdout>;
  beforeEach(() => {
    stdout = captureStdout();
  });
  afterEach(() => stdout.restore());

  function finding(overrides: Partial<Finding>): Finding {
    return {
      title: 'T',
      body: 'B',
      priority: 1,
      confidence: 0.9,
      path: 'src/a.ts',
      startLine: 3,
      endLine: 4,
      inRepo: true,
      fingerprint: fingerprintOf('src/a.ts', 'T'),
      ...overrides,
    };
  }

  it('each finding is one command with exactly its own properties, whatever it holds', () => {
    annotate(
      [
        finding({
          title: 'x,file=evil.ts,line=99::\n::error file=y::second\n## heading',
          body: `${WORKFLOW_COMMANDS.join('\n')}\n%0A::error::encoded`,
          path: 'src/a,title=forged::b.ts',
        }),
        finding({ title: 'second', priority: 3, path: null, startLine: null, endLine: null }),
      ],
      new Redactor(),
    );
    const commands = runnerCommands(stdout.text());
    expect(commands.map((c) => c.command)).toEqual(['error', 'warning']);
    expect(commands[0]!.properties).toEqual({
      title: '[P1] x,file=evil.ts,line=99:: ::error file=y::second ## heading',
      file: 'src/a,title=forged::b.ts',
      line: '3',
      endLine: '4',
    });
    expect(commands[1]!.properties).toEqual({ title: '[P3] second' });
    const message = commands[0]!.data;
    expect(message).toContain('%0A::error::encoded');
    expect(runnerCommands(message)).toEqual([]);
    expect(legacyMarkers(message)).toEqual([]);
  });

  it('@actions/core itself encodes what would end a property early (the guarantee relied on)', () => {
    core.error('m', { title: 'a,b::c\nd%' });
    expect(stdout.text()).toBe('::error title=a%2Cb%3A%3Ac%0Ad%25::m\n');
  });
});

describe('the terminal logger', () => {
  let err = '';
  let spy: ReturnType<typeof vi.spyOn>;
  beforeEach(() => {
    err = '';
    spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: unknown) => {
      err += String(chunk);
      return true;
    });
  });
  afterEach(() => spy.mockRestore());

  it('prints no escape sequence from a message, only the colour it adds itself', async () => {
    const logger = new TerminalLogger(new Redactor(), { color: true, verbose: true });
    for (const escape of TERMINAL_ESCAPES) {
      logger.info(escape);
      logger.debug(escape);
      logger.warning(escape);
      logger.error(escape);
      await logger.group(escape, async () => undefined);
    }
    const withoutOwnColours = err.replace(/\u001b\[(?:33|31|1|0)m/g, '');
    expect(withoutOwnColours).not.toMatch(CONTROL);
    expect(err).toContain('\u001b[33mwarning:\u001b[0m ');
  });

  it('without colour prints no escape character at all', () => {
    const logger = new TerminalLogger(new Redactor(), { color: false });
    for (const escape of TERMINAL_ESCAPES) logger.warning(escape);
    expect(err).not.toMatch(CONTROL);
  });
});
