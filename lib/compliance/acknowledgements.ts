/**
 * Every cdk-nag acknowledgement the library makes, in one place.
 *
 * Each function acknowledges findings on exactly one CloudFormation resource, with the
 * `<Pack>::<Rule>` id form (CDK records the reason in the cloud assembly's validation report) and
 * a reason that tells a reviewer why the control does not apply or is met another way.
 */
import { CfnResource, Stack, Validations } from 'aws-cdk-lib';
import type * as apigateway from 'aws-cdk-lib/aws-apigateway';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as cognito from 'aws-cdk-lib/aws-cognito';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { IConstruct } from 'constructs';

/** A pack-qualified rule id, `<Pack>::<Rule>`, as CDK's validation report matches it. */
type QualifiedRuleId = `${'AwsSolutions' | 'NIST.800.53.R5' | 'HIPAA.Security' | 'PCI.DSS.321' | 'Serverless' | 'IntegrationSecurity' | 'cdk-validator-cfnguard'}::${string}`;

/** The minimum length of an acknowledgement reason; shorter ones say too little to review. */
export const MIN_REASON_LENGTH = 20;

function cfnResourceOf(construct: IConstruct): CfnResource {
  if (CfnResource.isCfnResource(construct)) return construct;
  const child = construct.node.defaultChild;
  if (child && CfnResource.isCfnResource(child)) return child;
  throw new Error(`cdk-secure-integrations: ${construct.node.path} has no CloudFormation resource to acknowledge a finding on`);
}

function acknowledge(construct: IConstruct, ids: QualifiedRuleId[], reason: string): void {
  if (reason.length < MIN_REASON_LENGTH) throw new Error(`acknowledgement reason too short: '${reason}'`);
  const resource = cfnResourceOf(construct);
  for (const id of ids) Validations.of(resource).acknowledge({ id, reason });
}

/** The Cognito user pool of the OAuth 2.0 client-credentials front door. */
export function acknowledgeMachineOnlyUserPool(userPool: cognito.UserPool): void {
  acknowledge(
    userPool,
    ['AwsSolutions::AwsSolutions-COG8'],
    'The pool holds no users: self sign-up is off, accounts are admin-created only, and its only grant is OAuth 2.0 ' +
      'client_credentials for app clients, which threat protection does not evaluate. The Plus feature plan would add ' +
      'per-user cost and protect nothing here.',
  );
}

/** The customer-managed policy of the account-level API Gateway CloudWatch Logs role. */
export function acknowledgeApiGatewayAccountRole(policy: iam.ManagedPolicy): void {
  acknowledge(
    policy,
    [
      'AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>:log-group:*]',
      'AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>:log-group:*:log-stream:*]',
    ],
    'API Gateway uses one CloudWatch Logs role per account and region for every REST API; the execution-log group of ' +
      'each API is named from its API id at run time. The policy is held to log groups of this account and region.',
  );
}

/** The stack's shared X-Ray write policy. */
export function acknowledgeXRayWritePolicy(policy: iam.ManagedPolicy): void {
  acknowledge(
    policy,
    ['AwsSolutions::AwsSolutions-IAM5[Resource::*]'],
    'xray:PutTraceSegments and xray:PutTelemetryRecords support no resource-level permissions; the policy holds ' +
      'only those two actions and nothing else.',
  );
}

/** The policy that lets a function in a VPC manage its network interfaces. */
export function acknowledgeVpcNetworkInterfacePolicy(policy: iam.ManagedPolicy): void {
  acknowledge(
    policy,
    ['AwsSolutions::AwsSolutions-IAM5[Resource::*]'],
    'The EC2 network-interface actions Lambda needs to attach a function to a VPC support no resource-level ' +
      'permissions (the same statement as AWSLambdaVPCAccessExecutionRole).',
  );
}

/**
 * A function created without a VPC. `reach` says what it calls, where the library knows: `aws`
 * (only AWS service endpoints: the library's ingest, inventory and truststore functions),
 * `partners` (also partner endpoints: the rotation function); a user's function is `unknown`.
 */
