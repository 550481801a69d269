// No static credentials on machine paths: the library creates no IAM user or access key, and warns
// when a stack holding integrations has one.
import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { DataClassification, HttpMethod, Inbound, IntegrationPlatform, SecureIntegration } from '../../lib';
import { objectSchema, platformWithOneIntegration } from '../helpers';

test('the library creates no IAM user or access key', () => {
  const { template } = platformWithOneIntegration();
  template.resourceCountIs('AWS::IAM::User', 0);
  template.resourceCountIs('AWS::IAM::AccessKey', 0);
});

test('an IAM user with an access key beside the integrations is a warning naming each', () => {
  const stack = new Stack(new App(), 'Keys', { env: { account: '111111111111', region: 'eu-west-1' } });
  new IntegrationPlatform(stack, 'Platform');
  new SecureIntegration(stack, 'Crm', { owner: 'crm@example.com', dataClassification: DataClassification.INTERNAL, inbound: Inbound.api({ routes: [{ method: HttpMethod.POST, path: '/crm', bodySchema: objectSchema, scopes: ['crm.write'] }] }) });
  const user = new iam.User(stack, 'LegacySyncUser');
  new iam.AccessKey(stack, 'LegacySyncKey', { user });
  const annotations = Annotations.fromStack(stack);
  annotations.hasWarning('/Keys/LegacySyncUser/Resource', Match.stringLikeRegexp('An IAM user sits beside the platform\'s integrations.*Give machines roles'));
  annotations.hasWarning('/Keys/LegacySyncKey/Resource', Match.stringLikeRegexp('An IAM access key sits beside'));
});
