// Writes a mutual TLS truststore (PEM) to the platform's truststore bucket at deploy, and answers
// CloudFormation the object version it wrote, which the custom domain pins
// (MutualTlsAuthentication.TruststoreVersion): a changed PEM is a new version, and API Gateway
// reads the new truststore when the domain is updated with it.
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import type { CustomResourceResult, Log } from '../shared/cfn-response';

/** The physical id answered for a Create that failed: its Delete then does nothing. */
export const CREATE_FAILED_PHYSICAL_ID = 'truststore:CREATE_FAILED';

/** The custom resource's properties. */
export interface TruststoreProperties {
  readonly Bucket: string;
  readonly Key: string;
  /** The PEM, as checked at synth. */
  readonly Pem: string;
}

export interface WriteDependencies {
  readonly s3: Pick<S3Client, 'send'>;
  readonly log: Log;
}

/**
 * Create and Update put the PEM and return `{ VersionId }`; Delete leaves the object and its
 * versions (the bucket is retained: what a domain trusted stays on record).
 * @throws Error when a property is missing or the bucket returns no version id (not versioned)
 */
export async function writeTruststore(event: CloudFormationCustomResourceEvent, deps: WriteDependencies): Promise<CustomResourceResult> {
  if (event.RequestType === 'Delete') {
    deps.log.info('truststore kept: the bucket retains every version', { physicalResourceId: event.PhysicalResourceId });
    return { PhysicalResourceId: event.PhysicalResourceId, Data: {} };
  }
  const props = event.ResourceProperties as unknown as Partial<TruststoreProperties>;
  for (const name of ['Bucket', 'Key', 'Pem'] as const) {
    if (typeof props[name] !== 'string' || props[name]!.length === 0) throw new Error(`the ${name} property is missing`);
  }
  const { Bucket, Key, Pem } = props as TruststoreProperties;
  if (!Pem.includes('-----BEGIN CERTIFICATE-----')) throw new Error('the Pem property holds no certificate');
  const out = await deps.s3.send(new PutObjectCommand({ Bucket, Key, Body: Pem, ContentType: 'application/x-pem-file', ChecksumAlgorithm: 'SHA256' }));
  if (!out.VersionId || out.VersionId === 'null') {
    throw new Error(`s3://${Bucket}/${Key} was written without a version id: the bucket must be versioned, so the domain can pin the truststore`);
  }
  deps.log.info('truststore written', { bucket: Bucket, key: Key, versionId: out.VersionId });
  return { PhysicalResourceId: `s3://${Bucket}/${Key}`, Data: { VersionId: out.VersionId } };
}
