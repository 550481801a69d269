// The Python distribution: scripts/python-package.mjs compiles the multi-language API with jsii,
// writes the Python module with jsii-pacmak and builds the wheel. This checks what the wheel
// holds and the README's Python example against the generated module (names, methods, keywords);
// it cannot run the example (the wheel's dependencies are on PyPI only: README "Python").
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');
const python = join(root, 'build', 'jsii', 'dist', 'python');
const work = mkdtempSync(join(tmpdir(), 'cdk-si-python-'));
let wheel: string;

/** Runs a Python snippet with the wheel's path as argv[1] and returns what it printed. */
function py(code: string, ...args: string[]): string {
  return execFileSync('python3', ['-c', code, ...args], { encoding: 'utf8' });
}

beforeAll(() => {
  const out = execFileSync(process.execPath, [join(root, 'scripts', 'python-package.mjs')], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  wheel = join(root, out.trim().split('\n').pop()!.replace(/ \(\d+ KB\)$/, ''));
}, 240_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

test('the wheel holds the Python module, its typing marker, the jsii assembly tarball and the license', () => {
  const names = py('import sys, zipfile; print("\\n".join(zipfile.ZipFile(sys.argv[1]).namelist()))', wheel).trim().split('\n');
  expect(names).toEqual(expect.arrayContaining([
    'cdk_secure_integrations/__init__.py',
    'cdk_secure_integrations/py.typed',
    'cdk_secure_integrations/_jsii/__init__.py',
    'cdk_secure_integrations/_jsii/cdk-secure-integrations@0.1.0.jsii.tgz',
  ]));
  expect(names.some((n) => /\.dist-info\/LICENSE$/.test(n))).toBe(true);
  const metadata = py('import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); print(z.read([n for n in z.namelist() if n.endswith("METADATA")][0]).decode())', wheel);
  for (const requirement of ['aws-cdk-lib', 'constructs', 'cdk-nag', 'jsii']) expect(metadata).toMatch(new RegExp(`^Requires-Dist: ${requirement}`, 'm'));
});

test('the embedded tarball has the assembly, the compiled constructs, the handler bundles and the synth-time libraries, and no CDK', () => {
  const tarball = join(python, 'src', 'cdk_secure_integrations', '_jsii', 'cdk-secure-integrations@0.1.0.jsii.tgz');
  const files = execFileSync('tar', ['tzf', tarball], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }).trim().split('\n');
  expect(files).toEqual(expect.arrayContaining([
    'package/.jsii',
    'package/dist/lib/multi-language.js',
    'package/dist/handlers/ingest/index.js',
    'package/dist/handlers/rotation/index.js',
    'package/dist/handlers/inventory/index.js',
    'package/dist/handlers/truststore/index.js',
    'package/node_modules/ajv/package.json',
  ]));
  expect(files.filter((f) => /node_modules\/(aws-cdk-lib|constructs|cdk-nag)\//.test(f))).toEqual([]);
  expect(files.filter((f) => !f.startsWith('package/node_modules/') && /samples|\.test\./.test(f))).toEqual([]);

  const assembly = JSON.parse(execFileSync('tar', ['xzf', tarball, '-O', 'package/.jsii'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })) as { types: Record<string, { kind: string; methods?: Array<{ name: string; static?: boolean }> }>; targets: { python: { module: string } } };
  expect(assembly.targets.python.module).toBe('cdk_secure_integrations');
  for (const type of ['SecureIntegration', 'IntegrationPlatform', 'IntegrationFunction', 'SecureIntegrationProps', 'ApiRoute', 'DataClassification', 'ComplianceChecks', 'IntegrationSecurityChecks', 'Truststore']) {
    expect(assembly.types[`cdk-secure-integrations.${type}`]).toBeDefined();
  }
  const factories = (name: string) => (assembly.types[`cdk-secure-integrations.${name}`].methods ?? []).filter((m) => m.static).map((m) => m.name);
  expect(factories('Inbound')).toEqual(expect.arrayContaining(['api', 'webhook']));
  expect(factories('Auth')).toEqual(expect.arrayContaining(['oauth2ClientCredentials', 'iam', 'mutualTls']));
  expect(factories('Target')).toEqual(expect.arrayContaining(['lambda', 'queue', 'eventBus', 'defaultQueue']));
  expect(factories('ComplianceChecks')).toEqual(expect.arrayContaining(['addTo', 'packs']));
  // TypeScript only (README "Python"): the wire formats and the bind contexts are not in the assembly.
  for (const type of ['IngestConfig', 'InventoryRecord', 'InboundBindContext', 'TargetBindContext', 'IntegrationConfigError']) {
    expect(assembly.types[`cdk-secure-integrations.${type}`]).toBeUndefined();
  }
});

describe("README's Python example", () => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const example = /```python\n(# file: app\.py\n[\s\S]*?)```/.exec(readme)?.[1];
  const module = join(python, 'src', 'cdk_secure_integrations', '__init__.py');
  const check = (source: string) => {
    const file = join(work, 'app.py');
    writeFileSync(file, source);
    try {
      execFileSync('python3', [join(__dirname, 'check-python-example.py'), module, file, 'cdk_secure_integrations'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      return [];
    } catch (e) {
      return String((e as { stdout: string }).stdout).trim().split('\n');
    }
  };

  test('is valid Python, and names only classes, methods and keywords the generated module has', () => {
    expect(example).toBeDefined();
    execFileSync('python3', ['-c', 'import ast, sys; ast.parse(sys.stdin.read())'], { input: example });
    expect(check(example!)).toEqual([]);
  });

  test('the check finds a misspelt keyword, a missing method and a missing class', () => {
    expect(check(example!.replace('owner=', 'ownr='))).toEqual([expect.stringMatching(/^SecureIntegration.__init__ has no parameter ownr/)]);
    expect(check(example!.replace('Target.default_queue()', 'Target.defaultQueue()'))).toEqual(['Target.defaultQueue does not exist']);
    expect(check(example!.replace('ApiRoute, ', 'ApiRoute, Nonexistent, '))).toEqual(['Nonexistent is not a class of cdk_secure_integrations']);
  });
});
