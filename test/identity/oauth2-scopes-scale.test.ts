// Cognito's 100 custom scopes per resource server and 25 resource servers per user pool
// (https://docs.aws.amazon.com/cognito/latest/developerguide/quotas.html): the platform adds a
// resource server for each further 100 scopes, in declaration order, and past 25 it is a synth error.
import { Duration } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { DataClassification, HttpMethod, Inbound, IntegrationPlatform, SecureIntegration } from '../../lib';
import { newStack, objectSchema } from '../helpers';

function platformWithScopes(n: number) {
  const stack = newStack();
  const platform = new IntegrationPlatform(stack, 'Platform', { stackBudget: { maxResources: 480, maxTemplateBytes: 950_000 } });
  // One integration of many routes keeps the stack small: each route has a scope of its own.
  const perIntegration = 40;
  for (let i = 0; i * perIntegration < n; i++) {
    const count = Math.min(perIntegration, n - i * perIntegration);
    new SecureIntegration(stack, `Erp${i}`, {
      owner: 'team@example.com',
      dataClassification: DataClassification.INTERNAL,
      inbound: Inbound.api({ routes: [{ method: HttpMethod.POST, path: `/erp${i}`, bodySchema: objectSchema, scopes: Array.from({ length: count }, (_, s) => `erp${i}.s${s}`) }] }),
    });
  }
  return { stack, platform };
}

test('120 scopes take two resource servers: the first 100 keep their names, the rest carry the second server\'s identifier; clients wait for their servers', () => {
  const { stack } = platformWithScopes(120);
  const template = Template.fromStack(stack);
  const servers = Object.values(template.findResources('AWS::Cognito::UserPoolResourceServer')).map((r) => r.Properties);
  expect(servers.map((s) => [s.Identifier, s.Scopes.length])).toEqual([
    ['integrations', 100],
    ['integrations-2', 20],
  ]);
  const clients = Object.values(template.findResources('AWS::Cognito::UserPoolClient'));
  const last = clients.find((c) => (c.Properties.AllowedOAuthScopes as string[]).some((s) => s.startsWith('integrations-2/')))!;
  expect((last.Properties.AllowedOAuthScopes as string[]).filter((s) => s.startsWith('integrations/'))).toHaveLength(20);
  expect(last.DependsOn).toEqual(expect.arrayContaining(Object.keys(template.findResources('AWS::Cognito::UserPoolResourceServer'))));
});

test('more scopes than 25 resource servers hold is a synth error naming the quota and the fix', () => {
  const { stack } = platformWithScopes(2_520);
  expect(() => Template.fromStack(stack)).toThrow(/2520 scopes, which take 26 resource servers of 100 scopes; Cognito allows 25 a user pool/);
});

test('an access-token validity outside Cognito\'s 5 minutes to 1 day is a synth error naming the prop, the value and the bounds; tokens can be revoked', () => {
  const platform = (minutes: number) => {
    const stack = newStack();
    return new IntegrationPlatform(stack, 'Platform', { oauth2: { accessTokenValidity: Duration.minutes(minutes) } }).oauth2;
  };
  expect(() => platform(4)).toThrow(/invalid `oauth2.accessTokenValidity` '4 minutes'.*5 minutes to 1 day/);
  expect(() => platform(24 * 60 + 1)).toThrow(/oauth2.accessTokenValidity/);
  expect(() => platform(15)).not.toThrow();
  const { stack } = platformWithScopes(1);
  const client = Object.values(Template.fromStack(stack).findResources('AWS::Cognito::UserPoolClient'))[0];
  expect(client.Properties).toMatchObject({ EnableTokenRevocation: true, AccessTokenValidity: 60, TokenValidityUnits: { AccessToken: 'minutes' } });
});
