import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';

/** An alarm that notifies someone, with its literal name. */
export interface NamedAlarm {
  /** The alarm. */
  readonly alarm: cloudwatch.Alarm;
  /** `page` or `ticket`: the topic it notifies. */
  readonly severity: string;
  /** Its literal name, as the inventory records it. */
  readonly name: string;
}

/** What a person paged at night needs in an alarm's description. */
export interface AlarmContext {
  /** The integration. */
  readonly integration: string;
  /** Its accountable owner. */
  readonly owner: string;
  /** The runbook, where the platform has one. */
  readonly runbookUrl?: string;
}

/** The sentence every alarm description ends with: where the runbook is, or where to configure one. */
export function runbookSentence(runbookUrl?: string): string {
  return runbookUrl ? `Runbook: ${runbookUrl}` : 'Runbook: none configured (IntegrationPlatformProps.runbookUrl).';
}

/**
 * An alarm description: whose integration, who owns it, what the alarm means, and where the
 * runbook is. CloudWatch allows 1024 characters; the meaning is cut to fit.
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html
 */
export function describeAlarm(context: AlarmContext, meaning: string): string {
  const runbook = runbookSentence(context.runbookUrl);
  const head = `Integration ${context.integration} (owner ${context.owner}). `;
  const room = 1024 - head.length - runbook.length - 1;
  return `${head}${meaning.slice(0, room)} ${runbook}`;
}
