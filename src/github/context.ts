// What the triggering event says should be reviewed when `base`/`commit` are not set.
import fs from 'node:fs';

export interface EventContext {
  eventName: string;
  sha: string | undefined;
  payload: Record<string, unknown>;
}

export function readEventContext(env: NodeJS.ProcessEnv = process.env): EventContext {
  let payload: Record<string, unknown> = {};
  const file = env.GITHUB_EVENT_PATH;
  if (file && fs.existsSync(file))
    payload = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  return { eventName: env.GITHUB_EVENT_NAME ?? '', sha: env.GITHUB_SHA, payload };
}

export function reviewDefaults(context: EventContext): { base?: string; commit?: string } {
  const pr = context.payload.pull_request as { base?: { sha?: string } } | undefined;
  if (pr?.base?.sha) return { base: pr.base.sha };
  // A push, a schedule or a manual run: the newest commit.
  return context.sha ? { commit: context.sha } : {};
}
