import { Duration } from 'aws-cdk-lib';
import { IntegrationConfigError } from '../core/errors';

/** The longest rotation period the library allows: credentials rotate at least every 90 days. */
export const MAX_ROTATION_PERIOD = Duration.days(90);
/**
 * The shortest rotation period Secrets Manager allows.
 * @see https://docs.aws.amazon.com/secretsmanager/latest/userguide/rotate-secrets_schedule.html
 */
export const MIN_ROTATION_PERIOD = Duration.hours(4);

/** What a rotation schedule renders to (`AWS::SecretsManager::RotationSchedule` `RotationRules`). */
export interface RotationRulesConfig {
  readonly scheduleExpression: string;
  readonly duration?: string;
  /** The longest time between two rotations the rules allow, in hours (an upper bound for cron). */
  readonly maxIntervalHours: number;
  /** The shortest time between two rotations the rules allow, in hours (a lower bound for cron). */
  readonly minIntervalHours: number;
}

/**
 * When rotations may start: a schedule expression with a window. aws-cdk-lib's
 * `automaticallyAfter` alone cannot place rotations in a maintenance window.
 * @see https://docs.aws.amazon.com/secretsmanager/latest/userguide/rotate-secrets_schedule.html
 */
export abstract class RotationWindow {
  /**
   * A `cron()` schedule in Secrets Manager's six-field form (minutes hours day-of-month month
   * day-of-week year), for example `cron(0 2 ? * SUN *)` for Sundays 02:00 UTC. The month field must
   * be `*` so that rotations are never more than a month apart.
   * @param window how long after the start a rotation may still begin (1 to 24 hours)
   */
  public static cron(expression: string, window: Duration = Duration.hours(2)): RotationWindow {
    return new CronWindow(expression, window);
  }

  /** Renders the rules, checking them against the credential's props. */
  public abstract render(owner: string, prop: string): RotationRulesConfig;
}

class CronWindow extends RotationWindow {
  constructor(
    private readonly expression: string,
    private readonly window: Duration,
  ) {
    super();
  }

  public render(owner: string, prop: string): RotationRulesConfig {
    const match = /^cron\((.+)\)$/.exec(this.expression.trim());
    const fields = match ? match[1].trim().split(/\s+/) : [];
    if (fields.length !== 6) {
      throw new IntegrationConfigError(owner, `${prop}.expression`, this.expression, 'Write cron(minutes hours day-of-month month day-of-week year), for example "cron(0 2 ? * SUN *)".');
    }
    if (fields[3] !== '*') {
      throw new IntegrationConfigError(
        owner,
        `${prop}.expression`,
        this.expression,
        'The month field must be "*": a schedule that skips months could leave a credential unrotated for more than 90 days.',
      );
    }
    const duration = renderWindow(owner, `${prop}.window`, this.window);
    checkCronWindow(owner, prop, this.expression, fields, this.window.toHours());
    return {
      scheduleExpression: `cron(${fields.join(' ')})`,
      duration,
      maxIntervalHours: cronMaxIntervalHours(fields),
      // Rotations start anywhere in their window: two may come a window's length sooner than the schedule says.
      minIntervalHours: Math.max(0, cronMinIntervalHours(fields) - this.window.toHours()),
    };
  }
}

function renderWindow(owner: string, prop: string, window: Duration): string {
  const hours = window.toHours({ integral: false });
  if (!Number.isInteger(hours) || hours < 1 || hours > 24) {
    throw new IntegrationConfigError(owner, prop, `${window.toHumanString()}`, 'A rotation window is a whole number of hours from 1 to 24.');
  }
  return `${hours}h`;
}

/**
 * The rotation window of a period in days: Secrets Manager starts a rotation anywhere in its window,
 * which for `rate(N days)` is by default the whole UTC day, so two rotations could come minutes
 * apart. Four hours from midnight UTC keep them at least N days less 4 hours apart.
 * @see https://docs.aws.amazon.com/secretsmanager/latest/userguide/rotate-secrets_schedule.html
 */
export const DAILY_ROTATION_WINDOW_HOURS = 4;

/**
 * The rules for rotating every `period`: `rate(N days)` in a 4-hour window from midnight UTC, or
 * `rate(N hours)` below a day (in Secrets Manager's default 1-hour windows).
 * @throws IntegrationConfigError when the period is under 4 hours or over 90 days.
 */
