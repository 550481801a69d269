// The record of when AWSCURRENT moved to its version (lambda/rotation/current-since.ts): the one
// secret tag the rotation writes and reads, how a tag that is not a well-formed record is read (as no
// record: the overlap then counts from later), and the window in which a record's time is believed.
import type { DescribeSecretCommandOutput } from '@aws-sdk/client-secrets-manager';
import { CURRENT_SINCE_TAG, currentSinceOf, knownSince, recordCurrentSince, rotatedTo } from '../../../lambda/rotation/current-since';
import { memorySecretsManager } from '../../support/in-memory-secrets-manager';

const NAME = 'integrations/p/Crm/partner-key';
const ARN = `arn:aws:secretsmanager:us-east-1:123456789012:secret:${NAME}-AbCdEf`;
const ISO = '2026-11-30T05:00:00.000Z';
const AT = Date.parse(ISO);
const meta = (tags?: Array<{ Key?: string; Value?: string }>) => ({ ARN, Name: NAME, Tags: tags, $metadata: {} }) as DescribeSecretCommandOutput;
const tag = (Value: string) => [{ Key: CURRENT_SINCE_TAG, Value }];

describe('the record in the secret tag', () => {
  test.each(['moving', 'moved', 'seen'] as const)('a %s record is read as version, time and source', (source) => {
    expect(currentSinceOf(meta(tag(`v2@${ISO}@${source}`)))).toStrictEqual({ versionId: 'v2', at: AT, source });
  });

  test('the record is kept under the tag key cdk-secure-integrations:current-since: a record written before an upgrade is still read after it', () => {
    expect(currentSinceOf(meta([{ Key: 'cdk-secure-integrations:current-since', Value: `v2@${ISO}@moved` }]))).toStrictEqual({ versionId: 'v2', at: AT, source: 'moved' });
  });

  test('only the rotation tag is read: another tag holding a record-like value is not the record', () => {
    const tags = [
      { Key: 'owner', Value: `v9@${ISO}@moved` },
      { Key: CURRENT_SINCE_TAG, Value: `v2@${ISO}@seen` },
    ];
    expect(currentSinceOf(meta(tags))).toStrictEqual({ versionId: 'v2', at: AT, source: 'seen' });
    expect(currentSinceOf(meta([{ Key: 'owner', Value: `v9@${ISO}@moved` }]))).toBeUndefined();
  });

  test.each([
    ['no tags at all', undefined],
    ['the tag without a value', [{ Key: CURRENT_SINCE_TAG }]],
    ['an empty value', tag('')],
    ['a version id alone', tag('v2')],
    ['no version id', tag(`@${ISO}@moved`)],
    ['a time that is not one', tag('v2@yesterday@moved')],
    ['no time', tag('v2@@moved')],
    ['no source', tag(`v2@${ISO}`)],
    ['a source the rotation never writes', tag(`v2@${ISO}@revoked`)],
    ['a source in another case', tag(`v2@${ISO}@MOVED`)],
  ])('%s is no record (when AWSCURRENT moved is then not known)', (_, tags) => {
    expect(currentSinceOf(meta(tags))).toBeUndefined();
  });

  test('the record is written as one tag of the secret, version@ISO time@source, with the ARN as SecretId', async () => {
    const fake = memorySecretsManager({ arn: ARN, name: NAME, versions: [], tags: { owner: 'team' } });
    await recordCurrentSince(fake.sm, ARN, { versionId: 'v2', at: AT + 7, source: 'moved' });
    expect(fake.sent).toStrictEqual([
      { command: 'TagResourceCommand', input: { SecretId: ARN, Tags: [{ Key: CURRENT_SINCE_TAG, Value: 'v2@2026-11-30T05:00:00.007Z@moved' }] } },
    ]);
    expect([...fake.secret.tags]).toEqual([
      ['owner', 'team'],
      [CURRENT_SINCE_TAG, 'v2@2026-11-30T05:00:00.007Z@moved'],
    ]);
    // What is written reads back as the same record.
    expect(currentSinceOf(meta([...fake.secret.tags].map(([Key, Value]) => ({ Key, Value }))))).toStrictEqual({ versionId: 'v2', at: AT + 7, source: 'moved' });
  });
});

describe('when AWSCURRENT moved, as far as the record says (knownSince)', () => {
  const created = AT - 3_600_000;
  const now = AT + 3_600_000;
  const moved = (at: number, versionId = 'v2') => ({ versionId, at, source: 'moved' as const });

  test('a moved or seen record of the current version gives its time', () => {
    expect(knownSince(moved(AT), 'v2', created, now)).toBe(AT);
    expect(knownSince({ versionId: 'v2', at: AT, source: 'seen' }, 'v2', created, now)).toBe(AT);
  });

  test('no record, a record of another version, or a moving record (the time of the move is not known): not known', () => {
    expect(knownSince(undefined, 'v2', created, now)).toBeUndefined();
    expect(knownSince(moved(AT, 'v1'), 'v2', created, now)).toBeUndefined();
    expect(knownSince({ versionId: 'v2', at: AT, source: 'moving' }, 'v2', created, now)).toBeUndefined();
  });

  test('a time up to a minute before the version was created is clock skew and believed; earlier, the record is not of this move', () => {
    expect(knownSince(moved(created), 'v2', created, now)).toBe(created);
    expect(knownSince(moved(created - 60_000), 'v2', created, now)).toBe(created - 60_000);
    expect(knownSince(moved(created - 60_001), 'v2', created, now)).toBeUndefined();
  });

  test('a time in the future (a record written ahead of the clock) is not believed: the overlap never ends early', () => {
    expect(knownSince(moved(now), 'v2', created, now)).toBe(now);
    expect(knownSince(moved(now + 1), 'v2', created, now)).toBeUndefined();
  });
});

describe('whether a rotation put AWSCURRENT on the version (rotatedTo)', () => {
  test('a moving or moved record of the version says a finishSecret moved it', () => {
    expect(rotatedTo({ versionId: 'v2', at: AT, source: 'moved' }, 'v2')).toBe(true);
    expect(rotatedTo({ versionId: 'v2', at: AT, source: 'moving' }, 'v2')).toBe(true);
  });

  test('no record, a record of another version, or a seen record (revocation found it there) does not', () => {
    expect(rotatedTo(undefined, 'v2')).toBe(false);
    expect(rotatedTo({ versionId: 'v1', at: AT, source: 'moved' }, 'v2')).toBe(false);
    expect(rotatedTo({ versionId: 'v2', at: AT, source: 'seen' }, 'v2')).toBe(false);
  });
});
