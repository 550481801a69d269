// API.md: the API reference, generated from the doc comments with TypeDoc (and its markdown
// plugin) for the package's two entry points, the constructs (`cdk-secure-integrations`) and the
// runtime helpers (`cdk-secure-integrations/runtime`).
//   node scripts/api-docs.mjs          writes API.md
//   node scripts/api-docs.mjs --check  exits 1 when API.md is not what the sources generate
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = mkdtempSync(join(tmpdir(), 'cdk-si-api-'));
try {
  execFileSync(
    process.execPath,
    [
      join(root, 'node_modules', 'typedoc', 'bin', 'typedoc'),
      '--plugin', 'typedoc-plugin-markdown',
      '--entryPoints', 'lib/index.ts', '--entryPoints', 'lambda/shared/runtime.ts',
      '--out', out, '--readme', 'none', '--excludePrivate', '--excludeInternal', '--disableSources',
      '--hidePageHeader', '--hideBreadcrumbs', '--outputFileStrategy', 'modules', '--logLevel', 'Error',
    ],
    { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] },
  );
  const body = (file, title) => readFileSync(join(out, file), 'utf8').replace(/^# .*\n/, `# ${title}\n`).replace(/\n{3,}/g, '\n\n').trim();
  const api = [
    '# API reference',
    '',
    'Generated from the doc comments by `node scripts/api-docs.mjs` (TypeDoc); `npm test` fails when it is not current.',
    '',
    body('lib.md', '`cdk-secure-integrations`: the constructs'),
    '',
    body(join('lambda', 'shared', 'runtime.md'), '`cdk-secure-integrations/runtime`: helpers for your handlers'),
    '',
  ].join('\n');
  const target = join(root, 'API.md');
  if (process.argv.includes('--check')) {
    let current = '';
    try {
      current = readFileSync(target, 'utf8');
    } catch {
      // missing: not current
    }
    if (current !== api) {
      process.stderr.write('API.md is not current: run node scripts/api-docs.mjs\n');
      process.exit(1);
    }
  } else {
    writeFileSync(target, api);
  }
} finally {
  rmSync(out, { recursive: true, force: true });
}
