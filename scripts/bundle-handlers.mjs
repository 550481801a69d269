// Bundles every Lambda handler under lambda/ (a folder holding index.ts) with esbuild
// into dist/handlers/<folder>/index.js, the assets the constructs point at.
// Runs in `npm run build` (and so in `npm ci` through `prepare`): `cdk synth` never bundles.
import { build } from 'esbuild';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const lambdaDir = join(root, 'lambda');
const outRoot = join(root, 'dist', 'handlers');

function* handlerFolders(dir) {
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (!statSync(full).isDirectory() || name === 'shared') continue;
    if (existsSync(join(full, 'index.ts'))) yield full;
    else yield* handlerFolders(full);
  }
}

const folders = [...handlerFolders(lambdaDir)];
await Promise.all(
  folders.map((folder) =>
    build({
      entryPoints: [join(folder, 'index.ts')],
      outfile: join(outRoot, relative(lambdaDir, folder), 'index.js'),
      bundle: true,
      platform: 'node',
      target: 'node24',
      format: 'cjs',
      minify: true,
      sourcemap: false,
      legalComments: 'none',
      logLevel: 'warning',
    }),
  ),
);
console.log(`bundled ${folders.length} handler(s) into ${relative(root, outRoot)}/`);
