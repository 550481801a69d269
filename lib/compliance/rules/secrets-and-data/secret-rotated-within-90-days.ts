import { NagRuleCompliance } from 'cdk-nag';
import { refersTo, resourcesOfType, viewOf } from '../resources';
import type { IntegrationRule } from '../rule';

/** The longest rotation interval, in days. */
export const MAX_ROTATION_DAYS = 90;

/**
 * The interval of a rotation schedule in days, when it can be proved: `AutomaticallyAfterDays`,
 * `rate(N days|hours)`, or a `cron(...)` that runs every month (its month field `*`).
 */
export function rotationIntervalDays(rules: Record<string, unknown> | undefined): number | undefined {
  if (!rules) return undefined;
  if (typeof rules.AutomaticallyAfterDays === 'number') return rules.AutomaticallyAfterDays;
  const expression = rules.ScheduleExpression;
  if (typeof expression !== 'string') return undefined;
  const rate = /^rate\((\d+) (day|days|hour|hours)\)$/.exec(expression.trim());
  if (rate) return rate[2].startsWith('hour') ? Number(rate[1]) / 24 : Number(rate[1]);
  const cron = /^cron\((.+)\)$/.exec(expression.trim());
  if (cron) {
    const fields = cron[1].trim().split(/\s+/);
    // cron(minutes hours day-of-month month day-of-week year): every month at least.
    if (fields.length === 6 && (fields[3] === '*' || fields[3] === '?')) return 31;
  }
  return undefined;
}

/** SD2: every secret has a rotation schedule of at most 90 days. */
export const secretRotatedWithin90Days: IntegrationRule = {
  id: 'SD2',
  name: 'SecretRotatedWithin90Days',
  layer: 'secrets-and-data',
  info: `The secret has no rotation schedule, or one whose interval is longer than ${MAX_ROTATION_DAYS} days (or cannot be proved).`,
  explanation:
    `Integration credentials are rotated at least every ${MAX_ROTATION_DAYS} days (PCI DSS 3.2.1 requirement 8.2.4; NIST 800-53 IA-5(1)) by a rotation ` +
    'function (AWS::SecretsManager::RotationSchedule with RotationLambdaARN or HostedRotationLambda), so a leaked credential dies on its own.',
  check: (node) => {
    if (node.cfnResourceType !== 'AWS::SecretsManager::Secret') return NagRuleCompliance.NOT_APPLICABLE;
    const { logicalId } = viewOf(node);
    const schedules = resourcesOfType(node, 'AWS::SecretsManager::RotationSchedule').filter((s) => refersTo(s.properties.SecretId, logicalId));
    const rotated = schedules.some((s) => {
      const days = rotationIntervalDays(s.properties.RotationRules);
      return (s.properties.RotationLambdaARN !== undefined || s.properties.HostedRotationLambda !== undefined) && days !== undefined && days <= MAX_ROTATION_DAYS;
    });
    return rotated ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
  },
};
