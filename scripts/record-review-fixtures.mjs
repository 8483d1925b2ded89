// Records golden fixtures of `codex exec review` from the REAL pinned Codex CLI.
//
// For each case it makes a throw-away git repository (main + a feature branch), starts a tiny
// loopback fake of the OpenAI Responses API that answers with the case's model reply, runs
//
//   codex exec --json -c openai_base_url=… --disable unbounded_connection_retries \
//     --sandbox read-only review --base main
//
// with a fresh CODEX_HOME, and saves under test/fixtures/review/<case>/:
//
//   model-reply.txt     what the fake model said (absent when it said nothing)
//   rendered.txt        the last agent_message text of the JSONL stream
//   session-line.json   the ExitedReviewMode line of the session (rollout) file, when present
//   events.jsonl        the JSONL stream itself
//
// The temp repository path is replaced by /repo everywhere. expected.json is written by hand
// and never touched here. Usage: node scripts/record-review-fixtures.mjs [case…]
// (DEBUG_ROLLOUT=1 also prints the session files.) Needs the pinned CLI from `npm ci`;
// CODEX_BINARY=/path/to/codex records with another build instead (to compare two versions).
import { Buffer } from 'node:buffer';
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { clearTimeout, setTimeout } from 'node:timers';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const OUT = path.join(ROOT, 'test', 'fixtures', 'review');
const PLACEHOLDER = '/repo';
/** Marks where the temp repository path goes in a model reply. */
const REPO = '{{REPO}}';

function codexBinary() {
  if (process.env.CODEX_BINARY) return process.env.CODEX_BINARY;
  const triples = {
    'linux-x64': 'x86_64-unknown-linux-musl',
    'linux-arm64': 'aarch64-unknown-linux-musl',
    'darwin-x64': 'x86_64-apple-darwin',
    'darwin-arm64': 'aarch64-apple-darwin',
  };
  const tag = `${process.platform}-${process.arch}`;
  const triple = triples[tag];
  if (!triple) throw new Error(`no Codex build known for ${tag}`);
  const bin = path.join(
    ROOT,
    'node_modules',
    '@openai',
    `codex-${tag}`,
    'vendor',
    triple,
    'bin',
    'codex',
  );
  if (!fs.existsSync(bin)) throw new Error(`the pinned Codex CLI is missing (${bin}); run npm ci`);
  return bin;
}

const finding = (title, body, file, start, end, confidence, priority) => ({
  title,
  body,
  confidence_score: confidence,
  priority,
  code_location: { absolute_file_path: file, line_range: { start, end } },
});

const review = (findings, correctness, explanation, confidence) =>
  JSON.stringify({
    findings,
    overall_correctness: correctness,
    overall_explanation: explanation,
    overall_confidence_score: confidence,
  });

const MEAN = 'export function mean(xs) {\n  return xs.reduce((s, x) => s + x, 0) / xs.length;\n}\n';

/**
 * Each case: files changed on the feature branch, and what the model answers to every
 * request (`text` = one assistant message; `items` = raw output items; `status` = an HTTP error).
 */
