import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import {
  CredentialProps,
  DataClassification,
  HttpMethod,
  Inbound,
  IntegrationPlatform,
  recordedAcknowledgements,
  Rotation,
  RotationWindow,
  SecureIntegration,
  SignatureScheme,
  TokenCharset,
  unacknowledgedFindings,
} from '../../lib';
import { integrationProps, newStack, objectSchema, onlyResource } from '../helpers';
import { synthesizePlatform } from '../support/config-layers';

function build(credentials: (s: Stack) => CredentialProps[], api = false) {
  const stack = newStack();
  const platform = new IntegrationPlatform(stack, 'Platform');
  const integration = new SecureIntegration(stack, 'Erp', {
    ...(api ? integrationProps(stack, {}, 'erp.write') : { owner: 'erp@example.com', dataClassification: DataClassification.INTERNAL }),
    credentials: credentials(stack),
  });
  return { stack, platform, integration };
}

function withCredentials(credentials: (s: Stack) => CredentialProps[], api = false) {
  const built = build(credentials, api);
  return { ...built, template: Template.fromStack(built.stack) };
}

/** The rotation function's customer-managed policy (its role's statements). */
function rotationPolicyStatements(template: Template): Array<{ Action: string | string[]; Resource: unknown }> {
  const policy = Object.values(template.findResources('AWS::IAM::ManagedPolicy')).find((p) => String(p.Properties.Description).includes('Rotation/Function'))!;
  return policy.Properties.PolicyDocument.Statement;
}

