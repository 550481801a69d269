// A REST API stage serves a Deployment, a snapshot of the API taken when the Deployment resource is
// created. CloudFormation makes a new one only when its logical id changes, so every element the
// stage serves must be hashed into that id: a change that is not never reaches partners.
import { Template } from 'aws-cdk-lib/assertions';
import { DataClassification, HttpMethod, Inbound, IntegrationPlatform, SecureIntegration, SignatureScheme, Target } from '../../lib';
import { newStack, objectSchema, testFunction } from '../helpers';

interface Variant {
  readonly schema?: Record<string, unknown>;
  readonly scopes?: string[];
  readonly path?: string;
  readonly method?: HttpMethod;
  readonly extraRoute?: boolean;
  readonly corsOrigins?: string[];
  readonly webhookSchema?: Record<string, unknown>;
  readonly webhookScheme?: 'slack' | 'stripe';
  readonly owner?: string;
  readonly availability?: number;
}

/** The logical id of the API's Deployment, for a platform built from `variant`. */
function deploymentId(variant: Variant = {}): string {
  const stack = newStack();
  new IntegrationPlatform(stack, 'Platform');
  const handler = testFunction(stack);
  new SecureIntegration(stack, 'Orders', {
    owner: variant.owner ?? 'orders@example.com',
    dataClassification: DataClassification.INTERNAL,
    piiFields: [],
    slo: variant.availability === undefined ? undefined : { availability: variant.availability },
    inbound: Inbound.api({
      routes: [
        {
          method: variant.method ?? HttpMethod.POST,
          path: variant.path ?? '/orders',
          bodySchema: variant.method === HttpMethod.GET ? undefined : (variant.schema ?? objectSchema),
          scopes: variant.scopes ?? ['orders.write'],
          target: Target.lambda(handler),
          ...(variant.corsOrigins ? { cors: { allowOrigins: variant.corsOrigins } } : {}),
        },
        ...(variant.extraRoute ? [{ method: HttpMethod.GET, path: '/orders/{orderId}', scopes: ['orders.read'], target: Target.lambda(handler) }] : []),
      ],
    }),
  });
  new SecureIntegration(stack, 'Events', {
    owner: 'events@example.com',
    dataClassification: DataClassification.INTERNAL,
    piiFields: [],
    inbound: Inbound.webhook({
      path: '/webhooks/events',
      bodySchema: variant.webhookSchema ?? objectSchema,
      signature: variant.webhookScheme === 'stripe' ? SignatureScheme.stripe() : SignatureScheme.slack(),
    }),
  });
  const deployments = Object.keys(Template.fromStack(stack).findResources('AWS::ApiGateway::Deployment'));
  expect(deployments).toHaveLength(1);
  return deployments[0];
}

const baseline = deploymentId();

describe('the Deployment follows what the stage serves', () => {
  test('the same API synthesizes the same Deployment', () => {
    expect(deploymentId()).toBe(baseline);
  });

  test.each<[string, Variant]>([
    ['a route body schema gains a required field', { schema: { ...objectSchema, required: ['id', 'email'] } }],
    ['a route body schema changes a type', { schema: { ...objectSchema, properties: { ...objectSchema.properties, id: { type: 'integer' } } } }],
    ['a webhook body schema changes', { webhookSchema: { ...objectSchema, required: [] } }],
    ['the webhook signature scheme changes (the headers the method requires)', { webhookScheme: 'stripe' }],
    ['a route scope changes', { scopes: ['orders.admin'] }],
    ['a route path changes', { path: '/purchase-orders' }],
    ['a route method changes', { method: HttpMethod.PUT }],
    ['a route is added', { extraRoute: true }],
    ['CORS is enabled on a route', { corsOrigins: ['https://app.example.com'] }],
    ['the CORS origins change', { corsOrigins: ['https://other.example.com'] }],
  ])('a new Deployment when %s', (_what, variant) => {
    expect(deploymentId(variant)).not.toBe(baseline);
  });

  test('the CORS origins are part of the preflight the stage serves', () => {
    expect(deploymentId({ corsOrigins: ['https://app.example.com'] })).not.toBe(deploymentId({ corsOrigins: ['https://other.example.com'] }));
  });

  test.each<[string, Variant]>([
    ['the owner changes', { owner: 'someone-else@example.com' }],
    ['the SLO changes', { availability: 99.9 }],
  ])('the same Deployment when %s (nothing the stage serves)', (_what, variant) => {
    expect(deploymentId(variant)).toBe(baseline);
  });
});
