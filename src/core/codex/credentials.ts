// actions/checkout leaves the job's token in the checkout (an `http.<url>.extraheader` in
// .git/config, or, in newer versions, an includeIf'd credentials file), where any command
// the agent runs can read it. It is taken out for the duration of the Codex run and put back.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Logger } from '../logger.js';

const execFileAsync = promisify(execFile);

async function gitConfig(cwd: string, args: string[]): Promise<string> {
  try {
    const { stdout } = await execFileAsync('git', ['config', '--local', ...args], { cwd });
    return stdout;
  } catch {
    return ''; // no match: git exits 1
  }
}

function entries(text: string): Array<[string, string]> {
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const i = line.indexOf(' ');
      return i < 0 ? [line, ''] : [line.slice(0, i), line.slice(i + 1)];
    });
}

/** Hide persisted credentials; the returned function restores them exactly. */
export async function hidePersistedCredentials(
  cwd: string,
  logger: Logger,
): Promise<() => Promise<void>> {
  const headers = entries(await gitConfig(cwd, ['--get-regexp', '^http\\..*\\.extraheader$']));
  const files: Array<{ file: string; content: Buffer }> = [];
  for (const [, value] of entries(
    await gitConfig(cwd, ['--get-regexp', '^includeif\\..*\\.path$']),
  )) {
    const file = path.resolve(cwd, value);
    try {
      const content = fs.readFileSync(file);
      if (/extraheader|AUTHORIZATION/i.test(content.toString('utf8')))
        files.push({ file, content });
    } catch {
      // not readable or gone: nothing to hide
    }
  }
  if (headers.length === 0 && files.length === 0) return async () => undefined;

  for (const [, value] of headers) {
    // The header is "AUTHORIZATION: basic <base64>"; keep the secret part out of every log.
    const secret = value.split(/\s+/).at(-1);
    if (secret) logger.setSecret(secret);
  }
  for (const name of new Set(headers.map(([name]) => name)))
    await gitConfig(cwd, ['--unset-all', name]);
  for (const { file } of files) fs.writeFileSync(file, '');
  logger.info(
    `Took the checkout's persisted token out of reach of the agent for this run (${headers.length + files.length} place(s)); ` +
      'set `persist-credentials: false` on actions/checkout to avoid it altogether.',
  );
  return async () => {
    for (const [name, value] of headers) await gitConfig(cwd, ['--add', name, value]);
    for (const { file, content } of files) fs.writeFileSync(file, content);
  };
}
