import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { IntegrationFunction, IntegrationPlatform, recordedAcknowledgements, SecureIntegration } from '../../lib';
import { integrationProps, newStack } from '../helpers';

const code = lambda.Code.fromInline('exports.handler = async () => ({})');

function withFunction(props: Partial<ConstructorParameters<typeof IntegrationFunction>[2]> = {}) {
  const stack = newStack();
  const platform = new IntegrationPlatform(stack, 'Platform');
  const fn = new IntegrationFunction(stack, 'Fn', { code, ...props });
  new SecureIntegration(stack, 'Things', integrationProps(stack));
  return { stack, platform, fn, template: Template.fromStack(stack) };
}

describe('IntegrationFunction', () => {
  test('runs nodejs24.x with JSON logs, active tracing, reserved concurrency and non-default memory and timeout', () => {
    const { template } = withFunction();
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      MemorySize: 256,
      Timeout: 10,
      ReservedConcurrentExecutions: 10,
      TracingConfig: { Mode: 'Active' },
      LoggingConfig: Match.objectLike({ LogFormat: 'JSON' }),
    });
  });

  test('logs to its own KMS-encrypted log group with finite retention', () => {
    const { template, stack, fn } = withFunction();
    const logGroup = stack.getLogicalId(fn.logGroup.node.defaultChild as never);
    const key = Object.keys(template.findResources('AWS::KMS::Key'))[0];
    const fnResource = template.findResources('AWS::Lambda::Function')[stack.getLogicalId(fn.function.node.defaultChild as never)];
    expect(fnResource.Properties.LoggingConfig.LogGroup).toEqual({ Ref: logGroup });
    expect(template.findResources('AWS::Logs::LogGroup')[logGroup].Properties).toEqual(
      expect.objectContaining({ KmsKeyId: { 'Fn::GetAtt': [key, 'Arn'] }, RetentionInDays: 365 }),
    );
  });

  test('its role holds every permission in customer-managed policies, none inline', () => {
    const { template } = withFunction();
    template.resourceCountIs('AWS::IAM::Policy', 0);
    const role = Object.values(template.findResources('AWS::IAM::Role')).find((r) => JSON.stringify(r).includes('lambda.amazonaws.com'))!;
    expect(role.Properties.Policies).toBeUndefined();
    expect(role.Properties.ManagedPolicyArns).toHaveLength(2);
    // Every attached policy is one of the stack's own (a Ref), never an AWS managed policy ARN.
    for (const arn of role.Properties.ManagedPolicyArns) expect(Object.keys(arn)).toEqual(['Ref']);
  });

  test('failed asynchronous invocations go to the platform dead-letter queue, encrypted with the platform key', () => {
    const { template, platform, stack } = withFunction();
    const dlq = stack.getLogicalId(platform.functionDeadLetterQueue.node.defaultChild as never);
    template.hasResourceProperties('AWS::Lambda::Function', { DeadLetterConfig: { TargetArn: { 'Fn::GetAtt': [dlq, 'Arn'] } } });
    template.hasResourceProperties('AWS::SQS::Queue', { KmsMasterKeyId: Match.anyValue(), MessageRetentionPeriod: 1209600 });
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Action: 'sqs:SendMessage', Resource: { 'Fn::GetAtt': [dlq, 'Arn'] } }),
          Match.objectLike({ Action: ['kms:GenerateDataKey', 'kms:Decrypt'] }),
        ]),
      },
    });
  });

  test('X-Ray permissions come from one shared policy per stack', () => {
    const stack = newStack();
    new IntegrationPlatform(stack, 'Platform');
    new IntegrationFunction(stack, 'A', { code });
    new IntegrationFunction(stack, 'B', { code });
    new SecureIntegration(stack, 'Things', integrationProps(stack));
    const template = Template.fromStack(stack);
    const xray = Object.entries(template.findResources('AWS::IAM::ManagedPolicy')).filter(([, p]) => JSON.stringify(p).includes('xray:PutTraceSegments'));
    expect(xray).toHaveLength(1);
  });

  test('without a VPC, the LambdaInsideVPC findings are acknowledged on the function alone', () => {
    const { stack } = withFunction();
    const acks = recordedAcknowledgements(stack).filter((a) => a.id.endsWith('LambdaInsideVPC') && a.path.startsWith('TestStack/Fn/'));
    expect(acks).toHaveLength(3);
    expect(new Set(acks.map((a) => a.path))).toEqual(new Set(['TestStack/Fn/Resource/Resource']));
  });

  test('in a VPC, no LambdaInsideVPC acknowledgement and the network-interface policy is attached', () => {
    const stack = newStack();
    new IntegrationPlatform(stack, 'Platform');
    const vpc = new ec2.Vpc(stack, 'Vpc', { natGateways: 0, subnetConfiguration: [{ name: 'isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
    new IntegrationFunction(stack, 'Fn', { code, vpc });
    new SecureIntegration(stack, 'Things', integrationProps(stack));
    expect(recordedAcknowledgements(stack).filter((a) => a.id.endsWith('LambdaInsideVPC') && a.path.startsWith('TestStack/Fn/'))).toEqual([]);
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: { Statement: [Match.objectLike({ Action: Match.arrayWith(['ec2:CreateNetworkInterface']) })] },
    });
  });

  test('memory outside Lambda limits is a synth error', () => {
    expect(() => withFunction({ memorySizeMiB: 64 })).toThrow(/invalid `memorySizeMiB` 64.*128 to 10240/);
  });
});
