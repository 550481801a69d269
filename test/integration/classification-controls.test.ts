import { Duration } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import { CLASSIFICATION_CONTROLS, DataClassification, IntegrationPlatform, Rotation, RotationWindow, SecureIntegration, SecureIntegrationProps } from '../../lib';
import { newStack } from '../helpers';

function build(props: Partial<SecureIntegrationProps>, platformProps = {}) {
  const stack = newStack();
  const platform = new IntegrationPlatform(stack, 'Platform', platformProps);
  return new SecureIntegration(stack, 'Hr', { owner: 'hr@example.com', dataClassification: DataClassification.RESTRICTED, platform, ...props });
}

describe('data classification drives the controls', () => {
  test('the table is documented and ordered: stricter classes never allow more', () => {
    const order = [DataClassification.PUBLIC, DataClassification.INTERNAL, DataClassification.CONFIDENTIAL, DataClassification.RESTRICTED];
    for (let i = 1; i < order.length; i++) {
      const [looser, stricter] = [CLASSIFICATION_CONTROLS[order[i - 1]], CLASSIFICATION_CONTROLS[order[i]]];
      expect(stricter.maxRotationPeriod.toDays()).toBeLessThanOrEqual(looser.maxRotationPeriod.toDays());
      expect(stricter.minLogRetentionDays).toBeGreaterThanOrEqual(looser.minLogRetentionDays);
    }
  });

  test('RESTRICTED without a decision on piiFields is a synth error naming the classification', () => {
    expect(() => build({})).toThrow(/Hr: invalid `piiFields` \(not set\)\. RESTRICTED data needs a decision on personal data.*piiFields: \[\]/);
  });

  test('RESTRICTED with piiFields: [] states that the payload holds none', () => {
    expect(() => build({ piiFields: [] })).not.toThrow();
  });

  test('CONFIDENTIAL needs the decision too; INTERNAL does not', () => {
    expect(() => build({ dataClassification: DataClassification.CONFIDENTIAL })).toThrow(/CONFIDENTIAL data needs a decision/);
    expect(() => build({ dataClassification: DataClassification.INTERNAL })).not.toThrow();
  });

  test('RESTRICTED credentials rotate at least every 30 days', () => {
    expect(() => build({ piiFields: [], credentials: [{ name: 'k', rotation: Rotation.generatedToken(), rotateEvery: Duration.days(45) }] })).toThrow(
      /invalid `credentials\[0\]\.rotateEvery` '45 days between rotations'\. RESTRICTED credentials rotate at least every 30 days/,
    );
    expect(() => build({ piiFields: [], credentials: [{ name: 'k', rotation: Rotation.generatedToken(), rotateEvery: Duration.days(30) }] })).not.toThrow();
  });

  test('a monthly cron window is too sparse for RESTRICTED, a weekly one is fine', () => {
    expect(() => build({ piiFields: [], credentials: [{ name: 'k', rotation: Rotation.generatedToken(), rotationWindow: RotationWindow.cron('cron(0 2 1 * ? *)') }] })).toThrow(
      /'31 days between rotations'.*RESTRICTED/,
    );
    expect(() => build({ piiFields: [], credentials: [{ name: 'k', rotation: Rotation.generatedToken(), rotationWindow: RotationWindow.cron('cron(0 2 ? * SUN *)') }] })).not.toThrow();
  });

  test('CONFIDENTIAL credentials rotate at least every 60 days', () => {
    expect(() =>
      build({ dataClassification: DataClassification.CONFIDENTIAL, piiFields: [], credentials: [{ name: 'k', rotation: Rotation.generatedToken(), rotateEvery: Duration.days(61) }] }),
    ).toThrow(/CONFIDENTIAL credentials rotate at least every 60 days/);
  });

  test('RESTRICTED needs a year of logs on its platform', () => {
    expect(() => build({ piiFields: [] }, { logRetention: logs.RetentionDays.SIX_MONTHS })).toThrow(
      /invalid `platform logRetention` '180 days'\. RESTRICTED integrations need at least 365 days of logs/,
    );
  });
});
