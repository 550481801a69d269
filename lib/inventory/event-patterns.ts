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
// CloudWatch sends "CloudWatch Alarm State Change" for every alarm of the account and region, with
// `detail.alarmName` and `detail.state.value` / `detail.state.timestamp`.
// @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch-and-eventbridge.html

/** `detail-type` of Secrets Manager's rotation outcome events. */
export const ROTATION_EVENT_DETAIL_TYPE = 'AWS Service Event via CloudTrail';
/** The rotation outcomes the updater records. */
export const ROTATION_EVENT_NAMES = ['RotationSucceeded', 'RotationFailed'] as const;
/** `detail-type` of CloudWatch alarm state change events. */
export const ALARM_STATE_CHANGE_DETAIL_TYPE = 'CloudWatch Alarm State Change';

/** An event pattern in the shape of aws-cdk-lib's `events.EventPattern`. */
export interface InventoryEventPattern {
  readonly source: string[];
  readonly detailType: string[];
  readonly detail?: Record<string, unknown>;
}

/**
 * Rotation outcomes of Secrets Manager secrets. Pass the platform's secret ARNs to match only
 * those (the pattern then grows with every credential; EventBridge caps a pattern's size, so
 * leave it unscoped on a large platform: the updater ignores secrets it does not know).
 */
export function rotationOutcomePattern(secretArns?: string[]): InventoryEventPattern {
  return {
    source: ['aws.secretsmanager'],
    detailType: [ROTATION_EVENT_DETAIL_TYPE],
    detail: {
      eventSource: ['secretsmanager.amazonaws.com'],
      eventName: [...ROTATION_EVENT_NAMES],
      ...(secretArns && secretArns.length > 0 ? { additionalEventData: { SecretId: secretArns } } : {}),
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
export const ALARM_STATE_CHANGE_EVENT_PATTERN = alarmStateChangePattern();
