import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import { DataClassification, HttpMethod, Inbound, IngestConfig, IntegrationPlatform, SecureIntegration, SignatureScheme, Target } from '../../lib';
import { newStack, objectSchema, onlyResource, testFunction } from '../helpers';

function platformWith(build: (stack: Stack) => void): { stack: Stack; template: Template; platform: IntegrationPlatform } {
  const stack = newStack();
  const platform = new IntegrationPlatform(stack, 'Platform');
  build(stack);
  return { stack, platform, template: Template.fromStack(stack) };
}

const crm = (stack: Stack, overrides: Record<string, unknown> = {}) =>
  new SecureIntegration(stack, 'Crm', {
    owner: 'crm@example.com',
    dataClassification: DataClassification.INTERNAL,
    inbound: Inbound.api({ routes: [{ method: HttpMethod.POST, path: '/contacts', bodySchema: objectSchema, scopes: ['contacts.write'], ...overrides }] }),
  });

/** The ingest config the platform wrote into its layer asset. */
function ingestConfig(stack: Stack): IngestConfig {
  const assembly = (stack.node.root as App).synth();
  const manifest = JSON.parse(readFileSync(join(assembly.directory, `${stack.stackName}.assets.json`), 'utf8'));
  const configs = Object.values(manifest.files as Record<string, { source: { path: string } }>)
    .map((f) => join(assembly.directory, f.source.path, 'ingest', 'config.json'))
    .filter((p) => existsSync(p));
  expect(configs).toHaveLength(1);
  return JSON.parse(readFileSync(configs[0], 'utf8'));
}

