import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IntegrationPlatform, SecureIntegration } from '../../lib';
import { integrationProps, newStack, onlyResource } from '../helpers';

describe('PII fields', () => {
  function withPii(piiFields: unknown) {
    const stack = newStack();
    new IntegrationPlatform(stack, 'Platform');
    const integration = new SecureIntegration(stack, 'Crm', { ...integrationProps(stack, {}, 'contacts.write'), piiFields: piiFields as string[] });
    return { stack, integration };
  }

  test('the ingest function may generate data keys for this integration only and knows its key', () => {
    const { stack } = withPii(['email', 'address.*']);
    const template = Template.fromStack(stack);
    const key = onlyResource(template, 'AWS::KMS::Key').id;
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ FIELD_ENCRYPTION_KEY_ID: { 'Fn::GetAtt': [key, 'Arn'] } }) },
    });
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Action: 'kms:GenerateDataKey', Resource: { 'Fn::GetAtt': [key, 'Arn'] }, Condition: { StringEquals: { 'kms:EncryptionContext:integration': 'Crm' } } }),
        ]),
      },
    });
  });

  test('grantDecrypt allows kms:Decrypt only with this integration as encryption context', () => {
    const { stack, integration } = withPii(['email']);
    const consumer = new iam.Role(stack, 'Consumer', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    integration.grantDecrypt(consumer);
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: [Match.objectLike({ Action: 'kms:Decrypt', Condition: { StringEquals: { 'kms:EncryptionContext:integration': 'Crm' } } })] },
    });
  });

  test.each([
    [['contact..email'], /invalid `piiFields`/],
    [['contact.*.email'], /invalid `piiFields`/],
    [['contact', 'contact.email'], /overlap/],
    ['contact.email', /List JSON paths of the body/],
  ])('bad paths %j fail at synth', (paths, message) => {
    expect(() => withPii(paths)).toThrow(message);
  });
});
