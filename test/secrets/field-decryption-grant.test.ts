import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IntegrationPlatform, SecureIntegration } from '../../lib';
import { FIELD_ENCRYPTION_KEY_ID_ENV } from '../../lib/secrets/field-decryption-grant';
import { KEY_ID_ENV } from '../../lambda/shared/field-encryption';
import { integrationProps, newStack, onlyResource, testFunction } from '../helpers';

/** grantDecrypt gives a Lambda consumer what decryptFields needs to pin the platform key with no code change. */
describe('grantDecrypt pins the platform key for a Lambda consumer', () => {
  function setUp() {
    const stack = newStack();
    new IntegrationPlatform(stack, 'Platform');
    const crm = new SecureIntegration(stack, 'Crm', { ...integrationProps(stack, {}, 'contacts.write'), piiFields: ['contact.email'] });
    const consumer = testFunction(stack, 'Consumer');
    return { stack, crm, consumer };
  }
  const consumerOf = (template: Template) => {
    const functions = template.findResources('AWS::Lambda::Function');
    const id = Object.keys(functions).find((k) => k.startsWith('Consumer'))!;
    return functions[id] as { Properties: { Environment?: { Variables?: Record<string, unknown> } } };
  };

  test('the function gets FIELD_ENCRYPTION_KEY_ID = the platform key ARN, beside kms:Decrypt scoped to the integration', () => {
    // GIVEN a platform, an integration and a consumer function
    const { stack, crm, consumer } = setUp();
    // WHEN the integration grants it decryption
    crm.grantDecrypt(consumer);
    // THEN the function knows the key to pin, and may decrypt this integration's data keys only
    const template = Template.fromStack(stack);
    const key = onlyResource(template, 'AWS::KMS::Key').id;
    expect(consumerOf(template).Properties.Environment?.Variables).toStrictEqual({ FIELD_ENCRYPTION_KEY_ID: { 'Fn::GetAtt': [key, 'Arn'] } });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Action: 'kms:Decrypt', Resource: { 'Fn::GetAtt': [key, 'Arn'] }, Condition: { StringEquals: { 'kms:EncryptionContext:integration': 'Crm' } } }),
        ]),
      },
    });
  });

  test('a function granted by two integrations of one platform gets the one key', () => {
    const { stack, crm, consumer } = setUp();
    const erp = new SecureIntegration(stack, 'Erp', { ...integrationProps(stack, {}, 'orders.write'), piiFields: ['buyer.email'] });
    crm.grantDecrypt(consumer);
    erp.grantDecrypt(consumer);
    const template = Template.fromStack(stack);
    const key = onlyResource(template, 'AWS::KMS::Key').id;
    expect(consumerOf(template).Properties.Environment?.Variables).toStrictEqual({ FIELD_ENCRYPTION_KEY_ID: { 'Fn::GetAtt': [key, 'Arn'] } });
  });

  test('a function that already names another key is a synth error', () => {
    const { crm, consumer } = setUp();
    consumer.addEnvironment('FIELD_ENCRYPTION_KEY_ID', 'arn:aws:kms:eu-west-1:111111111111:key/other');
    expect(() => crm.grantDecrypt(consumer)).toThrow(/already has FIELD_ENCRYPTION_KEY_ID="arn:aws:kms:eu-west-1:111111111111:key\/other".*Remove the other value/);
  });

  test('another key set after the grant fails synth', () => {
    const { stack, crm, consumer } = setUp();
    crm.grantDecrypt(consumer);
    consumer.addEnvironment('FIELD_ENCRYPTION_KEY_ID', 'alias/other');
    expect(() => Template.fromStack(stack)).toThrow(/was later given FIELD_ENCRYPTION_KEY_ID="alias\/other"/);
  });

  test('a role grantee gets the policy only; no function is changed', () => {
    const { stack, crm, consumer } = setUp();
    crm.grantDecrypt(new iam.Role(stack, 'Reader', { assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com') }));
    expect(consumerOf(Template.fromStack(stack)).Properties.Environment).toBeUndefined();
    expect(consumer).toBeDefined();
  });

  test('the variable is the one the runtime reads', () => {
    expect(FIELD_ENCRYPTION_KEY_ID_ENV).toBe(KEY_ID_ENV);
  });
});
