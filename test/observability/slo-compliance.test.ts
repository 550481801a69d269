import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as kms from 'aws-cdk-lib/aws-kms';
import { unacknowledgedFindings } from '../../lib/compliance/findings';
import { createAlarmTopic } from '../../lib/observability/alarm-topic';
import { IntegrationSlo } from '../../lib/observability/slo';
import { newStack } from '../helpers';

function sloStack() {
  // a stack with an encrypted alarm topic and one integration's SLO alarms, with names
  const stack = newStack();
  const topic = createAlarmTopic(stack, 'AlarmTopic', { encryptionKey: new kms.Key(stack, 'Key', { enableKeyRotation: true }), alarmNamePrefix: 'test-' });
  new IntegrationSlo(stack, 'Slo', {
    context: { integration: 'Things', owner: 'team@example.com', runbookUrl: 'https://wiki.example.com/runbooks/things' },
    pageTopic: topic,
    ticketTopic: topic,
    alarmNamePrefix: 'TestStack-integrations-Things-',
  });
  return stack;
}

describe('the SLO alarms pass the compliance gates', () => {
  test('the five cdk-nag packs report nothing, with no acknowledgement', () => {
    // the component alarms satisfy CloudWatchAlarmAction by configuration (an INSUFFICIENT_DATA action)
    expect(unacknowledgedFindings(sloStack())).toEqual([]);
  });

  test('control: a metric alarm without any action is flagged, so the check above can fail', () => {
    const stack = newStack();
    new cloudwatch.Alarm(stack, 'Bare', { metric: new cloudwatch.Metric({ namespace: 'N', metricName: 'm' }), threshold: 1, evaluationPeriods: 1 });
    expect(unacknowledgedFindings(stack).map((f) => f.rule)).toEqual(['NIST.800.53.R5-CloudWatchAlarmAction', 'HIPAA.Security-CloudWatchAlarmAction']);
  });

  test('cfn-lint finds nothing in the template', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cdk-si-slo-'));
    try {
      const file = join(dir, 'slo-template.json');
      writeFileSync(file, JSON.stringify(Template.fromStack(sloStack()).toJSON(), null, 1));
      let output: string;
      try {
        output = execFileSync('cfn-lint', ['--', file], { cwd: join(__dirname, '..', '..'), encoding: 'utf8' });
      } catch (e) {
        output = String((e as { stdout?: string }).stdout ?? e);
      }
      expect(output).toBe('');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
