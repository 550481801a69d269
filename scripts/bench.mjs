// Benchmarks: synth wall time of the example app (the main job) and what each integration costs in
// CloudFormation resources and template bytes. Writes BENCHMARKS.md with the machine and the date.
// Run `npm run build` first (npm run bench does).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

const root = new URL('..', import.meta.url).pathname;
const require = createRequire(import.meta.url);
const cdk = require('aws-cdk-lib');
const lib = require(join(root, 'dist/lib/index.js'));

const count = (t, type) => Object.values(t.Resources).filter((r) => r.Type === type).length;
const largestModel = (t) =>
  Math.max(...Object.values(t.Resources).filter((r) => r.Type === 'AWS::ApiGateway::Model').map((r) => Buffer.byteLength(JSON.stringify(r.Properties.Schema))));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function timeCommand(cmd, args, env, runs) {
  const times = [];
  for (let i = 0; i < runs; i++) {
    const out = mkdtempSync(join(tmpdir(), 'bench-'));
    const t0 = performance.now();
    execFileSync(cmd, [...args, '--output', out], { cwd: root, env: { ...process.env, ...env }, stdio: 'pipe' });
    times.push(performance.now() - t0);
    rmSync(out, { recursive: true, force: true });
  }
  return times;
}

function platformOf(n) {
  process.env.CDK_VALIDATION = 'false';
  const app = new cdk.App({ outdir: mkdtempSync(join(tmpdir(), 'bench-')) });
  const stack = new cdk.Stack(app, 'Bench', { env: { account: '111111111111', region: 'eu-west-1' } });
  const handler = new lib.IntegrationFunction(stack, 'Handler', { code: cdk.aws_lambda.Code.fromInline('exports.handler=async()=>({})') });
  const schema = { type: 'object', required: ['id'], properties: { id: { type: 'string' } } };
  for (let i = 0; i < n; i++) {
    new lib.SecureIntegration(stack, `Integration${i}`, {
      owner: `team-${i}@example.com`,
      dataClassification: lib.DataClassification.CONFIDENTIAL,
      piiFields: ['email'],
      inbound: lib.Inbound.api({
        routes: [{ method: lib.HttpMethod.POST, path: `/partners/p${i}/events`, bodySchema: schema, scopes: [`p${i}.write`], target: lib.Target.lambda(handler.function) }],
      }),
    });
  }
  const t0 = performance.now();
  const assembly = app.synth();
  const ms = performance.now() - t0;
  const file = join(assembly.directory, assembly.getStackByName('Bench').templateFile);
  const text = readFileSync(file, 'utf8');
  const template = JSON.parse(text);
  const resources = Object.keys(template.Resources).length;
  const alarms = count(template, 'AWS::CloudWatch::Alarm') + count(template, 'AWS::CloudWatch::CompositeAlarm');
  rmSync(assembly.directory, { recursive: true, force: true });
  return { n, resources, alarms, bytes: Buffer.byteLength(text), ms };
}

const runs = Number(process.env.BENCH_RUNS ?? 3);
const cdkBin = join(root, 'node_modules/.bin/cdk');
const withValidation = timeCommand(cdkBin, ['synth', '--quiet'], {}, runs);
const withoutValidation = timeCommand(cdkBin, ['synth', '--quiet'], { CDK_VALIDATION: 'false' }, runs);
const exampleTemplate = (() => {
  const out = mkdtempSync(join(tmpdir(), 'bench-'));
  execFileSync(cdkBin, ['synth', '--quiet', '--output', out], { cwd: root, stdio: 'pipe' });
  const t = JSON.parse(readFileSync(join(out, 'IntegrationPlatformExample.template.json'), 'utf8'));
  rmSync(out, { recursive: true, force: true });
  return t;
})();
// Up to 15 integrations: more would pass the platform's default stackBudget (400 resources) and spill into a nested stack.
const sizes = [1, 10, 15].map(platformOf);
const perIntegration = (sizes[2].resources - sizes[1].resources) / (sizes[2].n - sizes[1].n);
const perIntegrationAlarms = (sizes[2].alarms - sizes[1].alarms) / (sizes[2].n - sizes[1].n);

const machine = `${cpus()[0].model}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node.js ${process.version}`;
const date = new Date().toISOString().slice(0, 10);
const section = `<!-- bench.mjs:start -->
## The main job: \`cdk synth\` of the example app

Median of ${runs} runs of \`npx cdk synth --quiet\` (CLI start, app, six packs: cdk-nag's five and IntegrationSecurityChecks, assembly), wall time:

| built-in CloudFormation validator | median | runs |
|---|---|---|
| on (the main job) | ${(median(withValidation) / 1000).toFixed(1)} s | ${withValidation.map((t) => (t / 1000).toFixed(1)).join(', ')} s |
| off (\`CDK_VALIDATION=false\`) | ${(median(withoutValidation) / 1000).toFixed(1)} s | ${withoutValidation.map((t) => (t / 1000).toFixed(1)).join(', ')} s |

The example's main stack has ${Object.keys(exampleTemplate.Resources).length} resources (${count(exampleTemplate, 'Custom::IntegrationInventoryRecord')} integrations, ${count(exampleTemplate, 'AWS::Cognito::UserPoolClient')} of them OAuth 2.0 clients, ${count(exampleTemplate, 'AWS::ApiGateway::Method')} methods, ${count(exampleTemplate, 'AWS::Lambda::Function')} functions); its largest request model is ${largestModel(exampleTemplate)} bytes. The main job also synthesizes the mutual TLS stack.

Runs on a 2-core machine share it with whatever else runs there; compare runs of one session only.

## What an integration costs

Platforms with N integrations of one POST route each (one shared handler), synthesized in process
with validation off; CloudFormation allows 500 resources and 1,000,000 bytes per template
(https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html).

| integrations | resources | alarms | template bytes | synth ms |
|---|---|---|---|---|
${sizes.map((s) => `| ${s.n} | ${s.resources} | ${s.alarms} | ${s.bytes} | ${s.ms.toFixed(0)} |`).join('\n')}

Marginal cost: ${perIntegration.toFixed(1)} resources per integration (here: path resources, a method, a model,
an app client and its managed client secret (the secret, its resource policy, its rotation schedule), an
inventory record, and ${perIntegrationAlarms.toFixed(0)} alarms: 9 of the SLO (6 burn-rate windows, one page and one ticket composite,
latency), 2 of traffic (silence, latency anomaly) and 2 of credential age; every route shares the ingest function and its one
stage-wide permission; the integration's default queue, its dead-letter queue and their policies add 4 more and 3 alarms), so about ${Math.floor((400 - sizes[0].resources + perIntegration) / perIntegration)} one-route integrations fit one stack's default budget of 400 resources (the platform puts more in nested stacks).

Measured by \`npm run bench\` (scripts/bench.mjs) on ${date}, on ${machine}.
<!-- bench.mjs:end -->`;
// Replace only this script's section: other benchmarks (scripts/bench-*.mjs) keep theirs.
const file = join(root, 'BENCHMARKS.md');
const current = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmarks\n\n<!-- bench.mjs:start -->\n<!-- bench.mjs:end -->\n';
writeFileSync(file, current.replace(/<!-- bench\.mjs:start -->[\s\S]*<!-- bench\.mjs:end -->/, () => section));
console.log(section);
