import type { InventoryRecord } from '../../lib/inventory/inventory-record';
import { analyse, checkProblems, isMonitored } from '../../lib/inventory/report-findings';
import { buildReport, renderJson, renderText } from '../../lib/inventory/report-format';
import { declaredRecord, webhookRecord } from './inventory-fixtures';

const NOW = new Date('2026-06-01T00:00:00Z');

function withCredential(name: string, credential: Partial<InventoryRecord['credentials'][number]>, record: Partial<InventoryRecord> = {}): InventoryRecord {
  const base = declaredRecord(name, record);
  return { ...base, createdAt: '2026-05-20T00:00:00Z', ...record, credentials: [{ ...base.credentials[0], ...credential }] };
}

describe('inventory findings', () => {
  test('a credential rotated longer ago than its maximum interval is overdue', () => {
    const findings = analyse([withCredential('Old', { lastRotated: '2026-04-01T00:00:00Z', maxRotationIntervalDays: 30 })], NOW);
    expect(findings.overdueCredentials).toEqual([
      expect.objectContaining({ integration: 'Old', credential: 'ApiKey', maxRotationIntervalDays: 30, lastRotated: '2026-04-01T00:00:00Z', since: '2026-04-01T00:00:00Z', daysSince: 61 }),
    ]);
  });

  test('a credential never rotated is overdue once its record is older than the interval', () => {
    const findings = analyse([withCredential('Never', { maxRotationIntervalDays: 30 }, { createdAt: '2026-01-01T00:00:00Z' })], NOW);
    expect(findings.overdueCredentials).toEqual([expect.objectContaining({ integration: 'Never', since: '2026-01-01T00:00:00Z' })]);
    expect(findings.overdueCredentials[0]).not.toHaveProperty('lastRotated', expect.anything());
  });

  test('a credential within its period is not overdue; one of unknown age is listed apart and does not fail the check', () => {
    const fresh = withCredential('Fresh', { lastRotated: '2026-05-25T00:00:00Z' });
    const synthOnly = declaredRecord('SynthOnly'); // no createdAt, never rotated: a synth report
    const findings = analyse([fresh, synthOnly], NOW);
    expect(findings.overdueCredentials).toEqual([]);
    expect(findings.rotationAgeUnknown).toEqual([expect.objectContaining({ integration: 'SynthOnly', credential: 'ApiKey' })]);
    expect(checkProblems(findings)).toBe(0);
  });

  test('a partner-held secret is aged from its last change, or its record\'s creation, against its classification\'s limit', () => {
    // GIVEN webhooks whose signing secrets (60-day limit) were changed 61 days ago, 59 days ago, and never since a creation 92 days ago
    const changedLongAgo = webhookRecord('LongAgo', { createdAt: '2026-01-01T00:00:00Z' });
    const stale = { ...changedLongAgo, credentials: [{ ...changedLongAgo.credentials[0], lastRotated: '2026-04-01T00:00:00Z' }] };
    const recent = webhookRecord('Recent', { createdAt: '2026-01-01T00:00:00Z' });
    const fresh = { ...recent, credentials: [{ ...recent.credentials[0], lastRotated: '2026-04-03T00:00:00Z' }] };
    const never = webhookRecord('Never', { createdAt: '2026-03-01T00:00:00Z' });
    // WHEN
    const findings = analyse([stale, fresh, never], NOW);
    // THEN
    expect(findings.overdueCredentials).toEqual([
      expect.objectContaining({ integration: 'LongAgo', credential: 'webhook-signing-secret', partnerHeld: true, maxRotationIntervalDays: 60, since: '2026-04-01T00:00:00Z', daysSince: 61 }),
      expect.objectContaining({ integration: 'Never', partnerHeld: true, since: '2026-03-01T00:00:00Z', daysSince: 92 }),
    ]);
    expect(checkProblems(findings)).toBe(2);
  });

  test('a rotated credential\'s finding is not partner-held', () => {
    const findings = analyse([withCredential('Rotated', { lastRotated: '2026-04-01T00:00:00Z', maxRotationIntervalDays: 30 })], NOW);
    expect(findings.overdueCredentials).toEqual([expect.objectContaining({ integration: 'Rotated', partnerHeld: false })]);
  });

  test('a failed last rotation is a finding even within the period', () => {
    const findings = analyse([withCredential('Failing', { lastRotated: '2026-05-25T00:00:00Z', lastRotationStatus: 'FAILED', lastRotationAttemptAt: '2026-05-31T00:00:00Z' })], NOW);
    expect(findings.failedRotations).toEqual([expect.objectContaining({ integration: 'Failing', lastRotationAttemptAt: '2026-05-31T00:00:00Z' })]);
    expect(checkProblems(findings)).toBe(1);
  });

  test('an integration without a page, ticket or heartbeat alarm is unmonitored', () => {
    const unmonitored = declaredRecord('Quiet', { alarms: [{ name: 'Quiet-rotation', severity: 'info' }] });
    const heartbeatOnly = declaredRecord('Beat', { alarms: [{ name: 'Beat-heartbeat', severity: 'HEARTBEAT' }] });
    expect(isMonitored(unmonitored)).toBe(false);
    expect(isMonitored(heartbeatOnly)).toBe(true);
    expect(analyse([unmonitored, heartbeatOnly, declaredRecord('None', { alarms: [] })], NOW).unmonitored).toEqual([
      expect.objectContaining({ integration: 'None', alarms: [] }),
      expect.objectContaining({ integration: 'Quiet', alarms: ['Quiet-rotation (info)'] }),
    ]);
  });

  test('decommissioned integrations are listed and not checked', () => {
    const gone = withCredential('Gone', { lastRotated: '2025-01-01T00:00:00Z' }, { status: 'DECOMMISSIONED', decommissionedAt: '2026-02-01T00:00:00Z', alarms: [] });
    const findings = analyse([gone], NOW);
    expect(findings.decommissioned).toEqual([{ integrationId: gone.integrationId, integration: 'Gone', owner: gone.owner, decommissionedAt: '2026-02-01T00:00:00Z' }]);
    expect(checkProblems(findings)).toBe(0);
  });

  test('integrations are grouped by owner, then classification, sorted', () => {
    const records = [
      declaredRecord('Zeta', { owner: 'team-b', dataClassification: 'INTERNAL' }),
      declaredRecord('Alpha', { owner: 'team-b', dataClassification: 'INTERNAL' }),
      declaredRecord('Mid', { owner: 'team-a', dataClassification: 'RESTRICTED' }),
      declaredRecord('Low', { owner: 'team-a', dataClassification: 'PUBLIC' }),
    ];
    expect(analyse(records, NOW).byOwner.map((g) => [g.owner, g.dataClassification, g.integrations.map((i) => i.name)])).toEqual([
      ['team-a', 'PUBLIC', ['Low']],
      ['team-a', 'RESTRICTED', ['Mid']],
      ['team-b', 'INTERNAL', ['Alpha', 'Zeta']],
    ]);
  });
});

