import { Stack } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { deployedJsonLength } from '../core/deployed-length';

/**
 * Lambda's limit on all environment variables of a function together, in bytes: Lambda measures
 * the JSON of the variables (names, values, quotes and separators).
 * @see https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html
 */
export const LAMBDA_ENVIRONMENT_LIMIT_BYTES = 4_096;

/**
 * The bytes a function's environment will hold once deployed, as Lambda measures it: the JSON of
 * its variables, each value CloudFormation fills in estimated by `deployedValueLength` (a long ARN
 * for a reference, a short piece for a part of a split ARN).
 */
export function estimatedEnvironmentBytes(fn: lambda.CfnFunction): number {
  const resolved = Stack.of(fn).resolve(fn.environment) as { Variables?: Record<string, unknown>; variables?: Record<string, unknown> } | undefined;
  const variables = resolved?.Variables ?? resolved?.variables ?? {};
  return deployedJsonLength(variables);
}

/**
 * A synth error when the function's environment would pass Lambda's 4 KB.
 * @param remedy what to do for this function, for the error
 */
export function checkEnvironmentSize(fn: lambda.CfnFunction, path: string, remedy = 'move configuration into a file of the function or split its work'): string[] {
  const bytes = estimatedEnvironmentBytes(fn);
  if (bytes <= LAMBDA_ENVIRONMENT_LIMIT_BYTES) return [];
  return [
    `${path}: its environment variables come to about ${bytes} bytes once deployed; Lambda allows ${LAMBDA_ENVIRONMENT_LIMIT_BYTES} in all ` +
      `(https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html). Fix: ${remedy}.`,
  ];
}
