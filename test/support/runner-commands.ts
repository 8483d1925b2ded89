// The GitHub Actions runner's reading of a step's stdout, ported to judge what we print
// (actions/runner src/Runner.Common/ActionCommand.cs, TryParseV2 then the legacy TryParse):
// each line (ended by LF, CR or CRLF, as .NET's ReadLine ends them) is a command when, after
// TrimStart, it starts with `::name …::`, or when it holds `##[name …]` anywhere, and the name
// is a registered command.
//
// The runner matches `::` and `##[` with culture-sensitive StartsWith/IndexOf, which under ICU
// skip ignorable characters (zero-width space, word joiner, soft hyphen…). This port removes
// those characters before parsing, so it finds at least every command the runner would.

/** Commands the runner registers (ActionCommandManager and its extensions). */
export const REGISTERED = new Set([
  'add-mask',
  'add-matcher',
  'add-path',
  'debug',
  'echo',
  'endgroup',
  'error',
  'group',
  'internal-set-repo-path',
  'notice',
  'remove-matcher',
  'save-state',
  'set-env',
  'set-output',
  'stop-commands',
  'warning',
]);

export interface RunnerCommand {
  command: string;
  properties: Record<string, string>;
  data: string;
  line: string;
}

const unescapeData = (s: string) =>
  s.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%');
const unescapeProperty = (s: string) =>
  s
    .replace(/%0D/g, '\r')
    .replace(/%0A/g, '\n')
    .replace(/%3A/g, ':')
    .replace(/%2C/g, ',')
    .replace(/%25/g, '%');

/** .NET's Char.IsWhiteSpace, which TrimStart uses. */
const LEADING_WHITESPACE = /^[\s\u0085]+/;
const IGNORABLE = /[\p{Default_Ignorable_Code_Point}\p{Cf}]/gu;

function parseV2(line: string): RunnerCommand | undefined {
  const message = line.replace(IGNORABLE, '').replace(LEADING_WHITESPACE, '');
  if (!message.startsWith('::')) return undefined;
  const end = message.indexOf('::', 2);
  if (end < 0) return undefined;
  const info = message.slice(2, end);
  const space = info.indexOf(' ');
  const command = space < 0 ? info : info.slice(0, space);
  if (!REGISTERED.has(command)) return undefined;
  const properties: Record<string, string> = {};
  if (space > 0) {
    for (const pair of info
      .slice(space + 1)
      .trim()
      .split(',')
      .filter(Boolean)) {
      const eq = pair.indexOf('=');
      if (eq > 0 && eq < pair.length - 1)
        properties[pair.slice(0, eq)] = unescapeProperty(pair.slice(eq + 1));
    }
  }
  return { command, properties, data: unescapeData(message.slice(end + 2)), line };
}

function parseLegacy(line: string): RunnerCommand | undefined {
  const message = line.replace(IGNORABLE, '');
  const prefix = message.indexOf('##[');
  if (prefix < 0) return undefined;
  const rb = message.indexOf(']', prefix);
  if (rb < 0) return undefined;
  const info = message.slice(prefix + 3, rb);
  const space = info.indexOf(' ');
  const command = space < 0 ? info : info.slice(0, space);
  if (!REGISTERED.has(command)) return undefined;
  return { command, properties: {}, data: message.slice(rb + 1), line };
}

/** Every command the runner would act on in `stdout`. */
export function runnerCommands(stdout: string): RunnerCommand[] {
  const found: RunnerCommand[] = [];
  for (const line of stdout.split(/\r\n|\r|\n/)) {
    const command = parseV2(line) ?? parseLegacy(line);
    if (command) found.push(command);
  }
  return found;
}

/** Lines the log viewer would style as the runner's own (`##[error]`, `##[group]`). */
export function legacyMarkers(stdout: string): string[] {
  return stdout.split(/\r\n|\r|\n/).filter((line) => line.replace(IGNORABLE, '').includes('##['));
}
