// Everything that keeps credentials out of the agent's reach for one Codex run, set up in one
// call and undone in one: the key proxy (the key stays in this process), a fresh CODEX_HOME,
// HOME and TMPDIR, the allowlisted environment, the checkout's credentials taken out, the
// logged-in `codex-home`'s auth.json hidden, and, when Codex runs as another user, that user's
// access to the checkout. Undone after the run, also when the job is cancelled (onAbruptExit).
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigurationError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Settings } from '../settings.js';
import { hideCredentials, type HiddenCredentials } from './credentials.js';
import { codexEnvironment, readStoredLogin } from './env.js';
import { repositoryRoot } from '../git.js';
import { DEFAULT_UPSTREAM, startKeyProxy, type KeyProxy } from './key-proxy.js';
import { onAbruptExit } from './process.js';
import { agentRootPrefix, killAllOf, RUN_MARKER } from './run-as.js';
import {
  AccessError,
  giveTo,
  grantAccess,
  linkInstallation,
  readableBy,
  takeBack,
  type AccessGrant,
} from './user-access.js';
import { sameUserNotice, type RunAs } from './safety.js';

/** What Codex reads from a `codex-home` besides the login: the operator's own configuration. */
const SEEDED = ['config.toml', 'AGENTS.md', 'AGENTS.override.md'];

export type IsolationSettings = Pick<
  Settings,
  'openaiApiKey' | 'openaiBaseUrl' | 'codexHome' | 'workingDirectory' | 'sandbox'
>;

export interface IsolatedRun {
  /** Who Codex runs as: the strategy's choice, or this user when the other could not be given access. */
  runAs: RunAs;
  /** The allowlisted environment for Codex: no key, a fresh HOME, CODEX_HOME and TMPDIR. */
  env: NodeJS.ProcessEnv;
  /** CODEX_HOME of the run; its session files are readable here after close(). */
  codexHome: string;
  /** A directory Codex can read, for files the product hands it (the output schema). */
  filesDir: string;
  /** The Codex binary to start (the installation's, or its link in the run's directory). */
  binary: string;
  /** The route to the model, for buildCodexArgs and runCodex; none for a ChatGPT login. */
  keyProxy: KeyProxy | undefined;
  /** Stop the agent's leftovers and the proxy, put every credential back. Idempotent. */
  close(): Promise<void>;
  /** Delete the run's directories (after the findings were read from codexHome). */
  remove(): void;
}