const CASES = {
  'zero-findings': {
    files: { 'app.js': MEAN },
    text: review([], 'patch is correct', 'The new helper is straightforward and correct.', 0.9),
  },
  'one-finding': {
    files: { 'app.js': MEAN },
    text: review(
      [
        finding(
          '[P1] Guard against empty arrays in mean',
          'Calling `mean([])` divides by zero and returns NaN.',
          `${REPO}/app.js`,
          5,
          7,
          0.82,
          1,
        ),
      ],
      'patch is incorrect',
      'mean() returns NaN for an empty input.',
      0.8,
    ),
  },
  'many-findings': {
    files: {
      'app.js': MEAN,
      'src/util.js': 'export const clamp = (x, lo, hi) => Math.max(lo, Math.min(hi, x));\n',
    },
    text: review(
      [
        finding(
          '[P0] Division by zero on empty input',
          'An empty array makes `xs.length` zero.',
          `${REPO}/app.js`,
          6,
          6,
          0.95,
          0,
        ),
        finding(
          '[P2] clamp ignores swapped bounds',
          'When lo > hi the result is always hi.',
          `${REPO}/src/util.js`,
          1,
          1,
          0.6,
          2,
        ),
        finding(
          'Consider naming the reducer arguments',
          'Single-letter names make the reducer harder to read.',
          `${REPO}/app.js`,
          5,
          7,
          0.3,
          2,
        ),
        finding(
          '[P3] Missing newline at end of README',
          'Nit: keep a trailing newline.',
          `${REPO}/README.md`,
          1,
          1,
          0.2,
          3,
        ),
        finding(
          '[P0] Division by zero on empty input',
          'Same problem in the other branch.',
          `${REPO}/app.js`,
          7,
          7,
          0.9,
          0,
        ),
      ],
      'patch is incorrect',
      'Two real problems and two nits.',
      0.7,
    ),
  },
  'multiline-body': {
    files: { 'app.js': MEAN },
    text: review(
      [
        finding(
          '[P1] mean() fails on empty and sparse arrays',
          'Two problems with the new helper:\n\n- `mean([])` returns `NaN` (division by zero).\n- Sparse arrays skip holes in `reduce` but count them in `length`.\n\nSuggested fix:\n\n```js\nif (xs.length === 0) return 0;\n```',
          `${REPO}/app.js`,
          5,
          7,
          0.77,
          1,
        ),
        finding(
          '[P2] Document the return value',
          'Say what is returned for an empty input.\n  Indented continuation line.',
          `${REPO}/app.js`,
          5,
          5,
          0.4,
          2,
        ),
      ],
      'patch is incorrect',
      'The helper needs a guard.\n\nSee the comments below.',
      0.75,
    ),
  },
  'path-with-spaces-unicode': {
    files: { 'docs/Ünïcödé files/naïve café.js': 'export const café = 1 / 0;\n' },
    text: review(
      [
        finding(
          '[P2] Avoid dividing by zero in café',
          'The constant is `Infinity`.',
          `${REPO}/docs/Ünïcödé files/naïve café.js`,
          1,
          1,
          0.66,
          2,
        ),
      ],
      'patch is incorrect',
      'One constant is Infinity.',
      0.6,
    ),
  },
  'title-with-em-dash': {
    files: { 'app.js': MEAN },
    text: review(
      [
        finding(
          '[P1] Empty input — division by zero',
          'The title itself contains the separator.',
          `${REPO}/app.js`,
          6,
          6,
          0.7,
          1,
        ),
      ],
      'patch is incorrect',
      'A title with an em dash.',
      0.7,
    ),
  },
  'outside-repo': {
    files: { 'app.js': MEAN },
    text: review(
      [
        finding(
          '[P3] Hosts file mentions localhost twice',
          'Not part of the change, but noticed while reviewing.',
          '/etc/hosts',
          1,
          2,
          0.1,
          3,
        ),
        finding(
          '[P1] Guard against empty arrays in mean',
          'Calling `mean([])` divides by zero.',
          `${REPO}/app.js`,
          6,
          6,
          0.8,
          1,
        ),
      ],
      'patch is incorrect',
      'One in-repo finding and one outside.',
      0.5,
    ),
  },
  // Codex's ReviewFinding needs an integer priority: null (or a missing one) makes the whole
  // reply unparseable, so Codex renders it verbatim.
  'null-priority': {
    files: { 'app.js': MEAN },
    text: review(
      [
        finding(
          'Consider naming the reducer arguments',
          'Single-letter names.',
          `${REPO}/app.js`,
          5,
          7,
          0.3,
          null,
        ),
      ],
      'patch is correct',
      'Only a nit.',
      0.6,
    ),
  },
  // Codex looks for the JSON object inside the reply when the reply is not JSON itself.
  'json-in-prose': {
    files: { 'app.js': MEAN },
    text: `Here is my review:\n\n\`\`\`json\n${review([finding('[P2] Name the magic zero', 'Use a named initial value.', `${REPO}/app.js`, 6, 6, 0.5, 2)], 'patch is correct', 'Fine apart from a nit.', 0.8)}\n\`\`\``,
  },
  // No findings and an empty explanation: Codex renders "Reviewer failed to output a response."
  'empty-explanation': {
    files: { 'app.js': MEAN },
    text: review([], 'patch is correct', '', 0.9),
  },
  'unparseable-reply': {
    files: { 'app.js': MEAN },
    text: 'I looked at the change and it seems fine to me.\n\nNo JSON here, sorry.',
  },
  // An empty reply, no reply and an API error all end in "Review was interrupted…".
  'empty-message': {
    files: { 'app.js': MEAN },
    text: '',
  },
  'no-message': {
    files: { 'app.js': MEAN },
    items: [],
  },
  'model-error': {
    files: { 'app.js': MEAN },
    status: 400,
  },
};

