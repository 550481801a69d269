import { Duration, Token } from 'aws-cdk-lib';
import { IntegrationConfigError } from '../core/errors';
import { FAST_PAGE_TIER } from './burn-rate-alarms';
import type { IntegrationSloProps } from './slo';

/**
 * The lowest availability objective accepted, exclusive: at 100 - 100/14.4 (about 93.06%) the
 * FastPage threshold (14.4 x the error budget) reaches a 100% error ratio, which no outage exceeds.
 */
export const MIN_AVAILABILITY_EXCLUSIVE = 100 - 100 / FAST_PAGE_TIER.burnRate;
/** The highest availability objective accepted (five nines). */
export const MAX_AVAILABILITY = 99.999;
/** The shortest SLO window accepted: the longest alert window (1 day) must be a small part of it. */
export const MIN_SLO_WINDOW = Duration.days(7);
/** The longest SLO window accepted: a quarter, the longest the SRE Workbook discusses. */
export const MAX_SLO_WINDOW = Duration.days(90);

/** The objectives after defaults. */
export interface ResolvedSlo {
  readonly availability: number;
  readonly dataQuality: number;
  readonly latencyP95: Duration;
  readonly window: Duration;
}

/** Throws an {@link IntegrationConfigError} naming the prop, the value and the fix for the first bad input. */
export function validateSloProps(path: string, props: IntegrationSloProps, slo: ResolvedSlo): void {
  const context = props.context ?? ({} as Partial<IntegrationSloProps['context']>);
  requireText(path, 'context.integration', context.integration, 'Give the integration name its signals carry in the Integration dimension.');
  requireText(path, 'context.owner', context.owner, 'Name the accountable team or person, for example "crm-team@example.com": every alarm description names them.');
  if (context.runbookUrl !== undefined) validateRunbookUrl(path, context.runbookUrl);
  for (const prop of ['pageTopic', 'ticketTopic'] as const) {
    if (!props[prop]) throw new IntegrationConfigError(path, prop, props[prop], `Give the topic ${prop === 'pageTopic' ? 'pages' : 'tickets'} go to, usually the platform's ${prop}.`);
  }
  validateAvailability(path, 'slo.availability', slo.availability);
  validateAvailability(path, 'slo.dataQuality', slo.dataQuality);
  validateLatency(path, slo.latencyP95);
  validateWindow(path, slo.window);
}

function requireText(path: string, prop: string, value: unknown, fix: string): void {
  // Stryker disable next-line StringLiteral: equivalent, see reports/mutation/EQUIVALENT.md
  if (typeof value === 'string' && Token.isUnresolved(value)) return;
  if (typeof value !== 'string' || value.trim().length === 0 || value.length > 256) {
    throw new IntegrationConfigError(path, prop, value, `${fix} (1 to 256 characters)`);
  }
}

function validateRunbookUrl(path: string, url: unknown): void {
  if (typeof url === 'string' && Token.isUnresolved(url)) return;
  let ok = typeof url === 'string' && url.length <= 512;
  if (ok) {
    try {
      ok = ['https:', 'http:'].includes(new URL(url as string).protocol);
    } catch {
      ok = false;
    }
  }
  if (!ok) {
    throw new IntegrationConfigError(path, 'context.runbookUrl', url, 'Give an http(s) URL of at most 512 characters, for example "https://wiki.example.com/runbooks/integrations#crm".');
  }
}

function validateAvailability(path: string, prop: string, availability: unknown): void {
  const fix =
    `Give a percentage above ${MIN_AVAILABILITY_EXCLUSIVE.toFixed(2)} (so a full outage can exceed 14.4x the error budget and page) ` +
    `and at most ${MAX_AVAILABILITY} (five nines), for example 99.5.`;
  if (typeof availability === 'number' && Token.isUnresolved(availability)) {
    throw new IntegrationConfigError(path, prop, '(a token)', `The burn-rate expressions are built at synth, so the objective must be a literal. ${fix}`);
  }
  if (typeof availability !== 'number' || !Number.isFinite(availability) || availability <= MIN_AVAILABILITY_EXCLUSIVE || availability > MAX_AVAILABILITY) {
    throw new IntegrationConfigError(path, prop, availability, fix);
  }
}

function validateLatency(path: string, latency: unknown): void {
  if (!(latency instanceof Duration)) {
    throw new IntegrationConfigError(path, 'slo.latencyP95', latency, 'Give a Duration, for example Duration.millis(800).');
  }
  if (latency.isUnresolved()) return;
  if (latency.toMilliseconds({ integral: false }) <= 0) {
    throw new IntegrationConfigError(path, 'slo.latencyP95', latency.toHumanString(), 'Give a positive p95 latency objective, for example Duration.millis(800).');
  }
}

function validateWindow(path: string, window: unknown): void {
  if (!(window instanceof Duration)) {
    throw new IntegrationConfigError(path, 'slo.window', window, 'Give a Duration from 7 to 90 days, for example Duration.days(28).');
  }
  if (window.isUnresolved()) {
    throw new IntegrationConfigError(path, 'slo.window', '(a token)', 'The alarm descriptions state the budget share at synth: give a literal Duration from 7 to 90 days.');
  }
  const minutes = window.toMinutes({ integral: false });
  if (minutes < MIN_SLO_WINDOW.toMinutes() || minutes > MAX_SLO_WINDOW.toMinutes()) {
    throw new IntegrationConfigError(
      path,
      'slo.window',
      window.toHumanString(),
      'Give a window from 7 to 90 days, for example Duration.days(28): the burn-rate thresholds assume about a month, the longest alert window is a day, ' +
        'and beyond a quarter a 14.4x page would spend under 0.7% of the budget.',
    );
  }
}