export async function isolateCodexRun(options: {
  settings: IsolationSettings;
  runAs: RunAs;
  /** The Codex installation directory (vendor/<triple>): the other user must run it. */
  codexRoot: string;
  /** The Codex binary inside it. */
  binary: string;
  parentEnv: NodeJS.ProcessEnv;
  logger: Logger;
  /** Variables the workflow names to pass on (the proposed `codex-env` setting). */
  extraEnvNames?: string[];
  /** The setting that holds the key, for messages. */
  keySetting?: string;
}): Promise<IsolatedRun> {
  const { settings, logger } = options;
  const login = settings.codexHome
    ? readStoredLogin(settings.codexHome)
    : { kind: 'none' as const };
  const apiKey = settings.openaiApiKey || (login.kind === 'api-key' ? login.apiKey : undefined);
  if (!apiKey && login.kind !== 'chatgpt') {
    throw new ConfigurationError(
      `No OpenAI API key: set \`${options.keySetting ?? 'openai-api-key'}\`, or point \`codex-home\` at a directory where Codex is logged in.`,
    );
  }
  if (apiKey) logger.setSecret(apiKey);
  else {
    logger.warning(
      `Codex uses the ChatGPT login in ${settings.codexHome}: its tokens cannot be forwarded by the key proxy, so Codex holds them and the commands it runs can read them. ` +
        'Use an API key (`openai-api-key`) to keep every credential out of their reach.',
    );
  }

  const undo: Array<() => void> = [];
  const undoAll = () => {
    while (undo.length > 0) {
      try {
        undo.pop()!();
      } catch {
        // keep undoing the rest
      }
    }
  };
  const forget = onAbruptExit(undoAll);
  let keyProxy: KeyProxy | undefined;
  try {
    let runAs = options.runAs;
    const root = fs.mkdtempSync(path.join(os.tmpdir(), agentRootPrefix()));
    const marker = randomBytes(8).toString('hex');
    undo.push(() => fs.rmSync(root, { recursive: true, force: true }));
    const dirs = {
      codexHome: path.join(root, 'codex-home'),
      home: path.join(root, 'home'),
      temp: path.join(root, 'tmp'),
      files: path.join(root, 'files'),
    };
    for (const dir of Object.values(dirs)) fs.mkdirSync(dir, { mode: 0o700 });
    const chatgptAuth = seedCodexHome(settings.codexHome, dirs.codexHome, login.kind === 'chatgpt');
    // Undone in reverse: the copy-back once the directory is ours again.
    if (chatgptAuth) undo.push(chatgptAuth);

    let binary = options.binary;
    if (runAs.kind !== 'self') {
      const user = runAs;
      const repoRoot =
        (await repositoryRoot(settings.workingDirectory)) ?? settings.workingDirectory;
      // The agent's root: ours, passable but not listable; inside, the user's own directories.
      fs.chmodSync(root, 0o711);
      fs.chmodSync(dirs.files, 0o755);
      // A Codex installation the user cannot read (a tool cache in a closed home) is linked
      // into this run's directory rather than opened: a cache is shared by every run on the
      // machine, and one run's access must not be taken back under another's feet.
      let codexRoot = options.codexRoot;
      if (!(await readableBy(user, codexRoot))) {
        codexRoot = linkInstallation(options.codexRoot, path.join(root, 'codex'));
        binary = path.join(codexRoot, path.relative(options.codexRoot, options.binary));
      }
      let grant: AccessGrant | undefined;
      try {
        grant = await grantAccess(
          user,
          {
            readable: [repoRoot, codexRoot],
            writable: settings.sandbox === 'read-only' ? [] : [repoRoot],
            reachable: Object.values(dirs),
          },
          logger,
        );
      } catch (error) {
        if (!(error instanceof AccessError)) throw error;
        if (!user.dedicated) {
          throw new ConfigurationError(
            `safety-strategy "unprivileged-user": ${error.message}. Give \`codex-user\` access to the checkout and the Codex installation, or install \`acl\`.`,
          );
        }
        logger.warning(`Codex cannot run as ${user.user}: ${error.message}. ${sameUserNotice()}`);
        runAs = { kind: 'self' };
      }
      if (grant) {
        // git refuses a checkout owned by someone else ("dubious ownership") unless told; in
        // the user's own HOME, since Codex drops GIT_CONFIG_KEY_* (a *KEY* name) from commands.
        fs.writeFileSync(path.join(dirs.home, '.gitconfig'), '[safe]\n\tdirectory = *\n');
        for (const dir of [dirs.codexHome, dirs.home, dirs.temp]) await giveTo(user, dir);
        undo.push(() => takeBack(user, root));
        undo.push(() => grant.revoke());
        logger.info(
          `Codex runs as ${user.user}, a separate user without access to this job's files.`,
        );
      }
    }
    // Codex reads the key from the proxy now; a login file it does not need is hidden.
    if (apiKey && login.kind !== 'none') undo.push(hideFile(login.file, logger));
    const hidden: HiddenCredentials = await hideCredentials({
      cwd: settings.workingDirectory,
      logger,
    });
    undo.push(() => hidden.restore());
    // Undone first: nothing the agent left running sees the credentials come back.
    if (runAs.kind !== 'self') {
      const user = runAs;
      const kill = () => killAllOf(user, marker);
      // On cancellation too, before the credentials' own hook puts them back.
      const forgetKill = onAbruptExit(kill);
      undo.push(() => {
        forgetKill();
        kill();
      });
    }

    const env = codexEnvironment({
      parent: options.parentEnv,
      codexHome: dirs.codexHome,
      home: dirs.home,
      tempDir: dirs.temp,
      ...(runAs.kind !== 'self' ? { user: runAs.user } : {}),
      ...(options.extraEnvNames ? { extraNames: options.extraEnvNames } : {}),
      logger,
    });
    // What the agent starts carries it, so its leftovers can be told from another run's.
    env[RUN_MARKER] = marker;
    if (apiKey) {
      keyProxy = await startKeyProxy({
        apiKey,
        upstream: settings.openaiBaseUrl ?? DEFAULT_UPSTREAM,
        logger,
      });
    }

    let closed = false;
    return {
      runAs,
      env,
      codexHome: dirs.codexHome,
      filesDir: dirs.files,
      binary,
      keyProxy,
      async close() {
        if (closed) return;
        closed = true;
        // Everything but removing the directories: the findings are read from them next.
        const removeRoot = undo.shift()!;
        undoAll();
        undo.push(removeRoot);
        await keyProxy?.close();
      },
      remove() {
        undoAll();
        forget();
      },
    };
  } catch (error) {
    undoAll();
    forget();
    await keyProxy?.close();
    throw error;
  }
}

/** Copy the operator's configuration; a ChatGPT login too, copied back after (Codex refreshes it). */
function seedCodexHome(
  from: string | undefined,
  to: string,
  withLogin: boolean,
): (() => void) | undefined {
  if (!from) return undefined;
  for (const name of SEEDED) {
    const source = path.join(from, name);
    if (fs.existsSync(source)) fs.copyFileSync(source, path.join(to, name));
  }
  if (!withLogin) return undefined;
  const source = path.join(from, 'auth.json');
  const original = fs.readFileSync(source);
  fs.writeFileSync(path.join(to, 'auth.json'), original, { mode: 0o600 });
  return () => {
    const now = fs.readFileSync(path.join(to, 'auth.json'));
    if (!now.equals(original)) fs.writeFileSync(source, now);
  };
}

/** Take a file out of reach (its bytes stay in this process) and return how to put it back. */
function hideFile(file: string, logger: Logger): () => void {
  const content = fs.readFileSync(file);
  const stat = fs.statSync(file);
  fs.rmSync(file);
  logger.info(`${file} is out of reach of the agent for this run; the key proxy holds the key.`);
  return () => {
    fs.writeFileSync(file, content, { mode: stat.mode & 0o777 });
    try {
      fs.chownSync(file, stat.uid, stat.gid);
    } catch {
      // not root: it was ours anyway
    }
  };
}
