// Bundles every Lambda handler under lambda/ (a folder holding index.ts) with esbuild
// into dist/handlers/<folder>/index.js, the assets the constructs point at.
// Runs in `npm run build` (and so in `npm ci` through `prepare`): `cdk synth` never bundles.
//
// What a cold start costs is mostly the JavaScript Node.js parses and runs before the handler is
// ready (scripts/bench-cold-start.mjs measures it), so the bundles carry as little as they can:
// - Everything is bundled, the AWS SDK for JavaScript v3 included, from the packages' ES module
//   builds (`mainFields: module first`): esbuild then keeps only the commands, schemas and
//   middleware a handler uses. The SDK's CommonJS builds cannot be tree-shaken: they brought every
//   submodule of @smithy/core and @aws-sdk/core (CBOR and event-stream codecs, the browser
//   user-agent parser `bowser`...) into every bundle. Taking the SDK from the Lambda runtime instead
//   (it ships v3) makes the files small but the cold start slower: the runtime's copy is those
//   CommonJS builds, read from /var/runtime/node_modules (measured in BENCHMARKS.md), and its
//   version is the runtime's, not the one the tests ran against.
// - Modules a handler needs for some requests only, and that share no code with the rest (ajv for
//   route schemas, say), are ON_DEMAND: the handler requires them on first use and they are bundled
//   into files of their own beside index.js, which a cold start neither parses nor runs.
// - The SDK clients' default credential chain is replaced by the environment provider
//   (lambda/shared/lambda-credentials.ts): Lambda puts the execution role's credentials in the
//   environment, and the rest of the chain (about 120 KB: shared files, SSO, STS) is never used.
// - Minified, without legal comments or source maps.
import { build } from 'esbuild';
import { builtinModules } from 'node:module';
import { existsSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const lambdaDir = join(root, 'lambda');

/**
 * Modules loaded on first use: each one is required inside a function by the handlers that use it
 * (an `import` of one fails the build: it would load at every cold start), and bundled into
 * `<file>` beside their index.js. Such a module must not share state or classes with the rest of
 * the handler (it gets its own copy of whatever it imports). The inventory's ajv is not one: every
 * record the function reads is validated (lib/inventory/migrate.ts), so every request needs it.
 */
export const ON_DEMAND = [
  // ajv, its draft-04 build and ajv-formats: only routes with a schema validate (lambda/ingest/schema-validation.ts).
  { source: 'lambda/ingest/json-schema-validators.ts', file: 'json-schema-validators.js' },
];

/** Node.js's built-in modules: the only packages the bundles take from the Lambda runtime. */
const BUILTINS = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);
/**
 * With `sdkFromRuntime`, the SDK packages left to the runtime's copy: clients and their core. The
 * DynamoDB helpers (util-dynamodb, lib-dynamodb) stay bundled: the Lambda documentation says the
 * runtime includes the SDK v3 but does not list its packages, and these are not clients.
 */
const isRuntimeSdk = (path) => /^@(aws-sdk|smithy)\//.test(path) && !/^@aws-sdk\/(util|lib)-dynamodb(\/|$)/.test(path);

function* handlerFolders(dir) {
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (!statSync(full).isDirectory() || name === 'shared') continue;
    if (existsSync(join(full, 'index.ts'))) yield full;
    else yield* handlerFolders(full);
  }
}

const withoutExtension = (path) => path.replace(/\.[cm]?[jt]s$/, '');

/** Resolves an import of an ON_DEMAND module to its file beside index.js, left for Node.js to load at run time. */
function onDemandPlugin(self) {
  const sources = new Map(ON_DEMAND.map((m) => [withoutExtension(join(root, m.source)), m.file]));
  return {
    name: 'on-demand',
    setup(b) {
      b.onResolve({ filter: /^\.\.?\// }, (args) => {
        const target = withoutExtension(resolve(args.resolveDir, args.path));
        const file = sources.get(target);
        if (!file || target === self) return undefined;
        if (args.kind !== 'require-call') throw new Error(`${relative(root, args.importer)} imports ${args.path}, which is loaded on demand (ON_DEMAND): require it where it is first needed`);
        return { path: `./${file}`, external: true };
      });
    },
  };
}

/** Points the SDK clients' default credential chain at the environment provider (see the top of the file). */
const lambdaCredentialsPlugin = {
  name: 'lambda-credentials',
  setup(b) {
    b.onResolve({ filter: /^@aws-sdk\/credential-provider-node$/ }, () => ({ path: join(lambdaDir, 'shared', 'lambda-credentials.ts') }));
  },
};

