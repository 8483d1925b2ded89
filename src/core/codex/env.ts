// The environment and credentials of the Codex process.
import fs from 'node:fs';
import path from 'node:path';

/**
 * Names that carry credentials of the CI system or of this tool. They are removed from the
 * Codex process's environment entirely, so neither Codex nor any command it runs (in
 * danger-full-access there is no PID namespace to hide /proc/<pid>/environ) can read them.
 * Action inputs arrive as INPUT_* variables, including the API key and the GitHub token;
 * GitLab's CI_REPOSITORY_URL carries the job token in its userinfo.
 */
const DROPPED =
  /^(INPUT_|ACTIONS_(RUNTIME|ID_TOKEN|CACHE)|CODEX_REVIEW_|CI_REPOSITORY_URL$|CI_JOB_JWT|CI_SERVER_TLS_KEY)|KEY|SECRET|TOKEN|PASSWORD|PASSWD|CREDENTIAL/i;

export function codexEnvironment(options: {
  parent: NodeJS.ProcessEnv;
  codexHome: string;
  apiKey: string | undefined;
}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(options.parent)) {
    if (value !== undefined && !DROPPED.test(name)) env[name] = value;
  }
  env.CODEX_HOME = options.codexHome;
  // Codex reads CODEX_API_KEY in exec and review (OPENAI_API_KEY is ignored there). Its
  // shell_environment_policy default excludes strip it from commands the agent runs.
  if (options.apiKey) env.CODEX_API_KEY = options.apiKey;
  return env;
}

export function hasStoredLogin(codexHome: string): boolean {
  return fs.existsSync(path.join(codexHome, 'auth.json'));
}
