#!/usr/bin/env node
// Entry of the `codex-review` bin.
import { CodexRunError, ConfigurationError, errorMessage } from './core/errors.js';
import { runGitlab } from './cli/gitlab.js';
import { runLocal } from './cli/local.js';
import { runMergeCommand } from './cli/merge.js';
import { settingsHelp } from './cli/options.js';
import { VERSION } from './core/version.js';

function usage(): string {
  return `codex-review ${VERSION}: run an OpenAI Codex code review and report its findings.

Usage:
  codex-review local [settings]   Review this checkout (current branch against the default
                                  branch, or uncommitted changes) and print the findings.
                                  Never posts anywhere.
  codex-review gitlab [settings]  In a GitLab merge-request pipeline: review the merge request
                                  and post the findings on it (inline discussions and one
                                  summary note). Token: gitlab-token / GITLAB_TOKEN (scope api).
  codex-review merge --merge-from <glob> [settings]
                                  Combine the findings files of sharded jobs (shard: i/n) into
                                  one result: in a GitLab job, published like \`gitlab\` (one
                                  summary, tracking issue, Code Quality); elsewhere printed and
                                  written like \`local\`. Runs no Codex.
  codex-review --help | --version

Options:
  --findings-file <path>   Where to write the findings JSON (default: <tmp>/codex-review/findings.json)
  -v, --verbose            Show Codex's reasoning and debug lines

Settings (flags win over environment variables; OPENAI_API_KEY is read too):
${settingsHelp()}
`;
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(usage());
    return command === undefined ? 2 : 0;
  }
  if (command === '--version' || command === '-V') {
    process.stdout.write(`${VERSION}\n`);
    return 0;
  }
  if (command === 'gitlab') {
    if (rest.includes('--help') || rest.includes('-h')) {
      process.stdout.write(usage());
      return 0;
    }
    return runGitlab(rest);
  }
  if (command === 'merge') {
    if (rest.includes('--help') || rest.includes('-h')) {
      process.stdout.write(usage());
      return 0;
    }
    return runMergeCommand(rest);
  }
  if (command === 'local') {
    if (rest.includes('--help') || rest.includes('-h')) {
      process.stdout.write(usage());
      return 0;
    }
    return runLocal(rest);
  }
  process.stderr.write(
    `codex-review: unknown command "${command}". Commands: local, gitlab, merge. See \`codex-review --help\`.\n`,
  );
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const known = error instanceof ConfigurationError || error instanceof CodexRunError;
    process.stderr.write(
      `codex-review: ${known ? (error as Error).message : `unexpected error: ${errorMessage(error)}`}\n`,
    );
    if (!known && process.env.CODEX_REVIEW_DEBUG)
      process.stderr.write(`${(error as Error)?.stack ?? ''}\n`);
    process.exitCode = 1;
  },
);
