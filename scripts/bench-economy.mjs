// Benchmark: what each kind of integration costs (resources, alarms, template bytes), and a
// realistic catalog of N integrations on one platform, written in one stack: the platform spills
// them into nested stacks past its budget. Synth time with the six
// cdk-nag packs and aws-cdk-lib's built-in validation on, against a one-resource app with the same
// validation. Writes its section of BENCHMARKS.md with the machine and the date.
// Run `npm run build` first (npm run bench does).
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

const root = new URL('..', import.meta.url).pathname;
const require = createRequire(import.meta.url);
const cdk = require('aws-cdk-lib');
const lib = require(join(root, 'dist/lib/index.js'));

const schema = { type: 'object', required: ['id'], properties: { id: { type: 'string' }, email: { type: 'string' } } };
const env = { account: '111111111111', region: 'eu-west-1' };

/** The kinds of integration in CATALOG.md's proportions, each a function adding one to a stack. */
const KINDS = {
  'inbound API route, function target': (stack, i, handler) =>
    new lib.SecureIntegration(stack, `Api${i}`, {
      owner: `team-${i}@example.com`,
      dataClassification: lib.DataClassification.INTERNAL,
      inbound: lib.Inbound.api({ routes: [{ method: lib.HttpMethod.POST, path: `/partners/api${i}`, bodySchema: schema, scopes: [`api${i}.write`], target: lib.Target.lambda(handler) }] }),
    }),
  'inbound API route, own queue, PII': (stack, i) =>
    new lib.SecureIntegration(stack, `Crm${i}`, {
      owner: `team-${i}@example.com`,
      dataClassification: lib.DataClassification.CONFIDENTIAL,
      piiFields: ['email'],
      inbound: lib.Inbound.api({ routes: [{ method: lib.HttpMethod.POST, path: `/crm/contacts${i}`, bodySchema: schema, scopes: [`crm${i}.write`] }] }),
    }),
  'signed webhook, own queue': (stack, i) =>
    new lib.SecureIntegration(stack, `Hook${i}`, {
      owner: `team-${i}@example.com`,
      dataClassification: lib.DataClassification.INTERNAL,
      inbound: lib.Inbound.webhook({ path: `/hooks/h${i}`, bodySchema: schema, signature: lib.SignatureScheme.githubHmacSha256(), signingSecretWriters: [] }),
    }),
  'outbound schedule, heartbeat, one credential': (stack, i, handler) =>
    new lib.SecureIntegration(stack, `Sync${i}`, {
      owner: `team-${i}@example.com`,
      dataClassification: lib.DataClassification.INTERNAL,
      outbound: lib.Outbound.schedule({ handler, every: cdk.Duration.hours(1) }),
      credentials: [{ name: 'api-key', rotation: lib.Rotation.generatedToken(), rotateEvery: cdk.Duration.days(30) }],
    }),
};
/** A realistic mix: half inbound APIs (half of them with PII on their own queue), a quarter webhooks, a quarter scheduled syncs. */
const MIX = [
  'inbound API route, function target',
  'signed webhook, own queue',
  'inbound API route, own queue, PII',
  'outbound schedule, heartbeat, one credential',
];

function newStack(app, id) {
  const stack = new cdk.Stack(app, id, { env });
  // The platform first: an IntegrationFunction joins its stack's platform.
  // 20 for the ingest, not the default 50: every platform of an account reserves from the 900 a default account can.
  new lib.IntegrationPlatform(stack, 'Platform', { ingestReservedConcurrency: 20 });
  const handler = new lib.IntegrationFunction(stack, 'Handler', { code: cdk.aws_lambda.Code.fromInline('exports.handler=async()=>({})') }).function;
  return { stack, handler };
}

function templateOf(assembly, stack) {
  const text = readFileSync(join(assembly.directory, assembly.getStackByName(stack.stackName).templateFile), 'utf8');
  const t = JSON.parse(text);
  const alarms = Object.values(t.Resources).filter((r) => r.Type === 'AWS::CloudWatch::Alarm' || r.Type === 'AWS::CloudWatch::CompositeAlarm').length;
  return { resources: Object.keys(t.Resources).length, bytes: Buffer.byteLength(text), alarms };
}

/** Resources, alarms and bytes of a stack with `n` integrations of one kind (validation off). */
function stackOf(kind, n) {
  process.env.CDK_VALIDATION = 'false';
  const app = new cdk.App({ outdir: mkdtempSync(join(tmpdir(), 'bench-economy-')) });
  const { stack, handler } = newStack(app, 'Economy');
  for (let i = 0; i < n; i++) KINDS[kind](stack, i, handler);
  const assembly = app.synth();
  const t = templateOf(assembly, stack);
  rmSync(assembly.directory, { recursive: true, force: true });
  return t;
}

const marginal = Object.keys(KINDS).map((kind) => {
  const one = stackOf(kind, 1);
  const three = stackOf(kind, 3);
  return { kind, resources: (three.resources - one.resources) / 2, alarms: (three.alarms - one.alarms) / 2, bytes: (three.bytes - one.bytes) / 2, platform: one.resources - (three.resources - one.resources) / 2 };
});
const platformResources = Math.max(...marginal.map((m) => m.platform));

