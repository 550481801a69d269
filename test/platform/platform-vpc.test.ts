// IntegrationPlatformProps.vpc: every function of the platform runs in the VPC's private subnets,
// reaches AWS through the endpoints the platform adds, and no acknowledgement of running outside a
// VPC is left; without it, the acknowledgement says what each function reaches.
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { DataClassification, HttpMethod, Inbound, IntegrationPlatform, recordedAcknowledgements, Rotation, SecureIntegration, unacknowledgedFindings } from '../../lib';
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
    for (const service of ['sqs', 'events', 'lambda', 'secretsmanager', 'kms', 'cognito-idp', 'monitoring', 'xray', 'dynamodb', 's3']) {
      expect(services.some((s) => s.includes(`.${service}`) || s.includes(`${service}"`))).toBe(true);
    }
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