describe('routes through the ingest function', () => {
  test('one ingest function serves every route through one AWS_PROXY integration and one stage-wide permission', () => {
    const { template } = platformWith((s) => {
      crm(s);
      new SecureIntegration(s, 'Orders', {
        owner: 'o@example.com',
        dataClassification: DataClassification.INTERNAL,
        inbound: Inbound.api({ routes: [{ method: HttpMethod.POST, path: '/orders', bodySchema: objectSchema, scopes: ['orders.write'] }] }),
      });
    });
    const methods = Object.values(template.findResources('AWS::ApiGateway::Method'));
    const uris = new Set(methods.map((m) => JSON.stringify(m.Properties.Integration.Uri)));
    expect(uris.size).toBe(1);
    expect(methods.every((m) => m.Properties.Integration.Type === 'AWS_PROXY')).toBe(true);
    const fromApi = template.findResources('AWS::Lambda::Permission', { Properties: { Principal: 'apigateway.amazonaws.com' } });
    expect(Object.values(fromApi)).toHaveLength(1);
    expect(Object.values(fromApi)[0].Properties.Action).toBe('lambda:InvokeFunction');
  });

  test('without a target, an integration gets its own encrypted queue with a dead-letter queue', () => {
    const { template, stack } = platformWith((s) => crm(s));
    const key = onlyResource(template, 'AWS::KMS::Key').id;
    const queues = template.findResources('AWS::SQS::Queue');
    const main = Object.entries(queues).find(([, q]) => q.Properties.RedrivePolicy)!;
    expect(main[1].Properties).toEqual(
      expect.objectContaining({
        KmsMasterKeyId: { 'Fn::GetAtt': [key, 'Arn'] },
        // 4 days: its dead-letter queue (14 days) outlasts it, counted from the first enqueue.
        MessageRetentionPeriod: 345600,
        RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [expect.any(String), 'Arn'] }, maxReceiveCount: 5 },
      }),
    );
    expect(main[1].Properties.QueueName).toMatch(/^[A-Za-z0-9_-]{1,70}$/);
    const dlqId = main[1].Properties.RedrivePolicy.deadLetterTargetArn['Fn::GetAtt'][0];
    expect(queues[dlqId].Properties.KmsMasterKeyId).toEqual({ 'Fn::GetAtt': [key, 'Arn'] });
    expect(queues[dlqId].Properties.MessageRetentionPeriod).toBe(1209600);
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: main[0] }],
      PolicyDocument: { Statement: [Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })] },
    });
    const integration = stack.node.findChild('Crm') as SecureIntegration;
    expect(integration.queue?.queue).toBeDefined();
  });

  test('the ingest role may send to the queue and use its key, nothing more', () => {
    const { template } = platformWith((s) => crm(s));
    const main = Object.entries(template.findResources('AWS::SQS::Queue')).find(([, q]) => q.Properties.RedrivePolicy)![0];
    const key = onlyResource(template, 'AWS::KMS::Key').id;
    const ingestPolicy = Object.values(template.findResources('AWS::IAM::ManagedPolicy')).find((p) => String(p.Properties.Description).includes('Ingest'))!;
    const statements = ingestPolicy.Properties.PolicyDocument.Statement;
    expect(statements).toContainEqual(expect.objectContaining({ Action: ['sqs:SendMessage', 'sqs:GetQueueUrl'], Resource: { 'Fn::GetAtt': [main, 'Arn'] } }));
    expect(statements).toContainEqual(expect.objectContaining({ Action: ['kms:GenerateDataKey', 'kms:Decrypt'], Resource: { 'Fn::GetAtt': [key, 'Arn'] } }));
    expect(JSON.stringify(statements)).not.toMatch(/"Resource":"\*"|:\*"/);
    template.resourceCountIs('AWS::IAM::Policy', 0);
  });

  test('the route table lists each route with its full schema and target; deploy-time values travel as environment variables', () => {
    const { stack } = platformWith((s) => {
      crm(s);
      const fn = testFunction(s);
      new SecureIntegration(s, 'Orders', {
        owner: 'o@example.com',
        dataClassification: DataClassification.INTERNAL,
        inbound: Inbound.api({ routes: [{ method: HttpMethod.GET, path: '/orders/{orderId}', scopes: ['orders.read'], target: Target.lambda(fn) }] }),
      });
    });
    const config = ingestConfig(stack);
    expect(config.version).toBe(1);
    const contacts = config.routes.find((r) => r.resourcePath === '/contacts')!;
    expect(contacts).toEqual(expect.objectContaining({ integration: 'Crm', method: 'POST', target: { kind: 'sqs', address: expect.stringMatching(/Crm/) } }));
    expect(contacts.schema).toEqual(expect.objectContaining({ type: 'object', required: ['id'] }));
    const orders = config.routes.find((r) => r.resourcePath === '/orders/{orderId}')!;
    expect(orders.target).toEqual({ kind: 'lambda', address: { env: 'INGEST_REF_0' } });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ INGEST_REF_0: { 'Fn::GetAtt': [Match.stringLikeRegexp('Handler'), 'Arn'] } }) },
      Layers: [{ Ref: Match.stringLikeRegexp('IngestConfig') }],
    });
  });

  test('an event-bus target grants PutEvents on that bus only', () => {
    const { template } = platformWith((s) => {
      const bus = new events.EventBus(s, 'Bus');
      crm(s, { target: Target.eventBus(bus) });
    });
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: 'events:PutEvents', Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('Bus'), 'Arn'] } })]) },
    });
  });

  test('request models are draft-04, converted from the draft-07 input', () => {
    const { template } = platformWith((s) =>
      crm(s, { bodySchema: { $schema: 'http://json-schema.org/draft-07/schema#', type: 'object', properties: { kind: { const: 'contact' }, n: { type: 'number', exclusiveMinimum: 0 } } } }),
    );
    template.hasResourceProperties('AWS::ApiGateway::Model', {
      Schema: {
        $schema: 'http://json-schema.org/draft-04/schema#',
        type: 'object',
        properties: { kind: { enum: ['contact'] }, n: { type: 'number', minimum: 0, exclusiveMinimum: true } },
      },
    });
  });

  test('a schema keyword draft-04 cannot express fails at synth', () => {
    expect(() => platformWith((s) => crm(s, { bodySchema: { type: 'object', unevaluatedProperties: false } }))).toThrow(
      /invalid `inbound\.routes\[0\]\.bodySchema#\/unevaluatedProperties` false/,
    );
  });

  test('a GET route needs a target that answers the caller', () => {
    expect(() =>
      platformWith((s) =>
        new SecureIntegration(s, 'Orders', {
          owner: 'o@example.com',
          dataClassification: DataClassification.INTERNAL,
          inbound: Inbound.api({ routes: [{ method: HttpMethod.GET, path: '/orders', scopes: ['orders.read'] }] }),
        }),
      ),
    ).toThrow(/invalid `inbound\.routes\[0\]\.target` 'sqs:.*GET routes return data to the caller: use Target\.lambda\(fn\)/);
  });

  test('models of one API beyond 400 KB together fail validation at synth', () => {
    const big = { type: 'object', properties: Object.fromEntries(Array.from({ length: 1500 }, (_, i) => [`field_${i}_${'x'.repeat(40)}`, { type: 'string', maxLength: 100 }])) };
    expect(() =>
      platformWith((s) => {
        for (let i = 0; i < 6; i++) {
          new SecureIntegration(s, `I${i}`, {
            owner: 'o@example.com',
            dataClassification: DataClassification.INTERNAL,
            inbound: Inbound.api({ routes: [{ method: HttpMethod.POST, path: `/i${i}`, bodySchema: big, scopes: [`i${i}.write`] }] }),
          });
        }
      }),
    ).toThrow(/request models of this API total \d+ bytes; API Gateway allows 400000/);
  });
});

