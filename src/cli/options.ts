// CLI flags and CODEX_REVIEW_* variables → raw settings (flags win over env).
import { parseArgs } from 'node:util';
import { ConfigurationError } from '../core/errors.js';
import { SETTING_DEFINITIONS, SETTING_NAMES, type RawSettings } from '../core/settings.js';

export interface CliOptions {
  raw: RawSettings;
  findingsFile: string | undefined;
  verbose: boolean;
  help: boolean;
}

export function envName(setting: string): string {
  return `CODEX_REVIEW_${setting.toUpperCase().replace(/-/g, '_')}`;
}

/** The settings part of `codex-review --help`, from the settings schema. */
export function settingsHelp(): string {
  return SETTING_NAMES.map((name) => {
    const def = SETTING_DEFINITIONS[name];
    // An action expression such as `${{ github.token }}` means nothing to the CLI.
    const dflt = def.default && !def.default.startsWith('${{') ? ` (default: ${def.default})` : '';
    return `  --${name} <value>\n      ${def.description}${dflt}\n      env: ${envName(name)}`;
  }).join('\n');
}

export function parseCliOptions(argv: string[], env: NodeJS.ProcessEnv): CliOptions {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = {
    help: { type: 'boolean', short: 'h' },
    verbose: { type: 'boolean', short: 'v' },
    'findings-file': { type: 'string' },
  };
  for (const name of SETTING_NAMES) options[name] = { type: 'string' };
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({ args: argv, options, allowPositionals: false, strict: true }));
  } catch (error) {
    throw new ConfigurationError(
      `${(error as Error).message}. Run \`codex-review --help\` for the list of settings.`,
    );
  }
  const raw: RawSettings = {};
  for (const name of SETTING_NAMES) {
    const flag = values[name];
    raw[name] = typeof flag === 'string' ? flag : env[envName(name)];
  }
  return {
    raw,
    findingsFile: (values['findings-file'] as string | undefined) ?? env.CODEX_REVIEW_FINDINGS_FILE,
    verbose: values.verbose === true,
    help: values.help === true,
  };
}
