// The queue alarms of an integration's own queue, read from the template and simulated over
// per-minute SQS metrics: a consumer that stops and a record in the dead-letter queue reach a person.
import { Duration } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { IntegrationConfigError } from '../../lib';
import { IntegrationQueue } from '../../lib/integration/integration-queue';
import { alarmsFromTemplate, firstInAlarm, MetricSource, simulate } from '../support/metric-math-alarms';
import { MinutePoint, MinuteSeries } from '../support/metric-math';
import { newStack } from '../helpers';
import * as kms from 'aws-cdk-lib/aws-kms';
import { DataClassification, Inbound, HttpMethod, SecureIntegration, Target } from '../../lib';
import { objectSchema } from '../helpers';

function crmWithQueue() {
  const stack = newStack();
  const crm = new SecureIntegration(stack, 'Crm', {
    owner: 'crm@example.com',
    dataClassification: DataClassification.INTERNAL,
    piiFields: [],
    inbound: Inbound.api({ routes: [{ method: HttpMethod.POST, path: '/contacts', bodySchema: objectSchema, scopes: ['contacts.write'] }] }),
  });
  const template = Template.fromStack(stack);
  return { stack, crm, template };
}

const point = (v: number | undefined): MinutePoint | undefined => (v === undefined ? undefined : { sampleCount: 1, sum: v, min: v, max: v });

describe('queue alarms of an integration with its own queue', () => {
  const { stack, crm, template } = crmWithQueue();
  const alarms = alarmsFromTemplate(template.toJSON());
  const id = (c: { node: { defaultChild?: unknown } }) => stack.getLogicalId(c.node.defaultChild as never);
  // The alarms name the queues by Fn::GetAtt QueueName, which the simulator reads as the logical id.
  const queueName = id(crm.queue!.queue);
  const deadLetterQueueName = id(crm.queue!.deadLetterQueue);
  const child = (name: string) => id(crm.node.findChild('QueueAlarms').node.findChild(name) as never);
  const [ticket, deadLetters, page] = [child('Ticket'), child('DeadLetters'), child('Page')];

  /** SQS metrics: the oldest message's age (seconds) and the dead-letter queue's depth, per minute. */
  function run(minutes: number, age: (m: number) => number | undefined, deadLetters: (m: number) => number | undefined) {
    const source: MetricSource = (metric) => {
      if (metric.namespace !== 'AWS/SQS') return undefined;
      if (metric.metricName === 'ApproximateAgeOfOldestMessage' && metric.dimensions.QueueName === queueName) return new MinuteSeries(Array.from({ length: minutes }, (_, m) => point(age(m))));
      if (metric.metricName === 'ApproximateNumberOfMessagesVisible' && metric.dimensions.QueueName === deadLetterQueueName) {
        return new MinuteSeries(Array.from({ length: minutes }, (_, m) => point(deadLetters(m))));
      }
      return undefined;
    };
    return simulate(alarms, source, minutes);
  }

  test('three alarms, named with the platform prefix: two tickets and a page', () => {
    for (const a of [ticket, deadLetters, page]) expect(alarms.get(a)).toBeDefined();
    for (const name of ['backlog-ticket', 'dead-letters', 'backlog-page']) template.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: `TestStack-integrations-Crm-${name}` });
  });

  test('a consumer that stops at minute 10: ticket at minute 25 (oldest message over 15 minutes), page at minute 80 (over an hour in 3 five-minute periods)', () => {
    const sim = run(120, (m) => (m < 10 ? 5 : (m - 10) * 60 + 5), () => 0);
    expect(firstInAlarm(sim, ticket, 0)).toBe(25);
    expect(firstInAlarm(sim, page, 0)).toBe(80);
  });

  test('one record in the dead-letter queue opens its ticket the same minute, and nothing pages', () => {
    const sim = run(60, () => 5, (m) => (m >= 30 ? 1 : 0));
    expect(firstInAlarm(sim, deadLetters, 0)).toBe(30);
    expect(firstInAlarm(sim, ticket, 0)).toBeUndefined();
    expect(firstInAlarm(sim, page, 0)).toBeUndefined();
  });

  test('a dead letter nobody redrives does not hide a later backlog', () => {
    const sim = run(400, (m) => (m < 300 ? 5 : (m - 300) * 60 + 5), (m) => (m >= 10 ? 1 : 0));
    expect(firstInAlarm(sim, deadLetters, 0)).toBe(10);
    expect(firstInAlarm(sim, ticket, 0)).toBe(315);
  });

  test('an idle queue (SQS publishes nothing) is healthy', () => {
    const sim = run(60, () => undefined, () => undefined);
    expect(firstInAlarm(sim, ticket, 0)).toBeUndefined();
    expect(firstInAlarm(sim, page, 0)).toBeUndefined();
  });
});

describe('queue retention', () => {
  test('a queue that keeps records over 7 days is a synth error: a record must keep a week in its dead-letter queue', () => {
    const stack = newStack();
    const key = new kms.Key(stack, 'Key');
    expect(() => new IntegrationQueue(stack, 'Q', { encryptionKey: key, retentionPeriod: Duration.days(14) })).toThrow(IntegrationConfigError);
    expect(() => new IntegrationQueue(stack, 'Q1', { encryptionKey: key, retentionPeriod: Duration.days(8) })).toThrow(/invalid `retentionPeriod` '8 days'.*a week left/);
    expect(() => new IntegrationQueue(stack, 'Q2', { encryptionKey: key, retentionPeriod: Duration.days(7) })).not.toThrow();
  });

});

describe('default queue options', () => {
  const base = { owner: 'o@example.com', dataClassification: DataClassification.INTERNAL, piiFields: [] };
  const route = (path: string, target: Target) => ({ method: HttpMethod.POST, path, bodySchema: objectSchema, scopes: ['x.write'], target });

  test('Target.defaultQueue({ retentionPeriod }) sets the retention, shared by the routes that give it or none', () => {
    const stack = newStack();
    new SecureIntegration(stack, 'Crm', { ...base, inbound: Inbound.api({ routes: [route('/a', Target.defaultQueue({ retentionPeriod: Duration.days(2) })), route('/b', Target.defaultQueue())] }) });
    const retentions = Object.values(Template.fromStack(stack).findResources('AWS::SQS::Queue')).map((q) => q.Properties.MessageRetentionPeriod);
    // one integration queue of 2 days; the dead-letter queues (its own and the platform's) keep 14
    expect(retentions.filter((r) => r !== 1209600)).toEqual([172800]);
  });

  test('two routes giving the queue different options is a synth error', () => {
    const stack = newStack();
    expect(
      () =>
        new SecureIntegration(stack, 'Crm', {
          ...base,
          inbound: Inbound.api({ routes: [route('/a', Target.defaultQueue({ retentionPeriod: Duration.days(2) })), route('/b', Target.defaultQueue({ retentionPeriod: Duration.days(3) }))] }),
        }),
    ).toThrow(/share its queue: give the same options on each route/);
  });

  test('a retention over 7 days through Target.defaultQueue is a synth error', () => {
    const stack = newStack();
    expect(() => new SecureIntegration(stack, 'Crm', { ...base, inbound: Inbound.api({ routes: [route('/a', Target.defaultQueue({ retentionPeriod: Duration.days(10) }))] }) })).toThrow(
      /invalid `retentionPeriod` '10 days'/,
    );
  });
});
