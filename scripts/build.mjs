// Bundles the action and the CLI with ncc into dist/action and dist/cli (ESM, one file each
// plus licenses). Each folder gets {"type":"module"} so Node loads the bundle as ESM.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = process.argv[2] ? path.resolve(process.argv[2]) : path.join(root, 'dist');
const ncc = path.join(root, 'node_modules', '@vercel', 'ncc', 'dist', 'ncc', 'cli.js');

const entries = [
  { name: 'action', entry: 'src/action.ts' },
  { name: 'cli', entry: 'src/cli.ts' },
];

fs.rmSync(out, { recursive: true, force: true });
for (const { name, entry } of entries) {
  const dir = path.join(out, name);
  execFileSync(
    process.execPath,
    [
      ncc,
      'build',
      path.join(root, entry),
      '-o',
      dir,
      '--license',
      'licenses.txt',
      '--quiet',
      '--target',
      'es2022',
    ],
    {
      cwd: root,
      stdio: 'inherit',
    },
  );
  fs.writeFileSync(path.join(dir, 'package.json'), '{\n  "type": "module"\n}\n');
}
const cli = path.join(out, 'cli', 'index.js');
const body = fs.readFileSync(cli, 'utf8');
if (!body.startsWith('#!')) fs.writeFileSync(cli, `#!/usr/bin/env node\n${body}`);
fs.chmodSync(cli, 0o755);
console.log(`built ${entries.map((e) => path.relative(root, path.join(out, e.name))).join(', ')}`);
