// One platform across many stacks: integrations past the budget go to nested stacks the platform
// adds, or stay in a NestedStack the user chose. What CloudFormation needs for that to deploy: no
// circular dependency between the parent and its nested stacks (cfn-lint E3004 on the parent, and
// the parent reading nothing back from a nested stack but shared path parts), the API's deployment
// after every method, per-account names unique across the stacks, and each stack's ingest,
// rotation function, dead-letter queue and dashboard naming only its own stack's resources.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Duration, NestedStack, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import {
  DataClassification,
  HttpMethod,
  Inbound,
  IntegrationFunction,
  IntegrationPlatform,
  InventoryReport,
  Outbound,
  Rotation,
  SecureIntegration,
  SignatureScheme,
  Target,
} from '../../lib';
import { objectSchema } from '../helpers';

type Resource = { Type: string; Properties?: Record<string, unknown>; DependsOn?: string[] };
type TemplateJson = { Resources: Record<string, Resource>; Outputs?: Record<string, unknown>; Parameters?: Record<string, unknown> };

function build() {
  const app = new App();
  const stack = new Stack(app, 'Catalog', { env: { account: '111111111111', region: 'eu-west-1' } });
  // A small budget: a dozen integrations make three stacks.
  const platform = new IntegrationPlatform(stack, 'Platform', { stackBudget: { maxResources: 150 }, ingestReservedConcurrency: 10 });
  const handler = new IntegrationFunction(stack, 'Handler', { code: lambda.Code.fromInline('exports.handler=async()=>({})') }).function;
  const integrations: SecureIntegration[] = [];
  for (let i = 0; i < 12; i++) {
    const owner = 'team@example.com';
    switch (i % 4) {
      case 0:
        integrations.push(
          new SecureIntegration(stack, `Api${i}`, {
            owner,
            dataClassification: DataClassification.INTERNAL,
            waf: { ipAllowlist: ['203.0.113.0/24'] },
            dashboard: true,
            inbound: Inbound.api({ routes: [{ method: HttpMethod.POST, path: `/partners/api${i}`, bodySchema: objectSchema, scopes: [`api${i}.write`], target: Target.lambda(handler), cors: { allowOrigins: ['https://app.example.com'] } }] }),
          }),
        );
        break;
      case 1:
        integrations.push(
          new SecureIntegration(stack, `Hook${i}`, {
            owner,
            dataClassification: DataClassification.CONFIDENTIAL,
            piiFields: ['email'],
            inbound: Inbound.webhook({ path: `/hooks/h${i}`, bodySchema: objectSchema, signature: SignatureScheme.githubHmacSha256(), signingSecretWriters: [] }),
          }),
        );
        break;
      case 2:
        integrations.push(
          new SecureIntegration(stack, `Crm${i}`, {
            owner,
            dataClassification: DataClassification.CONFIDENTIAL,
            piiFields: ['email'],
            inbound: Inbound.api({ routes: [{ method: HttpMethod.POST, path: `/crm${i}/contacts`, bodySchema: objectSchema, scopes: [`crm${i}.write`], throttling: { rateLimit: 5, burstLimit: 10 } }] }),
          }),
        );
        break;
      default:
        integrations.push(
          new SecureIntegration(stack, `Sync${i}`, {
            owner,
            dataClassification: DataClassification.INTERNAL,
            outbound: Outbound.schedule({ handler, every: Duration.hours(1) }),
            credentials: [{ name: 'api-key', rotation: Rotation.generatedToken(), rotateEvery: Duration.days(30) }],
          }),
        );
    }
  }
  // A team's own nested stack: its integrations stay there, and a route shares a path part made in a spill stack.
  const team = new NestedStack(stack, 'TeamStack');
  const teamHook = new SecureIntegration(team, 'TeamHook', {
    owner: 'team@example.com',
    dataClassification: DataClassification.INTERNAL,
    inbound: Inbound.webhook({ path: '/crm11/team-hook', bodySchema: objectSchema, signature: SignatureScheme.stripe(), signingSecretWriters: [] }),
  });
  const assembly = app.synth();
  const templates = new Map<string, TemplateJson>(
    readdirSync(assembly.directory)
      .filter((f) => f.endsWith('.template.json'))
      .map((f) => [f, JSON.parse(readFileSync(join(assembly.directory, f), 'utf8')) as TemplateJson]),
  );
  return { stack, platform, integrations, team, teamHook, assembly, templates };
}

