// IntegrationSlo.burnRate(window): the burn-rate expression for dashboards, over any window CloudWatch takes.
import { CfnParameter, Duration } from 'aws-cdk-lib';
import * as sns from 'aws-cdk-lib/aws-sns';
import { IntegrationSlo } from '../../lib/observability/slo';
import { newStack } from '../helpers';

function slo() {
  const stack = newStack();
  const topic = new sns.Topic(stack, 'Topic');
  const s = new IntegrationSlo(stack, 'Slo', { context: { integration: 'Things', owner: 'team@example.com' }, pageTopic: topic, ticketTopic: topic });
  return { stack, s };
}

describe('IntegrationSlo.burnRate(window)', () => {
  test('a window from a token (a parameter) is refused with the fix, not with CDK\'s period arithmetic', () => {
    const { stack, s } = slo();
    const seconds = new CfnParameter(stack, 'WindowSeconds', { type: 'Number' }).valueAsNumber;
    expect(() => s.burnRate(Duration.seconds(seconds))).toThrow('TestStack/Slo: burnRate(window): the window is a token; give a literal Duration, for example Duration.hours(1)');
  });

  test('a window in hours or minutes from a token is refused the same way', () => {
    const { stack, s } = slo();
    const hours = new CfnParameter(stack, 'WindowHours', { type: 'Number' }).valueAsNumber;
    expect(() => s.burnRate(Duration.hours(hours))).toThrow('TestStack/Slo: burnRate(window): the window is a token; give a literal Duration');
    expect(() => s.burnRate(Duration.minutes(hours))).toThrow('TestStack/Slo: burnRate(window): the window is a token; give a literal Duration');
  });

  test.each([
    [Duration.seconds(0), 0],
    [Duration.seconds(10), 10],
    [Duration.seconds(90), 90],
  ])('a window of %s is refused: the signals have one data point a minute', (window, seconds) => {
    const { s } = slo();
    expect(() => s.burnRate(window)).toThrow(`TestStack/Slo: burnRate(window): the window is ${seconds} s; give a positive whole number of minutes, for example Duration.hours(1)`);
  });

  test('a literal window gives the expression over that period; the default is one hour', () => {
    const { s } = slo();
    expect(s.burnRate(Duration.minutes(5)).period.toSeconds()).toBe(300);
    expect(s.burnRate().period.toSeconds()).toBe(3600);
  });
});
