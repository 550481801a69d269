import { emitPartnerCall, emitRejection } from '../../../lambda/outbound/signals';
import { signalMetrics } from '../../../lambda/shared/signals';
import { RejectionCause } from '../../../lib/observability/signal-names';
import { captureEmf } from '../../support/emf';


const dimensionsOf = (emf: Record<string, unknown>) => (emf._aws as { CloudWatchMetrics: Array<{ Dimensions: string[][] }> }).CloudWatchMetrics[0].Dimensions;

describe("the sender's signals (EMF)", () => {
  beforeAll(() => {
    process.env.POWERTOOLS_METRICS_DISABLED = 'false';
    delete process.env.POWERTOOLS_DEV;
  });

  test('a 2xx call: request_count, no errors, latency and last_successful_sync in seconds, under Integration alone', () => {
    const at = new Date('2026-11-29T02:00:00Z');
    const [emf] = captureEmf(() => emitPartnerCall(signalMetrics(), 'PartnerOrders', { status: 201, latencyMs: 87, at }));
    expect(dimensionsOf(emf)).toEqual([['Integration']]);
    expect(emf).toEqual(expect.objectContaining({ Integration: 'PartnerOrders', request_count: 1, error_count: 0, client_error_count: 0, latency: 87, last_successful_sync: at.getTime() / 1000 }));
  });

  test.each([
    [503, { error_count: 1, client_error_count: 0 }],
    [undefined, { error_count: 1, client_error_count: 0 }],
    // Every call the partner did not accept burns the outbound SLO: a 429 storm, a redirect.
    [429, { error_count: 1, client_error_count: 1 }],
    [302, { error_count: 1, client_error_count: 0 }],
    [401, { error_count: 1, client_error_count: 1 }],
  ])('status %s: %o and no last_successful_sync', (status, counts) => {
    const [emf] = captureEmf(() => emitPartnerCall(signalMetrics(), 'PartnerOrders', { status, latencyMs: 5, at: new Date() }));
    expect(emf).toEqual(expect.objectContaining({ request_count: 1, ...counts }));
    expect(emf.last_successful_sync).toBeUndefined();
  });

  test('a contract violation: rejected_count under {Integration} and under {Integration, Cause=contract}', () => {
    const lines = captureEmf(() => emitRejection(signalMetrics(), 'PartnerOrders', RejectionCause.CONTRACT));
    expect(lines).toHaveLength(2);
    expect(dimensionsOf(lines[0])).toEqual([['Integration']]);
    expect(lines[0]).toEqual(expect.objectContaining({ Integration: 'PartnerOrders', rejected_count: 1 }));
    expect(dimensionsOf(lines[1])).toEqual([['Integration', 'Cause']]);
    expect(lines[1]).toEqual(expect.objectContaining({ Integration: 'PartnerOrders', Cause: 'contract', rejected_count: 1 }));
  });
});
