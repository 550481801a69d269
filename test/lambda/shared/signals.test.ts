import { emitRequestSignals, emitUnrouted, recordSync, signalMetrics } from '../../../lambda/shared/signals';
import { captureEmf } from '../../support/emf';


describe('integration signals (EMF)', () => {
  beforeAll(() => {
    process.env.POWERTOOLS_METRICS_DISABLED = 'false';
    delete process.env.POWERTOOLS_DEV;
  });

  test('a request emits request_count, error_count and latency under the Integration dimension alone', () => {
    const [emf] = captureEmf(() => emitRequestSignals(signalMetrics(), 'CrmContacts', 502, 87));
    const directive = (emf._aws as { CloudWatchMetrics: Array<{ Namespace: string; Dimensions: string[][]; Metrics: Array<{ Name: string; Unit: string }> }> }).CloudWatchMetrics[0];
    expect(directive.Namespace).toBe('CdkSecureIntegrations');
    expect(directive.Dimensions).toEqual([['Integration']]);
    expect(directive.Metrics).toEqual(
      expect.arrayContaining([
        { Name: 'request_count', Unit: 'Count' },
        { Name: 'error_count', Unit: 'Count' },
        { Name: 'latency', Unit: 'Milliseconds' },
      ]),
    );
    expect(emf).toEqual(expect.objectContaining({ Integration: 'CrmContacts', request_count: 1, error_count: 1, latency: 87 }));
  });

  test('a rejection adds rejected_count by Integration and Cause, as a line of its own (the dashboard\'s causes)', () => {
    const [, byCause, ...more] = captureEmf(() => emitRequestSignals(signalMetrics(), 'CrmContacts', 401, 3, 'signature'));
    expect(more).toEqual([]);
    const directive = (byCause._aws as { CloudWatchMetrics: Array<{ Namespace: string; Dimensions: string[][]; Metrics: Array<{ Name: string; Unit: string }> }> }).CloudWatchMetrics[0];
    expect(directive).toEqual({ Namespace: 'CdkSecureIntegrations', Dimensions: [['Integration', 'Cause']], Metrics: [{ Name: 'rejected_count', Unit: 'Count' }] });
    expect(byCause).toEqual(expect.objectContaining({ Integration: 'CrmContacts', Cause: 'signature', rejected_count: 1 }));
    expect(byCause).not.toHaveProperty('service');
  });

  test('a 4xx is not an error of the platform', () => {
    const [emf] = captureEmf(() => emitRequestSignals(signalMetrics(), 'CrmContacts', 401, 3));
    expect(emf.error_count).toBe(0);
  });

  test('a request for no route emits unrouted_count under the IngestFunction dimension alone (what UnroutedRequestAlarm reads)', () => {
    const [emf, ...more] = captureEmf(() => emitUnrouted(signalMetrics(), 'platform-ingest'));
    expect(more).toEqual([]);
    const directive = (emf._aws as { CloudWatchMetrics: Array<{ Namespace: string; Dimensions: string[][]; Metrics: Array<{ Name: string; Unit: string }> }> }).CloudWatchMetrics[0];
    expect(directive).toEqual({ Namespace: 'CdkSecureIntegrations', Dimensions: [['IngestFunction']], Metrics: [{ Name: 'unrouted_count', Unit: 'Count' }] });
    expect(emf).toEqual(expect.objectContaining({ IngestFunction: 'platform-ingest', unrouted_count: 1 }));
    expect(emf).not.toHaveProperty('service');
  });

  test('recordSync writes the heartbeat and last_successful_sync in seconds on success', () => {
    const at = new Date('2026-11-29T02:00:00Z');
    const [emf] = captureEmf(() => recordSync({ integration: 'ErpSync', succeeded: true, records: 1200, at }, signalMetrics()));
    expect(emf).toEqual(expect.objectContaining({ Integration: 'ErpSync', sync_succeeded: 1, records_synced: 1200, last_successful_sync: at.getTime() / 1000 }));
    expect((emf._aws as { Timestamp: number }).Timestamp).toBe(at.getTime());
  });

  test('a failed sync records sync_failed and no last_successful_sync', () => {
    const [emf] = captureEmf(() => recordSync({ integration: 'ErpSync', succeeded: false }, signalMetrics()));
    expect(emf.sync_failed).toBe(1);
    expect(emf.last_successful_sync).toBeUndefined();
  });
});
