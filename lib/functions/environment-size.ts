import { Stack } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { ESTIMATED_DEPLOY_TIME_VALUE_LENGTH } from '../identity/managed-policy-role';

/**
 * Lambda's limit on all environment variables of a function together (names and values), in bytes.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html
 */
export const LAMBDA_ENVIRONMENT_LIMIT_BYTES = 4_096;

/**
 * The bytes a function's environment will hold once deployed: each name and value, every value
 * CloudFormation fills in (a Ref, Fn::GetAtt, Fn::Join part) counted as
 * {@link ESTIMATED_DEPLOY_TIME_VALUE_LENGTH} (an ARN with a long stack name).
 */
export function estimatedEnvironmentBytes(fn: lambda.CfnFunction): number {
  const resolved = Stack.of(fn).resolve(fn.environment) as { Variables?: Record<string, unknown>; variables?: Record<string, unknown> } | undefined;
  const variables = resolved?.Variables ?? resolved?.variables ?? {};
  const valueBytes = (v: unknown): number => {
    if (typeof v === 'string') return Buffer.byteLength(v);
    if (v && typeof v === 'object' && 'Fn::Join' in v) {
      const [sep, parts] = (v as { 'Fn::Join': [string, unknown[]] })['Fn::Join'];
      return parts.reduce((sum: number, p) => sum + valueBytes(p), 0) + sep.length * Math.max(0, parts.length - 1);
    }
    return ESTIMATED_DEPLOY_TIME_VALUE_LENGTH;
  };
  return Object.entries(variables).reduce((sum, [name, value]) => sum + Buffer.byteLength(name) + valueBytes(value), 0);
}

/** A synth error when the function's environment would pass Lambda's 4 KB. */
export function checkEnvironmentSize(fn: lambda.CfnFunction, path: string): string[] {
  const bytes = estimatedEnvironmentBytes(fn);
  if (bytes <= LAMBDA_ENVIRONMENT_LIMIT_BYTES) return [];
  return [
    `${path}: its environment variables come to about ${bytes} bytes once deployed; Lambda allows ${LAMBDA_ENVIRONMENT_LIMIT_BYTES} in all ` +
      '(https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html). For the platform\'s functions each webhook\'s signing secret and ' +
      'each Lambda target or event bus is one variable: split the catalog over more platforms, or target queues, which need none.',
  ];
}
