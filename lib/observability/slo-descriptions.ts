// What each SLO alarm means, in words for whoever is paged. `describeAlarm` adds whose integration
// it is, its owner and the runbook.
import type { Duration } from 'aws-cdk-lib';
import type { BurnRateTier } from './burn-rate-alarms';

/** The objectives the descriptions quote. */
export interface SloFacts {
  readonly availability: number;
  /** The data-quality objective, where the burn-rate alarms burn it too. */
  readonly dataQuality?: number;
  readonly window: Duration;
  readonly latencyP95: Duration;
}

/** What holds back a tier's notifications, and for how long. */
export interface Suppression {
  /** The suppressor, for example `the FastPage alarm`. */
  readonly by: string;
  /** How long a notification waits for the suppressor to enter ALARM. */
  readonly wait: Duration;
  /** How long the tier stays quiet after the suppressor leaves ALARM. */
  readonly extension: Duration;
}

/** `5 minutes`, `1 hour`, `6 hours`, `1 day`, `28 days`. */
export function describeDuration(d: Duration): string {
  const minutes = d.toMinutes({ integral: false });
  const [amount, unit] = minutes % 1440 === 0 ? [minutes / 1440, 'day'] : minutes % 60 === 0 ? [minutes / 60, 'hour'] : [minutes, 'minute'];
  return `${Number(amount.toPrecision(3))} ${unit}${amount === 1 ? '' : 's'}`;
}

/** `5-minute`, `1-hour`, `28-day`: a duration before a noun. */
export function durationAdjective(d: Duration): string {
  return describeDuration(d).replace(/ (\w+?)s?$/, '-$1');
}

function percent(fraction: number): string {
  return `${Number((fraction * 100).toPrecision(2))}%`;
}

function errorRatio(tier: BurnRateTier, slo: SloFacts): string {
  const availability = `error ratio above ${percent((tier.burnRate * (100 - slo.availability)) / 100)}; availability SLO ${slo.availability}%`;
  if (slo.dataQuality === undefined) return `${availability} over ${describeDuration(slo.window)}`;
  return `${availability}; rejections above ${percent(Math.min(1, (tier.burnRate * (100 - slo.dataQuality)) / 100))}, data quality ${slo.dataQuality}%; over ${describeDuration(slo.window)}`;
}

/** Budget spent if the burn lasts the tier's long window, and how long the whole budget lasts at that rate. */
function consequence(tier: BurnRateTier, slo: SloFacts): string {
  const windowMinutes = slo.window.toMinutes({ integral: false });
  const spent = (tier.burnRate * tier.longWindow.toMinutes({ integral: false })) / windowMinutes;
  const lastsDays = windowMinutes / tier.burnRate / 1440;
  return (
    `Sustained for ${describeDuration(tier.longWindow)} this burn spends ${percent(spent)} of the ${durationAdjective(slo.window)} error budget; ` +
    `at this rate the whole budget is gone in ${Number(lastsDays.toPrecision(2))} days.`
  );
}

/** A tier's composite alarm, the one that notifies. */
export function tierMeaning(tier: BurnRateTier, slo: SloFacts, suppression?: Suppression): string {
  return [
    `${tier.pages ? 'PAGE' : 'TICKET'}: the error budget is burning at more than ${tier.burnRate}x the sustainable rate`,
    `over both the last ${describeDuration(tier.longWindow)} and the last ${describeDuration(tier.shortWindow)} (${errorRatio(tier, slo)}).`,
    consequence(tier, slo),
    suppression
      ? `Notifies ${describeDuration(suppression.wait)} after entering ALARM unless ${suppression.by} is in ALARM by then; ` +
        `quiet while it is and for ${describeDuration(suppression.extension)} after.`
      : '',
    slo.dataQuality === undefined
      ? 'Look at error_count and request_count of the integration (namespace CdkSecureIntegrations).'
      : 'See error_count, rejected_count by Cause, request_count and the methods\' 4XXError.',
  ]
    .filter((s) => s.length > 0)
    .join(' ');
}

/** One window's metric alarm, a component of a tier's composite. */
export function componentMeaning(tier: BurnRateTier, window: Duration, _slo: SloFacts): string {
  // Short: six of these per integration, and the composite that notifies says the rest.
  return (
    `Part of the SLO ${tier.pages ? 'Page' : 'Ticket'} alarm: burn rate over ${describeDuration(window)} above ${tier.burnRate}x. ` +
    'Notifies (the ticket topic) only if it cannot be evaluated.'
  );
}

/** The page composite: either page tier, each `ALARM(long) AND ALARM(short)`. Kept short: it names both tiers. */
export function pageMeaning(tiers: readonly BurnRateTier[], slo: SloFacts): string {
  const ratio = (t: BurnRateTier, objective: number) => percent(Math.min(1, (t.burnRate * (100 - objective)) / 100));
  const windowDays = slo.window.toMinutes({ integral: false }) / 1440;
  const conditions = tiers.map(
    (t) =>
      `over ${t.burnRate}x for both the last ${describeDuration(t.longWindow)} and ${describeDuration(t.shortWindow)} ` +
      `(errors above ${ratio(t, slo.availability)}${slo.dataQuality === undefined ? '' : ` or rejections above ${ratio(t, slo.dataQuality)}`})`,
  );
  const lasts = tiers.map((t) => `${t.burnRate}x in ${Number((windowDays / t.burnRate).toPrecision(2))} days`);
  return (
    `PAGE: the error budget burns ${conditions.join(', or ')}; availability SLO ${slo.availability}%` +
    `${slo.dataQuality === undefined ? '' : `, data quality ${slo.dataQuality}%`} over ${describeDuration(slo.window)}. ` +
    `The whole budget is gone at ${lasts.join(', at ')}. One page per incident; it holds back the SLO ticket. ` +
    `See ${slo.dataQuality === undefined ? 'error_count and request_count' : 'error_count, rejected_count by Cause, request_count and the methods\' 4XXError'}.`
  );
}

/** The latency alarm. */
export function latencyMeaning(slo: SloFacts, shape: { datapointsToAlarm: number; evaluationPeriods: number; period: Duration }): string {
  return (
    `TICKET: slow answers: p95 latency above ${slo.latencyP95.toMilliseconds({ integral: false })} ms in ${shape.datapointsToAlarm} of the last ` +
    `${shape.evaluationPeriods} periods of ${describeDuration(shape.period)} (latency SLO: p95 at most that). Periods without traffic count as healthy.`
  );
}
