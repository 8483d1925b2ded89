// Writes what is derived from the settings schema (src/core/settings.ts): action.yml's `inputs:`
// block and README.md's Settings table; the README's Outputs table comes from action.yml's
// `outputs:`, the one place outputs are described.
//
//   npm run docs                       rewrite action.yml and README.md
//   npm run docs -- --check            exit 1 if either is out of date
//
// --readme <file> and --action <file> point at other files (the tests use them).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as prettier from 'prettier';
import { parse } from 'yaml';
import { SETTING_DEFINITIONS, SETTING_NAMES } from '../src/core/settings.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const INPUTS_COMMENT = [
  '# Generated from the settings schema in src/core/settings.ts by `npm run docs`: edit the schema,',
  '# not this block (test/unit/settings-docs.test.ts fails while the two differ).',
];

const yamlString = (text: string) => `'${text.replace(/'/g, "''")}'`;

/** action.yml's `inputs:` block: every setting the action takes, in schema order. */
export function actionInputsYaml(): string {
  const lines = [...INPUTS_COMMENT, 'inputs:'];
  for (const name of SETTING_NAMES) {
    const definition = SETTING_DEFINITIONS[name];
    if (!definition.action) continue;
    lines.push(
      `  ${name}:`,
      `    description: ${yamlString(definition.description)}`,
      '    required: false',
      `    default: ${yamlString(definition.default)}`,
    );
  }
  return lines.join('\n');
}

/**
 * action.yml with its `inputs:` block (and the comment lines right above it) replaced; every
 * other line is kept as it is. Formatted with the repository's prettier settings, as
 * `npm run format` would leave it.
 */
export async function renderActionYaml(current: string, file: string): Promise<string> {
  const lines = current.split('\n');
  const start = lines.findIndex((line) => /^inputs:\s*$/.test(line));
  if (start === -1) throw new Error(`${file} has no top-level \`inputs:\` key.`);
  let from = start;
  while (from > 0 && lines[from - 1]!.startsWith('#')) from--;
  let to = start + 1;
  while (to < lines.length && !/^[^\s#]/.test(lines[to]!)) to++;
  // Blank lines and comments before the next key belong to it.
  while (to > start + 1 && /^(\s*|#.*)$/.test(lines[to - 1]!)) to--;
  const text = [...lines.slice(0, from), actionInputsYaml(), ...lines.slice(to)].join('\n');
  // The repository's settings, also for a copy elsewhere (the tests render copies in a temp dir).
  const options = (await prettier.resolveConfig(path.join(root, 'action.yml'))) ?? {};
  return prettier.format(text, { ...options, parser: 'yaml' });
}

/** Text for one table cell: on one line, with `|` escaped so it cannot end the cell. */
const cell = (text: unknown) =>
  String(text ?? '')
    .trim()
    .replace(/\s*\r?\n\s*/g, ' ')
    .replace(/\|/g, '\\|');

function renderDefault(value: string): string {
  if (value === '') return '`""`';
  // A code span must use a longer backtick fence than any run of backticks inside it.
  const fence = '`'.repeat(Math.max(0, ...(value.match(/`+/g) ?? []).map((run) => run.length)) + 1);
  const pad = value.startsWith('`') || value.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${cell(value)}${pad}${fence}`;
}

export function settingsTable(): string {
  const rows = SETTING_NAMES.map((name) => {
    const definition = SETTING_DEFINITIONS[name];
    const where = definition.action ? '' : ' (CLI only)';
    return `| \`${name}\`${where} | ${renderDefault(definition.default)} | ${cell(definition.description)} |`;
  });
  return ['| Name | Default | Description |', '| --- | --- | --- |', ...rows].join('\n');
}

export function outputsTable(actionYaml: string): string {
  const action = parse(actionYaml) as { outputs?: Record<string, { description?: string }> };
  const rows = Object.entries(action.outputs ?? {}).map(
    ([name, output]) => `| \`${name}\` | ${cell(output.description)} |`,
  );
  return ['| Name | Description |', '| --- | --- |', ...rows].join('\n');
}

function replaceRegion(readme: string, region: string, body: string): string {
  const start = `<!-- ${region}:start -->`;
  const end = `<!-- ${region}:end -->`;
  const from = readme.indexOf(start);
  const to = readme.indexOf(end);
  if (from === -1 || to === -1 || to < from) {
    throw new Error(`README.md needs the markers ${start} and ${end} (in that order).`);
  }
  return `${readme.slice(0, from + start.length)}\n${body}\n${readme.slice(to)}`;
}

/** README text with both generated regions rewritten. */
export function renderReadme(readme: string, actionYaml: string): string {
  return replaceRegion(
    replaceRegion(readme, 'settings', settingsTable()),
    'outputs',
    outputsTable(actionYaml),
  );
}

/** Each file with its current and generated text; action.yml first, the README reads it. */
export async function renderDocs(files: {
  action: string;
  readme: string;
}): Promise<{ file: string; current: string; updated: string }[]> {
  const action = fs.readFileSync(files.action, 'utf8');
  const actionUpdated = await renderActionYaml(action, files.action);
  const readme = fs.readFileSync(files.readme, 'utf8');
  return [
    { file: files.action, current: action, updated: actionUpdated },
    { file: files.readme, current: readme, updated: renderReadme(readme, actionUpdated) },
  ];
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      check: { type: 'boolean', default: false },
      readme: { type: 'string', default: path.join(root, 'README.md') },
      action: { type: 'string', default: path.join(root, 'action.yml') },
    },
  });
  const docs = await renderDocs({
    action: path.resolve(values.action),
    readme: path.resolve(values.readme),
  });
  for (const { file, current, updated } of docs) {
    const shown = path.relative(process.cwd(), file) || file;
    if (values.check) {
      if (updated !== current) {
        console.error(
          `${shown} is out of date with the settings schema (src/core/settings.ts): run \`npm run docs\` and commit the result.`,
        );
        process.exitCode = 1;
      } else {
        console.log(`${shown} is up to date with the settings schema.`);
      }
    } else if (updated !== current) {
      fs.writeFileSync(file, updated);
      console.log(`Updated ${shown}.`);
    } else {
      console.log(`${shown} is already up to date.`);
    }
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error: unknown) => {
    console.error(`docs: ${(error as Error).message}`);
    process.exitCode = 1;
  });
}
