// The EventBridge events that keep the register true after deploy, as event patterns in the shape
// of aws-cdk-lib's `events.EventPattern` (camelCase `detailType`), for rules on the default bus
// whose target is the platform's inventory function. Plain objects: the Lambda bundle imports the
// names from here, so this file must not import aws-cdk-lib.
//
// Secrets Manager reports rotation outcomes as CloudTrail service events ("AWS Service Event via
// CloudTrail") named RotationSucceeded and RotationFailed, with the secret's ARN in
// `detail.additionalEventData.SecretId`.
// RotationStarted says nothing about the outcome; RotationAbandoned means a manual change
// (PutSecretValue, UpdateSecret) removed AWSPENDING mid-rotation: neither is a rotation outcome,
// so neither is matched.
// @see https://docs.aws.amazon.com/secretsmanager/latest/userguide/monitoring-eventbridge.html
// @see https://docs.aws.amazon.com/secretsmanager/latest/userguide/cloudtrail_log_entries.html
//
// A partner-held secret (a webhook's signing secret) is never rotated: an operator puts the
// partner's new value with PutSecretValue (or a break-glass role with UpdateSecret). CloudTrail
// records those as management events ("AWS API Call via CloudTrail") with the secret's full ARN
// in `detail.responseElements.arn` (the request's `secretId` may be a name or a partial ARN), the
// new version's labels in `responseElements.versionStages` (PutSecretValue) and `errorCode` on a
// failed call. The updater keeps only calls whose new value became AWSCURRENT.
// @see https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_PutSecretValue.html
//
// CloudWatch sends "CloudWatch Alarm State Change" for every alarm of the account and region, with
// `detail.alarmName` and `detail.state.value` / `detail.state.timestamp`.
// @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch-and-eventbridge.html

import { SECRET_NAME_ROOT } from '../secrets/rotation-config';

/** `detail-type` of Secrets Manager's rotation outcome events. */
export const ROTATION_EVENT_DETAIL_TYPE = 'AWS Service Event via CloudTrail';
/** The rotation outcomes the updater records. */
export const ROTATION_EVENT_NAMES = ['RotationSucceeded', 'RotationFailed'] as const;
/** `detail-type` of the CloudTrail management events of API calls. */
export const API_CALL_DETAIL_TYPE = 'AWS API Call via CloudTrail';
/** The Secrets Manager calls that give a secret a new value (UpdateSecret only when it carries one). */
export const VALUE_CHANGE_EVENT_NAMES = ['PutSecretValue', 'UpdateSecret'] as const;
/** How the name of every secret the library creates begins (SECRET_NAME_ROOT of the rotation contract). */
export const INTEGRATION_SECRET_NAME_ROOT = SECRET_NAME_ROOT;
/** `detail-type` of CloudWatch alarm state change events. */
export const ALARM_STATE_CHANGE_DETAIL_TYPE = 'CloudWatch Alarm State Change';

/** An event pattern in the shape of aws-cdk-lib's `events.EventPattern`. */
export interface InventoryEventPattern {
  readonly source: string[];
  readonly detailType: string[];
  readonly detail?: Record<string, unknown>;
}

/** Which secrets a Secrets Manager pattern matches. */
export interface SecretEventScope {
  /** The secrets' ARNs (the pattern grows with each; EventBridge caps a pattern's size). */
  readonly secretArns?: string[];
  /** An ARN prefix the secrets share, for example `arn:aws:secretsmanager:<region>:<account>:secret:integrations/` (prefix matching). */
  readonly secretArnPrefix?: string;
}

function secretMatchers(scope?: string[] | SecretEventScope): unknown[] {
  const s: SecretEventScope = Array.isArray(scope) ? { secretArns: scope } : (scope ?? {});
  return [...(s.secretArns ?? []), ...(s.secretArnPrefix ? [{ prefix: s.secretArnPrefix }] : [])];
}

/**
 * Rotation outcomes of Secrets Manager secrets. Scope it to the platform's secrets with the ARN
 * prefix they share (a pattern of constant size) or with their ARNs (a pattern that grows with
 * every credential); unscoped, every rotation of the account and region invokes the function,
 * which ignores (and logs) the secrets it does not know. An array is taken as `secretArns`.
 */
export function rotationOutcomePattern(scope?: string[] | SecretEventScope): InventoryEventPattern {
  const secrets = secretMatchers(scope);
  return {
    source: ['aws.secretsmanager'],
    detailType: [ROTATION_EVENT_DETAIL_TYPE],
    detail: {
      eventSource: ['secretsmanager.amazonaws.com'],
      eventName: [...ROTATION_EVENT_NAMES],
      ...(secrets.length > 0 ? { additionalEventData: { SecretId: secrets } } : {}),
    },
  };
}

/**
 * Successful PutSecretValue and UpdateSecret calls: a secret got a new value. The secret is matched
 * on `responseElements.arn`, the full ARN (a failed call has no response elements, and carries
 * `errorCode`). Whether the new value became AWSCURRENT is for the updater to read: a rotation
 * function's own PutSecretValue stages AWSPENDING and is ignored there.
 */
export function secretValueChangePattern(scope?: SecretEventScope): InventoryEventPattern {
  const secrets = secretMatchers(scope);
  return {
    source: ['aws.secretsmanager'],
    detailType: [API_CALL_DETAIL_TYPE],
    detail: {
      eventSource: ['secretsmanager.amazonaws.com'],
      eventName: [...VALUE_CHANGE_EVENT_NAMES],
      errorCode: [{ exists: false }],
      ...(secrets.length > 0 ? { responseElements: { arn: secrets } } : {}),
    },
  };
}

/**
 * Alarm state changes. Scope it to the library's alarms with their names, or with a name prefix
 * that all of them share (`[{ prefix }]` matching); unscoped, every alarm of the account and
 * region invokes the function, which ignores (and logs) the ones it does not know.
 */
export function alarmStateChangePattern(scope?: { readonly alarmNames?: string[]; readonly alarmNamePrefix?: string }): InventoryEventPattern {
  const names: unknown[] = [...(scope?.alarmNames ?? []), ...(scope?.alarmNamePrefix ? [{ prefix: scope.alarmNamePrefix }] : [])];
  return {
    source: ['aws.cloudwatch'],
    detailType: [ALARM_STATE_CHANGE_DETAIL_TYPE],
    ...(names.length > 0 ? { detail: { alarmName: names } } : {}),
  };
}

/** The unscoped patterns, for reference and tests. */
export const ROTATION_OUTCOME_EVENT_PATTERN = rotationOutcomePattern();
export const SECRET_VALUE_CHANGE_EVENT_PATTERN = secretValueChangePattern();
export const ALARM_STATE_CHANGE_EVENT_PATTERN = alarmStateChangePattern();
