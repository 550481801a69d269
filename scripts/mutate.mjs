// Mutation testing of the security-critical modules with Stryker (jest runner).
//
//   npm run mutate                 every module, from scratch where its report is missing
//   npm run mutate -- --check      incremental: only mutants of changed code (and of changed tests)
//                                  run; fails when a module falls below its threshold (CI)
//   npm run mutate -- <module>...  the listed modules only (their `name` below)
//   npm run mutate -- --force ...  every mutant again, ignoring the reports (after changing only
//                                  tests: Stryker keeps earlier results of module-level constants)
//
// Each module runs with the tests written for it (`tests`), not every test that imports it through
// the package root: the library's index makes nearly every test "related" to every module, and a
// mutant then ran 100 test files. Stryker's incremental report of each module is committed in
// reports/mutation/<name>.json, so a run re-tests only the mutants of code or tests that changed
// since. Mutants judged equivalent (no test can tell them apart from the original) are listed in
// reports/mutation/EQUIVALENT.md with the reason, and ignored with a `// Stryker disable next-line`
// comment naming that file at the mutated line.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const reports = join(root, 'reports', 'mutation');

/**
 * The modules, their tests and the least mutation score each must keep (timeouts count as killed).
 * `moto: true` when the tests need moto_server (jest's global setup then starts one per mutant run,
 * most of the time a mutant takes); the others run without it.
 */
export const MODULES = [
  { name: 'verify-signature', mutate: ['lambda/shared/verify-signature.ts'], tests: ['test/lambda/ingest/verify-signature.test.ts', 'test/lambda/ingest/standard-webhooks.test.ts'], threshold: 85 },
  { name: 'waf-ip-cidr', mutate: ['lib/gateway/waf-ip-cidr.ts'], tests: ['test/gateway/waf-ip-cidr.test.ts'], threshold: 85 },
  { name: 'field-path', mutate: ['lambda/shared/field-encryption/field-path.ts'], tests: ['test/lambda/shared/field-encryption-path.test.ts'], threshold: 85 },
  { name: 'outbound-endpoint', mutate: ['lib/outbound/endpoint.ts'], tests: ['test/outbound/outbound-bad-input.test.ts', 'test/outbound/endpoint.test.ts'], threshold: 85 },
  { name: 'outbound-backoff-trace', mutate: ['lambda/outbound/backoff.ts', 'lambda/outbound/trace-context.ts'], tests: ['test/lambda/outbound/backoff.test.ts', 'test/lambda/outbound/trace-context.test.ts'], threshold: 85 },
  { name: 'field-encryption-jwe-keys', mutate: ['lambda/shared/field-encryption/jwe.ts', 'lambda/shared/field-encryption/data-key-cache.ts'], tests: ['test/lambda/shared/field-encryption-jwe.test.ts', 'test/lambda/shared/field-decryption.test.ts'], moto: true, threshold: 85 },
  { name: 'rotation-token-revocation', mutate: ['lambda/rotation/generated-token.ts', 'lambda/rotation/revocation.ts', 'lambda/rotation/versions.ts'], tests: ['test/lambda/rotation/rotation-revocation.test.ts'], moto: true, threshold: 85 },
  { name: 'rotation-protocol', mutate: ['lambda/rotation/rotate.ts', 'lambda/rotation/current-since.ts'], tests: ['test/lambda/rotation/rotation-requests.test.ts', 'test/lambda/rotation/current-since.test.ts'], threshold: 85 },
  { name: 'rotation-strategies-custom-hook', mutate: ['lambda/rotation/custom-hook.ts', 'lambda/rotation/hook.ts'], tests: ['test/lambda/rotation/custom-hook.test.ts'], threshold: 85 },
  { name: 'rotation-strategies-cognito', mutate: ['lambda/rotation/cognito-client-secret.ts'], tests: ['test/lambda/rotation/cognito-client-secret.test.ts'], threshold: 85 },
  { name: 'rotation-strategies-sweep', mutate: ['lambda/rotation/sweep.ts'], tests: ['test/lambda/rotation/credential-sweep-reporting.test.ts'], threshold: 85 },
  // The handler's paths with fake clients that record every call (the moto-backed ingest tests
  // kill nothing these do not, at a tenth of the time: about 5 min from scratch).
  { name: 'ingest-pipeline', mutate: ['lambda/ingest/ingest.ts'], tests: ['test/lambda/ingest/ingest-answers.test.ts', 'test/lambda/ingest/ingest-exits.test.ts'], threshold: 85 },
  { name: 'ingest-body-schema', mutate: ['lambda/ingest/body.ts', 'lambda/ingest/schema-validation.ts'], tests: ['test/lambda/ingest/request-body.test.ts', 'test/lambda/ingest/schema-validation.test.ts', 'test/lambda/ingest/ingest-exits.test.ts'], threshold: 85 },
  { name: 'ingest-secrets-delivery', mutate: ['lambda/ingest/signing-secrets.ts', 'lambda/ingest/deliver.ts'], tests: ['test/lambda/ingest/signing-secret-acceptance.test.ts', 'test/lambda/ingest/target-delivery.test.ts'], moto: true, threshold: 85 },
  { name: 'idempotency', mutate: ['lambda/ingest/deduplication.ts', 'lambda/shared/delivery-id.ts'], tests: ['test/lambda/ingest/deduplication.test.ts', 'test/lambda/ingest/delivery-id.test.ts'], threshold: 85 },
  { name: 'waf-rate-rules', mutate: ['lib/gateway/waf-rate-limit.ts'], tests: ['test/gateway/waf-controls.test.ts', 'test/gateway/waf-bad-input.test.ts'], threshold: 85 },
  { name: 'alarm-math', mutate: ['lib/observability/burn-rate-alarms.ts'], tests: ['test/observability/burn-rate-alarms.test.ts', 'test/observability/slo-template.test.ts', 'test/observability/data-quality-detection.test.ts'], threshold: 85 },
  { name: 'alarm-math-validation', mutate: ['lib/observability/slo-metrics.ts', 'lib/observability/slo-validation.ts'], tests: ['test/observability/slo-bad-input.test.ts'], threshold: 85 },
  { name: 'policy-evaluator', mutate: ['test/support/iam-policy-evaluator.ts'], tests: ['test/compliance/iam-policy-evaluator.test.ts', 'test/compliance/iam-policy-conditions.test.ts', 'test/compliance/iam-policy-template.test.ts'], threshold: 85 },
];

