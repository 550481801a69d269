// The SLO alarms, read back from the synthesized template, evaluated over synthetic per-minute
// traffic with the CloudWatch simulator in test/support: the SRE Workbook's promises hold.
import { Duration } from 'aws-cdk-lib';
import { AlarmState, alarmNotifications, firstInAlarm, Notification, simulate } from '../support/metric-math-alarms';
import { detect, REQUESTS_PER_MINUTE, signalSource, sloFixture, Traffic } from '../support/metric-math-scenarios';

const DAY = 1440;
const fixture = sloFixture();
const page = fixture.idOf(fixture.slo.pageAlarm);
const fastPage = [fixture.idOf(fixture.slo.burnRateAlarms.FastPageLong), fixture.idOf(fixture.slo.burnRateAlarms.FastPageShort)];
const slowPage = [fixture.idOf(fixture.slo.burnRateAlarms.SlowPageLong), fixture.idOf(fixture.slo.burnRateAlarms.SlowPageShort)];
const ticket = fixture.idOf(fixture.slo.ticketAlarm);
const latency = fixture.idOf(fixture.slo.latencyAlarm);
const burnRateAlarms = Object.values(fixture.slo.burnRateAlarms).map(fixture.idOf);

function run(traffic: Omit<Traffic, 'minutes'>, minutes: number) {
  return simulate(fixture.alarms, signalSource({ ...traffic, minutes }), minutes);
}
/** Notifications that alert someone (the page also says OK when it resolves, and when it is created). */
const alerts = (sim: { notifications: readonly Notification[] }) => sim.notifications.filter((n) => n.state === 'ALARM');
const everState = (states: readonly AlarmState[], state: AlarmState) => states.some((s) => s === state);

describe('availability: multi-window, multi-burn-rate alarms', () => {
  test('a full outage pages within 5 minutes, once, and opens no ticket', () => {
    // GIVEN a day of healthy traffic, WHEN every request fails for 36 hours
    const d = detect(fixture, 1);
    // THEN the 14.4x tier pages within 5 minutes of the first failed minute
    expect(d.page).toEqual({ minute: expect.any(Number), tier: 'FastPage' });
    expect(d.page!.minute).toBeLessThanOrEqual(5);
    // AND the lower tiers fire but stay quiet while the page is open
    expect(d.slowPageAlarm).toBeDefined();
    expect(d.ticketAlarm).toBeDefined();
    expect(d.pageNotifications).toBe(1);
    expect(d.ticketNotified).toBeUndefined();
  });

  test('a 2% error rate against 99.5% (4x burn) opens a ticket and never pages', () => {
    const d = detect(fixture, 0.02);
    expect(d.burnRate).toBeCloseTo(4);
    expect(d.ticketNotified).toBeDefined();
    expect(d.page).toBeUndefined();
    expect(everState(d.sim.states.get(page)!, 'ALARM')).toBe(false);
    expect(d.fastPageAlarm ?? d.slowPageAlarm).toBeUndefined();
    expect(alarmNotifications(d.sim, ticket)).toHaveLength(1);
  });

  test('steady 0.1% errors never alert', () => {
    const sim = run({ requestsPerMinute: () => REQUESTS_PER_MINUTE, errorRatio: () => 0.001 }, 3 * DAY);
    expect(alerts(sim)).toEqual([]);
    for (const id of [page, ...fastPage, ...slowPage, ticket]) expect(everState(sim.states.get(id)!, 'ALARM')).toBe(false);
  });

  test('zero traffic never alerts on availability, and every burn-rate alarm is OK, not INSUFFICIENT_DATA', () => {
    const sim = run({ requestsPerMinute: () => 0, errorRatio: () => 0 }, 2 * DAY);
    expect(alerts(sim)).toEqual([]);
    for (const id of burnRateAlarms) expect(new Set(sim.states.get(id))).toEqual(new Set(['OK']));
  });

  test('traffic that stops after failures never alerts on the silence', () => {
    // GIVEN 10 requests a minute with 0.1% errors for a day, THEN nothing at all for a day
    const sim = run({ requestsPerMinute: (m) => (m < DAY ? 10 : 0), errorRatio: () => 0.001 }, 2 * DAY);
    expect(alerts(sim)).toEqual([]);
  });

  test('an error_count emitted only on failures is filled with 0: healthy traffic stays quiet, a 2% burn still tickets', () => {
    const healthy = run({ requestsPerMinute: () => REQUESTS_PER_MINUTE, errorRatio: () => 0, errorPointsOnlyWhenFailing: true }, 2 * DAY);
    expect(alerts(healthy)).toEqual([]);
    const burning = run({ requestsPerMinute: () => REQUESTS_PER_MINUTE, errorRatio: (m) => (m >= DAY ? 0.02 : 0), errorPointsOnlyWhenFailing: true }, 2 * DAY);
    expect(alerts(burning).map((n) => [n.alarm, n.target])).toEqual([[ticket, fixture.ticketTopic]]);
  });

  test('a 10x burn pages on the 6-hour tier and its earlier ticket waits for the page and is suppressed', () => {
    const d = detect(fixture, 0.05);
    // the 1-day ticket window crosses 1x (at 144 min) before the 6-hour window crosses 6x (at 216 min)
    expect(d.ticketAlarm).toBeLessThan(d.slowPageAlarm!);
    expect(d.page?.tier).toBe('SlowPage');
    expect(d.ticketNotified).toBeUndefined();
    expect(d.fastPageAlarm).toBeUndefined();
  });

  test('a 30-minute full outage pages once; when it ends everything returns to OK without a ticket', () => {
    const onset = DAY + 60;
    const sim = run({ requestsPerMinute: () => REQUESTS_PER_MINUTE, errorRatio: (m) => (m >= onset && m < onset + 30 ? 1 : 0) }, onset + DAY + 12 * 60);
    expect(alerts(sim).map((n) => [n.alarm, n.target])).toEqual([[page, fixture.pageTopic]]);
    // and the page says when it is over
    expect(sim.notifications.filter((n) => n.alarm === page && n.state === 'OK' && n.minute > onset).map((n) => n.target)).toEqual([fixture.pageTopic]);
    const last = (id: string) => sim.states.get(id)!.at(-1);
    for (const id of [page, ticket]) expect(last(id)).toBe('OK');
    // the page resolves within 30 minutes of the fix (the 6x tier's short window), not 6 hours later
    const cleared = sim.states.get(page)!.findIndex((s, m) => m >= onset + 30 && s === 'OK');
    expect(cleared - (onset + 30) + 1).toBeLessThanOrEqual(30);
  });

  test('an outage that eases to a 10x burn stays one page: the 6-hour tier holds the page open as the 1-hour tier clears', () => {
    const onset = DAY + 60;
    const sim = run({ requestsPerMinute: () => REQUESTS_PER_MINUTE, errorRatio: (m) => (m < onset ? 0 : m < onset + 20 ? 1 : 0.05) }, onset + 12 * 60);
    const pages = alerts(sim).filter((n) => n.target === fixture.pageTopic);
    expect(pages.map((n) => n.alarm)).toEqual([page]);
    const paged = firstInAlarm(sim, page, onset)!;
    const fastCleared = sim.states.get(fastPage[0])!.findIndex((s, m) => m > paged && s === 'OK');
    expect(fastCleared).toBeGreaterThan(paged);
    // the page composite never returned to OK in between: no second page for the same incident
    expect(sim.states.get(page)!.slice(paged, fastCleared + 60)).not.toContain('OK');
  });

  test('thresholds follow the objective: at 99.9% a 2% error rate (20x) pages on the 1-hour tier', () => {
    const strict = sloFixture({ availability: 99.9 });
    expect(detect(strict, 0.02, 6 * 60).page?.tier).toBe('FastPage');
  });
});

