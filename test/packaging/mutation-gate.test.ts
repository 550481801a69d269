// The gate `npm run mutate -- --check` applies in CI (scripts/mutate.mjs): how a file's score is
// counted from a Stryker report, and when a module's committed report lets the check skip Stryker.
// The script is an ES module, so each case runs in a child node process.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');
const script = join(root, 'scripts', 'mutate.mjs');

function callScript(fn: string, args: unknown[]): unknown {
  const code = `import(${JSON.stringify(script)}).then((m) => process.stdout.write(JSON.stringify(m.${fn}(...${JSON.stringify(args)}))))`;
  return JSON.parse(execFileSync(process.execPath, ['-e', code], { cwd: root, encoding: 'utf8' }));
}

function writeReport(report: unknown): string {
  const file = join(mkdtempSync(join(tmpdir(), 'mutation-gate-')), 'report.json');
  writeFileSync(file, JSON.stringify(report));
  return file;
}

const source = 'lib/gateway/waf-ip-cidr.ts';
const testFile = 'test/gateway/waf-ip-cidr.test.ts';
const current = (file: string) => readFileSync(join(root, file), 'utf8');
const wafModule = { name: 'waf-ip-cidr', mutate: [source], tests: [testFile], threshold: 85 };

test('a file scores its killed and timed-out mutants over all but the ignored, compile and runtime errors', () => {
  const mutant = (status: string) => ({ status });
  const report = writeReport({
    files: {
      [source]: {
        mutants: [
          ...['Killed', 'Killed', 'Timeout', 'Survived', 'NoCoverage'].map(mutant),
          ...['Ignored', 'CompileError', 'RuntimeError'].map(mutant),
        ],
      },
      'lib/other.ts': { mutants: [mutant('Ignored')] },
    },
  });
  expect(callScript('fileScores', [report])).toEqual({ [source]: 60, 'lib/other.ts': 100 });
});

test('a missing report has no scores, so the check cannot pass on it', () => {
  expect(callScript('fileScores', [join(tmpdir(), 'no-such-report.json')])).toEqual({});
});

describe('the check skips Stryker only when the report was made from the current sources and tests', () => {
  const report = (overrides: { files?: object; testFiles?: object }) =>
    writeReport({
      files: { [source]: { source: current(source), mutants: [] } },
      testFiles: { [testFile]: { source: current(testFile), tests: [] } },
      ...overrides,
    });

  test('unchanged mutated file and tests: skipped', () => {
    expect(callScript('unchangedSinceReport', [wafModule, report({})])).toBe(true);
  });

  test('a mutated file changed since the report: Stryker runs', () => {
    const changed = report({ files: { [source]: { source: `${current(source)}\n// changed`, mutants: [] } } });
    expect(callScript('unchangedSinceReport', [wafModule, changed])).toBe(false);
  });

  test('a test changed since the report: Stryker runs', () => {
    const changed = report({ testFiles: { [testFile]: { source: `${current(testFile)}\n// changed`, tests: [] } } });
    expect(callScript('unchangedSinceReport', [wafModule, changed])).toBe(false);
  });

  test('a test added to the module since the report: Stryker runs', () => {
    const added = { ...wafModule, tests: [testFile, 'test/gateway/waf-controls.test.ts'] };
    expect(callScript('unchangedSinceReport', [added, report({})])).toBe(false);
  });

  test('a report without test sources (an older Stryker) or no report: Stryker runs', () => {
    expect(callScript('unchangedSinceReport', [wafModule, report({ testFiles: undefined })])).toBe(false);
    expect(callScript('unchangedSinceReport', [wafModule, join(tmpdir(), 'no-such-report.json')])).toBe(false);
  });
});
