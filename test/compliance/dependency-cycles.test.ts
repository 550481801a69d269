import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { addExampleStacks } from '../../bin/example-app';
import { dependencyGraph, findCycles } from '../support/template-graph';

describe('no circular dependency between functions, policies, secrets and schedules', () => {
  test('the walker finds a cycle through Ref, GetAtt, Sub and DependsOn', () => {
    const template = {
      Resources: {
        Fn: { Properties: { Role: { 'Fn::GetAtt': ['Role', 'Arn'] } } },
        Role: { Properties: { Policy: { 'Fn::Sub': 'arn:${Secret}' } } },
        Secret: { DependsOn: ['Schedule'] },
        Schedule: { Properties: { Lambda: { Ref: 'Fn' } } },
      },
    };
    expect(findCycles(dependencyGraph(template))).toEqual([['Fn', 'Role', 'Secret', 'Schedule', 'Fn']]);
  });

  test('the example app, with credentials rotated by the shared function, has none', () => {
    const app = new App();
    const { main, mtls } = addExampleStacks(app, { mainId: 'Example', mtlsId: 'ExampleMtls' });
    // Template.fromStack checks cycles too; the walker below is our own, independent check.
    const [template, mtlsTemplate] = [main, mtls].map((s) => Template.fromStack(s, { skipCyclicalDependenciesCheck: true }).toJSON() as Parameters<typeof dependencyGraph>[0]);
    expect(Object.values(template.Resources).some((r) => (r as { Type?: string }).Type === 'AWS::SecretsManager::RotationSchedule')).toBe(true);
    expect(findCycles(dependencyGraph(template))).toEqual([]);
    // The mutual TLS platform: truststore bucket, writer, custom resource, domain, mapping and stage.
    expect(Object.values(mtlsTemplate.Resources).some((r) => (r as { Type?: string }).Type === 'Custom::MutualTlsTruststore')).toBe(true);
    expect(findCycles(dependencyGraph(mtlsTemplate))).toEqual([]);
  });
});
