import { Token } from 'aws-cdk-lib';
import type * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as logs from 'aws-cdk-lib/aws-logs';
import { IntegrationConfigError } from '../core/errors';
import type { IntegrationPlatformProps } from './integration-platform';

/**
 * A stage name: letters, digits, `-` and `_`, 1 to 128 characters.
 * @see https://docs.aws.amazon.com/apigateway/latest/api/API_CreateStage.html
 */
const STAGE_NAME = /^[A-Za-z0-9_-]{1,128}$/;

/**
 * Checks the platform's props that CloudFormation would otherwise reject at deploy.
 * @throws IntegrationConfigError naming the prop, the value and the fix.
 */
export function validatePlatformProps(owner: string, props: IntegrationPlatformProps): void {
  if (props.stageName !== undefined && !Token.isUnresolved(props.stageName) && !STAGE_NAME.test(props.stageName)) {
    throw new IntegrationConfigError(owner, 'stageName', props.stageName, 'A stage name is 1 to 128 letters, digits, "-" or "_", for example "v1".');
  }
  if (props.throttling) validateThrottling(owner, 'throttling', props.throttling);
  const reserved = props.ingestReservedConcurrency;
  if (reserved !== undefined && !Token.isUnresolved(reserved) && (!Number.isInteger(reserved) || reserved < 1 || reserved > 900)) {
    throw new IntegrationConfigError(
      owner,
      'ingestReservedConcurrency',
      reserved,
      'Reserve a whole number from 1 to 900 executions (a default account can reserve 900 in all): at least the stage\'s burst times the expected latency in seconds, for example 50.',
    );
  }
  const own = props.ownIngestReservedConcurrency;
  if (own !== undefined && !Token.isUnresolved(own) && (!Number.isInteger(own) || own < 1 || own > 900)) {
    throw new IntegrationConfigError(owner, 'ownIngestReservedConcurrency', own, 'Reserve a whole number from 1 to 900 executions for each integration\'s own ingest, for example 10.');
  }
  const policy = props.apiResourcePolicyCharacters;
  if (policy !== undefined && (!Number.isInteger(policy) || policy < 8_192)) {
    throw new IntegrationConfigError(
      owner,
      'apiResourcePolicyCharacters',
      policy,
      'Give the account\'s quota "Length, in characters, of API Gateway resource policy" (L-8B81B02C) as a whole number: 8192 by default, more only once Service Quotas has raised it.',
    );
  }
  if (props.logRetention === logs.RetentionDays.INFINITE) {
    throw new IntegrationConfigError(
      owner,
      'logRetention',
      'INFINITE',
      'Logs must expire (NIST 800-53 AU-11; cdk-nag CloudWatchLogGroupRetentionPeriod): choose a finite retention, ' +
        'logs.RetentionDays.ONE_YEAR or longer for PCI DSS 3.2.1 requirement 10.7.',
    );
  }
}

/**
 * Checks throttling limits: the rate a non-negative number of requests per second, the burst a
 * non-negative whole number of requests.
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-request-throttling.html
 */
export function validateThrottling(owner: string, prop: string, throttling: apigateway.ThrottleSettings): void {
  const { rateLimit, burstLimit } = throttling;
  if (rateLimit !== undefined && (!Number.isFinite(rateLimit) || rateLimit < 0)) {
    throw new IntegrationConfigError(owner, `${prop}.rateLimit`, rateLimit, 'A rate limit is a number of requests per second, 0 or more.');
  }
  if (burstLimit !== undefined && (!Number.isInteger(burstLimit) || burstLimit < 0)) {
    throw new IntegrationConfigError(owner, `${prop}.burstLimit`, burstLimit, 'A burst limit is a whole number of requests, 0 or more.');
  }
}
