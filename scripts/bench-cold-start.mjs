// Cold-start benchmark of the Lambda handlers the library ships (dist/handlers/*/, built by
// `npm run build`): the size of each bundle, and how long Node.js takes to load it (module scope:
// imports, SDK clients, config files) over a bare start.
//
// Each handler's folder is copied alone into a temporary folder, as Lambda puts it in /var/task,
// and its index.js loaded with `node -e "require('<bundle>')"` in a Lambda-like environment (region,
// dummy credentials, the function's variables and a small valid config file where the handler reads
// one). Rounds interleave a bare `node -e ""` with every bundle; the figures are medians of
// BENCH_RUNS (default 7) runs. Files a handler loads on first use only (scripts/bundle-handlers.mjs,
// ON_DEMAND) are not loaded at the cold start: what they add to the first request that needs them
// is measured apart, in the process that loaded the bundle.
//
// For comparison, the same handlers are also bundled with the AWS SDK left to the Lambda runtime
// (which ships SDK v3) and measured the same way, the SDK resolving through NODE_PATH from this
// repository's node_modules as it resolves from /var/runtime/node_modules in Lambda.
//
// Writes its section of BENCHMARKS.md (between markers) with the machine and the date.
// Usage: node scripts/bench-cold-start.mjs (after `npm run build`).
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { performance } from 'node:perf_hooks';
import { bundleHandlers } from './bundle-handlers.mjs';

const root = new URL('..', import.meta.url).pathname;
const handlersRoot = join(root, 'dist', 'handlers');
const RUNS = Number(process.env.BENCH_RUNS ?? 7);
/** The issue's targets for the library's own handlers (samples are users' examples). */
const TARGET_BYTES = 250 * 1024;
const TARGET_MS = 80;
const LIBRARY_HANDLERS = new Set(['ingest', 'inventory', 'outbound', 'rotation', 'truststore']);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** The handler folders under `dir`: those holding an index.js. */
function* handlerDirs(dir) {
  for (const name of readdirSync(dir).sort()) {
    const full = join(dir, name);
    if (!statSync(full).isDirectory()) continue;
    if (existsSync(join(full, 'index.js'))) yield full;
    else yield* handlerDirs(full);
  }
}

if (!existsSync(handlersRoot)) throw new Error('dist/handlers not found: run `npm run build` first');
const work = mkdtempSync(join(tmpdir(), 'bench-cold-start-'));

// Config files the handlers read at load: small and valid (lambda/ingest/config.ts, lambda/outbound/config.ts, lambda/rotation/bindings.ts).
const ingestConfig = join(work, 'ingest-config.json');
writeFileSync(
  ingestConfig,
  JSON.stringify({
    version: 1,
    routes: [
      { integration: 'Crm', method: 'POST', resourcePath: '/contacts', schema: { type: 'object', required: ['id'], properties: { email: { type: 'string', format: 'email' } } }, target: { kind: 'sqs', address: { env: 'INGEST_REF_0' } } },
      { integration: 'GitHub', method: 'POST', resourcePath: '/webhooks/github', signature: { scheme: 'github-hmac-sha256', signatureHeader: 'X-Hub-Signature-256', headerFormat: 'digest', signaturePrefix: 'sha256=', encoding: 'hex', signedPayload: '{body}', deliveryId: { header: 'X-GitHub-Delivery' } }, signingSecret: 'integrations/github/signing-secret', target: { kind: 'eventbridge', address: 'default' } },
      { integration: 'Orders', method: 'POST', resourcePath: '/orders', target: { kind: 'lambda', address: 'arn:aws:lambda:eu-west-1:111111111111:function:orders' } },
    ],
  }),
);
const outboundConfig = join(work, 'outbound-config.json');
writeFileSync(
  outboundConfig,
  JSON.stringify({
    version: 1,
    integration: 'PartnerOrders',
    mode: 'direct',
    endpoint: 'https://partner.example.com/orders',
    method: 'PUT',
    timeoutMs: 5000,
    maxAttempts: 30,
    signing: { kind: 'standard-webhooks', secretArn: { env: 'OUTBOUND_REF_0' } },
    deadLetterQueueUrl: { env: 'OUTBOUND_REF_1' },
  }),
);
const rotationConfig = join(work, 'rotation-config.json');
writeFileSync(
  rotationConfig,
  JSON.stringify({
    version: 2,
    credentials: {
      'integrations/crm/callback-key': { integration: 'Crm', credential: 'callback-key', rotation: { strategy: 'generated-token', length: 64, charset: 'hex' }, overlapSeconds: 3600, ticketAfterSeconds: 86400, pageAfterSeconds: 172800 },
    },
  }),
);