describe('latency: p95 over 5 minutes above the objective in 3 of 5 periods', () => {
  const slowAfter = (onset: number, ms: number) => (m: number) => Array.from({ length: 20 }, (_, i) => (m >= onset && i < 2 ? ms : 120));
  const traffic = (latencyMs: (m: number) => readonly number[]) => ({ requestsPerMinute: () => 20, errorRatio: () => 0, latencyMs });

  test('a p95 above the objective opens a ticket 11 to 15 minutes after it starts', () => {
    // GIVEN 20 requests a minute at 120 ms, WHEN 2 of every 20 (10% > 5%) take 900 ms from minute 60
    const sim = run(traffic(slowAfter(60, 900)), 120);
    const notified = alarmNotifications(sim, latency);
    expect(notified.map((n) => n.target)).toEqual([fixture.ticketTopic]);
    expect(notified[0].minute - 60 + 1).toBeGreaterThanOrEqual(11);
    expect(notified[0].minute - 60 + 1).toBeLessThanOrEqual(15);
  });

  test('a p95 at or below the objective never alerts, nor does one slow period', () => {
    expect(alarmNotifications(run(traffic(slowAfter(60, 800)), 180), latency)).toEqual([]);
    const oneSlowPeriod = (m: number) => Array.from({ length: 20 }, () => (m >= 60 && m < 65 ? 5000 : 120));
    expect(alarmNotifications(run(traffic(oneSlowPeriod), 180), latency)).toEqual([]);
  });

  test('no traffic never alerts on latency', () => {
    const sim = run({ requestsPerMinute: () => 0, errorRatio: () => 0 }, 180);
    expect(firstInAlarm(sim, latency)).toBeUndefined();
  });

  test('the threshold follows the objective', () => {
    const fast = sloFixture({ latencyP95: Duration.millis(100) });
    const sim = simulate(fast.alarms, signalSource({ minutes: 60, ...traffic(slowAfter(999, 0)) }), 60);
    expect(firstInAlarm(sim, fast.idOf(fast.slo.latencyAlarm))).toBe(10);
  });
});
