import { migrateRecord } from '../../lib/inventory/migrate';
import { validateRecord, validateReport } from '../../lib/inventory/validate-record';
import { declaredRecord, secretArn } from './inventory-fixtures';

/** A record as the v0 writer stored it: no schemaVersion, `classification`, credentials as a map. */
const v0Record = {
  integrationId: '123456789012:us-east-1:LegacyStack:Netsuite',
  name: 'Netsuite',
  owner: 'team-erp',
  classification: 'RESTRICTED',
  credentials: {
    TokenSecret: { secretArn: secretArn('netsuite/token'), rotationDays: 30, strategy: 'custom hook', lastRotated: '2025-11-01T00:00:00Z', lastRotationStatus: 'SUCCEEDED' },
    ConsumerKey: { rotationDays: 90 },
  },
  alarms: ['Netsuite-heartbeat', { name: 'Netsuite-availability', severity: 'page', state: 'OK' }],
  createdAt: '2025-06-01T00:00:00Z',
};

describe('migrateRecord', () => {
  test('a v1 record passes unchanged', () => {
    const record = declaredRecord('Current');
    expect(migrateRecord(record)).toEqual({ record });
  });

  test('a v0 record is migrated: dataClassification, credentials as a list, stack/account/region from the id, defaults', () => {
    const result = migrateRecord(v0Record);
    expect(result.error).toBeUndefined();
    expect(result.migratedFrom).toBe(0);
    expect(result.record).toEqual(
      expect.objectContaining({
        schemaVersion: 1,
        dataClassification: 'RESTRICTED',
        stack: 'LegacyStack',
        account: '123456789012',
        region: 'us-east-1',
        inbound: [],
        targets: [],
        piiFields: [],
        status: 'ACTIVE',
        createdAt: '2025-06-01T00:00:00Z',
        contentHash: expect.stringMatching(/^[0-9a-f]{64}$/),
      }),
    );
    expect(result.record).not.toHaveProperty('classification');
    expect(result.record?.credentials).toEqual([
      {
        name: 'TokenSecret',
        secretArn: secretArn('netsuite/token'),
        rotationPeriodDays: 30,
        rotationSchedule: 'rate(30 days)',
        maxRotationIntervalDays: 30,
        strategy: 'custom hook',
        lastRotated: '2025-11-01T00:00:00Z',
        lastRotationStatus: 'SUCCEEDED',
      },
      { name: 'ConsumerKey', rotationPeriodDays: 90, rotationSchedule: 'rate(90 days)', maxRotationIntervalDays: 90, strategy: 'unknown' },
    ]);
    expect(result.record?.alarms).toEqual([
      { name: 'Netsuite-heartbeat', severity: 'unknown' },
      { name: 'Netsuite-availability', severity: 'page', state: 'OK' },
    ]);
  });

  test('migration is deterministic (the stand-in content hash does not depend on key order)', () => {
    const reordered = Object.fromEntries(Object.entries(v0Record).reverse());
    expect(migrateRecord(reordered).record?.contentHash).toBe(migrateRecord(v0Record).record?.contentHash);
  });

  test.each([
    ['null', null, /not a record: null/],
    ['a string', 'garbage', /not a record: string/],
    ['a list', [1, 2], /not a record: a list/],
    ['a v0 record without an id', { name: 'x', owner: 'y', classification: 'PUBLIC' }, /v0 record cannot be migrated: no `integrationId`/],
    ['a v0 record without a classification', { integrationId: 'a:b:c:d', name: 'x', owner: 'y' }, /no `classification`/],
    ['a v0 record with credentials as a list', { ...v0Record, credentials: [] }, /must be a map/],
    ['a v0 credential without rotationDays', { ...v0Record, credentials: { K: {} } }, /credential 'K' has no positive `rotationDays`/],
    ['a v0 record without an owner', { ...v0Record, owner: undefined }, /migrated from v0 but does not match schema version 1: \/ must have required property 'owner'/],
    ['a record of a newer schema', { ...declaredRecord('Future'), schemaVersion: 2 }, /schema version 2 is newer than this reader \(1\): upgrade/],
    ['a record of an unknown schema', { ...declaredRecord('Odd'), schemaVersion: 'one' }, /unknown schema version "one"/],
    ['a v1 record with a misspelt field', { ...declaredRecord('Typo'), ownr: 'x' }, /does not match schema version 1: .*must NOT have additional properties 'ownr'/],
    ['a v1 record with a bad status', { ...declaredRecord('Status'), status: 'RETIRED' }, /\/status must be equal to one of the allowed values/],
  ])('%s is reported, not dropped', (_name, raw, message) => {
    const result = migrateRecord(raw);
    expect(result.record).toBeUndefined();
    expect(result.error).toMatch(message);
  });

  test('a failure names the integration when the record says which one it is', () => {
    expect(migrateRecord({ ...declaredRecord('Named'), schemaVersion: 7 })).toEqual(expect.objectContaining({ integrationId: declaredRecord('Named').integrationId }));
  });
});

describe('record and report schema', () => {
  test('timestamps must carry a time zone', () => {
    expect(validateRecord({ ...declaredRecord('Ts'), createdAt: '2026-01-01T00:00:00.000Z' }).errors).toBeUndefined();
    expect(validateRecord({ ...declaredRecord('Ts'), createdAt: '2026-01-01 00:00' }).errors).toEqual([expect.stringMatching(/^\/createdAt must match pattern/)]);
  });

  test('a synth report `{ schemaVersion, generatedAt, records }` validates; a record error is located in it', () => {
    const report = { schemaVersion: 1, generatedAt: '2026-01-01T00:00:00Z', records: [declaredRecord('A'), declaredRecord('B')] };
    expect(validateReport(report).errors).toBeUndefined();
    const broken = { ...report, records: [declaredRecord('A'), { ...declaredRecord('B'), credentials: [{ name: 'x' }] }] };
    expect(validateReport(broken).errors).toEqual(expect.arrayContaining([expect.stringMatching(/^\/records\/1\/credentials\/0 must have required property/)]));
  });
});
