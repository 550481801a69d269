import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as lambda from 'aws-cdk-lib/aws-lambda';

const PACKAGE_NAME = 'cdk-secure-integrations';

/** The folder of this package (holding its package.json), from source or from dist/. */
function packageRoot(): string {
  let dir = __dirname;
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && JSON.parse(readFileSync(manifest, 'utf8')).name === PACKAGE_NAME) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`${PACKAGE_NAME}: cannot find the package root above ${__dirname}`);
    dir = parent;
  }
}

/**
 * The pre-bundled code of one of the library's handlers (`lambda/<name>/index.ts`),
 * built by `npm run build` into `dist/handlers/<name>/index.js`. Synth never bundles.
 *
 * @throws Error when the bundle is missing: run `npm run build`.
 */
export function handlerCode(name: string): lambda.Code {
  const folder = join(packageRoot(), 'dist', 'handlers', name);
  if (!existsSync(join(folder, 'index.js'))) {
    throw new Error(`${PACKAGE_NAME}: handler bundle '${name}' not found in ${folder}. Run \`npm run build\` first.`);
  }
  return lambda.Code.fromAsset(folder);
}
