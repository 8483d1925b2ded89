// Regenerates the Settings and Outputs tables of README.md from action.yml, so the documented
// names, defaults and descriptions are the ones the runner uses.
//
//   node scripts/readme-tables.mjs            rewrite README.md
//   node scripts/readme-tables.mjs --check    exit 1 if README.md is out of date
//
// --readme <file> and --action <file> point at other files (the tests use them).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { parse } from 'yaml';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Text for one table cell: on one line, with `|` escaped so it cannot end the cell. */
const cell = (text) =>
  String(text ?? '')
    .trim()
    .replace(/\s*\r?\n\s*/g, ' ')
    .replace(/\|/g, '\\|');

function renderDefault(value) {
  const text = String(value ?? '');
  if (text === '') return '`""`';
  // A code span must use a longer backtick fence than any run of backticks inside it.
  const fence = '`'.repeat(Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length)) + 1);
  const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${cell(text)}${pad}${fence}`;
}

export function settingsTable(action) {
  const rows = Object.entries(action.inputs ?? {}).map(
    ([name, input]) =>
      `| \`${name}\` | ${renderDefault(input.default)} | ${cell(input.description)} |`,
  );
  return ['| Name | Default | Description |', '| --- | --- | --- |', ...rows].join('\n');
}

export function outputsTable(action) {
  const rows = Object.entries(action.outputs ?? {}).map(
    ([name, output]) => `| \`${name}\` | ${cell(output.description)} |`,
  );
  return ['| Name | Description |', '| --- | --- |', ...rows].join('\n');
}

function replaceRegion(readme, region, body) {
  const start = `<!-- ${region}:start -->`;
  const end = `<!-- ${region}:end -->`;
  const from = readme.indexOf(start);
  const to = readme.indexOf(end);
  if (from === -1 || to === -1 || to < from) {
    throw new Error(`README.md needs the markers ${start} and ${end} (in that order).`);
  }
  return `${readme.slice(0, from + start.length)}\n${body}\n${readme.slice(to)}`;
}

/** README text with both generated regions rewritten from the action.yml text. */
export function renderReadme(readme, actionYaml) {
  const action = parse(actionYaml);
  let text = replaceRegion(readme, 'settings', settingsTable(action));
  text = replaceRegion(text, 'outputs', outputsTable(action));
  return text;
}

function main() {
  const { values } = parseArgs({
    options: {
      check: { type: 'boolean', default: false },
      readme: { type: 'string', default: path.join(root, 'README.md') },
      action: { type: 'string', default: path.join(root, 'action.yml') },
    },
  });
  const readmeFile = path.resolve(values.readme);
  const current = fs.readFileSync(readmeFile, 'utf8');
  const updated = renderReadme(current, fs.readFileSync(path.resolve(values.action), 'utf8'));
  const shown = path.relative(process.cwd(), readmeFile) || readmeFile;
  if (values.check) {
    if (updated !== current) {
      console.error(
        `${shown} is out of date with action.yml: run \`npm run docs\` and commit the result.`,
      );
      process.exitCode = 1;
    } else {
      console.log(`${shown} is up to date with action.yml.`);
    }
    return;
  }
  if (updated !== current) fs.writeFileSync(readmeFile, updated);
  console.log(updated !== current ? `Updated ${shown}.` : `${shown} is already up to date.`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    main();
  } catch (error) {
    console.error(`readme-tables: ${error.message}`);
    process.exitCode = 1;
  }
}
