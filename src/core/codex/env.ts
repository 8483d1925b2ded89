// The environment of the Codex process: an allowlist. Every variable of the job that is not on
// it stays out, whatever its name (DATABASE_URL, GH_PAT, SLACK_WEBHOOK_URL, DOCKER_AUTH_CONFIG…),
// because a denylist of names cannot know what a workflow calls its secrets. Codex passes its
// environment on to the commands it runs, and in danger-full-access nothing hides
// /proc/<pid>/environ, so only what is here is ever within the agent's reach.
import fs from 'node:fs';
import path from 'node:path';
import { ConfigurationError } from '../errors.js';
import type { Logger } from '../logger.js';

/** What a toolchain needs to run: the search path, locale, terminal, time zone, who it is. */
const ALLOWED_NAMES = new Set(['PATH', 'LANG', 'LANGUAGE', 'TZ', 'TERM', 'SHELL', 'CI']);
const ALLOWED_PATTERNS = [/^LC_[A-Z]+$/];
/** Proxy settings: kept, minus any user and password in them (see withoutCredentials). */
const PROXY_NAMES = new Set(
  ['HTTP_PROXY', 'HTTPS_PROXY', 'ALL_PROXY', 'NO_PROXY'].flatMap((n) => [n, n.toLowerCase()]),
);
/** Names a workflow may add through the setting; POSIX-shell names only. */
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Set by the product itself; a workflow cannot override them through the setting. */
const RESERVED = new Set([
  'HOME',
  'USER',
  'LOGNAME',
  'TMPDIR',
  'TMP',
  'TEMP',
  'CODEX_HOME',
  'CODEX_API_KEY',
  'OPENAI_API_KEY',
]);

export interface CodexEnvironmentOptions {
  parent: NodeJS.ProcessEnv;
  /** CODEX_HOME of the run: a fresh directory without the key (see isolation.ts). */
  codexHome: string;
  /** HOME for Codex and its commands: a fresh, private directory, so that ~/.git-credentials,
   * ~/.docker/config.json, ~/.npmrc and the global git config of the runner are not found. */
  home: string;
  /** TMPDIR (and TMP, TEMP) for Codex and its commands: private too. */
  tempDir: string;
  /** The user Codex runs as, when it is not this process's user. */
  user?: string;
  /** Variables the workflow names explicitly (the proposed `codex-env` setting). */
  extraNames?: string[];
  /** The setting that holds extraNames, for messages. */
  extraSetting?: string;
  logger: Logger;
}

export function codexEnvironment(options: CodexEnvironmentOptions): NodeJS.ProcessEnv {
  const extra = checkExtraNames(options.extraNames ?? [], options.extraSetting ?? 'codex-env');
  const env: NodeJS.ProcessEnv = {};
  const stripped: string[] = [];
  for (const [name, value] of Object.entries(options.parent)) {
    if (value === undefined) continue;
    if (extra.has(name)) {
      env[name] = value;
    } else if (PROXY_NAMES.has(name)) {
      const clean = withoutCredentials(value);
      if (clean !== value) stripped.push(name);
      env[name] = clean;
    } else if (ALLOWED_NAMES.has(name) || ALLOWED_PATTERNS.some((p) => p.test(name))) {
      env[name] = value;
    }
  }
  const user = options.user ?? options.parent.USER ?? options.parent.LOGNAME;
  if (user) Object.assign(env, { USER: user, LOGNAME: user });
  Object.assign(env, {
    HOME: options.home,
    CODEX_HOME: options.codexHome,
    TMPDIR: options.tempDir,
    TMP: options.tempDir,
    TEMP: options.tempDir,
  });
  if (stripped.length > 0) {
    // The model traffic does not need them: the key proxy runs in this process and uses the
    // proxy settings as they are. Commands the agent runs reach the proxy without credentials.
    options.logger.info(
      `The user and password in ${stripped.join(', ')} are not passed to Codex: a proxy credential is a secret too. ` +
        'Requests to the model still use them.',
    );
  }
  return env;
}

/** `http://user:pass@proxy:3128` → `http://proxy:3128`; anything unparseable is dropped whole. */
export function withoutCredentials(value: string): string {
  if (!value.includes('@')) return value;
  // NO_PROXY lists and bare host:port values carry no scheme; an @ there can only be userinfo.
  return value
    .split(',')
    .map((entry) => {
      const trimmed = entry.trim();
      if (!trimmed.includes('@')) return entry;
      try {
        const url = new URL(
          /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : `http://${trimmed}`,
        );
        url.username = '';
        url.password = '';
        const text = url.toString();
        // URL adds a trailing slash to a bare origin; proxies are given without one.
        return trimmed.endsWith('/') ? text : text.replace(/\/$/, '');
      } catch {
        return '';
      }
    })
    .filter((entry) => entry !== '')
    .join(',');
}

function checkExtraNames(names: string[], setting: string): Set<string> {
  const bad = names.filter((n) => !NAME.test(n));
  if (bad.length > 0) {
    throw new ConfigurationError(
      `setting \`${setting}\`: ${bad.map((n) => `"${n}"`).join(', ')} is not a variable name. ` +
        'List names only (letters, digits and _), e.g. `JAVA_HOME, GOPATH`; values come from the job.',
    );
  }
  const reserved = names.filter((n) => RESERVED.has(n));
  if (reserved.length > 0) {
    throw new ConfigurationError(
      `setting \`${setting}\`: ${reserved.join(', ')} cannot be passed to Codex: ` +
        'HOME, USER, LOGNAME, TMPDIR, TMP, TEMP and CODEX_HOME are set for the run, and the API key never reaches Codex.',
    );
  }
  return new Set(names);
}

/** What a `codex-home` holds in auth.json, as far as the key proxy is concerned. */
export type StoredLogin =
  | { kind: 'none' }
  /** `codex login --with-api-key`: the key can be forwarded by the proxy. */
  | { kind: 'api-key'; apiKey: string; file: string }
  /** A ChatGPT login: tokens that Codex refreshes itself; they cannot be forwarded. */
  | { kind: 'chatgpt'; file: string };

export function readStoredLogin(codexHome: string): StoredLogin {
  const file = path.join(codexHome, 'auth.json');
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return { kind: 'none' };
  }
  let auth: { auth_mode?: unknown; OPENAI_API_KEY?: unknown; tokens?: unknown };
  try {
    auth = JSON.parse(text) as typeof auth;
  } catch {
    throw new ConfigurationError(
      `${file} is not valid JSON; log in again with \`codex login\`, or set \`openai-api-key\`.`,
    );
  }
  const key = typeof auth.OPENAI_API_KEY === 'string' ? auth.OPENAI_API_KEY.trim() : '';
  const chatgpt =
    auth.auth_mode === 'chatgpt' || (auth.tokens != null && auth.auth_mode !== 'apikey');
  if (chatgpt) return { kind: 'chatgpt', file };
  if (key) return { kind: 'api-key', apiKey: key, file };
  return { kind: 'none' };
}

export function hasStoredLogin(codexHome: string): boolean {
  return readStoredLogin(codexHome).kind !== 'none';
}
