// The example app as `cdk synth` runs it (cdk.json): from current sources, always. When a source
// under bin/, lib/ or lambda/ (or a PEM file the app reads) is newer than the compiled app, it
// rebuilds first (`npm run build`: tsc, then the handler bundles), so an edit is never silently
// ignored; otherwise it runs dist/bin/app.js at once. The build's output goes to stderr: stdout is
// the CDK CLI's.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const app = join(root, 'dist', 'bin', 'app.js');

function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (/\.(ts|pem|json)$/.test(entry.name) && !entry.name.endsWith('.d.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

const sources = Math.max(...['bin', 'lib', 'lambda'].map((d) => newestSource(join(root, d))));
// Written by scripts/bundle-handlers.mjs, the last step of `npm run build`.
const stamp = join(root, 'dist', '.build-stamp');
const built = existsSync(app) && existsSync(stamp) ? statSync(stamp).mtimeMs : 0;
if (sources > built) {
  process.stderr.write('cdk-secure-integrations: sources changed since the last build; running npm run build first\n');
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: ['ignore', process.stderr, process.stderr] });
}
await import(app);
