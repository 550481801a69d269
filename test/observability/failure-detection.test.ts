// The failure-detection table of BENCHMARKS.md: each way an inbound integration breaks, injected as
// the metrics it would produce into a whole synthesized platform, and the first page and ticket it
// causes. `FAILURE_BENCH_WRITE=1 npx jest test/observability/failure-detection` rewrites the section.
import { join } from 'node:path';
import { Duration } from 'aws-cdk-lib';
import { TrafficExpectation } from '../../lib';
import { BandModel } from '../support/metric-math-alarms';
import { alarmNamed, Heard, MinuteOfTraffic, platformFixture, whoHears } from '../support/failure-scenarios';
import { recordedSectionRows, writeNamedSection } from '../support/metric-math-report';

const BENCHMARKS = join(__dirname, '..', '..', 'BENCHMARKS.md');
const SECTION = 'failure-detection';

const learned = platformFixture();
const steady = platformFixture(TrafficExpectation.atLeast(100, Duration.hours(1)));
const slowObjective = platformFixture(undefined, Duration.millis(800));
// What trained models would draw for 1,000 requests a minute at 200 ms.
const bands: BandModel = (alarm) =>
  alarm === alarmNamed(learned, '-silence') ? { lower: 45_000, upper: 75_000 } : alarm === alarmNamed(learned, '-latency-anomaly') ? { lower: 100, upper: 300 } : undefined;

const healthy: MinuteOfTraffic = { accepted: 1000, queueAge: 5, deadLetters: 0, received: 1000, deleted: 1000 };
const SCENARIOS: Array<[string, () => { page?: Heard; ticket?: Heard }]> = [
  ['partner stops sending (expect: at least 100 an hour)', () => whoHears(steady, () => ({ accepted: 0 }))],
  ['partner stops sending (learned expectation, the default)', () => whoHears(learned, () => ({ accepted: 0 }), { bands })],
  // WAF answers 403 before the stage: neither API Gateway nor the ingest counts it, so it reads as silence.
  ["partner blocked by WAF (its IP left the allowlist; expect: at least 100 an hour)", () => whoHears(steady, () => ({ accepted: 0 }))],
  ['30% of payloads rejected by the stage\'s body validator', () => whoHears(learned, () => ({ ...healthy, accepted: 700, stageRejected: 300 }))],
  ['100% signature failures (secret out of step)', () => whoHears(learned, () => ({ ...healthy, accepted: 0, ingestRejected: 1000 }))],
  ['consumer down: the queue ages', () => whoHears(learned, (m) => ({ ...healthy, queueAge: m * 60 + 5, received: 0, deleted: 0 }), { afterMinutes: 120 })],
  [
    'consumer fails every record (records reach the dead-letter queue)',
    () => whoHears(learned, (m) => ({ ...healthy, queueAge: 120, received: 1000, deleted: 0, deadLetters: m >= 15 ? 200 : 0 }), { afterMinutes: 60 }),
  ],
  ['one record in the dead-letter queue', () => whoHears(learned, () => ({ ...healthy, deadLetters: 1 }), { afterMinutes: 60 })],
  ['crash loop at start-up (the ingest never runs)', () => whoHears(learned, () => ({ accepted: 0, ingestCrashes: 1000 }), { afterMinutes: 60 })],
  // API Gateway invokes the ingest for a method whose route its config lacks; the 500 belongs to no integration.
  ["a method deployed ahead of its route (the ingest's config lacks it)", () => whoHears(learned, () => ({ accepted: 0, unrouted: 1000 }), { afterMinutes: 60 })],
  // A deployment that removes a route updates the function before the stage stops serving the method.
  ['a route removed: 2 minutes of requests for it while the deployment finishes', () => whoHears(learned, (m) => ({ ...healthy, unrouted: m < 2 ? 50 : 0 }), { afterMinutes: 60 })],
  ['every request fails in the handler (500)', () => whoHears(learned, () => ({ ...healthy, accepted: 0, failed: 1000 }), { afterMinutes: 60 })],
  ['p95 doubles within the objective (200 to 400 ms)', () => whoHears(learned, () => ({ ...healthy, latencyMs: 400 }), { afterMinutes: 120, bands })],
  ['p95 doubles past the objective (500 to 1,000 ms, objective 800)', () => whoHears(slowObjective, () => ({ ...healthy, latencyMs: 1000 }), { afterMinutes: 60 })],
];