/** What Lambda sets for every function at init (no _X_AMZN_TRACE_ID: that comes with an invocation). */
const lambdaEnv = (name, task) => ({
  PATH: process.env.PATH,
  NODE_PATH: join(root, 'node_modules'),
  AWS_REGION: 'eu-west-1',
  AWS_DEFAULT_REGION: 'eu-west-1',
  AWS_ACCESS_KEY_ID: 'ASIABENCHMARK0000000',
  AWS_SECRET_ACCESS_KEY: 'benchmark',
  AWS_SESSION_TOKEN: 'benchmark',
  AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
  AWS_LAMBDA_FUNCTION_NAME: name,
  AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '256',
  AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
  AWS_LAMBDA_LOG_FORMAT: 'JSON',
  AWS_XRAY_DAEMON_ADDRESS: '127.0.0.1:2000',
  AWS_XRAY_CONTEXT_MISSING: 'LOG_ERROR',
  LAMBDA_TASK_ROOT: task,
  _HANDLER: 'index.handler',
  TZ: ':UTC',
});
/** Each function's own variables, as the constructs set them (lib/ingest, lib/secrets, lib/inventory). */
const functionEnv = {
  ingest: { POWERTOOLS_SERVICE_NAME: 'integration-ingest', INGEST_CONFIG_FILE: ingestConfig, INGEST_REF_0: 'https://sqs.eu-west-1.amazonaws.com/111111111111/crm', DEDUPLICATION_TABLE_NAME: 'dedup', FIELD_ENCRYPTION_KEY_ID: 'arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab' },
  rotation: { POWERTOOLS_SERVICE_NAME: 'integration-rotation', ROTATION_CONFIG_FILE: rotationConfig },
  outbound: {
    POWERTOOLS_SERVICE_NAME: 'integration-outbound',
    OUTBOUND_CONFIG_FILE: outboundConfig,
    OUTBOUND_REF_0: 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:integrations/partner-orders/signing-AbCdEf',
    OUTBOUND_REF_1: 'https://sqs.eu-west-1.amazonaws.com/111111111111/partner-orders-dlq',
  },
  inventory: { POWERTOOLS_SERVICE_NAME: 'integration-inventory', INVENTORY_TABLE_NAME: 'inventory' },
  'samples/warehouse-export': { SOURCE_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/111111111111/crm', WAREHOUSE_URL: 'https://warehouse.example.com/ingest' },
};

/** Copies each handler folder of `from` alone into `<work>/<variant>/<name>/`, as Lambda's /var/task. */
function subjectsOf(from, variant) {
  return [...handlerDirs(from)].map((dir) => {
    const name = relative(from, dir);
    const task = join(work, variant, name);
    cpSync(dir, task, { recursive: true });
    const onDemand = readdirSync(task).filter((f) => f.endsWith('.js') && f !== 'index.js').sort();
    return {
      name,
      variant,
      bytes: statSync(join(task, 'index.js')).size,
      onDemand: onDemand.map((f) => ({ file: f, bytes: statSync(join(task, f)).size, times: [] })),
      file: join(task, 'index.js'),
      env: { ...lambdaEnv(name, task), ...(functionEnv[name] ?? {}) },
      times: [],
    };
  });
}
const shipped = subjectsOf(handlersRoot, 'shipped');
// The comparison: the same sources with the SDK left to the runtime.
const runtimeSdkRoot = join(work, 'runtime-sdk-build');
const runtimeSdkExternals = new Map((await bundleHandlers({ outRoot: runtimeSdkRoot, sdkFromRuntime: true })).map((b) => [b.name, b.externals]));
const runtimeSdk = subjectsOf(runtimeSdkRoot, 'runtime-sdk');
const subjects = [...shipped, ...runtimeSdk];

function runNode(script, env) {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, ['-e', script], { env, stdio: 'pipe', cwd: work });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`node -e ${script} failed (${r.status}):\n${r.stderr}`);
  return { ms, stdout: r.stdout.toString() };
}