export function acknowledgeFunctionOutsideVpc(fn: lambda.Function, reach: 'aws' | 'partners' | 'unknown' = 'unknown'): void {
  const reasons = {
    aws:
      'No VPC was given (IntegrationPlatformProps.vpc): the function calls only AWS service endpoints, over TLS with IAM-signed ' +
      'requests, and reaches no resource in a private network. Give the platform a vpc to run it in your private subnets with ' +
      'VPC endpoints instead.',
    partners:
      'No VPC was given (IntegrationPlatformProps.vpc): the function calls AWS service endpoints with IAM-signed requests and the ' +
      'partner endpoints its credentials name (OAuth 2.0 token endpoints, rotation hooks) over TLS, from AWS\'s shared addresses; ' +
      'it reaches no resource in a private network. Give the platform a vpc (with a NAT gateway for those partner endpoints) ' +
      'to run it in your private subnets instead.',
    unknown:
      'No VPC was given (IntegrationFunctionProps.vpc or IntegrationPlatformProps.vpc): the function runs in Lambda\'s own network, ' +
      'with internet access and no access to a private network; what it calls is its author\'s code, which the library does not ' +
      'know. Give it (or its platform) a vpc to run it in your private subnets instead.',
  };
  acknowledge(
    fn,
    [
      'NIST.800.53.R5::NIST.800.53.R5-LambdaInsideVPC',
      'HIPAA.Security::HIPAA.Security-LambdaInsideVPC',
      'PCI.DSS.321::PCI.DSS.321-LambdaInsideVPC',
      'cdk-validator-cfnguard::lambda_inside_vpc_check',
    ],
    reasons[reach],
  );
}

/** A dead-letter queue at the end of a delivery chain. */
export function acknowledgeTerminalDeadLetterQueue(queue: sqs.Queue): void {
  acknowledge(
    queue,
    ['Serverless::Serverless-SQSRedrivePolicy', 'cdk-validator-cfnguard::sqs_dlq_check'],
    'This queue is itself a dead-letter queue, the end of its delivery chain; redriving it into a further queue would ' +
      'only move the messages. It keeps them 14 days, encrypted with the platform key, for inspection and redrive.',
  );
}

/**
 * An SQS event source mapping of the library's own consumers (the outbound sender). Lambda takes
 * no on-failure destination for an SQS event source: a record that keeps failing goes to the
 * queue's redrive dead-letter queue, as SQS moves it after maxReceiveCount receives.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html
 */
export function acknowledgeSqsEventSourceMapping(mapping: IConstruct, deadLetterQueuePath: string): void {
  acknowledge(
    mapping,
    ['Serverless::Serverless-LambdaEventSourceMappingDestination'],
    `Lambda takes no on-failure destination for an SQS event source: a record the function fails keeps its place in the queue, and SQS moves it to the queue's dead-letter queue (${deadLetterQueuePath}) after its maxReceiveCount receives. That queue is alarmed.`,
  );
}

/** The platform's API stage. */
export function acknowledgeStageControls(stage: apigateway.Stage): void {
  acknowledge(
    stage,
    [
      'NIST.800.53.R5::NIST.800.53.R5-APIGWCacheEnabledAndEncrypted',
      'HIPAA.Security::HIPAA.Security-APIGWCacheEnabledAndEncrypted',
      'PCI.DSS.321::PCI.DSS.321-APIGWCacheEnabledAndEncrypted',
    ],
    'Integration routes carry authenticated, per-client writes; a response cache could serve one client data cached ' +
      'for another, so caching stays off and there is no cached data to encrypt at rest.',
  );
  acknowledge(
    stage,
    ['NIST.800.53.R5::NIST.800.53.R5-APIGWSSLEnabled', 'HIPAA.Security::HIPAA.Security-APIGWSSLEnabled', 'PCI.DSS.321::PCI.DSS.321-APIGWSSLEnabled'],
    'Every route integrates with an AWS service (Lambda, SQS, EventBridge) over AWS-signed TLS; a backend client ' +
      'certificate authenticates API Gateway only to HTTP backends, which the platform does not have.',
  );
}

/** The API method of a signed webhook. */
export function acknowledgeSignedWebhookMethod(method: apigateway.Method): void {
  acknowledge(
    method,
    ['AwsSolutions::AwsSolutions-APIG4', 'AwsSolutions::AwsSolutions-COG4', 'IntegrationSecurity::IntegrationSecurity-ID2'],
    'A signed webhook carries no OAuth token: the partner signs the raw body with a shared secret, API Gateway requires ' +
      'the signature header, and the ingest function verifies the HMAC in constant time before parsing the body or ' +
      'reaching the target; WAF rules still apply.',
  );
}

/** A route authorized with IAM (SigV4) rather than a Cognito user-pool authorizer. */
export function acknowledgeIamMethod(method: apigateway.Method): void {
  acknowledge(
    method,
    ['AwsSolutions::AwsSolutions-COG4'],
    'The route authorizes with AWS Signature Version 4 (AuthorizationType AWS_IAM), as its integration chose with Auth.iam: ' +
      'API Gateway authenticates the caller\'s signature, and the API\'s resource policy denies every principal but the ones the integration names.',
  );
}

