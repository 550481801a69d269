import { App, Duration } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { ExamplePlatformStack } from '../../bin/example-stack';
import { DataClassification, Inbound, IntegrationFunction, IntegrationPlatform, Outbound, SecureIntegration, SignatureScheme } from '../../lib';
import { newStack, objectSchema } from '../helpers';

describe('fixes from the second new-user trial', () => {
  test('no role of the example app may use the platform key for kms:Decrypt without a condition', () => {
    const app = new App();
    const stack = new ExamplePlatformStack(app, 'Example');
    const template = Template.fromStack(stack);
    const key = Object.keys(template.findResources('AWS::KMS::Key'))[0];
    const unconditioned = Object.entries(template.findResources('AWS::IAM::ManagedPolicy')).flatMap(([id, policy]) =>
      (policy.Properties.PolicyDocument.Statement as Array<{ Action: string | string[]; Resource: unknown; Condition?: unknown }>)
        .filter((st) => [st.Action].flat().includes('kms:Decrypt') && JSON.stringify(st.Resource).includes(key) && !st.Condition)
        .map(() => id),
    );
    expect(unconditioned).toEqual([]);
  });

  function syncing(heartbeat: { every: Duration; grace?: Duration }, every = Duration.days(1)) {
    const stack = newStack();
    new IntegrationPlatform(stack, 'Platform');
    const fn = new IntegrationFunction(stack, 'Sync', { code: lambda.Code.fromInline('exports.handler=async()=>({})') });
    new SecureIntegration(stack, 'Hr', { owner: 'hr@example.com', dataClassification: DataClassification.INTERNAL, outbound: Outbound.schedule({ handler: fn.function, every }), heartbeat });
    return stack;
  }

  test('a heartbeat expecting syncs more often than the schedule runs is a synth error', () => {
    expect(() => syncing({ every: Duration.hours(1) })).toThrow(/invalid `heartbeat\.every` '1 hour'.*runs every 1 day/);
  });

  test('a window CloudWatch cannot evaluate exactly is widened with a warning that says by how much', () => {
    const stack = syncing({ every: Duration.days(1), grace: Duration.minutes(15) });
    Annotations.fromStack(stack).hasWarning('*', Match.stringLikeRegexp('fires after 1 day 1 hour without a sync, not 1 day 15 minutes'));
  });

  test('a JSONPath-style PII path is a synth error', () => {
    const stack = newStack();
    expect(
      () =>
        new SecureIntegration(stack, 'Payments', {
          owner: 'payments@example.com',
          dataClassification: DataClassification.RESTRICTED,
          piiFields: ['$.data.object.customer_email'],
          inbound: Inbound.webhook({ path: '/webhooks/stripe', bodySchema: objectSchema, signature: SignatureScheme.stripe() }),
        }),
    ).toThrow(/invalid `piiFields` '\$\.data\.object\.customer_email'.*without "\$\.", for example "data\.object\.customer_email"/);
  });

  test.each([
    [DataClassification.RESTRICTED, 30],
    [DataClassification.CONFIDENTIAL, 60],
    [DataClassification.INTERNAL, 90],
  ])("a webhook's signing secret is listed among the integration's credentials, due within its classification's limit (%s: %d days)", (dataClassification, days) => {
    // GIVEN / WHEN
    const stack = newStack();
    const integration = new SecureIntegration(stack, 'Payments', {
      owner: 'payments@example.com',
      dataClassification,
      piiFields: ['data.object.customer_email'],
      inbound: Inbound.webhook({ path: '/webhooks/stripe', bodySchema: objectSchema, signature: SignatureScheme.stripe() }),
    });
    // THEN
    expect(integration.inventorySource().credentials).toEqual([
      expect.objectContaining({ name: 'webhook-signing-secret', rotationSchedule: 'partner-managed', maxRotationIntervalDays: days }),
    ]);
  });
});
