// A catalog of 250 integrations of a realistic mix (inbound APIs with and without PII, signed
// webhooks, scheduled syncs with a credential) on one platform, written in one stack as a user does:
// the platform spills them into nested stacks. Every stack is under every deploy-time quota computed
// from its template as written, every integration is in the app's inventory report exactly once, and
// the five packs are clean.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DataClassification, HttpMethod, Inbound, IntegrationFunction, IntegrationPlatform, InventoryReport, Outbound, Rotation, SecureIntegration, SignatureScheme, Target, unacknowledgedFindings, WafRateLimit } from '../../lib';
import { objectSchema } from '../helpers';
import { quotaViolations } from '../support/template-quotas';

const N = 250;
// Every four integrations: a webhook with PII, an API with WAF controls, an API with PII on its own queue, a sync.

function build(): { app: App; stack: Stack; platform: IntegrationPlatform } {
  const app = new App();
  // A long stack name and long integration names make the longest ARNs: policies and environments fill soonest.
  const stack = new Stack(app, 'integration-platform-production-eu-central-1-catalog', { env: { account: '123456789012', region: 'eu-central-1' } });
  // 42 partners with allowlists of their own: 42 statements of the API's resource policy, past the
  // default 8,192 characters, so this catalog says its account has raised that quota.
  const platform = new IntegrationPlatform(stack, 'Platform', { ingestReservedConcurrency: 20, apiResourcePolicyCharacters: 20_480 });
  const handler = new IntegrationFunction(stack, 'Handler', { code: lambda.Code.fromInline('exports.handler=async()=>({})') }).function;
  for (let i = 0; i < N; i++) {
    const owner = `team-${i % 7}@example.com`;
    switch (i % 4) {
      case 0:
        new SecureIntegration(stack, `Api${i}`, {
          owner,
          dataClassification: DataClassification.INTERNAL,
          // Partners behind one shared range, one with its own, and a few rate limits of their own.
          waf: { ipAllowlist: i % 3 === 0 ? ['203.0.113.0/24', '2001:db8:1::/48'] : [`198.51.100.${i % 250}/32`], ...(i % 40 === 0 ? { rateLimit: WafRateLimit.perClientIp(300) } : {}) },
          inbound: Inbound.api({ routes: [{ method: HttpMethod.POST, path: `/partners/api${i}`, bodySchema: objectSchema, scopes: [`api${i}.write`], target: Target.lambda(handler) }] }),
        });
        break;
      case 1:
        new SecureIntegration(stack, `PartnerWebhookForTheEuropeanWarehouseNetwork${i}`, {
          owner,
          dataClassification: DataClassification.CONFIDENTIAL,
          piiFields: ['email'],
          inbound: Inbound.webhook({ path: `/hooks/h${i}`, bodySchema: objectSchema, signature: i % 8 === 1 ? SignatureScheme.stripe() : SignatureScheme.githubHmacSha256(), signingSecretWriters: [] }),
        });
        break;
      case 2:
        new SecureIntegration(stack, `Crm${i}`, {
          owner,
          dataClassification: DataClassification.CONFIDENTIAL,
          piiFields: ['email'],
          inbound: Inbound.api({ routes: [{ method: HttpMethod.POST, path: `/crm/contacts${i}`, bodySchema: objectSchema, scopes: [`crm${i}.write`] }] }),
        });
        break;
      default:
        new SecureIntegration(stack, `Sync${i}`, {
          owner,
          dataClassification: DataClassification.INTERNAL,
          outbound: Outbound.schedule({ handler, every: Duration.hours(1) }),
          credentials: [{ name: 'api-key', rotation: Rotation.generatedToken(), rotateEvery: Duration.days(30) }],
        });
    }
  }
  return { app, stack, platform };
}

describe(`a catalog of ${N} integrations on one platform`, () => {
  const { app, stack, platform } = build();
  const assembly = app.synth();
  const templates = readdirSync(assembly.directory)
    .filter((f) => f.endsWith('.template.json'))
    .map((f) => {
      // The template file as written (aws-cdk-lib indents it), which is what CloudFormation reads.
      const text = readFileSync(join(assembly.directory, f));
      return { file: f, template: JSON.parse(text.toString('utf8')), bytes: text.length };
    });

  test('spills into nested stacks of the platform\'s stack: one API, one WebACL, one key and one register for all', () => {
    expect(platform.spillStacks.length).toBeGreaterThanOrEqual(5);
    expect(templates).toHaveLength(platform.spillStacks.length + 1);
    const count = (type: string) => templates.reduce((n, t) => n + Object.values(t.template.Resources as Record<string, { Type: string }>).filter((r) => r.Type === type).length, 0);
    for (const type of ['AWS::ApiGateway::RestApi', 'AWS::ApiGateway::Stage', 'AWS::WAFv2::WebACL', 'AWS::KMS::Key', 'AWS::Cognito::UserPool', 'AWS::SNS::Topic']) {
      expect({ type, count: count(type) }).toEqual({ type, count: 1 });
    }
    expect(count('AWS::ApiGateway::Method')).toBe(Array.from({ length: N }, (_, i) => i % 4 !== 3).filter(Boolean).length);
  });

  test('every stack passes every deploy-time quota computed from its template', () => {
    for (const { file, template, bytes } of templates) {
      expect({ file, problems: quotaViolations(template, bytes) }).toEqual({ file, problems: [] });
    }
  });

  test('the sync function the 62 schedules share keeps its resource-based policy within Lambda\'s 20 KB: one statement per stack', () => {
    // Each statement as Lambda writes it: a statement id, the principal, the function's ARN and the
    // source conditions, at most about 500 bytes with this stack's long names.
    const statements = templates.flatMap((t) =>
      Object.values(t.template.Resources as Record<string, { Type: string; Properties: { FunctionName: unknown; Principal: string } }>).filter(
        (r) => r.Type === 'AWS::Lambda::Permission' && r.Properties.Principal === 'events.amazonaws.com' && JSON.stringify(r.Properties.FunctionName).includes('Handler'),
      ),
    );
    expect(statements.length).toBeLessThanOrEqual(templates.length);
    expect(statements.length * 500).toBeLessThan(20 * 1024);
  });

  test('every integration is in the app\'s inventory report exactly once', () => {
    const names = InventoryReport.of(stack).document().records.map((r) => r.name);
    expect(names).toHaveLength(N);
    expect(new Set(names).size).toBe(N);
  });

  test('the five packs report nothing in any stack, nested ones included', () => {
    expect(unacknowledgedFindings(stack)).toEqual([]);
  });
});
