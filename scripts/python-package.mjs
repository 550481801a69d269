// Builds the Python distribution: jsii compiles the multi-language API (lib/multi-language.ts) into
// a .jsii assembly, jsii-pacmak writes the Python sources, and pip builds the wheel.
//
//   npm run package:python   (after `npm run build`, which bundles the handler assets it ships)
//
// It works in build/jsii, a staging copy, because jsii compiles a package whose entry point is the
// multi-language API and whose non-jsii dependencies are bundled (the Python wheel embeds the npm
// tarball that its jsii runtime loads); the npm package itself bundles nothing.
//
// This machine reaches the npm registry but not PyPI, so two steps differ from jsii-pacmak's own
// `-t python` (which creates a virtualenv and pip-installs its build tools from PyPI):
// - `jsii-pacmak --code-only` writes the sources without building them;
// - the wheel is built by `pip wheel --no-deps --no-build-isolation` with the setuptools and wheel
//   of whichever local Python has both (Debian's python3-wheel on this image), as `python3 -m build
//   --wheel --no-isolation` would: `build` itself is not installed here.
// Writes build/jsii/dist/python/*.whl and prints its path and size.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const stage = join(root, 'build', 'jsii');
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

/** The Python module and distribution names: also read by test/packaging/python-wheel.test.ts. */
export const PYTHON_MODULE = 'cdk_secure_integrations';
export const PYTHON_DIST = 'cdk-secure-integrations';

/** Every .ts file under lib/, and the lambda/ modules they import (shared code the constructs run at synth). */
function sourceFiles() {
  const files = new Set();
  const walk = (dir) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) files.add(path);
    }
  };
  walk(join(root, 'lib'));
  const queue = [...files];
  while (queue.length > 0) {
    const file = queue.pop();
    for (const [, spec] of readFileSync(file, 'utf8').matchAll(/from '(\.{1,2}\/[^']+)'/g)) {
      const target = resolve(dirname(file), `${spec}.ts`);
      const index = resolve(dirname(file), spec, 'index.ts');
      const found = existsSync(target) ? target : existsSync(index) ? index : undefined;
      if (found && !files.has(found)) {
        files.add(found);
        queue.push(found);
      }
    }
  }
  return [...files];
}

function stagePackage() {
  rmSync(stage, { recursive: true, force: true });
  mkdirSync(stage, { recursive: true });
  for (const file of sourceFiles()) {
    const to = join(stage, relative(root, file));
    mkdirSync(dirname(to), { recursive: true });
    cpSync(file, to);
  }
  const handlers = join(root, 'dist', 'handlers');
  if (!existsSync(handlers)) throw new Error('dist/handlers is missing: run `npm run build` first');
  cpSync(handlers, join(stage, 'dist', 'handlers'), { recursive: true, filter: (src) => !src.includes(`${join('handlers', 'samples')}`) });
  for (const file of ['LICENSE', 'README.md']) cpSync(join(root, file), join(stage, file));
  symlinkSync(join(root, 'node_modules'), join(stage, 'node_modules'), 'dir');

  // What the constructs need at synth (the handlers are pre-bundled): bundled into the npm tarball
  // that the wheel embeds, as jsii requires of dependencies that are not jsii modules.
  const synthDependencies = ['@aws-sdk/client-dynamodb', '@aws-sdk/util-dynamodb', 'ajv', 'ajv-draft-04'];
  const pinned = (name) => manifest.devDependencies[name].replace(/^[\^~]/, '');
  writeFileSync(join(stage, 'package.json'), JSON.stringify({
    name: manifest.name,
    version: manifest.version,
    description: manifest.description,
    license: manifest.license,
    author: manifest.author,
    repository: manifest.repository,
    homepage: manifest.homepage,
    main: 'dist/lib/multi-language.js',
    types: 'dist/lib/multi-language.d.ts',
    files: ['dist', '.jsii', 'LICENSE', 'README.md'],
    peerDependencies: manifest.peerDependencies,
    devDependencies: Object.fromEntries(Object.keys(manifest.peerDependencies).map((name) => [name, pinned(name)])),
    dependencies: Object.fromEntries(synthDependencies.map((name) => [name, manifest.dependencies[name]])),
    bundledDependencies: synthDependencies,
    stability: 'experimental',
    jsii: {
      outdir: 'dist',
      tsc: { outDir: 'dist', rootDir: '.' },
      targets: { python: { distName: PYTHON_DIST, module: PYTHON_MODULE } },
    },
  }, null, 2));
}

function run(command, args, options = {}) {
  execFileSync(command, args, { cwd: stage, stdio: 'inherit', env: { ...process.env, JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION: '1', ...options.env } });
}

/** A Python interpreter with setuptools and wheel, or undefined. */
function pythonWithWheel() {
  for (const candidate of [process.env.PYTHON_FOR_WHEEL, '/usr/bin/python3', 'python3'].filter(Boolean)) {
    try {
      execFileSync(candidate, ['-c', 'import setuptools, wheel, pip'], { stdio: 'ignore' });
      return candidate;
    } catch {
      // try the next
    }
  }
  return undefined;
}

export function buildPythonPackage() {
  stagePackage();
  const bin = join(root, 'node_modules', '.bin');
  run(join(bin, 'jsii'), []);
  run(join(bin, 'jsii-pacmak'), ['--code-only', '--targets', 'python', '--outdir', 'dist']);
  const python = pythonWithWheel();
  if (!python) throw new Error('no Python with setuptools, wheel and pip: install Debian\'s python3-wheel and python3-pip');
  const source = join(stage, 'dist', 'python');
  run(python, ['-m', 'pip', 'wheel', '--no-deps', '--no-build-isolation', '--no-index', '--wheel-dir', source, source], {
    env: { PIP_DISABLE_PIP_VERSION_CHECK: '1' },
  });
  const wheel = readdirSync(source).find((name) => name.endsWith('.whl'));
  if (!wheel) throw new Error(`no wheel in ${source}`);
  return join(source, wheel);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const wheel = buildPythonPackage();
  console.log(`${relative(root, wheel)} (${(statSync(wheel).size / 1024).toFixed(0)} KB)`);
}