/** Leaves the SDK's packages to the runtime (`sdkFromRuntime`, for the benchmark's comparison). */
const runtimeSdkPlugin = {
  name: 'runtime-sdk',
  setup(b) {
    b.onResolve({ filter: /^@(aws-sdk|smithy)\// }, (args) => (isRuntimeSdk(args.path) ? { path: args.path, external: true } : undefined));
  },
};

const options = () => ({
  bundle: true,
  platform: 'node',
  target: 'node24',
  format: 'cjs',
  // ES module builds first: tree-shaking (see above). A dynamic import() stays a require(), as in
  // the CommonJS builds (Node.js runs both; jest's module loader, which the bundle tests use, only the latter).
  mainFields: ['module', 'main'],
  supported: { 'dynamic-import': false },
  minify: true,
  sourcemap: false,
  legalComments: 'none',
  logLevel: 'warning',
  metafile: true,
});
const plugins = (sdkFromRuntime, self) => [onDemandPlugin(self), ...(sdkFromRuntime ? [runtimeSdkPlugin] : [lambdaCredentialsPlugin])];

/** Fails when a bundle requires a package that Lambda does not provide: it would fail at its cold start. */
function checkImports(outfile, metafile, allowed, sdkFromRuntime) {
  for (const output of Object.values(metafile.outputs)) {
    for (const imp of output.imports) {
      if (!imp.external || BUILTINS.has(imp.path) || allowed.has(imp.path)) continue;
      if (sdkFromRuntime && isRuntimeSdk(imp.path)) continue;
      throw new Error(`${relative(root, outfile)} requires '${imp.path}', which the Lambda runtime does not provide: bundle it`);
    }
  }
}

/**
 * Bundles every handler into `outRoot/<folder>/`. Returns, per handler, its files and the external
 * packages it requires. `sdkFromRuntime` leaves the AWS SDK's packages to the Lambda runtime (for
 * the benchmark's comparison only: the library ships bundles without it).
 */
export async function bundleHandlers({ outRoot = join(root, 'dist', 'handlers'), sdkFromRuntime = false } = {}) {
  const folders = [...handlerFolders(lambdaDir)];
  return Promise.all(
    folders.map(async (folder) => {
      const outDir = join(outRoot, relative(lambdaDir, folder));
      const outfile = join(outDir, 'index.js');
      const main = await build({ ...options(), entryPoints: [join(folder, 'index.ts')], outfile, plugins: plugins(sdkFromRuntime) });
      const wanted = new Set(Object.values(main.metafile.outputs).flatMap((o) => o.imports.filter((i) => i.external && i.path.startsWith('./')).map((i) => i.path.slice(2))));
      checkImports(outfile, main.metafile, new Set([...wanted].map((f) => `./${f}`)), sdkFromRuntime);
      const files = ['index.js'];
      for (const m of ON_DEMAND.filter((o) => wanted.has(o.file))) {
        const chunk = join(outDir, m.file);
        const out = await build({ ...options(), entryPoints: [join(root, m.source)], outfile: chunk, plugins: plugins(sdkFromRuntime, withoutExtension(join(root, m.source))) });
        checkImports(chunk, out.metafile, new Set(), sdkFromRuntime);
        files.push(m.file);
      }
      // A file of an earlier build that this one did not write (an on-demand module since dropped) would ship in the asset.
      for (const name of readdirSync(outDir)) if (name.endsWith('.js') && !files.includes(name) && statSync(join(outDir, name)).isFile()) rmSync(join(outDir, name));
      const externals = Object.values(main.metafile.outputs).flatMap((o) => o.imports.filter((i) => i.external && !BUILTINS.has(i.path) && !i.path.startsWith('./')).map((i) => i.path));
      return { name: relative(lambdaDir, folder), files, externals: [...new Set(externals)].sort() };
    }),
  );
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const bundled = await bundleHandlers();
  console.log(`bundled ${bundled.length} handler(s) into ${relative(root, join(root, 'dist', 'handlers'))}/ (${bundled.flatMap((b) => b.files.slice(1).map((f) => `${b.name}/${f}`)).join(', ') || 'no'} on demand)`);
  // When this build finished (scripts/run-app.mjs rebuilds when a source is newer).
  writeFileSync(join(root, 'dist', '.build-stamp'), `${new Date().toISOString()}\n`);
}
