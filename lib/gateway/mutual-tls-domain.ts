import { Annotations, CfnOutput, CustomResource, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { acknowledgeTruststoreAccessLogBucket, acknowledgeTruststoreBucket } from '../compliance/acknowledgements';
import { handlerCode } from '../core/handler-code';
import { grantKeyUseVia, KeyService } from '../core/key-use';
import type { FunctionHost } from '../core/platform-host';
import { IntegrationFunction } from '../functions/integration-function';
import type { MutualTlsDomainConfig } from '../identity/auth';
import { expiringSoon, type TruststoreSource } from '../identity/truststore';
import type { IntegrationApi } from './integration-api';

/** The key of the truststore object the library writes. */
export const TRUSTSTORE_KEY = 'truststore.pem';
/** A truststore CA that expires within this many days gets a synth warning. */
export const TRUSTSTORE_EXPIRY_WARNING_DAYS = 60;

/** Properties of a {@link MutualTlsDomain}. */
export interface MutualTlsDomainProps {
  /** The API the domain fronts; its default endpoint is disabled. */
  readonly api: IntegrationApi;
  /** The domain, as the first `Auth.mutualTls` gave it. */
  readonly config: MutualTlsDomainConfig;
  /** The truststore, checked. */
  readonly truststore: TruststoreSource;
  /** The platform: its key encrypts the truststore bucket, its dead-letter queue takes the writer's failures. */
  readonly host: FunctionHost;
  /**
   * Days the truststore bucket's access logs are kept.
   * @default 365
   */
  readonly accessLogDays?: number;
}

/**
 * The platform API's mutual TLS front door: a REGIONAL custom domain with the TLS_1_2 security
 * policy (the only one API Gateway enables mutual TLS with), its truststore pinned by version, a
 * base path mapping of the whole stage, and the API's default `execute-api` endpoint disabled, so
 * every request comes through the domain and presents a certificate the truststore trusts.
 *
 * A truststore from a PEM file goes to a bucket of the platform's (platform key, versioned,
 * TLS-only, public access blocked, server access logs to a second bucket), written at deploy by a
 * small custom-resource function that returns the version the domain pins.
 *
 * API Gateway reads the truststore with the deployer's credentials (the CloudFormation role): that
 * role needs `s3:GetObject` and `s3:GetObjectVersion` on the object and `kms:Decrypt` on the
 * platform key, which the key policy's account statement leaves to IAM.
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/rest-api-mutual-tls.html
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/rest-api-disable-default-endpoint.html
 */
export class MutualTlsDomain extends Construct {
  /** The custom domain. */
  public readonly domain: apigateway.DomainName;
  /** The bucket that holds a truststore the library writes. */
  public readonly truststoreBucket?: s3.Bucket;
  /** `s3://bucket/key` of the truststore. */
  public readonly truststoreUri: string;

  constructor(scope: Construct, id: string, props: MutualTlsDomainProps) {
    super(scope, id);
    const { config, truststore, api } = props;
    const handler = this.createTruststoreFunction(props.host);
    let mtls: apigateway.MTLSConfig;
    if (truststore.kind === 'pem') {
      const bucket = this.createTruststoreBucket(props);
      const object = this.writeTruststore(bucket, truststore.pem, handler, props.host);
      mtls = { bucket, key: TRUSTSTORE_KEY, version: object.getAttString('VersionId') };
      this.truststoreBucket = bucket;
      const soon = expiringSoon(truststore.certificates, new Date(), TRUSTSTORE_EXPIRY_WARNING_DAYS);
      if (soon.length > 0) {
        Annotations.of(this).addWarningV2(
          'cdk-secure-integrations:truststoreExpiring',
          `The mutual TLS truststore holds CA certificates that expire within ${TRUSTSTORE_EXPIRY_WARNING_DAYS} days: ${soon.map((c) => `${c.subject} (${c.notAfter})`).join('; ')}. ` +
            'Add each CA\'s successor to the PEM file now: clients whose chain ends at an expired CA cannot connect.',
        );
      }
    } else {
      mtls = { bucket: truststore.bucket, key: truststore.key, version: truststore.version };
    }
    this.truststoreUri = `s3://${mtls.bucket.bucketName}/${mtls.key}`;

    this.domain = new apigateway.DomainName(this, 'Resource', {
      domainName: config.domainName,
      certificate: config.certificate,
      endpointType: apigateway.EndpointType.REGIONAL,
      securityPolicy: apigateway.SecurityPolicy.TLS_1_2,
      mtls,
    });
    if (config.ownershipVerificationCertificate) {
      (this.domain.node.defaultChild as apigateway.CfnDomainName).ownershipVerificationCertificateArn = config.ownershipVerificationCertificate.certificateArn;
    }
    // The whole stage under its own name (https://<domain>/<stage>/...), so request paths are the ones
    // the execute-api endpoint had: the WebACL's per-integration path scopes (`/<stage>/<path>`) keep matching.
    new apigateway.BasePathMapping(this, 'Mapping', { domainName: this.domain, restApi: api.restApi, stage: api.stage, basePath: api.stageName });
    api.disableDefaultEndpoint();
    this.checkTruststore(handler, config.domainName, mtls.version!);
    new CfnOutput(this, 'RegionalDomainName', {
      description: `Point ${config.domainName} at this name: a CNAME, or a Route 53 alias record`,
      value: this.domain.domainNameAliasDomainName,
    });
    new CfnOutput(this, 'Url', { description: 'The API\'s only way in: every route, with a client certificate', value: `https://${config.domainName}/${api.stageName}/` });
  }

  private createTruststoreBucket(props: MutualTlsDomainProps): s3.Bucket {
    const accessLogs = new s3.Bucket(this, 'TruststoreAccessLogs', {
      // S3 server access logs are delivered only to buckets with SSE-S3 (Amazon S3 managed keys).
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      versioned: true,
      lifecycleRules: [{ expiration: Duration.days(props.accessLogDays ?? 365), noncurrentVersionExpiration: Duration.days(1) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    sendEventsToEventBridge(accessLogs);
    acknowledgeTruststoreAccessLogBucket(accessLogs);
    const keepDays = props.accessLogDays ?? 365;
    const bucket = new s3.Bucket(this, 'Truststore', {
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: props.host.encryptionKey,
      bucketKeyEnabled: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      versioned: true,
      // What the domain trusted, and when, stays on record: every version is locked (governance mode)
      // and kept for the retention, superseded ones expire after it. Puts carry a checksum, as Object Lock requires.
      objectLockEnabled: true,
      objectLockDefaultRetention: s3.ObjectLockRetention.governance(Duration.days(keepDays)),
      lifecycleRules: [{ noncurrentVersionExpiration: Duration.days(keepDays + 1) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    sendEventsToEventBridge(bucket);
    // Server access logs delivered under a bucket policy (not the log-delivery ACL, which ACL-less
    // buckets refuse), for this bucket of this account only, whatever the app's feature flags.
    const prefix = 'truststore/';
    (bucket.node.defaultChild as s3.CfnBucket).loggingConfiguration = { destinationBucketName: accessLogs.bucketName, logFilePrefix: prefix };
    accessLogs.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'S3ServerAccessLogsOfTheTruststoreBucket',
        principals: [new iam.ServicePrincipal('logging.s3.amazonaws.com')],
        actions: ['s3:PutObject'],
        resources: [accessLogs.arnForObjects(`${prefix}*`)],
        conditions: { ArnLike: { 'aws:SourceArn': bucket.bucketArn }, StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
    );
    acknowledgeTruststoreBucket(bucket);
    return bucket;
  }

  /** The function behind the truststore's custom resources (the write, where the library holds the truststore, and the check). */
  private createTruststoreFunction(host: FunctionHost): IntegrationFunction {
    return new IntegrationFunction(this, 'TruststoreWriter', {
      _networkReach: 'aws',
      code: handlerCode('truststore'),
      description: 'cdk-secure-integrations: writes the mutual TLS truststore at deploy, and fails the deploy when API Gateway warns about it',
      timeout: Duration.seconds(60),
      reservedConcurrentExecutions: 1,
      platform: host,
      environment: { POWERTOOLS_SERVICE_NAME: 'mutual-tls-truststore' },
    });
  }

  private writeTruststore(bucket: s3.Bucket, pem: string, writer: IntegrationFunction, host: FunctionHost): CustomResource {
    writer.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: [bucket.arnForObjects(TRUSTSTORE_KEY)] }));
    grantKeyUseVia(writer.role, host.encryptionKey, KeyService.S3, ['kms:GenerateDataKey']);
    const object = new CustomResource(this, 'TruststoreObject', {
      serviceToken: writer.function.functionArn,
      resourceType: 'Custom::MutualTlsTruststore',
      properties: { Bucket: bucket.bucketName, Key: TRUSTSTORE_KEY, Pem: pem },
      serviceTimeout: Duration.minutes(5),
    });
    // The role's grants exist before the first write.
    object.node.addDependency(writer);
    return object;
  }

  /** After the domain took the truststore: fails the deploy on any of API Gateway's truststore warnings. */
  private checkTruststore(handler: IntegrationFunction, domainName: string, version: string): void {
    handler.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['apigateway:GET'], resources: [Stack.of(this).formatArn({ service: 'apigateway', account: '', resource: '/domainnames', resourceName: domainName })] }),
    );
    const check = new CustomResource(this, 'TruststoreCheck', {
      serviceToken: handler.function.functionArn,
      resourceType: 'Custom::MutualTlsTruststoreCheck',
      properties: { DomainName: this.domain.domainName, TruststoreVersion: version },
      serviceTimeout: Duration.minutes(5),
    });
    check.node.addDependency(handler, this.domain);
  }
}

/**
 * Sends the bucket's object events to EventBridge (for an audit rule of the user's), with the
 * bucket's own CloudFormation property: aws-cdk-lib's `eventBridgeEnabled` adds a custom-resource
 * function for it.
 */
function sendEventsToEventBridge(bucket: s3.Bucket): void {
  (bucket.node.defaultChild as s3.CfnBucket).notificationConfiguration = { eventBridgeConfiguration: { eventBridgeEnabled: true } };
}
