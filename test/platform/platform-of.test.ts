import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { IntegrationPlatform, SecureIntegration } from '../../lib';
import { integrationProps, newStack } from '../helpers';

describe('IntegrationPlatform.of', () => {
  test('an integration without a platform creates the stack platform once', () => {
    const stack = newStack();
    const a = new SecureIntegration(stack, 'A', integrationProps(stack, {}, 'a.write'));
    const b = new SecureIntegration(stack, 'B', integrationProps(stack, {}, 'b.write'));
    expect(a.platform).toBe(b.platform);
    expect(a.platform.node.path).toBe('TestStack/IntegrationPlatform');
    Template.fromStack(stack).resourceCountIs('AWS::ApiGateway::RestApi', 1);
  });

  test('finds an explicitly created platform anywhere in the stack', () => {
    const stack = newStack();
    const platform = new IntegrationPlatform(stack, 'Shared');
    const integration = new SecureIntegration(stack, 'A', integrationProps(stack));
    expect(integration.platform).toBe(platform);
  });

  test('keeps no state between apps: each stack gets its own platform', () => {
    const first = newStack('First');
    const second = newStack('Second');
    const a = new SecureIntegration(first, 'A', integrationProps(first));
    const b = new SecureIntegration(second, 'A', integrationProps(second));
    expect(a.platform).not.toBe(b.platform);
    expect(Stack.of(b.platform)).toBe(second);
  });

  test('two stacks of one app each have their own platform', () => {
    const app = new App();
    const s1 = new Stack(app, 'S1');
    const s2 = new Stack(app, 'S2');
    expect(IntegrationPlatform.of(s1)).not.toBe(IntegrationPlatform.of(s2));
    expect(IntegrationPlatform.of(s1)).toBe(IntegrationPlatform.of(s1));
  });

  test('isIntegrationPlatform tells platforms from other constructs', () => {
    const stack = newStack();
    expect(IntegrationPlatform.isIntegrationPlatform(IntegrationPlatform.of(stack))).toBe(true);
    expect(IntegrationPlatform.isIntegrationPlatform(stack)).toBe(false);
  });
});