function run(module, incremental) {
  mkdirSync(reports, { recursive: true });
  const incrementalFile = join('reports', 'mutation', `${module.name}.json`);
  const config = {
    $schema: './node_modules/@stryker-mutator/core/schema/stryker-schema.json',
    packageManager: 'npm',
    testRunner: 'jest',
    plugins: ['@stryker-mutator/jest-runner'],
    jest: {
      projectType: 'custom',
      configFile: 'jest.config.js',
      // Only the module's own tests; with `moto: true`, jest's global setup starts moto_server as in `npm test`.
      config: {
        testMatch: module.tests.map((t) => `<rootDir>/${t}`),
        coverageProvider: 'babel',
        ...(module.moto ? {} : { globalSetup: null, globalTeardown: null }),
      },
      enableFindRelatedTests: false,
    },
    mutate: module.mutate,
    coverageAnalysis: 'perTest',
    incremental: true,
    incrementalFile,
    reporters: ['clear-text', 'progress-append-only'],
    thresholds: { high: 90, low: module.threshold, break: module.threshold },
    // STRYKER_CONCURRENCY=1 when other work shares the 2 cores.
    concurrency: Number(process.env.STRYKER_CONCURRENCY ?? 2),
    timeoutMS: 20000,
    // One sandbox folder per module, so that two modules can run at once.
    tempDirName: join('build', 'stryker-tmp', module.name),
    cleanTempDir: 'always',
    // The sandbox needs the handler bundles (handlerCode reads dist/handlers); nothing else of dist/.
    ignorePatterns: ['build', 'dist/lib', 'dist/bin', 'dist/lambda', 'dist/.tsbuildinfo', 'cdk.out', 'reports', 'examples', 'coverage'],
    disableTypeChecks: '{lib,lambda}/**/*.ts',
  };
  const file = join(root, 'build', `stryker.${module.name}.json`);
  mkdirSync(join(root, 'build'), { recursive: true });
  writeFileSync(file, JSON.stringify(config, null, 2));
  // A forced run starts from no report: Stryker's --force re-tests every mutant but keeps the old
  // report's test files, so a test dropped from the module would stay in it (and the check would
  // never again find the module unchanged).
  if (!incremental) rmSync(join(root, incrementalFile), { force: true });
  const args = ['stryker', 'run', file, ...(incremental ? [] : ['--force'])];
  console.log(`\n== ${module.name}: ${module.mutate.join(', ')} (threshold ${module.threshold}%)`);
  const result = spawnSync('npx', args, { cwd: root, stdio: 'inherit', env: { ...process.env, CDK_VALIDATION: 'false' } });
  // Stryker's break threshold is on the group's total: each file must keep it on its own.
  return result.status === 0 && holdsThreshold(module);
}

