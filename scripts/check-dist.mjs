// Fails when the committed dist/ differs from a fresh build of the source.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const fresh = fs.mkdtempSync(path.join(os.tmpdir(), 'codex-review-dist-'));
execFileSync(process.execPath, [path.join(root, 'scripts', 'build.mjs'), fresh], {
  stdio: 'inherit',
});

function files(dir) {
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath ?? e.path, e.name)))
    .sort();
}

const committed = path.join(root, 'dist');
const expected = files(fresh);
const actual = fs.existsSync(committed) ? files(committed) : [];
const problems = [];
for (const file of new Set([...expected, ...actual])) {
  const a = path.join(committed, file);
  const b = path.join(fresh, file);
  if (!fs.existsSync(a)) problems.push(`missing from dist/: ${file}`);
  else if (!fs.existsSync(b)) problems.push(`not produced by the build: dist/${file}`);
  else if (!fs.readFileSync(a).equals(fs.readFileSync(b)))
    problems.push(`differs from a fresh build: dist/${file}`);
}
fs.rmSync(fresh, { recursive: true, force: true });
if (problems.length > 0) {
  console.error(
    `dist/ is out of date:\n  ${problems.join('\n  ')}\nRun \`npm run build\` and commit dist/.`,
  );
  process.exit(1);
}
console.log(`dist/ matches a fresh build (${expected.length} files)`);
