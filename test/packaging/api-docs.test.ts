// API.md is what the doc comments generate today (scripts/api-docs.mjs, TypeDoc).
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

test('API.md is current', () => {
  expect(() => execFileSync(process.execPath, [join(__dirname, '..', '..', 'scripts', 'api-docs.mjs'), '--check'], { stdio: 'pipe' })).not.toThrow();
}, 180_000);