const cell = (h?: Heard) => (h ? `${h.alarm}, ${h.minutes} min` : '-');
const rows = SCENARIOS.map(([failure, run]) => {
  const { page, ticket } = run();
  return `| ${failure} | ${cell(page)} | ${cell(ticket)} |`;
});

describe('failure detection of an inbound integration (minutes from the onset)', () => {
  test('each failure reaches a person in the time the arithmetic predicts', () => {
    expect(rows).toEqual([
      '| partner stops sending (expect: at least 100 an hour) | silence, 60 min | - |',
      '| partner stops sending (learned expectation, the default) | - | silence, 136 min |',
      '| partner blocked by WAF (its IP left the allowlist; expect: at least 100 an hour) | silence, 60 min | - |',
      "| 30% of payloads rejected by the stage's body validator | slo-page, 29 min | - |",
      '| 100% signature failures (secret out of step) | slo-page, 9 min | - |',
      '| consumer down: the queue ages | backlog-page, 71 min | backlog-ticket, 16 min |',
      '| consumer fails every record (records reach the dead-letter queue) | backlog-page, 15 min | dead-letters, 16 min |',
      '| one record in the dead-letter queue | - | dead-letters, 1 min |',
      '| crash loop at start-up (the ingest never runs) | ingest-failures, 3 min | - |',
      "| a method deployed ahead of its route (the ingest's config lacks it) | ingest-unrouted, 3 min | - |",
      '| a route removed: 2 minutes of requests for it while the deployment finishes | - | - |',
      '| every request fails in the handler (500) | slo-page, 5 min | - |',
      '| p95 doubles within the objective (200 to 400 ms) | - | latency-anomaly, 31 min |',
      '| p95 doubles past the objective (500 to 1,000 ms, objective 800) | - | slo-latency, 11 min |',
    ]);
  });

  test('match the table in BENCHMARKS.md', () => {
    if (process.env.FAILURE_BENCH_WRITE === '1') writeNamedSection(BENCHMARKS, SECTION, failureSection(rows));
    const recorded = recordedSectionRows(BENCHMARKS, SECTION);
    if (recorded !== undefined) expect(recorded).toEqual(rows);
  });
});

function failureSection(table: string[]): string {
  return [
    '## Failure detection: who hears of each failure, and when',
    '',
    `Simulated by \`test/observability/failure-detection.test.ts\` on ${new Date().toISOString().slice(0, 10)}: a platform with one inbound integration`,
    '(one route, its own queue, the default SLOs: availability 99.5%, data quality 99%, p95 800 ms) is synthesized; every alarm of the',
    'template is evaluated minute by minute over 26 hours of healthy traffic (1,000 requests a minute, p95 200 ms) and then the failure,',
    'injected as the metrics it produces (the ingest\'s signals and unrouted_count, API Gateway 4XXError, SQS queue age and dead-letter depth, Lambda Errors).',
    'Minutes count from the onset (1 = the end of its first minute). Anomaly bands are those a model trained on the healthy traffic',
    'would draw (hourly requests 45,000 to 75,000, p95 100 to 300 ms); CloudWatch trains them over two weeks, and nothing alarms on them before.',
    'Here pages go to the platform\'s page topic and tickets to its ticket topic (by default both are its one alarm topic); each alarm',
    'description of the integration names it, its owner and the runbook. The learned silence row assumes CloudWatch\'s FILL yields zeros',
    'for a metric with no data point at all (not verified against AWS; `atLeast` does not depend on it).',
    '',
    '| failure | first page | first ticket |',
    '|---|---|---|',
    ...table,
    '',
    'Add CloudWatch\'s own delays in production: metrics land about a minute after the fact (SQS\'s up to 5), and evaluation may lag a minute or two.',
    'A ticket whose incident also pages is held back by the page (the SLO ticket waits 2 hours for it). Requests WAF blocks before the stage',
    'are not in the data-quality SLI: the WebACL\'s own metrics show them.',
  ].join('\n');
}
