// CloudFormation's 500 resources per stack (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html):
// the platform names the limit, its integrations, what each costs and the fix, before aws-cdk-lib's generic error.
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { DataClassification, HttpMethod, Inbound, IntegrationPlatform, SecureIntegration, STACK_MAX_RESOURCES } from '../../lib';
import { objectSchema } from '../helpers';

function catalog(n: number): Stack {
  const stack = new Stack(new App(), 'Catalog', { env: { account: '111111111111', region: 'eu-west-1' } });
  new IntegrationPlatform(stack, 'Platform');
  for (let i = 0; i < n; i++) {
    new SecureIntegration(stack, `Partner${i}`, {
      owner: 'team@example.com',
      dataClassification: DataClassification.INTERNAL,
      inbound: Inbound.api({ routes: [{ method: HttpMethod.POST, path: `/p${i}`, bodySchema: objectSchema, scopes: [`p${i}.write`] }] }),
    });
  }
  return stack;
}

test('a catalog past 500 resources is a synth error naming the stack, the count, the cost per integration and the fix', () => {
  expect(() => Template.fromStack(catalog(20))).toThrow(new RegExp(`Stack Catalog holds \\d+ resources; CloudFormation allows ${STACK_MAX_RESOURCES} per stack[\\s\\S]*20 integrations, about \\d+ resources each[\\s\\S]*another stack with an IntegrationPlatform of its own`));
});
