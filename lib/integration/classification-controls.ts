import { Duration } from 'aws-cdk-lib';
import { IntegrationConfigError } from '../core/errors';
import { DataClassification } from './data-classification';

/** The controls a data classification demands of an integration. */
export interface ClassificationControls {
  /** The longest a credential may go without rotation. */
  readonly maxRotationPeriod: Duration;
  /** Whether `piiFields` must be stated (a list of paths, or `[]` for "no personal data"). */
  readonly requiresPiiDecision: boolean;
  /** The shortest retention of the platform's logs, in days. */
  readonly minLogRetentionDays: number;
}

/**
 * The controls of each classification. RESTRICTED follows PCI DSS 3.2.1 (requirement 10.7: one
 * year of audit logs) and rotates credentials at least monthly; CONFIDENTIAL (personal data of
 * customers and partners) rotates at least every 60 days and keeps six months of logs; INTERNAL and
 * PUBLIC get the library's baseline (90-day rotation, NIST 800-53 AU-11 retention of 90 and 30 days).
 * Both CONFIDENTIAL and RESTRICTED must say which body fields hold personal data, or `[]`.
 */
export const CLASSIFICATION_CONTROLS: Readonly<Record<DataClassification, ClassificationControls>> = {
  [DataClassification.PUBLIC]: { maxRotationPeriod: Duration.days(90), requiresPiiDecision: false, minLogRetentionDays: 30 },
  [DataClassification.INTERNAL]: { maxRotationPeriod: Duration.days(90), requiresPiiDecision: false, minLogRetentionDays: 90 },
  [DataClassification.CONFIDENTIAL]: { maxRotationPeriod: Duration.days(60), requiresPiiDecision: true, minLogRetentionDays: 180 },
  [DataClassification.RESTRICTED]: { maxRotationPeriod: Duration.days(30), requiresPiiDecision: true, minLogRetentionDays: 365 },
};

/** What an integration declares that its classification constrains. */
export interface ClassifiedIntegration {
  readonly name: string;
  readonly classification: DataClassification;
  readonly piiFields?: string[];
  /** Each credential's prop path and longest interval between rotations, in hours. */
  readonly rotations: Array<{ readonly prop: string; readonly maxIntervalHours: number }>;
  /** The platform's log retention in days. */
  readonly logRetentionDays: number;
}

/**
 * Checks an integration against the controls of its classification.
 * @throws IntegrationConfigError naming the prop, the value, the classification and the fix.
 */
export function enforceClassificationControls(integration: ClassifiedIntegration): void {
  const { name, classification } = integration;
  const controls = CLASSIFICATION_CONTROLS[classification];
  if (controls.requiresPiiDecision && integration.piiFields === undefined) {
    throw new IntegrationConfigError(
      name,
      'piiFields',
      undefined,
      `${classification} data needs a decision on personal data: list the body fields that hold it (they are encrypted before ` +
        'delivery), or set piiFields: [] to state that the payload holds none.',
    );
  }
  const maxHours = controls.maxRotationPeriod.toHours();
  for (const rotation of integration.rotations) {
    if (rotation.maxIntervalHours > maxHours) {
      throw new IntegrationConfigError(
        name,
        rotation.prop,
        `${rotation.maxIntervalHours / 24} days between rotations`,
        `${classification} credentials rotate at least every ${controls.maxRotationPeriod.toDays()} days: shorten rotateEvery or the rotation window's schedule.`,
      );
    }
  }
  if (integration.logRetentionDays < controls.minLogRetentionDays) {
    throw new IntegrationConfigError(
      name,
      'platform logRetention',
      `${integration.logRetentionDays} days`,
      `${classification} integrations need at least ${controls.minLogRetentionDays} days of logs: raise the platform's logRetention.`,
    );
  }
}
