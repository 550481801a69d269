// A catalog of 60 integrations of a realistic mix (inbound APIs with and without PII, signed
// webhooks, scheduled syncs with a credential), split over stacks as a user does today (each stack
// with a platform of its own): every stack under every deploy-time quota computed from its template,
// every integration in the app's inventory report exactly once, and the five packs clean.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DataClassification, HttpMethod, Inbound, IntegrationFunction, IntegrationPlatform, InventoryReport, Outbound, Rotation, SecureIntegration, SignatureScheme, Target, unacknowledgedFindings, WafRateLimit } from '../../lib';
import { objectSchema } from '../helpers';
import { quotaViolations } from '../support/template-quotas';

const N = 60;
const PER_STACK = 16;
// Every stack gets 4 webhooks with PII, 4 APIs with WAF controls, 4 APIs with PII on their own queue, 4 syncs.

function build(): { app: App; stacks: Stack[] } {
  const app = new App();
  const stacks: Stack[] = [];
  let handler: lambda.IFunction | undefined;
  for (let i = 0; i < N; i++) {
    if (i % PER_STACK === 0) {
      // Long stack and integration names make the longest ARNs: policies and environments fill soonest.
      const stack = new Stack(app, `integration-platform-production-eu-central-1-catalog-${stacks.length}`, { env: { account: '123456789012', region: 'eu-central-1' } });
      new IntegrationPlatform(stack, 'Platform', { ingestReservedConcurrency: 20 });
      handler = new IntegrationFunction(stack, 'Handler', { code: lambda.Code.fromInline('exports.handler=async()=>({})') }).function;
      stacks.push(stack);
    }
    const stack = stacks[stacks.length - 1];
    const owner = `team-${i % 7}@example.com`;
    switch (i % 4) {
      case 0:
        new SecureIntegration(stack, `Api${i}`, {
          owner,
          dataClassification: DataClassification.INTERNAL,
          // Partners behind one shared range, one with its own, and a few rate limits of their own.
          waf: { ipAllowlist: i % 3 === 0 ? ['203.0.113.0/24', '2001:db8:1::/48'] : [`198.51.100.${i}/32`], ...(i % 8 === 0 ? { rateLimit: WafRateLimit.perClientIp(300) } : {}) },
          inbound: Inbound.api({ routes: [{ method: HttpMethod.POST, path: `/api${i}/events`, bodySchema: objectSchema, scopes: [`api${i}.write`], target: Target.lambda(handler!) }] }),
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
          inbound: Inbound.api({ routes: [{ method: HttpMethod.POST, path: `/crm${i}/contacts`, bodySchema: objectSchema, scopes: [`crm${i}.write`] }] }),
        });
        break;
      default:
        new SecureIntegration(stack, `Sync${i}`, {
          owner,
          dataClassification: DataClassification.INTERNAL,
          outbound: Outbound.schedule({ handler: handler!, every: Duration.hours(1) }),
          credentials: [{ name: 'api-key', rotation: Rotation.generatedToken(), rotateEvery: Duration.days(30) }],
        });
    }
  }
  return { app, stacks };
}

describe(`a catalog of ${N} integrations over stacks`, () => {
  const { app, stacks } = build();
  const assembly = app.synth();

  test('every stack passes every deploy-time quota computed from its template', () => {
    for (const stack of stacks) {
      const artifact = assembly.getStackByName(stack.stackName);
      // The template file as written (aws-cdk-lib indents it), which is what CloudFormation reads.
      const bytes = readFileSync(join(assembly.directory, artifact.templateFile)).length;
      expect({ stack: stack.stackName, problems: quotaViolations(artifact.template, bytes) }).toEqual({ stack: stack.stackName, problems: [] });
    }
  });

  test('every integration is in the app\'s inventory report exactly once', () => {
    const names = InventoryReport.of(stacks[0]).document().records.map((r) => r.name);
    expect(names).toHaveLength(N);
    expect(new Set(names).size).toBe(N);
  });

  test('the five packs report nothing in any stack', () => {
    for (const stack of stacks) expect({ stack: stack.stackName, findings: unacknowledgedFindings(stack) }).toEqual({ stack: stack.stackName, findings: [] });
  });
});