export function periodRules(owner: string, prop: string, period: Duration): RotationRulesConfig {
  const hours = period.toHours({ integral: false });
  if (hours < MIN_ROTATION_PERIOD.toHours() || hours > MAX_ROTATION_PERIOD.toHours()) {
    throw new IntegrationConfigError(
      owner,
      prop,
      period.toHumanString(),
      'Rotate at least every 90 days (the library\'s policy; AWS would allow 1000) and at most every 4 hours (Secrets Manager\'s minimum), for example Duration.days(30).',
    );
  }
  if (!Number.isInteger(hours) || (hours >= 24 && hours % 24 !== 0) || (hours < 24 && 24 % hours !== 0)) {
    throw new IntegrationConfigError(
      owner,
      prop,
      period.toHumanString(),
      'Give the rotation period in hours that divide a day (4, 6, 8 or 12: Secrets Manager\'s windows for rate(N hours) start again at midnight UTC, ' +
        'so other periods would bring two rotations close together), or in whole days.',
    );
  }
  if (hours % 24 === 0) {
    return { scheduleExpression: hours === 24 ? 'rate(1 day)' : `rate(${hours / 24} days)`, duration: `${DAILY_ROTATION_WINDOW_HOURS}h`, maxIntervalHours: hours, minIntervalHours: hours - DAILY_ROTATION_WINDOW_HOURS };
  }
  return { scheduleExpression: `rate(${hours} hours)`, maxIntervalHours: hours, minIntervalHours: hours - 1 };
}

/**
 * An upper bound on the time between two runs of a cron schedule whose month field is `*`: 31 days
 * when it names a day of the month every month has (1 to 28), 62 when it may skip a month, 7 days
 * when it names days of the week, 1 day otherwise.
 */
function cronMaxIntervalHours(fields: string[]): number {
  const [, , dayOfMonth, , dayOfWeek] = fields;
  // A day of the month that some months lack (29 to 31, or L-style expressions) can skip a month: up to 62 days.
  if (dayOfMonth !== '*' && dayOfMonth !== '?') return (/^([1-9]|1\d|2[0-8])$/.test(dayOfMonth) ? 31 : 62) * 24;
  if (dayOfWeek !== '*' && dayOfWeek !== '?') return 7 * 24;
  return 24;
}

/**
 * A lower bound on the time between two runs of a cron schedule: with one minute of one hour, a
 * week when it names one day of the week, 28 days when it names one day of the month, a day
 * otherwise; anything else, Secrets Manager's 4-hour minimum between rotations.
 */
function cronMinIntervalHours(fields: string[]): number {
  const [minutes, hours, dayOfMonth, , dayOfWeek] = fields;
  const single = (field: string) => /^\d+$/.test(field);
  if (!single(minutes) || !single(hours)) return MIN_ROTATION_PERIOD.toHours();
  const anyDay = (field: string) => field === '*' || field === '?';
  if (anyDay(dayOfMonth) && /^([1-7]|SUN|MON|TUE|WED|THU|FRI|SAT)$/i.test(dayOfWeek)) return 7 * 24;
  if (anyDay(dayOfWeek) && single(dayOfMonth)) return 28 * 24;
  return 24;
}

/** The start hours of a cron's hours field, when it is a number, a list of numbers or `start/step`. */
function cronStartHours(field: string): number[] | undefined {
  if (/^\d+(,\d+)*$/.test(field)) return field.split(',').map(Number).sort((a, b) => a - b);
  const step = /^(\d+)\/(\d+)$/.exec(field);
  if (step) {
    const hours: number[] = [];
    for (let h = Number(step[1]); h < 24; h += Number(step[2])) hours.push(h);
    return hours;
  }
  return undefined;
}

/**
 * Secrets Manager's rules for a window: it must not extend into the next UTC day nor into the next
 * rotation window (checked where the hours field says when windows start).
 * @see https://docs.aws.amazon.com/secretsmanager/latest/userguide/rotate-secrets_schedule.html
 */
function checkCronWindow(owner: string, prop: string, expression: string, fields: string[], windowHours: number): void {
  const starts = cronStartHours(fields[1]);
  if (!starts || starts.length === 0) return;
  for (let i = 1; i < starts.length; i++) {
    if (starts[i] - starts[i - 1] < windowHours) {
      throw new IntegrationConfigError(owner, `${prop}.window`, `${windowHours} hours`, `Windows start ${starts[i] - starts[i - 1]} hours apart in ${expression}: a window must not run into the next one. Shorten the window.`);
    }
  }
  const last = starts[starts.length - 1];
  if (last + windowHours > 24) {
    throw new IntegrationConfigError(owner, `${prop}.window`, `${windowHours} hours from ${last}:00`, `A rotation window must end by midnight UTC (Secrets Manager refuses one that runs into the next day): shorten the window or start earlier than in ${expression}.`);
  }
}