/** Prints each file's score from the module's report; false when one is below the threshold. */
function holdsThreshold(module) {
  const scores = fileScores(join(reports, `${module.name}.json`));
  for (const [file, score] of Object.entries(scores)) console.log(`   ${file}: ${score.toFixed(2)}% (threshold ${module.threshold}%)`);
  const missing = module.mutate.filter((file) => !(file in scores));
  if (missing.length > 0) console.log(`   no score for ${missing.join(', ')}`);
  return missing.length === 0 && Object.values(scores).every((score) => score >= module.threshold);
}

/**
 * True when the committed report was made from exactly the module's current mutated files and
 * tests (Stryker keeps each one's source in the report), so an incremental run would re-test nothing.
 */
export function unchangedSinceReport(module, reportFile = join(reports, `${module.name}.json`)) {
  if (!existsSync(reportFile)) return false;
  const report = JSON.parse(readFileSync(reportFile, 'utf8'));
  const same = (entries, files) =>
    entries !== undefined &&
    Object.keys(entries).length === files.length &&
    files.every((file) => entries[file] !== undefined && entries[file].source === readFileSync(join(root, file), 'utf8'));
  return same(report.files, module.mutate) && same(report.testFiles, module.tests);
}

/**
 * Each file's mutation score from a Stryker report: killed and timed-out mutants over all but the
 * ignored ones (equivalent mutants are ignored in the source, see reports/mutation/EQUIVALENT.md).
 */
export function fileScores(reportFile) {
  if (!existsSync(reportFile)) return {};
  const report = JSON.parse(readFileSync(reportFile, 'utf8'));
  const scores = {};
  for (const [file, { mutants }] of Object.entries(report.files)) {
    const counted = mutants.filter((m) => !['Ignored', 'CompileError', 'RuntimeError'].includes(m.status));
    const detected = counted.filter((m) => m.status === 'Killed' || m.status === 'Timeout').length;
    scores[file] = counted.length === 0 ? 100 : (100 * detected) / counted.length;
  }
  return scores;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const check = args.includes('--check');
  // --force re-tests every mutant of the chosen modules, ignoring their committed reports.
  const force = args.includes('--force');
  if (check && force) throw new Error('--check and --force exclude each other');
  const names = args.filter((a) => !a.startsWith('--'));
  const chosen = names.length > 0 ? MODULES.filter((m) => names.includes(m.name)) : MODULES;
  if (chosen.length === 0) throw new Error(`no module named ${names.join(', ')}; modules: ${MODULES.map((m) => m.name).join(', ')}`);
  const failed = [];
  for (const module of chosen) {
    const incremental = !force && (check || existsSync(join(reports, `${module.name}.json`)));
    if (check && unchangedSinceReport(module)) {
      // Stryker's incremental mode would reuse every result (it diffs only the mutated files and the
      // test files); skipping it saves its start-up and dry run. The scores still have to hold.
      console.log(`\n== ${module.name}: no mutated file or test changed since reports/mutation/${module.name}.json`);
      if (!holdsThreshold(module)) failed.push(module.name);
      continue;
    }
    if (!run(module, incremental)) failed.push(module.name);
  }
  if (failed.length > 0) {
    console.error(`\nmutation score below the threshold, or the run failed: ${failed.join(', ')}`);
    process.exit(1);
  }
}