function git(cwd, ...args) {
  return execFileSync('git', args, { cwd, encoding: 'utf8' }).trim();
}

function makeRepo(files) {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'codex-review-fixture-')));
  const write = (file, content) => {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), content);
  };
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'config', 'user.email', 'dev@example.com');
  git(dir, 'config', 'user.name', 'Dev');
  git(dir, 'config', 'commit.gpgsign', 'false');
  write('app.js', 'export function ratio(a, b) {\n  return a / b;\n}\n');
  write('README.md', '# demo');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'initial');
  git(dir, 'checkout', '-q', '-b', 'feature');
  for (const [file, content] of Object.entries(files)) {
    const full = path.join(dir, file);
    const before = fs.existsSync(full) ? fs.readFileSync(full, 'utf8') : '';
    write(file, file === 'app.js' ? `${before}\n${content}` : content);
  }
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'feature change');
  return dir;
}

/** A minimal Responses API: refuse the WebSocket upgrade, stream the scripted reply over SSE. */
async function startFake(reply) {
  const requests = [];
  const server = http.createServer(async (req, res) => {
    const url = req.url ?? '';
    if (req.method === 'GET' && url.startsWith('/v1/responses')) {
      res.writeHead(426, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: 'Upgrade Required' } }));
      return;
    }
    if (req.method !== 'POST' || !url.startsWith('/v1/responses')) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: `Unknown route ${req.method} ${url}` } }));
      return;
    }
    const chunks = [];
    for await (const chunk of req) chunks.push(chunk);
    requests.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
    if (reply.status) {
      res.writeHead(reply.status, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          error: {
            message: 'Invalid request (fixture)',
            type: 'invalid_request_error',
            param: null,
            code: null,
          },
        }),
      );
      return;
    }
    const id = `resp_${requests.length}`;
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    const send = (type, data) =>
      res.write(`event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`);
    send('response.created', { response: { id } });
    reply.items.forEach((item, index) =>
      send('response.output_item.done', { output_index: index, item }),
    );
    send('response.completed', {
      response: {
        id,
        usage: {
          input_tokens: 100,
          input_tokens_details: { cached_tokens: 0 },
          output_tokens: 30,
          output_tokens_details: { reasoning_tokens: 0 },
          total_tokens: 130,
        },
      },
    });
    res.end();
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}/v1`,
    requests,
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Async spawn (a sync one would block the fake server in this same process). */
function runCodex(binary, args, { cwd, env, timeoutMs }) {
  return new Promise((resolve) => {
    const child = spawn(binary, args, {
      cwd,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    }, timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, timedOut });
    });
  });
}

function findRollout(codexHome, threadId) {
  const stack = [path.join(codexHome, 'sessions')];
  while (stack.length > 0) {
    const dir = stack.pop();
    if (!fs.existsSync(dir)) continue;
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) stack.push(full);
      else if (entry.name.startsWith('rollout-') && entry.name.endsWith(`-${threadId}.jsonl`))
        return full;
    }
  }
  return undefined;
}

const messageItem = (text) => ({
  type: 'message',
  role: 'assistant',
  id: 'msg_fixture',
  content: [{ type: 'output_text', text, annotations: [] }],
});

async function record(name, spec, binary) {
  const repo = makeRepo(spec.files);
  const codexHome = fs.mkdtempSync(path.join(os.tmpdir(), 'codex-review-fixture-home-'));
  const modelText = spec.text === undefined ? undefined : spec.text.split(REPO).join(repo);
  const reply = spec.status
    ? { status: spec.status }
    : { items: spec.items ?? [messageItem(modelText)] };
  const fake = await startFake(reply);
  const started = Date.now();
  let result;
  try {
    result = await runCodex(
      binary,
      [
        'exec',
        '--json',
        '-c',
        `openai_base_url="${fake.url}"`,
        '--disable',
        'unbounded_connection_retries',
        '--sandbox',
        'read-only',
        'review',
        '--base',
        'main',
      ],
      {
        cwd: repo,
        env: { ...process.env, CODEX_HOME: codexHome, CODEX_API_KEY: 'sk-test', RUST_LOG: 'error' },
        timeoutMs: spec.status ? 180_000 : 60_000,
      },
    );
  } finally {
    await fake.stop();
  }
  // Let Codex finish flushing the session file (it is written by the process that exited).
  await delay(50);

  const scrub = (text) => text.split(repo).join(PLACEHOLDER);
  const events = result.stdout
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => {
      try {
        return JSON.parse(l);
      } catch {
        return undefined;
      }
    });
  const threadId = events.find((e) => e?.type === 'thread.started')?.thread_id;
  const messages = events.filter(
    (e) => e?.type === 'item.completed' && e.item?.type === 'agent_message',
  );
  const rendered = messages.at(-1)?.item?.text;
  const rollout = threadId ? findRollout(codexHome, threadId) : undefined;
  const sessionLine = rollout
    ? fs
        .readFileSync(rollout, 'utf8')
        .split('\n')
        .find((l) => l.includes('"ExitedReviewMode"'))
    : undefined;

  // DEBUG_ROLLOUT=1 prints the whole session file (to see what else Codex records).
  if (process.env.DEBUG_ROLLOUT && rollout) {
    console.log(path.relative(codexHome, rollout));
    for (const l of fs.readFileSync(rollout, 'utf8').split('\n'))
      if (l) console.log('  ', l.slice(0, 300));
  }
  const dir = path.join(OUT, name);
  fs.mkdirSync(dir, { recursive: true });
  for (const file of ['model-reply.txt', 'rendered.txt', 'session-line.json', 'events.jsonl']) {
    fs.rmSync(path.join(dir, file), { force: true });
  }
  if (modelText !== undefined)
    fs.writeFileSync(path.join(dir, 'model-reply.txt'), scrub(modelText));
  if (rendered !== undefined) fs.writeFileSync(path.join(dir, 'rendered.txt'), scrub(rendered));
  if (sessionLine !== undefined) {
    // Pretty-printed for review; the test re-serialises it as one JSONL line.
    fs.writeFileSync(
      path.join(dir, 'session-line.json'),
      `${JSON.stringify(JSON.parse(scrub(sessionLine)), null, 2)}\n`,
    );
  }
  fs.writeFileSync(path.join(dir, 'events.jsonl'), scrub(result.stdout));

  const summary = {
    exit: result.code,
    signal: result.signal,
    timedOut: result.timedOut,
    seconds: ((Date.now() - started) / 1000).toFixed(1),
    modelRequests: fake.requests.length,
    turnCompleted: events.some((e) => e?.type === 'turn.completed'),
    turnFailed: events.find((e) => e?.type === 'turn.failed')?.error?.message,
    agentMessages: messages.length,
    sessionLine: sessionLine !== undefined,
  };
  console.log(`${name}: ${JSON.stringify(summary)}`);
  if (rendered === undefined)
    console.log(`  (no agent_message; stderr tail: ${result.stderr.slice(-400)})`);

  fs.rmSync(repo, { recursive: true, force: true });
  fs.rmSync(codexHome, { recursive: true, force: true });
}

const binary = codexBinary();
console.log(execFileSync(binary, ['--version'], { encoding: 'utf8' }).trim());
const wanted = process.argv.slice(2);
for (const [name, spec] of Object.entries(CASES)) {
  if (wanted.length > 0 && !wanted.includes(name)) continue;
  await record(name, spec, binary);
}
