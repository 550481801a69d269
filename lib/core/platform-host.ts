// What the library's functions take from the platform they serve, and how a function without an
// explicit platform finds its stack's: a narrow interface, so that the function, ingest, rotation
// and inventory modules do not import the platform (which imports them).
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { IConstruct } from 'constructs';

/** What a function of the platform needs: the key of its logs and its dead-letter queue. */
export interface FunctionHost {
  /** The customer-managed key of logs, queues and secrets. */
  readonly encryptionKey: kms.IKey;
  /** The encrypted dead-letter queue for failed asynchronous invocations. */
  readonly functionDeadLetterQueue: sqs.IQueue;
  /** The VPC and subnets the platform's functions run in, when it was given one. */
  readonly network?: FunctionNetwork;
}

/** Where the platform's functions run, when it was given a VPC. */
export interface FunctionNetwork {
  /** The VPC. */
  readonly vpc: ec2.IVpc;
  /** Its subnets the functions run in. */
  readonly subnets: ec2.SubnetSelection;
  /** The security group of the functions. */
  readonly securityGroup: ec2.ISecurityGroup;
}

/** What the inventory register takes from its platform. */
export interface InventoryHost extends FunctionHost {
  /** How the names of the platform's secrets begin: the register's function reads their metadata. */
  readonly secretNamePrefix: string;
}

let locator: ((scope: IConstruct) => FunctionHost) | undefined;

/** Set once by the platform module: how {@link locateFunctionHost} finds a scope's platform. */
export function setFunctionHostLocator(find: (scope: IConstruct) => FunctionHost): void {
  locator = find;
}

/** The platform of the stack (or the parent stack of the nested stack) that holds `scope`. */
export function locateFunctionHost(scope: IConstruct): FunctionHost {
  if (!locator) throw new Error('cdk-secure-integrations: import IntegrationPlatform (or the package root) before creating an IntegrationFunction without a platform');
  return locator(scope);
}