const bare = [];
for (let i = 0; i < RUNS + 1; i++) {
  // The first round warms the file system cache and is not counted.
  const b = runNode('', lambdaEnv('bare', work)).ms;
  if (i > 0) bare.push(b);
  for (const s of subjects) {
    const t = runNode(`require(${JSON.stringify(s.file)})`, s.env).ms;
    if (i > 0) s.times.push(t);
    // What an on-demand file adds to the first request that needs it: its require, in the process that loaded the bundle.
    for (const o of s.onDemand) {
      const script = `require(${JSON.stringify(s.file)});const t=process.hrtime.bigint();require(${JSON.stringify(join(dirname(s.file), o.file))});process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6))`;
      const ms = Number(runNode(script, s.env).stdout);
      if (i > 0) o.times.push(ms);
    }
  }
}
const bareMs = median(bare);
const rowsOf = (list) => list.map((s) => ({ ...s, loadMs: median(s.times) - bareMs, onDemand: s.onDemand.map((o) => ({ ...o, ms: median(o.times) })) }));
const rows = rowsOf(shipped);
const compared = new Map(rowsOf(runtimeSdk).map((r) => [r.name, r]));
// What parsing alone costs: the ingest bundle wrapped in a function that is never called.
const parseOnly = join(work, 'parse-only.js');
writeFileSync(parseOnly, `module.exports = function never() {\n${readFileSync(shipped.find((s) => s.name === 'ingest').file, 'utf8')}\n};\n`);
const parseTimes = [];
for (let i = 0; i < RUNS; i++) parseTimes.push(Number(runNode(`const t=process.hrtime.bigint();require(${JSON.stringify(parseOnly)});process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6))`, lambdaEnv('parse', work)).stdout));
const msPerKb = median(parseTimes) / (statSync(parseOnly).size / 1024);
rmSync(work, { recursive: true, force: true });

const kb = (bytes) => `${(bytes / 1024).toFixed(0)} KB`;
const verdict = (r) => (LIBRARY_HANDLERS.has(r.name) ? (r.bytes <= TARGET_BYTES && r.loadMs <= TARGET_MS ? 'yes' : '**no**') : 'sample');
const onDemandCell = (r) => r.onDemand.map((o) => `\`${o.file}\` ${kb(o.bytes)}, +${o.ms.toFixed(0)} ms`).join('; ') || 'none';
for (const r of rows) {
  const c = compared.get(r.name);
  console.log(`${r.name.padEnd(26)} ${kb(r.bytes).padStart(7)} ${r.loadMs.toFixed(0).padStart(5)} ms  ${verdict(r).padEnd(7)} on demand: ${onDemandCell(r)} | SDK from runtime: ${kb(c.bytes)} ${c.loadMs.toFixed(0)} ms`);
}

const machine = `${cpus()[0].model}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node.js ${process.version}`;
const date = new Date().toISOString().slice(0, 10);
const section = `<!-- bench-cold-start:start -->
## Cold start: handler bundles

Each bundle the library deploys (\`dist/handlers/*/\`, built by scripts/bundle-handlers.mjs), the
size of the index.js a cold start loads, and the time Node.js takes to load it over a bare
\`node -e ""\` (${bareMs.toFixed(0)} ms here): module scope only (imports, SDK clients, config files), in a
Lambda-like environment with the handler's folder alone, as in /var/task. Median of ${RUNS} interleaved
runs. Targets for the library's handlers: at most ${TARGET_BYTES / 1024} KB and ${TARGET_MS} ms.

| handler | index.js | module load over bare start | runs (ms, bare start included) | loaded on first use (size, time it adds) | meets target |
|---|---|---|---|---|---|
${rows.map((r) => `| ${r.name} | ${kb(r.bytes)} | ${r.loadMs.toFixed(0)} ms | ${r.times.map((t) => t.toFixed(0)).join(', ')} | ${onDemandCell(r)} | ${verdict(r)} |`).join('\n')}

The bundles carry the AWS SDK for JavaScript v3, tree-shaken from its ES module builds. The same
handlers with the SDK left to the Lambda runtime's copy (it ships v3; here it resolves through
NODE_PATH from node_modules, as from \`/var/runtime/node_modules\` in Lambda, and its load time is
counted), measured in the same rounds:

| handler | index.js | module load over bare start | taken from the runtime |
|---|---|---|---|
${rows.map((r) => compared.get(r.name)).map((c) => `| ${c.name} | ${kb(c.bytes)} | ${c.loadMs.toFixed(0)} ms | ${runtimeSdkExternals.get(c.name).map((e) => `\`${e}\``).join(', ') || 'nothing'} |`).join('\n')}

Smaller files, slower starts: the runtime's SDK is its CommonJS build, which loads every submodule
of @smithy/core and @aws-sdk/core, where the bundle keeps what the handler uses. On this machine,
Node.js parses about ${msPerKb.toFixed(2)} ms per KB of bundled code even when none of it runs (a bundle
wrapped in a function that is never called), so the size a cold start loads is time as well.

Measured by \`node scripts/bench-cold-start.mjs\` on ${date}, on ${machine} (load average ${loadavg()[0].toFixed(1)} at the end).
<!-- bench-cold-start:end -->`;
// Replace only this script's section: other benchmarks keep theirs.
const md = join(root, 'BENCHMARKS.md');
const current = existsSync(md) ? readFileSync(md, 'utf8') : '# Benchmarks\n';
const pattern = /<!-- bench-cold-start:start -->[\s\S]*<!-- bench-cold-start:end -->/;
writeFileSync(md, pattern.test(current) ? current.replace(pattern, () => section) : `${current.trimEnd()}\n\n${section}\n`);