/** A route authorized by the client certificate of the platform's mutual TLS domain (`Auth.mutualTls`). */
export function acknowledgeMutualTlsMethod(method: apigateway.Method): void {
  acknowledge(
    method,
    ['AwsSolutions::AwsSolutions-APIG4', 'AwsSolutions::AwsSolutions-COG4'],
    'The route authenticates callers by mutual TLS, as its integration chose with Auth.mutualTls: the API is reachable only through ' +
      'its custom domain (the execute-api endpoint is disabled), API Gateway completes the TLS handshake only with a client certificate ' +
      'the truststore trusts, and the ingest function admits only the route\'s clients (subject and issuing CA) before reaching the target.',
  );
}

/** The signing secret of a signed webhook, which the partner holds too. */
export function acknowledgePartnerHeldSigningSecret(secret: secretsmanager.Secret): void {
  acknowledge(
    secret,
    [
      'AwsSolutions::AwsSolutions-SMG4',
      'NIST.800.53.R5::NIST.800.53.R5-SecretsManagerRotationEnabled',
      'HIPAA.Security::HIPAA.Security-SecretsManagerRotationEnabled',
      'IntegrationSecurity::IntegrationSecurity-SD2',
    ],
    'The partner signs with the same secret (GitHub, Stripe, Shopify issue or store it on their side), so rotating it ' +
      'here alone would break every delivery; it is changed in step with the partner (only signingSecretWriters may put it), ' +
      'the hourly credential sweep tickets a week before its classification\'s age limit and pages at it, and the ingest ' +
      'function accepts the previous version only during the overlap.',
  );
}

