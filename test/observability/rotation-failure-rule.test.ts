import { Template } from 'aws-cdk-lib/assertions';
import { DataClassification, IntegrationPlatform, Rotation, SecureIntegration } from '../../lib';
import { newStack } from '../helpers';

describe('the rotation-failure rule', () => {
  test("pages only for rotation failures of the platform's own secrets, matched by their ARN prefix", () => {
    // GIVEN
    const stack = newStack();
    const platform = new IntegrationPlatform(stack, 'Platform');
    new SecureIntegration(stack, 'Erp', { owner: 'erp@example.com', dataClassification: DataClassification.INTERNAL, credentials: [{ name: 'api-key', rotation: Rotation.generatedToken() }] });
    // WHEN
    const template = Template.fromStack(stack);
    // THEN
    const rules = template.findResources('AWS::Events::Rule', { Properties: { EventPattern: { detail: { eventName: ['RotationFailed', 'RotationAbandoned'] } } } });
    expect(Object.values(rules)).toHaveLength(1);
    expect(Object.values(rules)[0].Properties.EventPattern).toEqual({
      source: ['aws.secretsmanager'],
      'detail-type': ['AWS Service Event via CloudTrail'],
      detail: {
        eventName: ['RotationFailed', 'RotationAbandoned'],
        additionalEventData: {
          SecretId: [{ prefix: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:secretsmanager:eu-west-1:111111111111:secret:${platform.secretNamePrefix}/`]] } }],
        },
      },
    });
    // AND the platform's credentials are under that prefix
    for (const secret of Object.values(template.findResources('AWS::SecretsManager::Secret'))) expect(secret.Properties.Name).toMatch(new RegExp(`^${platform.secretNamePrefix}/`));
  });
});