describe('inventory report rendering', () => {
  const records = [withCredential('Old', { lastRotated: '2026-04-01T00:00:00Z' }), declaredRecord('Quiet', { alarms: [] })];
  const unreadable = [{ source: 'table pk-1', error: 'unknown schema version "x"' }];
  const report = buildReport('file inventory.json', NOW, records, 0, analyse(records, NOW, unreadable));

  test('text output has one section per question and the check result', () => {
    const text = renderText(report);
    for (const heading of [
      'Integrations by owner and classification',
      'Credentials past their rotation period',
      'Credentials whose last rotation failed',
      'Integrations without SLO or heartbeat alarms',
      'Decommissioned integrations',
      'Records that cannot be read',
    ]) {
      expect(text).toContain(heading);
    }
    expect(text).toMatch(/│ Old\s+│ team-payments\s+│ ApiKey\s+│ 30\s+│ 2026-04-01\s+│ 61\s+│/);
    expect(text).toContain('Check found 3 problem(s).');
    expect(text.includes('\u001b[')).toBe(false); // no colour codes
  });

  test('text output lists a partner-held secret past its limit as one to change with the partner, not as a rotation overdue', () => {
    const hook = webhookRecord('Hooks', { createdAt: '2026-01-01T00:00:00Z' });
    const text = renderText(buildReport('file inventory.json', NOW, [hook], 0, analyse([hook], NOW)));
    expect(text).toMatch(/Credentials past their rotation period\n {2}none\n/);
    expect(text).toMatch(/Partner-held secrets past their classification's limit: change each with the partner(.*\n){4}│ Hooks\s+│ team-payments\s+│ webhook-signing-secret\s+│ 60\s+│ never \(created 2026-01-01\)\s+│ 151\s+│/);
    expect(text).toContain('Check found 1 problem(s).');
  });

  test('JSON output carries the findings, the check and the records', () => {
    const json = JSON.parse(renderJson(report));
    expect(json).toEqual(
      expect.objectContaining({
        schemaVersion: 1,
        generatedAt: '2026-06-01T00:00:00.000Z',
        check: { passed: false, problems: 3 },
        summary: expect.objectContaining({ integrations: 2, overdueCredentials: 1, unmonitored: 1, unreadable: 1 }),
        records,
      }),
    );
  });
});

describe('mutual TLS truststore CAs in the report', () => {
  const { analyse, checkProblems } = jest.requireActual('../../lib/inventory/report-findings') as typeof import('../../lib/inventory/report-findings');
  const { INVENTORY_SCHEMA_VERSION } = jest.requireActual('../../lib/inventory/inventory-record') as typeof import('../../lib/inventory/inventory-record');
  const now = new Date('2027-01-01T00:00:00Z');
  const record = (notAfter: string) =>
    ({
      schemaVersion: INVENTORY_SCHEMA_VERSION,
      integrationId: '111111111111:eu-west-1:M:DealerContacts',
      name: 'DealerContacts',
      owner: 'dealer-platform@example.com',
      dataClassification: 'CONFIDENTIAL',
      stack: 'M',
      account: '111111111111',
      region: 'eu-west-1',
      status: 'ACTIVE',
      inbound: [{ method: 'POST', path: '/dealers/contacts', auth: 'mtls', scopes: [], target: 'sqs:q', clientCertificates: [{ subject: 'CN=crm', issuer: 'CN=Dealer Root CA', issuerNotAfter: notAfter }] }],
      targets: [],
      credentials: [],
      piiFields: [],
      alarms: [{ name: 'a', severity: 'page' }],
    }) as never;

  test('a CA expiring within 60 days is a finding that fails --check; one expiring later is not', () => {
    const soon = analyse([record('2027-02-10T00:00:00.000Z')], now);
    expect(soon.expiringTruststoreCas).toEqual([expect.objectContaining({ integration: 'DealerContacts', route: 'POST /dealers/contacts', issuer: 'CN=Dealer Root CA', daysLeft: 40 })]);
    expect(checkProblems(soon)).toBe(1);
    const later = analyse([record('2027-06-01T00:00:00.000Z')], now);
    expect(later.expiringTruststoreCas).toEqual([]);
    expect(checkProblems(later)).toBe(0);
  });
});
