import { Duration } from 'aws-cdk-lib';
import { IntegrationConfigError } from '../core/errors';

/** How long a superseded credential stays valid by default. */
export const DEFAULT_OVERLAP = Duration.hours(24);
/** The longest overlap: a week is time enough to roll a change through every caller. */
export const MAX_OVERLAP = Duration.days(7);
/**
 * The slack on a rotated credential's age: Secrets Manager starts a scheduled rotation within the
 * schedule's window, which for a `rate()` expression is the whole UTC day.
 * @see https://docs.aws.amazon.com/secretsmanager/latest/userguide/rotate-secrets_schedule.html
 */
export const ROTATION_WINDOW_SLACK = Duration.days(1);
/** How long before its limit a partner-held secret becomes due: a week to agree a change with the partner. */
export const PARTNER_NOTICE = Duration.days(7);

/**
 * Checks an overlap: whole seconds from 0 to 7 days, and shorter than the shortest interval
 * between two rotations (`minIntervalHours`, when the credential rotates).
 * @returns the overlap
 * @throws IntegrationConfigError otherwise, naming the prop and the fix.
 */
export function validateOverlap(owner: string, prop: string, overlap: Duration, minIntervalHours?: number): Duration {
  if (overlap.isUnresolved()) {
    throw new IntegrationConfigError(owner, prop, '(a deploy-time value)', 'The overlap decides when credentials are revoked and is checked against the rotation interval: give a value known at synth, for example Duration.hours(24).');
  }
  const seconds = overlap.toMilliseconds() / 1000;
  if (!Number.isInteger(seconds) || seconds < 0 || seconds > MAX_OVERLAP.toSeconds()) {
    throw new IntegrationConfigError(owner, prop, overlap.toHumanString(), 'An overlap is from zero (revoke at once) to 7 days, in whole seconds, for example Duration.hours(24).');
  }
  if (minIntervalHours !== undefined && seconds >= minIntervalHours * 3600) {
    throw new IntegrationConfigError(
      owner,
      prop,
      overlap.toHumanString(),
      `Rotations may come ${minIntervalHours} hours apart, and the next rotation must find the previous credential revoked (an app client holds two secrets): ` +
        'make the overlap shorter than the rotation interval.',
    );
  }
  return overlap;
}

/** The ages (seconds of the AWSCURRENT version) at which a credential is due (ticket) and overdue (page). */
export interface CredentialAgeThresholds {
  readonly ticketAfterSeconds: number;
  readonly pageAfterSeconds: number;
}

/**
 * A rotated credential is due when a scheduled rotation was missed (its longest interval plus the
 * rotation window's day), and overdue past its classification's limit plus that day, at least a
 * day after it became due. A partner-held secret (not rotated) is due a week before its limit and
 * overdue at the limit.
 */
export function credentialAgeThresholds(options: { readonly rotatedEveryHours?: number; readonly maxAge: Duration }): CredentialAgeThresholds {
  const slack = ROTATION_WINDOW_SLACK.toSeconds();
  const limit = options.maxAge.toSeconds();
  if (options.rotatedEveryHours === undefined) {
    return { ticketAfterSeconds: Math.max(0, limit - PARTNER_NOTICE.toSeconds()), pageAfterSeconds: limit };
  }
  const ticket = options.rotatedEveryHours * 3600 + slack;
  return { ticketAfterSeconds: ticket, pageAfterSeconds: Math.max(limit + slack, ticket + slack) };
}
