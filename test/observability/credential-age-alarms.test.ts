import { Duration } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import { DataClassification, HttpMethod, Inbound, IntegrationFunction, IntegrationPlatform, Outbound, Rotation, SecureIntegration, SignatureScheme } from '../../lib';
import { newStack, objectSchema } from '../helpers';

// Each integration that holds a credential (declared, its Inbound.api client secret, or a webhook's
// signing secret) gets two alarms on the credential sweep's counts: a ticket when a credential is
// past its policy age, a page when one has outlived its classification's limit.

const stack = newStack();
new IntegrationPlatform(stack, 'Platform', { pageTopic: new sns.Topic(stack, 'Page'), ticketTopic: new sns.Topic(stack, 'Ticket') });
const integrations = {
  Erp: new SecureIntegration(stack, 'Erp', { owner: 'erp@example.com', dataClassification: DataClassification.INTERNAL, credentials: [{ name: 'api-key', rotation: Rotation.generatedToken() }] }),
  Crm: new SecureIntegration(stack, 'Crm', {
    owner: 'crm@example.com',
    dataClassification: DataClassification.INTERNAL,
    inbound: Inbound.api({ routes: [{ method: HttpMethod.POST, path: '/contacts', bodySchema: objectSchema, scopes: ['contacts.write'] }] }),
  }),
  Hooks: new SecureIntegration(stack, 'Hooks', {
    owner: 'hooks@example.com',
    dataClassification: DataClassification.INTERNAL,
    inbound: Inbound.webhook({ path: '/hooks', bodySchema: objectSchema, signature: SignatureScheme.githubHmacSha256() }),
  }),
  Hr: new SecureIntegration(stack, 'Hr', {
    owner: 'hr@example.com',
    dataClassification: DataClassification.INTERNAL,
    outbound: Outbound.schedule({ handler: new IntegrationFunction(stack, 'Sync', { code: lambda.Code.fromInline('exports.handler=async()=>({})') }).function, every: Duration.days(1) }),
  }),
};
const template = Template.fromStack(stack);
const topic = (id: string) => ({ Ref: Object.keys(template.findResources('AWS::SNS::Topic')).find((t) => t.startsWith(id))! });

describe('credential age alarms', () => {
  test.each([
    ['Erp', 'a declared credential'],
    ['Crm', 'its Inbound.api client secret'],
    ['Hooks', "its webhook's signing secret"],
  ])('%s, holding %s, gets a ticket on credentials_due and a page on credentials_overdue', (name) => {
    const onSweep = { Namespace: 'CdkSecureIntegrations', Dimensions: [{ Name: 'Integration', Value: name }], Period: 3600, Statistic: 'Maximum', Threshold: 1 };
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      ...onSweep,
      AlarmName: `TestStack-integrations-${name}-credential-age-ticket`,
      MetricName: 'credentials_due',
      AlarmActions: [topic('Ticket')],
      TreatMissingData: 'notBreaching',
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      ...onSweep,
      AlarmName: `TestStack-integrations-${name}-credential-age-page`,
      MetricName: 'credentials_overdue',
      AlarmActions: [topic('Page')],
      TreatMissingData: 'notBreaching',
    });
  });

  test.each([['Erp'], ['Crm'], ['Hooks']])("%s's inventory record lists them with severities credential-age-ticket and credential-age-page", (name) => {
    expect(integrations[name as keyof typeof integrations].inventorySource().alarms).toEqual(
      expect.arrayContaining([
        { name: `TestStack-integrations-${name}-credential-age-ticket`, severity: 'credential-age-ticket' },
        { name: `TestStack-integrations-${name}-credential-age-page`, severity: 'credential-age-page' },
      ]),
    );
  });

  test('an integration without credentials or signing secret has none', () => {
    expect(integrations.Hr.credentialAgeAlarms).toBeUndefined();
    template.resourcePropertiesCountIs('AWS::CloudWatch::Alarm', { AlarmName: 'TestStack-integrations-Hr-credential-age-ticket' }, 0);
    expect(integrations.Hr.inventorySource().alarms.map((a) => a.severity)).not.toEqual(expect.arrayContaining(['credential-age-ticket']));
  });
});
