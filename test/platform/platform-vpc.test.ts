// IntegrationPlatformProps.vpc: every function of the platform runs in the VPC's private subnets,
// reaches AWS through the endpoints the platform adds, and no acknowledgement of running outside a
// VPC is left; without it, the acknowledgement says what each function reaches.
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DataClassification, HttpMethod, Inbound, IntegrationFunction, IntegrationPlatform, Target, recordedAcknowledgements, Rotation, SecureIntegration, unacknowledgedFindings } from '../../lib';
import { objectSchema } from '../helpers';

function build(vpcProps?: (stack: Stack) => { vpc: ec2.IVpc; vpcSubnets?: ec2.SubnetSelection; vpcEndpoints?: boolean }) {
  const stack = new Stack(new App(), 'Vpc', { env: { account: '111111111111', region: 'eu-west-1' } });
  new IntegrationPlatform(stack, 'Platform', vpcProps?.(stack) ?? {});
  new SecureIntegration(stack, 'Erp', {
    owner: 'erp-team@example.com',
    dataClassification: DataClassification.INTERNAL,
    credentials: [{ name: 'erp-api-key', rotation: Rotation.generatedToken(), rotateEvery: Duration.days(30) }],
    inbound: Inbound.api({ routes: [{ method: HttpMethod.POST, path: '/erp/orders', bodySchema: objectSchema, scopes: ['orders.write'] }] }),
  });
  return { stack, template: Template.fromStack(stack) };
}

describe('a platform given a VPC', () => {
  const { stack, template } = build((s) => ({ vpc: new ec2.Vpc(s, 'Vpc', { maxAzs: 2, natGateways: 1 }) }));

  test('every function runs in the private subnets with a security group', () => {
    // The library's functions (the VPC's own custom resource, restricting its default group, is CDK's).
    const functions = Object.entries(template.findResources('AWS::Lambda::Function')).filter(([id]) => !id.startsWith('Custom')).map(([, f]) => f);
    expect(functions.length).toBe(3); // ingest, rotation, inventory
    for (const fn of functions) {
      expect(fn.Properties.VpcConfig).toEqual({ SubnetIds: [{ Ref: expect.stringMatching(/PrivateSubnet1/) }, { Ref: expect.stringMatching(/PrivateSubnet2/) }], SecurityGroupIds: [{ 'Fn::GetAtt': [expect.stringMatching(/^PlatformNetworkFunctionSecurityGroup/), 'GroupId'] }] });
    }
  });

  test('the endpoints the functions need are created, private DNS on', () => {
    const services = Object.values(template.findResources('AWS::EC2::VPCEndpoint')).map((e) => JSON.stringify(e.Properties.ServiceName));
    for (const service of ['sqs', 'events', 'lambda', 'secretsmanager', 'kms', 'xray', 'dynamodb', 's3']) {
      expect(services.some((s) => s.includes(`.${service}`) || s.includes(`${service}"`))).toBe(true);
    }
    // Not Cognito: a user pool with a domain (the platform's has one) cannot be reached through PrivateLink. Not CloudWatch: metrics go through logs.
    expect(services.filter((s) => /cognito|monitoring/.test(s))).toEqual([]);
    template.hasResourceProperties('AWS::EC2::VPCEndpoint', { ServiceName: Match.stringLikeRegexp('secretsmanager'), PrivateDnsEnabled: true, VpcEndpointType: 'Interface' });
    // The endpoints admit HTTPS from the platform's functions' security group only.
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      IpProtocol: 'tcp', FromPort: 443, ToPort: 443,
      SourceSecurityGroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^PlatformNetworkFunctionSecurityGroup'), 'GroupId'] },
    });
  });

  test('no finding is left, and no acknowledgement of running outside a VPC is made', () => {
    // The VPC is the user's (its flow logs and routes are theirs to judge); everything of the platform is clean.
    expect(unacknowledgedFindings(stack).filter((f) => !f.path.startsWith('Vpc/Vpc/') && !f.path.startsWith('Vpc/Custom::VpcRestrictDefaultSG'))).toEqual([]);
    expect(recordedAcknowledgements(stack).filter((a) => /LambdaInsideVPC|lambda_inside_vpc/.test(a.id))).toEqual([]);
  });
});

