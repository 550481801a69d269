// The README's "Copy, paste, synthesize" files, pasted verbatim into a fresh app laid out as
// `cdk init app --language typescript` makes it, with the packed library installed from its
// tarball: the app compiles against the package's declarations and synthesizes with every check
// (cdk-nag's five packs and IntegrationSecurityChecks), so the README cannot drift from the code.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const root = join(__dirname, '..', '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const work = mkdtempSync(join(tmpdir(), 'cdk-si-readme-'));
const app = join(work, 'app');

/** The README's blocks whose first line is `// file: <path>`, by path. */
function readmeFiles(): Map<string, string> {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const files = new Map<string, string>();
  for (const [, body] of readme.matchAll(/```ts\n([\s\S]*?)```/g)) {
    const name = /^\/\/ file: (\S+)\n/.exec(body)?.[1];
    if (name) files.set(name, body);
  }
  return files;
}

afterAll(() => rmSync(work, { recursive: true, force: true }));

test('the README names the files of a whole app', () => {
  expect([...readmeFiles().keys()].sort()).toEqual(['bin/app.ts', 'lib/crm-contacts-stack.ts', 'src/contacts.ts']);
});

test('pasted into a fresh CDK app, they compile and synthesize with every check and no finding', () => {
  const packed = JSON.parse(execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], { cwd: root, encoding: 'utf8' })) as Array<{ filename: string }>;
  mkdirSync(app, { recursive: true });
  // The layout and settings of `cdk init app --language typescript`, with the library's peers.
  writeFileSync(
    join(app, 'package.json'),
    JSON.stringify({
      name: 'crm-app',
      version: '0.1.0',
      private: true,
      dependencies: {
        'cdk-secure-integrations': `file:${join(work, packed[0].filename)}`,
        'aws-cdk-lib': pkg.devDependencies['aws-cdk-lib'],
        constructs: pkg.devDependencies.constructs,
        'cdk-nag': pkg.devDependencies['cdk-nag'],
      },
      devDependencies: { esbuild: pkg.devDependencies.esbuild },
    }),
  );
  writeFileSync(
    join(app, 'tsconfig.json'),
    JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'Node16', moduleResolution: 'Node16', lib: ['es2022'], strict: true, declaration: false, skipLibCheck: true, types: [] }, exclude: ['node_modules', 'cdk.out'] }),
  );
  writeFileSync(join(app, 'cdk.json'), JSON.stringify({ app: 'node bin/app.js', context: { '@aws-cdk/core:validateAgainstDefaultRules': true } }));
  execFileSync('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts'], { cwd: app, stdio: 'pipe' });
  for (const [file, body] of readmeFiles()) {
    mkdirSync(dirname(join(app, file)), { recursive: true });
    writeFileSync(join(app, file), body);
  }
  execFileSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], { cwd: app, stdio: 'pipe' });
  const outdir = join(app, 'cdk.out');
  // As `cdk synth` runs it: CDK_OUTDIR makes the App synthesize on exit; a finding fails the process.
  execFileSync(process.execPath, ['bin/app.js'], { cwd: app, env: { ...process.env, CDK_OUTDIR: outdir, CDK_VALIDATION: 'true' }, stdio: 'pipe' });
  expect(existsSync(join(outdir, 'CrmContacts.template.json'))).toBe(true);
  const template = JSON.parse(readFileSync(join(outdir, 'CrmContacts.template.json'), 'utf8')) as { Resources: Record<string, { Type: string; Properties?: { Environment?: { Variables?: Record<string, unknown> } } }> };
  expect(Object.values(template.Resources).some((r) => r.Type === 'Custom::IntegrationInventoryRecord')).toBe(true);
  // The handler can decrypt what the ingest encrypted: the key it pins is in its environment (grantDecrypt).
  const handler = Object.entries(template.Resources).find(([id, r]) => r.Type === 'AWS::Lambda::Function' && id.startsWith('ContactsHandler'))![1];
  expect(handler.Properties?.Environment?.Variables?.FIELD_ENCRYPTION_KEY_ID).toBeDefined();
  // The handler was bundled from src/contacts.ts with the library's runtime, and without aws-cdk-lib.
  const assets = readdirSync(outdir).filter((f) => f.startsWith('asset.'));
  const bundles = assets.map((a) => join(outdir, a, 'index.js')).filter((f) => existsSync(f)).map((f) => readFileSync(f, 'utf8'));
  expect(bundles.some((b) => b.includes('CrmContacts') && b.includes('decryptFields'))).toBe(true);
}, 300_000);