describe('a platform whose integrations spill into nested stacks', () => {
  const { stack, platform, integrations, team, teamHook, assembly, templates } = build();
  const parent = templates.get('Catalog.template.json')!;
  const resourcesOf = (type: string) => [...templates.values()].flatMap((t) => Object.values(t.Resources).filter((r) => r.Type === type));

  test('fills its own stack first, then nested stacks in construction order; an integration in a nested stack of the user\'s stays there', () => {
    expect(platform.spillStacks.length).toBeGreaterThanOrEqual(2);
    const homes = integrations.map((i) => platform.spillStacks.indexOf(i.stack));
    expect(homes[0]).toBe(-1);
    expect([...homes].sort((a, b) => a - b)).toEqual(homes);
    expect(teamHook.stack).toBe(team);
    expect(templates.size).toBe(platform.spillStacks.length + 2);
  });

  test('cfn-lint finds nothing in any template, circular dependencies between the parent and its nested stacks (E3004) included', () => {
    const files = [...templates.keys()].map((f) => join(assembly.directory, f));
    let output: string;
    try {
      output = execFileSync('cfn-lint', ['--', ...files], { cwd: join(__dirname, '..', '..'), encoding: 'utf8' });
    } catch (e) {
      output = (e as { stdout?: string }).stdout ?? String(e);
    }
    expect(output).toBe('');
  });

  test('the parent reads nothing back from a nested stack but path parts another nested stack shares: nothing of the parent waits on a stack that waits on it', () => {
    for (const [id, r] of Object.entries(parent.Resources)) {
      if (r.Type === 'AWS::CloudFormation::Stack') continue;
      expect({ id, readsNestedOutputs: JSON.stringify(r).includes('.Outputs.') }).toEqual({ id, readsNestedOutputs: false });
    }
  });

  test('one API, stage and WebACL; the deployment waits for every nested stack with a method, the user\'s included', () => {
    expect(resourcesOf('AWS::ApiGateway::RestApi')).toHaveLength(1);
    expect(resourcesOf('AWS::ApiGateway::Stage')).toHaveLength(1);
    expect(resourcesOf('AWS::WAFv2::WebACL')).toHaveLength(1);
    const nested = Object.entries(parent.Resources).filter(([, r]) => r.Type === 'AWS::CloudFormation::Stack').map(([id]) => id);
    expect(nested).toHaveLength(platform.spillStacks.length + 1);
    const deployment = Object.values(parent.Resources).find((r) => r.Type === 'AWS::ApiGateway::Deployment')!;
    const withMethods = [...templates].filter(([file, t]) => file !== 'Catalog.template.json' && Object.values(t.Resources).some((r) => r.Type === 'AWS::ApiGateway::Method'));
    expect(withMethods.length).toBeGreaterThanOrEqual(2);
    // The parent's logical id of a nested stack resource names its construct path: match on the template file's stem.
    for (const [file] of withMethods) {
      const stem = file.replace(/^Catalog/, '').replace(/[0-9A-F]{8}\.nested\.template\.json$/, '');
      expect({ file, waitedFor: deployment.DependsOn!.some((d) => d.startsWith(stem)) }).toEqual({ file, waitedFor: true });
    }
    // Every route is a method of that API, wherever it is.
    expect(resourcesOf('AWS::ApiGateway::Method').filter((m) => m.Properties!.HttpMethod !== 'OPTIONS')).toHaveLength(10);
  });

  test('each stack has its own ingest where it has routes, rotation function where it has credentials, dead-letter queue and dashboard; the platform has one rotation-failure rule', () => {
    for (const [file, t] of templates) {
      if (file === 'Catalog.template.json') continue;
      const has = (type: string) => Object.values(t.Resources).filter((r) => r.Type === type).length;
      const functions = Object.keys(t.Resources).filter((id) => t.Resources[id].Type === 'AWS::Lambda::Function');
      expect({ file, ingest: functions.filter((f) => f.includes('Ingest')).length }).toEqual({ file, ingest: has('AWS::ApiGateway::Method') > 0 ? 1 : 0 });
      expect({ file, rotation: functions.filter((f) => f.includes('Rotation')).length }).toEqual({ file, rotation: has('AWS::SecretsManager::RotationSchedule') > 0 || has('AWS::SecretsManager::Secret') > 0 ? 1 : 0 });
      expect({ file, dashboards: has('AWS::CloudWatch::Dashboard') >= 1 }).toEqual({ file, dashboards: true });
      // Its event rules dead-letter into a queue of its own stack, never the parent's.
      if (has('AWS::Events::Rule') > 0) expect({ file, queuePolicies: has('AWS::SQS::QueuePolicy') >= 1 }).toEqual({ file, queuePolicies: true });
    }
    const failureRules = resourcesOf('AWS::Events::Rule').filter((r) => JSON.stringify(r.Properties).includes('RotationFailed') || JSON.stringify(r.Properties).includes('rotation'));
    expect(failureRules.filter((r) => String(r.Properties!.Description ?? '').toLowerCase().includes('fail'))).toHaveLength(1);
  });

  test('names that are unique per account and Region (alarms, secrets) are unique across every stack', () => {
    const alarmNames = resourcesOf('AWS::CloudWatch::Alarm').map((a) => JSON.stringify(a.Properties!.AlarmName));
    expect(new Set(alarmNames).size).toBe(alarmNames.length);
    const secretNames = resourcesOf('AWS::SecretsManager::Secret').map((s) => JSON.stringify(s.Properties!.Name));
    expect(new Set(secretNames).size).toBe(secretNames.length);
  });

  test('a spilled integration\'s record is written from its stack, under the stack users deploy', () => {
    const spilled = integrations.find((i) => i.stack !== stack)!;
    const records = InventoryReport.of(stack).document().records;
    expect(records.map((r) => r.name).sort()).toEqual([...integrations.map((i) => i.integrationName), 'TeamHook'].sort());
    expect(records.find((r) => r.name === spilled.integrationName)!.stack).toBe('Catalog');
    expect(records.find((r) => r.name === 'TeamHook')!.stack).toBe('Catalog');
    const writer = resourcesOf('Custom::IntegrationInventoryRecord').filter((r) => JSON.stringify(r.Properties).includes(`"name\\":\\"${spilled.integrationName}\\"`));
    expect(writer).toHaveLength(1);
    expect(Object.values(parent.Resources)).not.toContain(writer[0]);
  });
});