/** A CORS preflight (OPTIONS) method. */
export function acknowledgePreflightMethod(method: apigateway.Method): void {
  if (cfnResourceOf(method).node.metadata.some((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)) return;
  acknowledge(
    method,
    ['AwsSolutions::AwsSolutions-APIG4', 'AwsSolutions::AwsSolutions-COG4'],
    'A CORS preflight is an unauthenticated OPTIONS request by design (the Fetch standard sends no credentials with it); ' +
      'the method is a mock integration that returns only the allowed origins, methods and headers, and reaches no target.',
  );
}

/** The rotation function's policy for secretsmanager:GetRandomPassword. */
export function acknowledgeRandomPasswordPolicy(policy: iam.ManagedPolicy): void {
  acknowledge(
    policy,
    ['AwsSolutions::AwsSolutions-IAM5[Resource::*]'],
    'secretsmanager:GetRandomPassword generates a random string and acts on no resource, so IAM accepts only "*"; ' +
      'the policy holds that one action and nothing else.',
  );
}

/** The integration register's DynamoDB table. */
export function acknowledgeInventoryTableBackups(table: dynamodb.Table): void {
  acknowledge(
    table,
    ['NIST.800.53.R5::NIST.800.53.R5-DynamoDBInBackupPlan', 'HIPAA.Security::HIPAA.Security-DynamoDBInBackupPlan'],
    'Point-in-time recovery restores the register to any second of the last 35 days, deletion protection and a ' +
      'RETAIN policy keep the table, and decommissioned records are never deleted; an AWS Backup plan would keep ' +
      'a second copy of a small, rebuildable register (every deploy rewrites it).',
  );
}

/** The platform's deduplication table (delivery ids seen within their window). */
export function acknowledgeDeduplicationTableBackups(table: dynamodb.Table): void {
  acknowledge(
    table,
    ['NIST.800.53.R5::NIST.800.53.R5-DynamoDBInBackupPlan', 'HIPAA.Security::HIPAA.Security-DynamoDBInBackupPlan'],
    'The table holds only the delivery ids of the last window (at most 30 days) and their first answers, each item ' +
      'expiring by TTL; point-in-time recovery covers an accidental delete, and a backup plan would keep copies of ' +
      'ids that are worthless once their window has passed.',
  );
}

/**
 * An ARN as cdk-nag writes it in a finding id: a `Ref` to a pseudo parameter as `<AWS::Region>`.
 * @see https://github.com/cdklabs/cdk-nag (NagRules.resolveIfPrimitive / the IAM5 finding ids)
 */
function nagArn(scope: IConstruct, arn: string): string {
  const resolved = Stack.of(scope).resolve(arn) as unknown;
  if (typeof resolved === 'string') return resolved;
  const join = (resolved as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
  if (!join) throw new Error(`cdk-secure-integrations: cannot render ${JSON.stringify(resolved)} as a cdk-nag finding id`);
  return join[1].map((part) => (typeof part === 'string' ? part : `<${(part as { Ref: string }).Ref}>`)).join(join[0]);
}

/**
 * The rotation function's policy on the platform's secrets: two statements whose resources are
 * name prefixes (`arnPatterns`), one for the rotated credentials, one (read-only) for every secret
 * the library names.
 */
export function acknowledgeCredentialsPolicy(policy: iam.ManagedPolicy, arnPatterns: string[]): void {
  acknowledge(
    policy,
    arnPatterns.map((arn) => `AwsSolutions::AwsSolutions-IAM5[Resource::${nagArn(policy, arn)}]` as QualifiedRuleId),
    'The resources are the name prefixes of the secrets the library creates (integrations/<platform>/ for the rotated ' +
      'credentials; integrations/ for describing partner-held ones): one ARN per credential would outgrow IAM\'s 6,144-character ' +
      'managed policy within a few dozen credentials. The function acts only on the secrets bound in its deployed config, each ' +
      'checked against its deployed ARN, and every secret\'s resource policy denies changes by anyone else.',
  );
}

/** The bucket that receives the server access logs of the mutual TLS truststore bucket. */
export function acknowledgeTruststoreAccessLogBucket(bucket: s3.Bucket): void {
  acknowledge(
    bucket,
    TRUSTSTORE_ACCESS_LOG_BUCKET_RULES,
    'S3 delivers server access logs only to buckets encrypted with SSE-S3 (Amazon S3 managed keys), never SSE-KMS, and without an ' +
      'Object Lock default retention; a log bucket that logged its own access would log its own logging. It holds the access logs of ' +
      'one small truststore bucket, which expire after their retention, so no cross-region replica is kept. Public access is blocked, ' +
      'TLS is required, ACLs are off and every version is kept until it expires.',
  );
}

/** The bucket of the mutual TLS truststore (public CA certificates, written at deploy). */
export function acknowledgeTruststoreBucket(bucket: s3.Bucket): void {
  acknowledge(
    bucket,
    TRUSTSTORE_BUCKET_RULES,
    'The bucket holds only the truststore, public CA certificates that the deploy rewrites from the PEM file in source control; ' +
      'every version is locked and kept for the retention (versioning, Object Lock, RETAIN), so a replica in another region would ' +
      'protect nothing the repository does not.',
  );
}

const TRUSTSTORE_BUCKET_RULES: QualifiedRuleId[] = [
  'NIST.800.53.R5::NIST.800.53.R5-S3BucketReplicationEnabled',
  'HIPAA.Security::HIPAA.Security-S3BucketReplicationEnabled',
  'PCI.DSS.321::PCI.DSS.321-S3BucketReplicationEnabled',
];
const TRUSTSTORE_ACCESS_LOG_BUCKET_RULES: QualifiedRuleId[] = [
  ...TRUSTSTORE_BUCKET_RULES,
  'NIST.800.53.R5::NIST.800.53.R5-S3DefaultEncryptionKMS',
  'HIPAA.Security::HIPAA.Security-S3DefaultEncryptionKMS',
  'PCI.DSS.321::PCI.DSS.321-S3DefaultEncryptionKMS',
  'cdk-validator-cfnguard::s3_bucket_default_encryption_kms_check',
  'cdk-validator-cfnguard::s3_bucket_logging_enabled_check',
  'cdk-validator-cfnguard::s3_bucket_object_lock_enabled_check',
];

/** A burn-rate window alarm that pages or tickets through the SLO's composite alarm, never on its own. */
export function acknowledgeCompositeInputAlarm(alarm: cloudwatch.Alarm): void {
  acknowledge(
    alarm,
    ['cdk-validator-cfnguard::cloudwatch_alarm_action_check'],
    'A burn-rate window alarm has no action of its own: it is an input of the SLO\'s composite alarm (long and short window ' +
      'together, as multiwindow burn-rate alerting needs), which notifies the page or ticket topic; an action here would page ' +
      'on one window alone.',
  );
}

/**
 * A Lambda permission for an AWS service whose SourceArn is an ARN built with Fn::Join (of this account
 * and region), which CT.LAMBDA.PR.2's static check cannot read.
 */
export function acknowledgeServicePermissionSourceArn(permission: IConstruct, boundTo: string): void {
  acknowledge(
    permission,
    ['cdk-validator-cfnguard::lambda_function_public_access_prohibited_check'],
    `The permission is bound to ${boundTo} by SourceArn (and to this account), written with Fn::Join from the partition, region and ` +
      'account; the control\'s static check accepts only a literal string or a Ref to a resource of the template, so it cannot read it.',
  );
}
