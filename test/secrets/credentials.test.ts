import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import {
  CredentialProps,
  DataClassification,
  IntegrationPlatform,
  recordedAcknowledgements,
  Rotation,
  RotationWindow,
  SecureIntegration,
  TokenCharset,
  unacknowledgedFindings,
} from '../../lib';
import { integrationProps, newStack, onlyResource } from '../helpers';

function withCredentials(credentials: (s: Stack) => CredentialProps[], api = false) {
  const stack = newStack();
  new IntegrationPlatform(stack, 'Platform');
  const integration = new SecureIntegration(stack, 'Erp', {
    ...(api ? integrationProps(stack, {}, 'erp.write') : { owner: 'erp@example.com', dataClassification: DataClassification.INTERNAL }),
    credentials: credentials(stack),
  });
  return { stack, integration, template: Template.fromStack(stack) };
}

describe('credentials', () => {
  test('each credential is a secret on the platform key with its strategy in its tags', () => {
    const { template } = withCredentials(() => [{ name: 'api-key', rotation: Rotation.generatedToken({ length: 64, charset: TokenCharset.HEX }) }]);
    const key = onlyResource(template, 'AWS::KMS::Key').id;
    const secret = onlyResource(template, 'AWS::SecretsManager::Secret').resource.Properties;
    expect(secret.KmsKeyId).toEqual({ 'Fn::GetAtt': [key, 'Arn'] });
    expect(secret.Tags).toEqual(
      expect.arrayContaining([
        { Key: 'cdk-secure-integrations:rotation-strategy', Value: 'generated-token' },
        { Key: 'cdk-secure-integrations:generated-token-length', Value: '64' },
        { Key: 'cdk-secure-integrations:generated-token-charset', Value: 'hex' },
        { Key: 'cdk-secure-integrations:integration', Value: 'Erp' },
      ]),
    );
  });

  test('the schedule rotates every 30 days by default, at creation too, with the platform rotation function', () => {
    const { template } = withCredentials(() => [{ name: 'api-key', rotation: Rotation.generatedToken() }]);
    const fn = Object.keys(template.findResources('AWS::Lambda::Function')).find((id) => id.includes('Rotation'))!;
    template.hasResourceProperties('AWS::SecretsManager::RotationSchedule', {
      RotationLambdaARN: { 'Fn::GetAtt': [fn, 'Arn'] },
      RotationRules: { ScheduleExpression: 'rate(30 days)' },
      RotateImmediatelyOnUpdate: true,
    });
  });

  test.each([
    [Duration.hours(4), 'rate(4 hours)'],
    [Duration.hours(23), 'rate(23 hours)'],
    [Duration.days(90), 'rate(90 days)'],
  ])('rotateEvery %s renders %s', (period, expression) => {
    const { template } = withCredentials(() => [{ name: 'k', rotation: Rotation.generatedToken(), rotateEvery: period }]);
    template.hasResourceProperties('AWS::SecretsManager::RotationSchedule', { RotationRules: { ScheduleExpression: expression } });
  });

  test('a period over 23 hours that is not whole days is a synth error', () => {
    expect(() => withCredentials(() => [{ name: 'k', rotation: Rotation.generatedToken(), rotateEvery: Duration.hours(36) }])).toThrow(
      /invalid `credentials\[0\]\.rotateEvery` '1 day 12 hours'.*whole hours from 4 to 23, or in whole days/,
    );
  });

  test.each([[Duration.days(91)], [Duration.hours(3)], [Duration.days(365)]])('rotateEvery %s is a synth error', (period) => {
    expect(() => withCredentials(() => [{ name: 'k', rotation: Rotation.generatedToken(), rotateEvery: period }])).toThrow(
      /invalid `credentials\[0\]\.rotateEvery`.*at least every 90 days.*at most every 4 hours/,
    );
  });

  test('a rotation window renders a cron schedule with its duration', () => {
    const { template } = withCredentials(() => [{ name: 'k', rotation: Rotation.generatedToken(), rotationWindow: RotationWindow.cron('cron(0 2 ? * SUN *)', Duration.hours(3)) }]);
    template.hasResourceProperties('AWS::SecretsManager::RotationSchedule', { RotationRules: { ScheduleExpression: 'cron(0 2 ? * SUN *)', Duration: '3h' } });
  });

  test.each([
    ['cron(0 2 1 1/4 ? *)', /month field must be "\*"/],
    ['rate(7 days)', /Write cron\(minutes hours/],
  ])('rotation window %s is a synth error', (expression, message) => {
    expect(() => withCredentials(() => [{ name: 'k', rotation: Rotation.generatedToken(), rotationWindow: RotationWindow.cron(expression) }])).toThrow(message);
  });

  test('Secrets Manager may invoke the rotation function for this account only, and schedules wait for that permission and the role policy', () => {
    const { template } = withCredentials(() => [{ name: 'a', rotation: Rotation.generatedToken() }, { name: 'b', rotation: Rotation.generatedToken() }]);
    const permissions = template.findResources('AWS::Lambda::Permission', { Properties: { Principal: 'secretsmanager.amazonaws.com' } });
    expect(Object.keys(permissions)).toHaveLength(1);
    const [permissionId, permission] = Object.entries(permissions)[0];
    expect(permission.Properties.SourceAccount).toEqual({ Ref: 'AWS::AccountId' });
    const rotationPolicy = Object.entries(template.findResources('AWS::IAM::ManagedPolicy')).find(([, p]) => String(p.Properties.Description).includes('Rotation/Function'))![0];
    for (const schedule of Object.values(template.findResources('AWS::SecretsManager::RotationSchedule'))) {
      expect(schedule.DependsOn).toEqual(expect.arrayContaining([permissionId, rotationPolicy]));
    }
  });

  test('the rotation role may rotate exactly the granted secrets and use the key only through Secrets Manager', () => {
    const { template } = withCredentials(() => [{ name: 'a', rotation: Rotation.generatedToken() }]);
    const secret = onlyResource(template, 'AWS::SecretsManager::Secret').id;
    const policy = Object.values(template.findResources('AWS::IAM::ManagedPolicy')).find((p) => String(p.Properties.Description).includes('Rotation/Function'))!;
    const statements = policy.Properties.PolicyDocument.Statement;
    expect(statements).toContainEqual(
      expect.objectContaining({
        Action: [
          'secretsmanager:DescribeSecret',
          'secretsmanager:GetSecretValue',
          'secretsmanager:PutSecretValue',
          'secretsmanager:UpdateSecretVersionStage',
          'secretsmanager:ListSecretVersionIds',
          'secretsmanager:TagResource',
        ],
        Resource: { Ref: secret },
      }),
    );
    expect(statements).toContainEqual(
      expect.objectContaining({
        Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
        Condition: { StringEquals: { 'kms:ViaService': { 'Fn::Join': ['', ['secretsmanager.', { Ref: 'AWS::Region' }, '.amazonaws.com']] } } },
      }),
    );
  });

  test('the rotation function times out well above the 3 s default', () => {
    const { template } = withCredentials(() => [{ name: 'a', rotation: Rotation.generatedToken() }]);
    template.hasResourceProperties('AWS::Lambda::Function', { Handler: 'index.handler', Timeout: 60, Description: Match.stringLikeRegexp('rotation') });
  });

  test("the integration's own Cognito client secret rotates through the two-secrets API on its user pool", () => {
    const { template } = withCredentials(() => [{ name: 'client-secret', rotation: Rotation.cognitoClientSecret() }], true);
    const pool = onlyResource(template, 'AWS::Cognito::UserPool').id;
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: ['cognito-idp:AddUserPoolClientSecret', 'cognito-idp:ListUserPoolClientSecrets', 'cognito-idp:DeleteUserPoolClientSecret'],
            Resource: { 'Fn::GetAtt': [pool, 'Arn'] },
          }),
        ]),
      },
    });
    const secret = onlyResource(template, 'AWS::SecretsManager::Secret').resource.Properties;
    expect(JSON.stringify(secret.SecretString)).toContain('clientId');
  });

  test('a Cognito rotation without an app client is a synth error', () => {
    expect(() => withCredentials(() => [{ name: 'client-secret', rotation: Rotation.cognitoClientSecret() }])).toThrow(/invalid `credentials\[0\]\.rotation\.client`.*no app client of its own/);
  });

  test('a custom rotation may invoke its hook function and nothing else', () => {
    const { template } = withCredentials((s) => [
      { name: 'erp-api-key', rotation: Rotation.custom(lambda.Function.fromFunctionName(s, 'Hook', 'erp-key-rotator')) },
    ]);
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: 'lambda:InvokeFunction', Resource: Match.objectLike({ 'Fn::Join': Match.anyValue() }) })]) },
    });
    template.hasResourceProperties('AWS::SecretsManager::Secret', { Tags: Match.arrayWith([{ Key: 'cdk-secure-integrations:rotation-strategy', Value: 'custom' }]) });
  });

  test('bad credential names and duplicates are synth errors', () => {
    expect(() => withCredentials(() => [{ name: 'api key', rotation: Rotation.generatedToken() }])).toThrow(/invalid `credentials\[0\]\.name` 'api key'/);
    expect(() => withCredentials(() => [{ name: 'k', rotation: Rotation.generatedToken() }, { name: 'k', rotation: Rotation.generatedToken() }])).toThrow(
      /invalid `credentials\[1\]\.name` 'k'.*its own name/,
    );
    expect(() => withCredentials(() => [{ name: 'k', rotation: Rotation.generatedToken({ length: 8 }) }])).toThrow(/invalid `credentials\[0\]\.rotation\.length` 8/);
  });

  test("cdk-nag's rotation rules pass without an acknowledgement", () => {
    const { stack } = withCredentials(() => [{ name: 'a', rotation: Rotation.generatedToken() }]);
    expect(unacknowledgedFindings(stack)).toEqual([]);
    const onSecrets = recordedAcknowledgements(stack).filter((a) => a.path.includes('/a/Secret') || /Rotation/.test(a.id));
    expect(onSecrets).toEqual([]);
  });
});
