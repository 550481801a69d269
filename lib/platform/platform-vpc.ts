import { Annotations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';

/**
 * The AWS services the library's functions call, each reached in a VPC through an interface
 * endpoint (DynamoDB and S3 through gateway endpoints):
 * - SQS, EventBridge, Lambda: the ingest delivering to targets, every function's dead-letter queue;
 * - Secrets Manager, KMS: webhook secrets, rotation, field encryption;
 * - Cognito user pools: rotating app-client secrets;
 * - CloudWatch: the rotation sweep's metrics; X-Ray: active tracing.
 * Function logs need none: Lambda ships them. API Gateway's control plane, which the mutual TLS
 * truststore check reads at deploy, has no VPC endpoint: that check needs a NAT gateway.
 * @see https://docs.aws.amazon.com/vpc/latest/privatelink/aws-services-privatelink-support.html
 */
export const PLATFORM_INTERFACE_ENDPOINTS: ReadonlyArray<[string, ec2.InterfaceVpcEndpointAwsService]> = [
  ['Sqs', ec2.InterfaceVpcEndpointAwsService.SQS],
  ['Events', ec2.InterfaceVpcEndpointAwsService.EVENTBRIDGE],
  ['Lambda', ec2.InterfaceVpcEndpointAwsService.LAMBDA],
  ['SecretsManager', ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER],
  ['Kms', ec2.InterfaceVpcEndpointAwsService.KMS],
  ['CognitoIdp', ec2.InterfaceVpcEndpointAwsService.COGNITO_IDP],
  ['Monitoring', ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_MONITORING],
  ['XRay', ec2.InterfaceVpcEndpointAwsService.XRAY],
];

/** Properties of a {@link PlatformVpc}. */
export interface PlatformVpcProps {
  readonly vpc: ec2.IVpc;
  readonly subnets?: ec2.SubnetSelection;
  /** Whether to create the endpoints (false when the VPC has them, or routes to AWS through a NAT). */
  readonly endpoints: boolean;
}

/**
 * Where the platform's functions run when it is given a VPC: the selected private subnets, and
 * the VPC endpoints that let them reach AWS without the internet. The rotation function also calls
 * partner endpoints (OAuth 2.0 token endpoints, rotation hooks): that needs a NAT gateway, which a
 * warning says when the subnets are isolated.
 */
export class PlatformVpc extends Construct {
  public readonly vpc: ec2.IVpc;
  public readonly subnets: ec2.SubnetSelection;
  /** The security group of every function of the platform: the endpoints admit it alone, on 443. */
  public readonly securityGroup: ec2.SecurityGroup;

  constructor(scope: Construct, id: string, props: PlatformVpcProps) {
    super(scope, id);
    this.vpc = props.vpc;
    this.securityGroup = new ec2.SecurityGroup(this, 'FunctionSecurityGroup', {
      vpc: props.vpc,
      description: 'The platform\'s functions: no inbound; outbound to the VPC endpoints and, through a NAT gateway, partner endpoints',
      allowAllOutbound: true,
    });
    this.subnets = props.subnets ?? { subnetType: props.vpc.privateSubnets.length > 0 ? ec2.SubnetType.PRIVATE_WITH_EGRESS : ec2.SubnetType.PRIVATE_ISOLATED };
    const selected = props.vpc.selectSubnets(this.subnets).subnets;
    if (selected.length > 0 && selected.every((s) => props.vpc.isolatedSubnets.includes(s))) {
      Annotations.of(this).addWarningV2(
        'cdk-secure-integrations:isolatedSubnets',
        'The platform\'s functions run in isolated subnets: they reach AWS through VPC endpoints, but the rotation function cannot reach ' +
          'partner endpoints (OAuth 2.0 token endpoints, rotation hooks), user functions cannot call partner APIs, and a mutual TLS ' +
          'truststore check cannot read API Gateway\'s control plane (it has no VPC endpoint). Give subnets with a NAT gateway (PRIVATE_WITH_EGRESS) if any of these apply.',
      );
    }
    if (!props.endpoints) return;
    const endpointSecurityGroup = new ec2.SecurityGroup(this, 'EndpointSecurityGroup', {
      vpc: props.vpc,
      description: 'The platform\'s VPC endpoints: HTTPS from the platform\'s functions only',
      allowAllOutbound: false,
    });
    endpointSecurityGroup.addIngressRule(this.securityGroup, ec2.Port.tcp(443), 'HTTPS from the platform\'s functions');
    for (const [name, service] of PLATFORM_INTERFACE_ENDPOINTS) {
      // Private DNS on: the SDK's default endpoints resolve to them. Only the functions' group may connect.
      props.vpc.addInterfaceEndpoint(`${id}${name}`, { service, subnets: this.subnets, privateDnsEnabled: true, open: false, securityGroups: [endpointSecurityGroup] });
    }
    props.vpc.addGatewayEndpoint(`${id}DynamoDb`, { service: ec2.GatewayVpcEndpointAwsService.DYNAMODB, subnets: [this.subnets] });
    props.vpc.addGatewayEndpoint(`${id}S3`, { service: ec2.GatewayVpcEndpointAwsService.S3, subnets: [this.subnets] });
  }
}
