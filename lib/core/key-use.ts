import { Aws } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';

/** The AWS services through which the library lets roles use the platform key. */
export enum KeyService {
  SQS = 'sqs',
  SECRETS_MANAGER = 'secretsmanager',
  DYNAMODB = 'dynamodb',
  S3 = 's3',
}

/**
 * Grants KMS actions on a key only when the call comes through one AWS service (`kms:ViaService`).
 * The platform key also protects PII fields, which only `SecureIntegration.grantDecrypt` (scoped by
 * encryption context) may open: every other use of the key goes through this grant.
 * @see https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-via-service
 */
export function grantKeyUseVia(grantee: iam.IGrantable, key: kms.IKey, service: KeyService, actions: string[]): iam.Grant {
  return iam.Grant.addToPrincipal({
    grantee,
    actions,
    resourceArns: [key.keyArn],
    conditions: { StringEquals: { 'kms:ViaService': `${service}.${Aws.REGION}.amazonaws.com` } },
  });
}
