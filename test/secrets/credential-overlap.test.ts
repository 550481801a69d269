import { CfnParameter, Duration, Stack } from 'aws-cdk-lib';
import { CredentialProps, DataClassification, Inbound, IntegrationPlatform, Rotation, RotationWindow, SecureIntegration, SignatureScheme } from '../../lib';
import { newStack, objectSchema } from '../helpers';
import { synthesizePlatform } from '../support/config-layers';

// How long a superseded credential stays valid after its successor became current: written into the
// credential's binding (overlapSeconds), validated at synth against the rotation interval.

function withCredential(credential: Omit<CredentialProps, 'name' | 'rotation'> | ((stack: Stack) => Omit<CredentialProps, 'name' | 'rotation'>)) {
  const stack = newStack();
  const platform = new IntegrationPlatform(stack, 'Platform');
  new SecureIntegration(stack, 'Erp', {
    owner: 'erp@example.com',
    dataClassification: DataClassification.INTERNAL,
    credentials: [{ name: 'api-key', rotation: Rotation.generatedToken(), ...(typeof credential === 'function' ? credential(stack) : credential) }],
  });
  return { stack, platform };
}

/** The overlap, in seconds, the rotation function's binding of the credential holds. */
function boundOverlapSeconds(credential: Omit<CredentialProps, 'name' | 'rotation'>): number {
  const { stack, platform } = withCredential(credential);
  return synthesizePlatform(stack).rotationConfig().credentials[`${platform.secretNamePrefix}/Erp/api-key`].overlapSeconds;
}

describe('credential overlap', () => {
  test.each([
    ['every 30 days', { rotateEvery: Duration.days(30) }, 24 * 3600],
    // Secrets Manager starts a rotation anywhere in its window (1 hour for rate(N hours), the window given for cron):
    // two may come a window's length sooner than the schedule says.
    ['every 4 hours', { rotateEvery: Duration.hours(4) }, 1.5 * 3600],
    ['every 12 hours', { rotateEvery: Duration.hours(12) }, 5.5 * 3600],
    ['every day (a 4-hour window from midnight UTC)', { rotateEvery: Duration.days(1) }, 10 * 3600],
    ['in a daily window at 02:00 (2 hours long)', { rotationWindow: RotationWindow.cron('cron(0 2 * * ? *)') }, 11 * 3600],
    ['in a weekly window', { rotationWindow: RotationWindow.cron('cron(0 2 ? * SUN *)') }, 24 * 3600],
    ['in a window every 6 hours', { rotationWindow: RotationWindow.cron('cron(0 0/6 * * ? *)') }, 1 * 3600],
  ])('defaults to 24 hours, or half the shortest rotation interval, for a credential rotated %s', (_what, credential, seconds) => {
    expect(boundOverlapSeconds(credential)).toBe(seconds);
  });

  test.each([
    ['zero: the superseded credential is revoked when the rotation finishes', Duration.seconds(0), 0],
    ['7 days, the longest', Duration.days(7), 7 * 24 * 3600],
    ['6 hours', Duration.hours(6), 6 * 3600],
  ])('may be %s', (_what, overlap, seconds) => {
    expect(boundOverlapSeconds({ rotateEvery: Duration.days(30), overlap })).toBe(seconds);
  });

  test('over 7 days is a synth error naming the prop', () => {
    expect(() => withCredential({ rotateEvery: Duration.days(30), overlap: Duration.days(8) })).toThrow(
      /invalid `credentials\[0\]\.overlap` '8 days'\. An overlap is from zero \(revoke at once\) to 7 days/,
    );
  });

  test('below zero cannot be written (Duration refuses it), and one known only at deploy time is a synth error naming the prop', () => {
    expect(() => Duration.hours(-1)).toThrow(/cannot be negative/);
    expect(() => withCredential((stack) => ({ overlap: Duration.seconds(new CfnParameter(stack, 'Overlap', { type: 'Number' }).valueAsNumber) }))).toThrow(
      /invalid `credentials\[0\]\.overlap`/,
    );
  });

  test('in fractions of a second is a synth error naming the prop', () => {
    expect(() => withCredential({ overlap: Duration.millis(1500) })).toThrow(/invalid `credentials\[0\]\.overlap`/);
  });

  test.each([
    ['as long as a 4-hour rotation period', { rotateEvery: Duration.hours(4), overlap: Duration.hours(4) }, /'4 hours'.*Rotations may come 3 hours apart/],
    ['longer than a 12-hour rotation period', { rotateEvery: Duration.hours(12), overlap: Duration.days(1) }, /'1 day'.*Rotations may come 11 hours apart/],
    ['a day, for a daily rotation (its window is 4 hours)', { rotateEvery: Duration.days(1), overlap: Duration.hours(24) }, /'1 day'.*Rotations may come 20 hours apart/],
    ['as long as the day between runs of a daily window', { rotationWindow: RotationWindow.cron('cron(0 2 * * ? *)'), overlap: Duration.hours(24) }, /'1 day'.*Rotations may come 22 hours apart/],
    ['longer than 2 hours for a 2-hour window that runs several times a day', { rotationWindow: RotationWindow.cron('cron(0 0/6 * * ? *)'), overlap: Duration.hours(5) }, /'5 hours'.*Rotations may come 2 hours apart/],
  ])('%s is a synth error naming the prop', (_what, credential, message) => {
    expect(() => withCredential(credential)).toThrow(/invalid `credentials\[0\]\.overlap`/);
    expect(() => withCredential(credential)).toThrow(message);
  });

  test('just shorter than the rotation interval is accepted', () => {
    expect(boundOverlapSeconds({ rotateEvery: Duration.hours(4), overlap: Duration.minutes(179) })).toBe(179 * 60);
    expect(boundOverlapSeconds({ rotationWindow: RotationWindow.cron('cron(0 2 * * ? *)'), overlap: Duration.hours(21) })).toBe(21 * 3600);
  });
});

describe('webhook signing secret overlap', () => {
  function webhook(signingSecretOverlap?: Duration) {
    const stack = newStack();
    new IntegrationPlatform(stack, 'Platform');
    new SecureIntegration(stack, 'Hooks', {
      owner: 'hooks@example.com',
      dataClassification: DataClassification.INTERNAL,
      inbound: Inbound.webhook({ path: '/hooks', bodySchema: objectSchema, signature: SignatureScheme.githubHmacSha256(), signingSecretOverlap }),
    });
    return stack;
  }

  test.each([
    ['24 hours by default', undefined, 24 * 3600],
    ['as given', Duration.hours(2), 2 * 3600],
    ['zero: only the current secret verifies', Duration.seconds(0), 0],
    ['at most 7 days', Duration.days(7), 7 * 24 * 3600],
  ])("is %s, in the ingest route's config and in the signing secret's binding", (_what, overlap, seconds) => {
    // GIVEN / WHEN
    const synthesized = synthesizePlatform(webhook(overlap));
    // THEN the ingest function accepts the previous secret for that long
    const route = synthesized.ingestConfig().routes.find((r) => r.integration === 'Hooks')!;
    expect(route.signingSecretOverlapSeconds).toBe(seconds);
    // AND the sweep measures the same overlap
    const [binding] = Object.values(synthesized.rotationConfig().credentials);
    expect(binding).toEqual(expect.objectContaining({ credential: 'webhook-signing-secret', overlapSeconds: seconds }));
  });

  test('over 7 days is a synth error naming the prop', () => {
    expect(() => webhook(Duration.days(8))).toThrow(/invalid `inbound\.signingSecretOverlap` '8 days'\. An overlap is from zero \(revoke at once\) to 7 days/);
  });
});
