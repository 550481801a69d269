import { DataClassification, HttpMethod, Inbound, IntegrationPlatform, SecureIntegration, SecureIntegrationProps, Target } from '../../lib';
import { integrationProps, newStack, objectSchema, testFunction } from '../helpers';

/** Builds an integration on a fresh platform and returns the thrown message. */
function build(props: (stack: ReturnType<typeof newStack>) => Partial<SecureIntegrationProps>, id = 'Things'): () => void {
  return () => {
    const stack = newStack();
    new IntegrationPlatform(stack, 'Platform');
    new SecureIntegration(stack, id, { ...integrationProps(stack), ...props(stack) } as SecureIntegrationProps);
  };
}

function route(stack: ReturnType<typeof newStack>, overrides: Record<string, unknown>) {
  return Inbound.api({
    routes: [{ method: HttpMethod.POST, path: '/things', bodySchema: objectSchema, scopes: ['things.write'], target: Target.lambda(testFunction(stack)), ...overrides }],
  });
}

describe('bad input fails at synth with the prop, the value and the fix', () => {
  test('empty owner', () => {
    expect(build(() => ({ owner: '  ' }))).toThrow(/invalid `owner` ' {2}'.*Name the accountable team or person/);
  });

  test('missing owner (JavaScript callers)', () => {
    expect(build(() => ({ owner: undefined as unknown as string }))).toThrow(/invalid `owner` \(not set\)/);
  });

  test('unknown data classification', () => {
    expect(build(() => ({ dataClassification: 'SECRET' as DataClassification }))).toThrow(
      /invalid `dataClassification` 'SECRET'.*DataClassification\.PUBLIC, DataClassification\.INTERNAL, DataClassification\.CONFIDENTIAL, DataClassification\.RESTRICTED/,
    );
  });

  test('a route without scopes', () => {
    expect(build((s) => ({ inbound: route(s, { scopes: [] }) }))).toThrow(/invalid `inbound\.routes\[0\]\.scopes` \[\].*at least one OAuth 2\.0 scope/);
  });

  test('a scope with invalid characters', () => {
    expect(build((s) => ({ inbound: route(s, { scopes: ['orders/write'] }) }))).toThrow(
      /invalid `inbound\.routes\[0\]\.scopes\[0\]` 'orders\/write'.*without spaces, quotes, "\/" or "\\".*"orders\.write"/,
    );
    expect(build((s) => ({ inbound: route(s, { scopes: ['read all'] }) }))).toThrow(/'read all'/);
  });

  test('two integrations with the same name', () => {
    expect(() => {
      const stack = newStack();
      new SecureIntegration(stack, 'Crm', integrationProps(stack, {}, 'a.write'));
      new SecureIntegration(stack, 'Crm2', integrationProps(stack, { integrationName: 'Crm', inbound: undefined }));
    }).toThrow(/invalid `integrationName` 'Crm'.*already uses this name.*give each integration its own/);
  });

  test('two routes with the same method and path', () => {
    expect(
      build((s) => ({
        inbound: Inbound.api({
          routes: [
            { method: HttpMethod.POST, path: '/things', bodySchema: objectSchema, scopes: ['things.write'], target: Target.lambda(testFunction(s)) },
            { method: HttpMethod.POST, path: '/things', bodySchema: objectSchema, scopes: ['things.write'], target: Target.lambda(testFunction(s, 'Other')) },
          ],
        }),
      })),
    ).toThrow(/invalid `inbound\.routes\[1\]` 'POST \/things'.*already serves POST \/things.*another path or method/);
  });

  test('two integrations claiming the same route, path parameters named differently', () => {
    expect(() => {
      const stack = newStack();
      const fn = testFunction(stack);
      new SecureIntegration(stack, 'A', {
        owner: 'a@example.com',
        dataClassification: DataClassification.INTERNAL,
        inbound: Inbound.api({ routes: [{ method: HttpMethod.GET, path: '/orders/{id}', scopes: ['a.read'], target: Target.lambda(fn) }] }),
      });
      new SecureIntegration(stack, 'B', {
        owner: 'b@example.com',
        dataClassification: DataClassification.INTERNAL,
        inbound: Inbound.api({ routes: [{ method: HttpMethod.GET, path: '/orders/{orderId}', scopes: ['b.read'], target: Target.lambda(fn) }] }),
      });
    }).toThrow(/Integration 'A' already serves GET \/orders\/\{\}/);
  });

  test('sibling path parameters with different names', () => {
    expect(() => {
      const stack = newStack();
      const fn = testFunction(stack);
      new SecureIntegration(stack, 'A', {
        owner: 'a@example.com',
        dataClassification: DataClassification.INTERNAL,
        inbound: Inbound.api({
          routes: [
            { method: HttpMethod.GET, path: '/orders/{id}', scopes: ['a.read'], target: Target.lambda(fn) },
            { method: HttpMethod.DELETE, path: '/orders/{orderId}', scopes: ['a.delete'], target: Target.lambda(fn) },
          ],
        }),
      });
    }).toThrow(/invalid `inbound\.routes\[1\]` '\/orders\/\{orderId\}'.*write '\{id\}' here too/);
  });

  test('a schema that is not an object', () => {
    expect(build((s) => ({ inbound: route(s, { bodySchema: 'not a schema' }) }))).toThrow(/invalid `inbound\.routes\[0\]\.bodySchema` 'not a schema'.*JSON Schema object/);
    expect(build((s) => ({ inbound: route(s, { bodySchema: [objectSchema] }) }))).toThrow(/invalid `inbound\.routes\[0\]\.bodySchema`/);
    expect(build((s) => ({ inbound: route(s, { bodySchema: { type: 'array' } }) }))).toThrow(/invalid `inbound\.routes\[0\]\.bodySchema\.type` 'array'.*set type to "object"/);
  });

  test('a POST route without a body schema, and a GET route with one', () => {
    expect(build((s) => ({ inbound: route(s, { bodySchema: undefined }) }))).toThrow(/invalid `inbound\.routes\[0\]\.bodySchema` \(not set\).*POST carries a body/);
    expect(build((s) => ({ inbound: route(s, { method: HttpMethod.GET }) }))).toThrow(/GET requests carry no body/);
  });

  test('a malformed path or method', () => {
    expect(build((s) => ({ inbound: route(s, { path: 'things/' }) }))).toThrow(/invalid `inbound\.routes\[0\]\.path` 'things\/'.*starts with "\/"/);
    expect(build((s) => ({ inbound: route(s, { path: '/{proxy+}' }) }))).toThrow(/no greedy \{proxy\+\}/);
    expect(build((s) => ({ inbound: route(s, { method: 'TRACE' }) }))).toThrow(/invalid `inbound\.routes\[0\]\.method` 'TRACE'/);
  });

  test('a scope another integration owns', () => {
    expect(() => {
      const stack = newStack();
      new SecureIntegration(stack, 'Orders', integrationProps(stack, {}, 'shared.write'));
      new SecureIntegration(stack, 'Crm', {
        ...integrationProps(stack, {}, 'shared.write'),
        inbound: Inbound.api({ routes: [{ method: HttpMethod.POST, path: '/contacts', bodySchema: objectSchema, scopes: ['shared.write'], target: Target.lambda(testFunction(stack, 'F2')) }] }),
      });
    }).toThrow(/invalid `inbound\.routes\[0\]\.scopes\[0\]` 'shared\.write'.*Integration 'Orders' already owns this scope/);
  });

  test('an integration name that cannot key metrics', () => {
    expect(build(() => ({ integrationName: 'my integration' }))).toThrow(/invalid `integrationName` 'my integration'.*letter followed by letters, digits/);
  });

  test('a stack with two platforms and an integration that names neither', () => {
    expect(() => {
      const stack = newStack();
      new IntegrationPlatform(stack, 'P1');
      new IntegrationPlatform(stack, 'P2');
      new SecureIntegration(stack, 'Crm', integrationProps(stack));
    }).toThrow(/invalid `platform`.*more than one IntegrationPlatform; pass the one to use/);
  });

  test('a platform without integrations fails validation at synth', () => {
    const stack = newStack();
    new IntegrationPlatform(stack, 'Platform');
    expect(() => stack.node.root.node.tryFindChild('TestStack') && (stack.node.root as import('aws-cdk-lib').App).synth()).toThrow(/has no integrations/);
  });
});