test('isolated subnets get a warning: the rotation function cannot reach partner token endpoints or hooks', () => {
  const { stack } = build((s) => ({ vpc: new ec2.Vpc(s, 'Vpc', { maxAzs: 2, natGateways: 0, subnetConfiguration: [{ name: 'isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] }) }));
  Annotations.fromStack(stack).hasWarning('*', Match.stringLikeRegexp('isolated subnets.*cannot reach.*partner endpoints'));
});

test('vpcEndpoints: false creates none', () => {
  const { template } = build((s) => ({ vpc: new ec2.Vpc(s, 'Vpc', { maxAzs: 2, natGateways: 1 }), vpcEndpoints: false }));
  template.resourceCountIs('AWS::EC2::VPCEndpoint', 0);
});

test('without a VPC, each function\'s acknowledgement says what it reaches: the rotation function partner endpoints too', () => {
  const { stack } = build();
  const acks = recordedAcknowledgements(stack).filter((a) => a.id === 'NIST.800.53.R5::NIST.800.53.R5-LambdaInsideVPC');
  const rotation = acks.find((a) => a.path.includes('/Rotation/'))!;
  expect(rotation.reason).toMatch(/partner endpoints its credentials name/);
  const ingest = acks.find((a) => a.path.includes('/Ingest/'))!;
  expect(ingest.reason).toMatch(/calls only AWS service endpoints/);
});

test('a user\'s function outside a VPC is acknowledged without a claim about what it calls', () => {
  const stack = new Stack(new App(), 'User', { env: { account: '111111111111', region: 'eu-west-1' } });
  new IntegrationPlatform(stack, 'Platform');
  const mine = new IntegrationFunction(stack, 'Mine', { code: lambda.Code.fromInline('exports.handler = async () => ({})') });
  new SecureIntegration(stack, 'Erp', { owner: 'o@example.com', dataClassification: DataClassification.INTERNAL, inbound: Inbound.api({ routes: [{ method: HttpMethod.POST, path: '/erp', bodySchema: objectSchema, scopes: ['erp.write'], target: Target.lambda(mine.function) }] }) });
  const ack = recordedAcknowledgements(stack).find((a) => a.id === 'NIST.800.53.R5::NIST.800.53.R5-LambdaInsideVPC' && a.path.startsWith('User/Mine/'))!;
  expect(ack.reason).toMatch(/the library does not know/);
  expect(ack.reason).not.toMatch(/calls only AWS/);
});

test('a VPC of another stack (a network stack): the endpoints and their security group live in the platform\'s stack', () => {
  const app = new App();
  const network = new Stack(app, 'Network', { env: { account: '111111111111', region: 'eu-west-1' } });
  const vpc = new ec2.Vpc(network, 'Vpc', { maxAzs: 2, natGateways: 1 });
  const stack = new Stack(app, 'Integrations', { env: { account: '111111111111', region: 'eu-west-1' } });
  new IntegrationPlatform(stack, 'Platform', { vpc });
  new SecureIntegration(stack, 'Erp', { owner: 'erp@example.com', dataClassification: DataClassification.INTERNAL, inbound: Inbound.api({ routes: [{ method: HttpMethod.POST, path: '/erp', bodySchema: objectSchema, scopes: ['erp.write'] }] }) });
  app.synth();
  expect(Template.fromStack(stack).findResources('AWS::EC2::VPCEndpoint')).not.toEqual({});
  expect(Template.fromStack(network).findResources('AWS::EC2::VPCEndpoint')).toEqual({});
});

test('two platforms on one VPC: the second, told the VPC has the endpoints, creates none; excludeVpcEndpoints skips named ones', () => {
  const stack = new Stack(new App(), 'Two', { env: { account: '111111111111', region: 'eu-west-1' } });
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1, gatewayEndpoints: { S3: { service: ec2.GatewayVpcEndpointAwsService.S3 } } });
  const first = new IntegrationPlatform(stack, 'First', { vpc, excludeVpcEndpoints: ['s3'] });
  const second = new IntegrationPlatform(stack, 'Second', { vpc, vpcEndpoints: false });
  for (const [platform, name] of [[first, 'A'], [second, 'B']] as const) {
    new SecureIntegration(stack, name, { platform, owner: 'o@example.com', dataClassification: DataClassification.INTERNAL, inbound: Inbound.api({ routes: [{ method: HttpMethod.POST, path: `/${name}`, bodySchema: objectSchema, scopes: [`${name.toLowerCase()}.write`] }] }) });
  }
  const services = Object.values(Template.fromStack(stack).findResources('AWS::EC2::VPCEndpoint')).map((e) => JSON.stringify(e.Properties.ServiceName));
  // The VPC's own S3 gateway endpoint, and the first platform's six interface endpoints and DynamoDB: no service twice.
  expect(services.filter((s) => s.includes('.s3'))).toHaveLength(1);
  expect(new Set(services).size).toBe(services.length);
  expect(() => new IntegrationPlatform(stack, 'Third', { vpc, excludeVpcEndpoints: ['cognito-idp'] }).network).toThrow(/excludeVpcEndpoints.*cognito-idp.*sqs, events/s);
});

test('a user function in the platform\'s VPC gets the platform\'s security group, which the endpoints admit', () => {
  const stack = new Stack(new App(), 'Own', { env: { account: '111111111111', region: 'eu-west-1' } });
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 });
  new IntegrationPlatform(stack, 'Platform', { vpc });
  const mine = new IntegrationFunction(stack, 'Mine', { vpc, code: lambda.Code.fromInline('exports.handler = async () => ({})') });
  new SecureIntegration(stack, 'Erp', { owner: 'o@example.com', dataClassification: DataClassification.INTERNAL, inbound: Inbound.api({ routes: [{ method: HttpMethod.POST, path: '/erp', bodySchema: objectSchema, scopes: ['erp.write'], target: Target.lambda(mine.function) }] }) });
  Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', { VpcConfig: { SecurityGroupIds: [{ 'Fn::GetAtt': [Match.stringLikeRegexp('^PlatformNetworkFunctionSecurityGroup'), 'GroupId'] }], SubnetIds: Match.anyValue() } });
});