/** Resources a stack may be planned to: headroom under 500 for the platform's growth. */
/** A catalog of `n` integrations of the mix on one platform in one stack, which spills them into nested stacks. */
function catalog(n, validation) {
  if (validation) delete process.env.CDK_VALIDATION;
  else process.env.CDK_VALIDATION = 'false';
  const app = new cdk.App({ outdir: mkdtempSync(join(tmpdir(), 'bench-economy-')) });
  if (validation) lib.addComplianceChecks(app);
  const { stack, handler } = newStack(app, 'Catalog');
  for (let i = 0; i < n; i++) KINDS[MIX[i % MIX.length]](stack, i, handler);
  const t0 = performance.now();
  const assembly = app.synth();
  const ms = performance.now() - t0;
  const templates = readdirSync(assembly.directory)
    .filter((f) => f.endsWith('.template.json'))
    .map((f) => {
      const text = readFileSync(join(assembly.directory, f), 'utf8');
      return { resources: Object.keys(JSON.parse(text).Resources).length, bytes: Buffer.byteLength(text) };
    });
  rmSync(assembly.directory, { recursive: true, force: true });
  return { n, ms, stacks: templates.length, maxResources: Math.max(...templates.map((t) => t.resources)), maxBytes: Math.max(...templates.map((t) => t.bytes)) };
}

/** A one-resource app with the same validation: the fixed cost of a synth. */
function baseline() {
  delete process.env.CDK_VALIDATION;
  const app = new cdk.App({ outdir: mkdtempSync(join(tmpdir(), 'bench-economy-')) });
  lib.addComplianceChecks(app);
  const stack = new cdk.Stack(app, 'Baseline', { env });
  new cdk.aws_sqs.Queue(stack, 'Queue', { enforceSSL: true, encryption: cdk.aws_sqs.QueueEncryption.KMS_MANAGED, deadLetterQueue: undefined });
  const t0 = performance.now();
  try {
    app.synth();
  } catch {
    // Findings do not matter here: only the time of the validated synth does.
  }
  return performance.now() - t0;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const runs = Number(process.env.BENCH_RUNS ?? 3);
baseline(); // warm-up: the first validated synth of a process loads the validator
catalog(1, true);
const base = median(Array.from({ length: runs }, baseline));
const sizes = (process.env.BENCH_ECONOMY_SIZES ?? '1,10,30,60,120,250').split(',').map(Number);
const rows = sizes.map((n) => {
  const results = Array.from({ length: n >= 120 ? 1 : runs }, () => catalog(n, true));
  return { ...results[0], ms: median(results.map((r) => r.ms)), runs: results.length };
});
const marginalMs = rows.length > 1 ? (rows.at(-1).ms - rows[0].ms) / (rows.at(-1).n - rows[0].n) : 0;

const machine = `${cpus()[0].model}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node.js ${process.version}`;
const date = new Date().toISOString().slice(0, 10);
const section = `<!-- bench-economy:start -->
## Each kind of integration, and one platform's catalog across stacks

Marginal cost of one more integration of each kind (a platform with 3 of them less one with 1, halved; validation off):

| kind | resources | alarms | template bytes |
|---|---|---|---|
${marginal.map((m) => `| ${m.kind} | ${m.resources} | ${m.alarms} | ${Math.round(m.bytes)} |`).join('\n')}

The platform itself costs about ${platformResources} resources in its stack. Issue 12's target (at most 8 resources and 6 KB
for an inbound integration) is not met: alarms are most of the cost (see the note of issue 12).

A realistic catalog (the four kinds above in turn) of N integrations on one platform, all written in
one stack: past the default budget (400 resources or about 800 KB) the platform puts further integrations in nested stacks,
each with an ingest reserving 20 executions; synthesized in one app with the
six packs (cdk-nag's five and IntegrationSecurityChecks) and the built-in CloudFormation validation on (median of ${runs} runs below 120, one run from 120).
"stacks" counts the nested stacks with the platform's:

| integrations | stacks | most resources in a stack | largest template bytes | synth s | synth / one-resource app |
|---|---|---|---|---|---|
${rows.map((r) => `| ${r.n} | ${r.stacks} | ${r.maxResources} | ${r.maxBytes} | ${(r.ms / 1000).toFixed(1)} | ${(r.ms / base).toFixed(1)}x |`).join('\n')}

A one-resource app with the same validation synthesizes in ${(base / 1000).toFixed(2)} s. Marginal synth time: about ${marginalMs.toFixed(0)} ms an integration.

Measured by \`node scripts/bench-economy.mjs\` on ${date}, on ${machine}.
<!-- bench-economy:end -->`;
const file = join(root, 'BENCHMARKS.md');
const current = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmarks\n';
const marker = /<!-- bench-economy:start -->[\s\S]*<!-- bench-economy:end -->/;
writeFileSync(file, marker.test(current) ? current.replace(marker, () => section) : `${current.trimEnd()}\n\n${section}\n`);
console.log(section);