describe('signed webhook', () => {
  const github = (s: Stack) =>
    new SecureIntegration(s, 'GitHub', {
      owner: 'platform@example.com',
      dataClassification: DataClassification.INTERNAL,
      inbound: Inbound.webhook({ path: '/webhooks/github', bodySchema: objectSchema, signature: SignatureScheme.githubHmacSha256() }),
    });

  test('has no authorizer, requires the signature header at the edge and validates the body', () => {
    const { template } = platformWith(github);
    template.hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'POST',
      AuthorizationType: 'NONE',
      RequestParameters: { 'method.request.header.X-Hub-Signature-256': true },
      RequestValidatorId: Match.anyValue(),
      RequestModels: { 'application/json': Match.anyValue() },
    });
  });

  test('its signing secret is on the platform key, and only the ingest function may read it', () => {
    const { template, stack } = platformWith(github);
    const key = onlyResource(template, 'AWS::KMS::Key').id;
    template.hasResourceProperties('AWS::SecretsManager::Secret', { KmsKeyId: { 'Fn::GetAtt': [key, 'Arn'] }, Name: Match.stringLikeRegexp('^integrations/.*/signing-secret$') });
    const secret = onlyResource(template, 'AWS::SecretsManager::Secret').id;
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: 'secretsmanager:GetSecretValue', Resource: { Ref: secret } })]) },
    });
    const route = ingestConfig(stack).routes.find((r) => r.integration === 'GitHub')!;
    expect(route.signature?.signatureHeader).toBe('X-Hub-Signature-256');
    // By ARN (a deploy-time reference): a secret re-created under the same name is not read.
    expect(route.signingSecret).toEqual({ env: expect.stringMatching(/^INGEST_REF_\d+$/) });
    expect((stack.node.findChild('GitHub') as SecureIntegration).signingSecret).toBeDefined();
  });

  test('GitHub\'s published push, pull_request and issues schemas become one model under the size limit', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const schemas = require('@octokit/webhooks-schemas');
    const { template } = platformWith((s) =>
      new SecureIntegration(s, 'GitHub', {
        owner: 'platform@example.com',
        dataClassification: DataClassification.INTERNAL,
        inbound: Inbound.webhook({
          path: '/webhooks/github',
          bodySchema: { $schema: schemas.$schema, definitions: schemas.definitions, anyOf: [{ $ref: '#/definitions/push$event' }, { $ref: '#/definitions/pull_request_event' }, { $ref: '#/definitions/issues_event' }] },
          signature: SignatureScheme.githubHmacSha256(),
        }),
      }),
    );
    const model = onlyResource(template, 'AWS::ApiGateway::Model').resource.Properties;
    const size = Buffer.byteLength(JSON.stringify(model.Schema));
    expect(size).toBeLessThan(400_000);
    expect((model.Schema as { anyOf: unknown[] }).anyOf).toHaveLength(3);
  });
});
