// Bundles the action and the CLI into <out>/action and <out>/cli (ESM, one file each plus
// licenses). Each folder gets {"type":"module"} so Node loads the bundle as ESM.
//
//   node scripts/build.mjs [out-dir] [--bundler ncc|esbuild]
//
// dist/ is built with ncc (the default). The test suite builds the current source with esbuild
// into a temporary directory instead: ncc takes 15-35 s on this project, esbuild under a second,
// and the e2e tests must run what src/ says now, not what was last committed to dist/.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { bundler: { type: 'string', default: 'ncc' } },
});
const bundlers = { ncc: buildWithNcc, esbuild: buildWithEsbuild };
const build = bundlers[values.bundler];
if (!build) {
  console.error(
    `--bundler: unknown bundler "${values.bundler}"; allowed: ${Object.keys(bundlers).join(', ')}`,
  );
  process.exit(2);
}
const out = positionals[0] ? path.resolve(positionals[0]) : path.join(root, 'dist');

const entries = [
  { name: 'action', entry: 'src/action.ts' },
  { name: 'cli', entry: 'src/cli.ts' },
];

function buildWithNcc(entry, dir) {
  const ncc = path.join(root, 'node_modules', '@vercel', 'ncc', 'dist', 'ncc', 'cli.js');
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
    { cwd: root, stdio: 'inherit' },
  );
}

async function buildWithEsbuild(entry, dir) {
  const esbuild = await import('esbuild');
  const result = await esbuild.build({
    absWorkingDir: root,
    entryPoints: [path.join(root, entry)],
    outfile: path.join(dir, 'index.js'),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'es2022',
    // ncc does not rename anything; keep class and function names the same here.
    keepNames: true,
    // CommonJS dependencies call require() for Node built-ins, which ESM lacks; ncc's bundle
    // gets it from createRequire the same way.
    banner: {
      js: "import { createRequire as __bundleCreateRequire } from 'node:module';\nconst require = __bundleCreateRequire(import.meta.url);",
    },
    metafile: true,
    logLevel: 'warning',
  });
  fs.writeFileSync(path.join(dir, 'licenses.txt'), licenses(result.metafile));
}

// The same licenses.txt ncc writes (name, license, license text, for each bundled package),
// from esbuild's record of which files ended up in the bundle; esbuild has no such option.
function licenses(metafile) {
  const packages = new Map();
  for (const output of Object.values(metafile.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const match = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input);
      if (bytesInOutput === 0 || !match) continue;
      const dir = path.join(root, match[1]);
      const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
      if (packages.has(manifest.name)) continue;
      const file = fs.readdirSync(dir).find((f) => /^licen[cs]e(\.(md|txt))?$/i.test(f));
      const text = file ? fs.readFileSync(path.join(dir, file), 'utf8') : undefined;
      const lines = [manifest.name, manifest.license ?? '', ...(text === undefined ? [] : [text])];
      packages.set(manifest.name, lines.join('\n'));
    }
  }
  return [...packages.keys()]
    .sort()
    .map((name) => packages.get(name))
    .join('\n\n');
}

fs.rmSync(out, { recursive: true, force: true });
await Promise.all(
  entries.map(async ({ name, entry }) => {
    const dir = path.join(out, name);
    await build(entry, dir);
    fs.writeFileSync(path.join(dir, 'package.json'), '{\n  "type": "module"\n}\n');
  }),
);
const cli = path.join(out, 'cli', 'index.js');
const body = fs.readFileSync(cli, 'utf8');
if (!body.startsWith('#!')) fs.writeFileSync(cli, `#!/usr/bin/env node\n${body}`);
fs.chmodSync(cli, 0o755);
console.log(
  `built ${entries.map((e) => path.relative(root, path.join(out, e.name))).join(', ')} with ${values.bundler}`,
);
