import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { IntegrationConfigError } from '../core/errors';

/**
 * The variable decryptFields pins the KMS key from (KEY_ID_ENV in lambda/shared/field-encryption,
 * repeated here so that synth does not load the KMS client; a test holds the two equal).
 */
export const FIELD_ENCRYPTION_KEY_ID_ENV = 'FIELD_ENCRYPTION_KEY_ID';

/**
 * Lets a consumer decrypt one integration's PII fields: `kms:Decrypt` on `key` only with the
 * encryption context `integration` = `integrationName`. A Lambda function also gets
 * FIELD_ENCRYPTION_KEY_ID = the key's ARN, so `decryptFields` pins that key with no code change;
 * one that already holds another value there is a synth error (decryptFields would pin the wrong key).
 * Other grantees (roles, imported functions) set `keyId` in code or that variable themselves.
 */
export function grantFieldDecryption(grantee: iam.IGrantable, key: kms.IKey, integrationName: string): iam.Grant {
  const grant = iam.Grant.addToPrincipal({
    grantee,
    actions: ['kms:Decrypt'],
    resourceArns: [key.keyArn],
    conditions: { StringEquals: { 'kms:EncryptionContext:integration': integrationName } },
  });
  // A function, or an IntegrationFunction (a construct holding one as `function`): its key is pinned.
  const held = (grantee as unknown as { function?: unknown }).function;
  const fn = grantee instanceof lambda.Function ? grantee : held instanceof lambda.Function ? held : undefined;
  if (fn) pinKey(fn, key, integrationName);
  return grant;
}

/**
 * Lets a function encrypt one integration's PII fields with `encryptFields`: `kms:GenerateDataKey`
 * on `key` only with the encryption context `integration` = `integrationName` (it cannot decrypt
 * them), and FIELD_ENCRYPTION_KEY_ID = the key's ARN when the grantee is a Lambda function.
 */
export function grantFieldEncryption(grantee: iam.IGrantable, key: kms.IKey, integrationName: string): iam.Grant {
  const grant = iam.Grant.addToPrincipal({
    grantee,
    actions: ['kms:GenerateDataKey'],
    resourceArns: [key.keyArn],
    conditions: { StringEquals: { 'kms:EncryptionContext:integration': integrationName } },
  });
  const held = (grantee as unknown as { function?: unknown }).function;
  const fn = grantee instanceof lambda.Function ? grantee : held instanceof lambda.Function ? held : undefined;
  if (fn) pinKey(fn, key, integrationName);
  return grant;
}

function pinKey(fn: lambda.Function, key: kms.IKey, integrationName: string): void {
  const existing = environmentValue(fn);
  if (existing === undefined) {
    fn.addEnvironment(FIELD_ENCRYPTION_KEY_ID_ENV, key.keyArn);
    // A value set after the grant replaces ours without a word: check once the tree is complete.
    fn.node.addValidation({
      validate: () => {
        const now = environmentValue(fn);
        return sameValue(fn, now, key.keyArn) ? [] : [conflict(fn, now, key, integrationName, 'later')];
      },
    });
  } else if (!sameValue(fn, existing, key.keyArn)) {
    throw new IntegrationConfigError(integrationName, 'grantDecrypt(grantee)', fn.node.path, conflict(fn, existing, key, integrationName, 'already'));
  }
}

function conflict(fn: lambda.Function, value: unknown, key: kms.IKey, integrationName: string, when: 'already' | 'later'): string {
  const shown = JSON.stringify(Stack.of(fn).resolve(value));
  return (
    `the function ${when === 'already' ? 'already has' : 'was later given'} ${FIELD_ENCRYPTION_KEY_ID_ENV}=${shown}, and grantDecrypt of ${integrationName} ` +
    `needs it to be the platform key's ARN (${JSON.stringify(Stack.of(fn).resolve(key.keyArn))}): decryptFields pins the key it names. ` +
    'Remove the other value, or decrypt in a function of its own (a function can only pin one key).'
  );
}

/** The function's FIELD_ENCRYPTION_KEY_ID as its CloudFormation template will hold it, or undefined. */
function environmentValue(fn: lambda.Function): unknown {
  const cfn = fn.node.defaultChild as lambda.CfnFunction;
  const environment = Stack.of(fn).resolve(cfn.environment) as { variables?: Record<string, unknown>; Variables?: Record<string, unknown> } | undefined;
  const variables = environment?.variables ?? environment?.Variables;
  return variables ? variables[FIELD_ENCRYPTION_KEY_ID_ENV] : undefined;
}

function sameValue(fn: lambda.Function, value: unknown, keyArn: string): boolean {
  const stack = Stack.of(fn);
  return value !== undefined && JSON.stringify(stack.resolve(value)) === JSON.stringify(stack.resolve(keyArn));
}