describe('credentials', () => {
  test('each credential is a secret on the platform key, named integrations/<platform>/<integration>/<credential>, whose tags are labels only', () => {
    // GIVEN / WHEN
    const { template, platform } = withCredentials(() => [{ name: 'api-key', rotation: Rotation.generatedToken({ length: 64, charset: TokenCharset.HEX }) }]);
    // THEN
    const key = onlyResource(template, 'AWS::KMS::Key').id;
    const secret = onlyResource(template, 'AWS::SecretsManager::Secret').resource.Properties;
    expect(secret.KmsKeyId).toEqual({ 'Fn::GetAtt': [key, 'Arn'] });
    expect(platform.secretNamePrefix).toMatch(/^integrations\/TestStack-Platform-[0-9A-F]{8}$/);
    expect(secret.Name).toBe(`${platform.secretNamePrefix}/Erp/api-key`);
    expect(secret.Tags).toEqual([
      { Key: 'cdk-secure-integrations:credential', Value: 'api-key' },
      { Key: 'cdk-secure-integrations:integration', Value: 'Erp' },
    ]);
  });

  test("the strategy is in the rotation function's bindings, not in the secret's tags", () => {
    // GIVEN
    const { stack, platform } = build(() => [{ name: 'api-key', rotation: Rotation.generatedToken({ length: 64, charset: TokenCharset.HEX }) }]);
    // WHEN
    const synthesized = synthesizePlatform(stack);
    // THEN the config layer of the rotation function binds the secret, by name, to its strategy
    const bindings = synthesized.rotationConfig();
    expect(bindings.version).toBe(2);
    expect(bindings.credentials[`${platform.secretNamePrefix}/Erp/api-key`]).toEqual(
      expect.objectContaining({ integration: 'Erp', credential: 'api-key', rotation: { strategy: 'generated-token', length: 64, charset: 'hex' } }),
    );
    const rotationFunction = onlyResource(synthesized.template, 'AWS::SecretsManager::RotationSchedule').resource.Properties.RotationLambdaARN as { 'Fn::GetAtt': string[] };
    expect(synthesized.functionWithLayer('rotation')).toBe(rotationFunction['Fn::GetAtt'][0]);
    // AND no tag of the secret says how it rotates
    const tags = onlyResource(synthesized.template, 'AWS::SecretsManager::Secret').resource.Properties.Tags as Array<{ Key: string }>;
    expect(tags.map((t) => t.Key).filter((k) => /rotation|strategy|token|endpoint|hook|client/.test(k))).toEqual([]);
  });

  test('the schedule rotates every 30 days by default, at creation too, with the platform rotation function', () => {
    const { template } = withCredentials(() => [{ name: 'api-key', rotation: Rotation.generatedToken() }]);
    const fn = Object.keys(template.findResources('AWS::Lambda::Function')).find((id) => id.includes('Rotation'))!;
    template.hasResourceProperties('AWS::SecretsManager::RotationSchedule', {
      RotationLambdaARN: { 'Fn::GetAtt': [fn, 'Arn'] },
      RotationRules: { ScheduleExpression: 'rate(30 days)', Duration: '4h' },
      RotateImmediatelyOnUpdate: true,
    });
  });

  test.each([
    [Duration.hours(4), { ScheduleExpression: 'rate(4 hours)' }],
    [Duration.hours(12), { ScheduleExpression: 'rate(12 hours)' }],
    // In days, a 4-hour window from midnight UTC: Secrets Manager's default window is the whole day, so two rotations could come minutes apart.
    [Duration.days(1), { ScheduleExpression: 'rate(1 day)', Duration: '4h' }],
    [Duration.days(90), { ScheduleExpression: 'rate(90 days)', Duration: '4h' }],
  ])('rotateEvery %s renders %j', (period, rules) => {
    const { template } = withCredentials(() => [{ name: 'k', rotation: Rotation.generatedToken(), rotateEvery: period }]);
    template.hasResourceProperties('AWS::SecretsManager::RotationSchedule', { RotationRules: rules });
  });

  test.each([
    [Duration.hours(36), '1 day 12 hours'],
    // Secrets Manager's windows for rate(N hours) start again at midnight: 23 hours would rotate twice around it.
    [Duration.hours(23), '23 hours'],
    [Duration.hours(5), '5 hours'],
  ])('a period of %s, neither hours that divide a day nor whole days, is a synth error', (period, shown) => {
    expect(() => withCredentials(() => [{ name: 'k', rotation: Rotation.generatedToken(), rotateEvery: period }])).toThrow(
      new RegExp(`invalid \`credentials\\[0\\]\\.rotateEvery\` '${shown}'.*hours that divide a day \\(4, 6, 8 or 12`),
    );
  });

  test.each([
    ['runs past midnight', 'cron(0 23 ? * SUN *)', Duration.hours(2), /must end by midnight UTC/],
    ['runs into the next window', 'cron(0 0/6 * * ? *)', Duration.hours(8), /Windows start 6 hours apart.*must not run into the next one/],
  ])('a cron window that %s is a synth error (Secrets Manager refuses it at deploy)', (_what, expression, window, message) => {
    expect(() => withCredentials(() => [{ name: 'k', rotation: Rotation.generatedToken(), rotationWindow: RotationWindow.cron(expression, window) }])).toThrow(message);
  });

  test('a monthly window on a day some months lack may leave 62 days between rotations; on a day every month has, 31', () => {
    const on = (expression: string) => withCredentials(() => [{ name: 'k', rotation: Rotation.generatedToken(), rotationWindow: RotationWindow.cron(expression) }]).integration.credentials.k.maxIntervalHours / 24;
    expect(on('cron(0 2 31 * ? *)')).toBe(62);
    expect(on('cron(0 2 28 * ? *)')).toBe(31);
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

  test("Secrets Manager may invoke the rotation function only for this account's secrets under the platform's prefix, and schedules wait for that permission and the role policy", () => {
    // GIVEN
    const { template, platform } = withCredentials(() => [{ name: 'a', rotation: Rotation.generatedToken() }, { name: 'b', rotation: Rotation.generatedToken() }]);
    // THEN one permission, scoped by SourceAccount and SourceArn
    const permissions = template.findResources('AWS::Lambda::Permission', { Properties: { Principal: 'secretsmanager.amazonaws.com' } });
    expect(Object.keys(permissions)).toHaveLength(1);
    const [permissionId, permission] = Object.entries(permissions)[0];
    expect(permission.Properties.SourceAccount).toEqual({ Ref: 'AWS::AccountId' });
    expect(permission.Properties.SourceArn).toEqual({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:secretsmanager:eu-west-1:111111111111:secret:${platform.secretNamePrefix}/*`]],
    });
    // AND every credential's secret is under that prefix, so the permission covers its rotation
    for (const secret of Object.values(template.findResources('AWS::SecretsManager::Secret'))) {
      expect(secret.Properties.Name).toMatch(new RegExp(`^${platform.secretNamePrefix}/`));
    }
    const rotationPolicy = Object.entries(template.findResources('AWS::IAM::ManagedPolicy')).find(([, p]) => String(p.Properties.Description).includes('Rotation/Function'))![0];
    for (const schedule of Object.values(template.findResources('AWS::SecretsManager::RotationSchedule'))) {
      expect(schedule.DependsOn).toEqual(expect.arrayContaining([permissionId, rotationPolicy]));
    }
  });

  test("the rotation role may act on the platform's secrets by name prefix (one statement, whatever the number of credentials), and use the key only through Secrets Manager", () => {
    // GIVEN a platform with twenty credentials
    const { template, platform } = withCredentials(() => Array.from({ length: 20 }, (_, i) => ({ name: `key-${i}`, rotation: Rotation.generatedToken() })));
    // THEN one statement covers them all: IAM's 6,144-character limit on a managed policy holds at any number
    const policy = Object.values(template.findResources('AWS::IAM::ManagedPolicy')).find((p) => String(p.Properties.Description).includes("rotate the platform's credentials"))!;
    const statements = policy.Properties.PolicyDocument.Statement as Array<{ Action: string[]; Resource: unknown }>;
    expect(statements).toEqual([
      expect.objectContaining({
        Action: [
          'secretsmanager:DescribeSecret',
          'secretsmanager:GetSecretValue',
          'secretsmanager:PutSecretValue',
          'secretsmanager:UpdateSecretVersionStage',
          'secretsmanager:ListSecretVersionIds',
          'secretsmanager:TagResource',
        ],
        Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:secretsmanager:eu-west-1:111111111111:secret:${platform.secretNamePrefix}/*`]] },
      }),
      expect.objectContaining({ Action: ['secretsmanager:DescribeSecret', 'secretsmanager:ListSecretVersionIds'], Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':secretsmanager:eu-west-1:111111111111:secret:integrations/*']] } }),
    ]);
    expect(JSON.stringify(policy.Properties.PolicyDocument).length).toBeLessThan(1000);
    expect(rotationPolicyStatements(template)).toContainEqual(
      expect.objectContaining({
        Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
        Condition: { StringEquals: { 'kms:ViaService': { 'Fn::Join': ['', ['secretsmanager.', { Ref: 'AWS::Region' }, '.amazonaws.com']] } } },
      }),
    );
  });

  test('the function knows each secret\'s deployed ARN suffix, in one environment variable', () => {
    const { template } = withCredentials(() => [{ name: 'a', rotation: Rotation.generatedToken() }, { name: 'b', rotation: Rotation.generatedToken() }]);
    const names = Object.entries(template.findResources('AWS::SecretsManager::Secret')).map(([id, r]) => [id, r.Properties.Name as string]);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('rotation'),
      Environment: { Variables: Match.objectLike({ ROTATION_SECRET_SUFFIXES: { 'Fn::Join': [',', names.map(([id, name]) => ({ 'Fn::Select': [1, { 'Fn::Split': [`:secret:${name}-`, { Ref: id }] }] }))] } }) },
    });
  });

  test('a platform with more credentials than its rotation function can know is a synth error', () => {
    expect(() => withCredentials(() => Array.from({ length: 401 }, (_, i) => ({ name: `key-${i}`, rotation: Rotation.generatedToken() })))).toThrow(/holds 401 credentials; its rotation function can know 400/);
  });

  test('the rotation function has 5 minutes: time for a partner call in a step, and for the hourly sweep over every credential', () => {
    const { template } = withCredentials(() => [{ name: 'a', rotation: Rotation.generatedToken() }]);
    template.hasResourceProperties('AWS::Lambda::Function', { Handler: 'index.handler', Timeout: 300, Description: Match.stringLikeRegexp('rotation') });
  });

  test("the integration's own Cognito client secret (oauth2-client-secret) rotates through the two-secrets API on its user pool", () => {
    // GIVEN an Inbound.api integration, no credentials declared
    const { template, integration } = withCredentials(() => [], true);
    // THEN
    expect(Object.keys(integration.credentials)).toEqual(['oauth2-client-secret']);
    const pool = onlyResource(template, 'AWS::Cognito::UserPool').id;
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: ['cognito-idp:AddUserPoolClientSecret', 'cognito-idp:ListUserPoolClientSecrets', 'cognito-idp:DeleteUserPoolClientSecret', 'cognito-idp:DescribeUserPoolClient'],
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

  test('a custom rotation may invoke its hook function and nothing else, and its binding names the hook through an environment reference', () => {
    // GIVEN
    const { stack, platform } = build((s) => [{ name: 'erp-api-key', rotation: Rotation.custom(lambda.Function.fromFunctionName(s, 'Hook', 'erp-key-rotator')) }]);
    // WHEN
    const synthesized = synthesizePlatform(stack);
    // THEN the role may invoke the hook
    const hookArn = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':lambda:eu-west-1:111111111111:function:erp-key-rotator']] };
    expect(rotationPolicyStatements(synthesized.template)).toContainEqual(expect.objectContaining({ Action: 'lambda:InvokeFunction', Resource: hookArn }));
    // AND the binding's hook resolves, through the function's environment, to that ARN
    const binding = synthesized.rotationConfig().credentials[`${platform.secretNamePrefix}/Erp/erp-api-key`];
    expect(binding.rotation).toEqual({ strategy: 'custom', hookFunction: { env: expect.stringMatching(/^ROTATION_REF_\d+$/) } });
    const hook = (binding.rotation as { hookFunction: { env: string } }).hookFunction;
    expect(synthesized.resolve(synthesized.functionWithLayer('rotation'), hook)).toEqual(hookArn);
  });

  test('bad credential names and duplicates are synth errors', () => {
    expect(() => withCredentials(() => [{ name: 'api key', rotation: Rotation.generatedToken() }])).toThrow(/invalid `credentials\[0\]\.name` 'api key'/);
    expect(() => withCredentials(() => [{ name: 'k', rotation: Rotation.generatedToken() }, { name: 'k', rotation: Rotation.generatedToken() }])).toThrow(
      /invalid `credentials\[1\]\.name` 'k'.*its own name/,
    );
    expect(() => withCredentials(() => [{ name: 'k', rotation: Rotation.generatedToken({ length: 8 }) }])).toThrow(/invalid `credentials\[0\]\.rotation\.length` 8/);
  });

  test("cdk-nag's rotation rules pass without an acknowledgement", () => {
    const { stack } = build(() => [{ name: 'a', rotation: Rotation.generatedToken() }]);
    expect(unacknowledgedFindings(stack)).toEqual([]);
    const onSecrets = recordedAcknowledgements(stack).filter((a) => a.path.includes('/a/Secret') || /Rotation/.test(a.id));
    expect(onSecrets).toEqual([]);
  });

  test('cdk-nag finds nothing unacknowledged in the credentials of an Inbound.api integration and a signed webhook', () => {
    // GIVEN an API integration (its managed client secret) and a webhook (its signing secret), with the library's own targets only
    const stack = newStack();
    new IntegrationPlatform(stack, 'Platform');
    new SecureIntegration(stack, 'Crm', {
      owner: 'crm@example.com',
      dataClassification: DataClassification.CONFIDENTIAL,
      piiFields: ['email'],
      inbound: Inbound.api({ routes: [{ method: HttpMethod.POST, path: '/contacts', bodySchema: objectSchema, scopes: ['contacts.write'] }] }),
    });
    new SecureIntegration(stack, 'Payments', {
      owner: 'payments@example.com',
      dataClassification: DataClassification.RESTRICTED,
      piiFields: [],
      inbound: Inbound.webhook({ path: '/webhooks/stripe', bodySchema: objectSchema, signature: SignatureScheme.stripe() }),
    });
    // WHEN / THEN
    expect(unacknowledgedFindings(stack)).toEqual([]);
  });
});
