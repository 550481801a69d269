// A consumer of the published package, as npm would give it: the tarball `npm pack` makes holds
// only what it should, and a handler importing only `cdk-secure-integrations/runtime`, installed
// without the CDK (no peer dependencies), bundles with esbuild and carries no aws-cdk-lib.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { build } from 'esbuild';

const root = join(__dirname, '..', '..');
const work = mkdtempSync(join(tmpdir(), 'cdk-si-consumer-'));
let tarball: string;
let files: string[];

beforeAll(() => {
  const packed = JSON.parse(execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], { cwd: root, encoding: 'utf8' })) as Array<{ filename: string; files: Array<{ path: string }> }>;
  tarball = join(work, packed[0].filename);
  files = packed[0].files.map((f) => f.path);
}, 120_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

test('the tarball holds the compiled library, its declarations, the handler bundles, LICENSE and README, and nothing else', () => {
  expect(files).toEqual(expect.arrayContaining(['LICENSE', 'README.md', 'package.json', 'dist/lib/index.js', 'dist/lib/index.d.ts', 'dist/lambda/shared/runtime.js', 'dist/lambda/shared/runtime.d.ts', 'dist/handlers/ingest/index.js', 'dist/handlers/rotation/index.js', 'dist/bin/cli.js']));
  const stray = files.filter((f) => !/^(LICENSE|README\.md|package\.json|lambda\/shared\/field-encryption\/FORMAT\.md|dist\/(lib|lambda|handlers)\/.+|dist\/bin\/cli\.(js|d\.ts))$/.test(f));
  expect(stray).toEqual([]);
  // The example app, its sample handlers and the tests stay home.
  expect(files.filter((f) => /samples|example|^test\/|\.test\./.test(f))).toEqual([]);
});

/**
 * The files `entries` load, transitively, by relative path: `require("./x")` in JavaScript, or
 * `from "./x"` and `import("./x")` in declarations (`ext` `.js` or `.d.ts`); paths relative to the root.
 */
function loaded(entries: string[], ext: '.js' | '.d.ts'): Set<string> {
  const pattern = ext === '.js' ? /require\("(\.[^"]+)"\)/g : /(?:from |import\()["'](\.[^"']+)["']/g;
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const [, spec] of readFileSync(file, 'utf8').matchAll(pattern)) {
      const base = resolve(dirname(file), spec);
      const found = [base + ext, join(base, `index${ext}`), base].find((f) => existsSync(f) && statSync(f).isFile());
      if (found === undefined) throw new Error(`${relative(root, file)} loads ${spec}, which is not built`);
      visit(found);
    }
  };
  for (const entry of entries) visit(join(root, entry));
  return new Set([...seen].map((f) => relative(root, f)));
}

test('of the compiled handler sources, the tarball holds exactly what the library, /runtime and the CLI load (package.json "files")', () => {
  const modules = [...loaded(['dist/lib/index.js', 'dist/lambda/shared/runtime.js', 'dist/bin/cli.js'], '.js'), ...loaded(['dist/lib/index.d.ts', 'dist/lambda/shared/runtime.d.ts', 'dist/bin/cli.d.ts'], '.d.ts')]
    .filter((f) => f.startsWith('dist/lambda/'))
    .map((f) => f.replace(/(\.d\.ts|\.js)$/, ''));
  // Each module loaded with its declarations. The handlers themselves ship bundled in dist/handlers:
  // their compiled sources would be dead weight.
  const needed = [...new Set(modules)].flatMap((m) => [`${m}.js`, `${m}.d.ts`]).sort();
  expect(files.filter((f) => f.startsWith('dist/lambda/')).sort()).toEqual(needed);
  expect(needed).toEqual(expect.arrayContaining(['dist/lambda/shared/runtime.js', 'dist/lambda/shared/runtime.d.ts', 'dist/lambda/shared/field-encryption/jwe.js']));
});

test('a handler importing only /runtime installs without the CDK, bundles, and carries no aws-cdk-lib; the installed CLI runs', async () => {
  const app = join(work, 'consumer');
  mkdirSync(join(app, 'src'), { recursive: true });
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true, dependencies: { 'cdk-secure-integrations': `file:${tarball}` } }));
  // --legacy-peer-deps: the CDK (a peer of the constructs) is not installed, as in a handler's own package.
  execFileSync('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', '--legacy-peer-deps'], { cwd: app, stdio: 'pipe' });
  expect(readdirSync(join(app, 'node_modules'))).not.toContain('aws-cdk-lib');
  writeFileSync(
    join(app, 'src', 'handler.ts'),
    [
      "import { decryptFields, recordSync, sendOutbound } from 'cdk-secure-integrations/runtime';",
      'export const handler = async (event: { records: Array<Record<string, unknown>> }) => {',
      "  const records = await Promise.all(event.records.map((r) => decryptFields(r, ['contact.email'], { integration: 'Crm' })));",
      "  recordSync({ integration: 'Crm', succeeded: true, records: records.length });",
      "  const { messageId }: { messageId: string } = await sendOutbound('PartnerOrders', { count: records.length });",
      '  void messageId;',
      '  return records.length;',
      '};',
    ].join('\n'),
  );
  // Type-checked against the package's declarations, as the consumer's editor and tsc would: with
  // Node's resolution (which reads `exports`) and with the `node10` resolution of `cdk init`'s
  // tsconfig (`module: commonjs`), which reads `typesVersions` instead.
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  execFileSync(process.execPath, [tsc, '--noEmit', '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', '--skipLibCheck', join(app, 'src', 'handler.ts')], { cwd: app, stdio: 'pipe' });
  execFileSync(process.execPath, [tsc, '--noEmit', '--strict', '--module', 'commonjs', '--moduleResolution', 'node10', '--ignoreDeprecations', '6.0', '--target', 'es2022', '--skipLibCheck', join(app, 'src', 'handler.ts')], { cwd: app, stdio: 'pipe' });
  const result = await build({ entryPoints: [join(app, 'src', 'handler.ts')], bundle: true, platform: 'node', target: 'node20', write: false, metafile: true, absWorkingDir: app, logLevel: 'silent' });
  const inputs = Object.keys(result.metafile.inputs);
  expect(inputs.some((f) => f.includes('node_modules/cdk-secure-integrations/dist/lambda/shared/runtime.js'))).toBe(true);
  expect(inputs.filter((f) => f.includes('aws-cdk-lib') || f.includes('/constructs/'))).toEqual([]);
  // The package's CLI runs from what was installed (npm links `bin` into node_modules/.bin).
  const help = execFileSync(join(app, 'node_modules', '.bin', 'cdk-secure-integrations'), ['--help'], { cwd: app, encoding: 'utf8' });
  expect(help).toMatch(/^Usage: cdk-secure-integrations/);
  expect(help).toMatch(/^\s+inventory \[options\]/m);
  expect(help).toMatch(/^\s+redrive \[options\]/m);
}, 180_000);
