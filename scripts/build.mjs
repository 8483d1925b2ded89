// Bundles the action and the CLI into <out>/action and <out>/cli (ESM, one file each plus
// licenses). Each folder gets {"type":"module"} so Node loads the bundle as ESM.
//
//   node scripts/build.mjs [out-dir]
//
// One bundler (esbuild) for dist/ and for the test suite, which builds the current source into
// a temporary directory before every run: the e2e tests run what src/ says now, bundled exactly
// as the committed dist/ is. (ncc took 15-35 s on this project; esbuild takes about a second.)
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { positionals } = parseArgs({ allowPositionals: true, options: {} });
const out = positionals[0] ? path.resolve(positionals[0]) : path.join(root, 'dist');

const entries = [
  { name: 'action', entry: 'src/action.ts' },
  { name: 'cli', entry: 'src/cli.ts' },
];

async function buildWithEsbuild(entry, dir) {
  const esbuild = await import('esbuild');
  const result = await esbuild.build({
    absWorkingDir: root,
    entryPoints: [path.join(root, entry)],
    outdir: dir,
    entryNames: 'index',
    // What an entry loads with import() (the Actions cache client, ~2 MB) goes into chunks of its
    // own, so every run does not compile it before its first request.
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'es2022',
    // Error class names appear in messages; keep them.
    keepNames: true,
    // CommonJS dependencies call require() for Node built-ins, which ESM lacks.
    banner: {
      js: "import { createRequire as __bundleCreateRequire } from 'node:module';\nconst require = __bundleCreateRequire(import.meta.url);",
    },
    metafile: true,
    logLevel: 'warning',
  });
  fs.writeFileSync(path.join(dir, 'licenses.txt'), licenses(result.metafile));
}

// licenses.txt (name, license, license text, for each bundled package),
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
    await buildWithEsbuild(entry, dir);
    fs.writeFileSync(path.join(dir, 'package.json'), '{\n  "type": "module"\n}\n');
  }),
);
const cli = path.join(out, 'cli', 'index.js');
const body = fs.readFileSync(cli, 'utf8');
if (!body.startsWith('#!')) fs.writeFileSync(cli, `#!/usr/bin/env node\n${body}`);
fs.chmodSync(cli, 0o755);
console.log(
  `built ${entries.map((e) => path.relative(root, path.join(out, e.name))).join(', ')} with esbuild`,
);
