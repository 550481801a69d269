import { Annotations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';
import { IntegrationConfigError } from '../core/errors';

/**
 * The AWS services the library's functions call, each reached in a VPC through an interface
 * endpoint (DynamoDB and S3 through gateway endpoints), by the name `excludeVpcEndpoints` takes:
 * - `sqs`, `events`, `lambda`: the ingest delivering to targets, every function's dead-letter queue;
 * - `secretsmanager`, `kms`: webhook secrets, rotation, field encryption;
 * - `xray`: active tracing.
 * Function logs and metrics need none: Lambda ships the logs, and metrics are written to them (EMF).
 * Three things need a NAT gateway instead: Cognito (a user pool with a domain, as the platform's
 * always has, cannot be reached through PrivateLink, and neither can its token endpoint: rotating
 * app-client secrets), API Gateway's control plane (the mutual TLS truststore check at deploy),
 * and partner endpoints (token endpoints and hooks of rotated credentials, user functions).
 * @see https://docs.aws.amazon.com/vpc/latest/privatelink/aws-services-privatelink-support.html
 * @see https://docs.aws.amazon.com/cognito/latest/developerguide/vpc-interface-endpoints.html
 */
export const PLATFORM_INTERFACE_ENDPOINTS: ReadonlyArray<[string, ec2.InterfaceVpcEndpointAwsService]> = [
  ['sqs', ec2.InterfaceVpcEndpointAwsService.SQS],
  ['events', ec2.InterfaceVpcEndpointAwsService.EVENTBRIDGE],
  ['lambda', ec2.InterfaceVpcEndpointAwsService.LAMBDA],
  ['secretsmanager', ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER],
  ['kms', ec2.InterfaceVpcEndpointAwsService.KMS],
  ['xray', ec2.InterfaceVpcEndpointAwsService.XRAY],
];
/** The gateway endpoints, by the name `excludeVpcEndpoints` takes. */
export const PLATFORM_GATEWAY_ENDPOINTS: ReadonlyArray<[string, ec2.GatewayVpcEndpointAwsService]> = [
  ['dynamodb', ec2.GatewayVpcEndpointAwsService.DYNAMODB],
  ['s3', ec2.GatewayVpcEndpointAwsService.S3],
];

/** Properties of a {@link PlatformVpc}. */
export interface PlatformVpcProps {
  readonly vpc: ec2.IVpc;
  readonly subnets?: ec2.SubnetSelection;
  /** Whether to create the endpoints (false when the VPC has them, or routes to AWS through a NAT). */
  readonly endpoints: boolean;
  /** Endpoints not to create, by service name (`sqs`, `s3`...): the VPC has them already. */
  readonly exclude?: string[];
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
  /**
   * The security group of the endpoints the platform creates. Their private DNS names the services
   * for the whole VPC: admit any other workload of the VPC that calls them
   * (`endpointSecurityGroup.addIngressRule(peer, ec2.Port.tcp(443))`), or it cannot reach them.
   */
  public readonly endpointSecurityGroup?: ec2.SecurityGroup;

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
          'partner endpoints (OAuth 2.0 token endpoints, rotation hooks) or Cognito (a user pool with a domain has no PrivateLink access: the ' +
          'app-client secrets of Inbound.api integrations cannot rotate), user functions cannot call partner APIs, and a mutual TLS truststore ' +
          'check cannot read API Gateway\'s control plane. Give subnets with a NAT gateway (PRIVATE_WITH_EGRESS) if any of these apply.',
      );
    }
    if (!props.endpoints) return;
    const exclude = new Set(props.exclude ?? []);
    const known = new Set([...PLATFORM_INTERFACE_ENDPOINTS, ...PLATFORM_GATEWAY_ENDPOINTS].map(([name]) => name));
    for (const name of exclude) {
      if (!known.has(name)) throw new IntegrationConfigError(this.node.path, 'excludeVpcEndpoints', name, `Name endpoints the platform would create: ${[...known].join(', ')}.`);
    }
    this.endpointSecurityGroup = new ec2.SecurityGroup(this, 'EndpointSecurityGroup', {
      vpc: props.vpc,
      description: 'The platform\'s VPC endpoints: HTTPS from the platform\'s functions (add other workloads of the VPC that call the services)',
      allowAllOutbound: false,
    });
    this.endpointSecurityGroup.addIngressRule(this.securityGroup, ec2.Port.tcp(443), 'HTTPS from the platform\'s functions');
    // Under the platform (its stack, its ids), not under the VPC, which may be another stack's.
    for (const [name, service] of PLATFORM_INTERFACE_ENDPOINTS.filter(([n]) => !exclude.has(n))) {
      new ec2.InterfaceVpcEndpoint(this, `Endpoint-${name}`, { vpc: props.vpc, service, subnets: this.subnets, privateDnsEnabled: true, open: false, securityGroups: [this.endpointSecurityGroup] });
    }
    for (const [name, service] of PLATFORM_GATEWAY_ENDPOINTS.filter(([n]) => !exclude.has(n))) {
      new ec2.GatewayVpcEndpoint(this, `Endpoint-${name}`, { vpc: props.vpc, service, subnets: [this.subnets] });
    }
  }
}
