import { MAX_RETRY_DELAY_SECONDS, retryAfterSeconds, SQS_MAX_VISIBILITY_TIMEOUT_SECONDS, totalRetrySeconds, visibilityTimeoutSeconds } from '../../../lambda/outbound/backoff';

describe('the backoff of a record the partner could not take', () => {
  test('30 s after the first failed receive, doubling, capped at an hour', () => {
    expect(Array.from({ length: 10 }, (_, i) => visibilityTimeoutSeconds(i + 1))).toEqual([30, 60, 120, 240, 480, 960, 1920, 3600, 3600, 3600]);
    expect(visibilityTimeoutSeconds(1_000)).toBe(MAX_RETRY_DELAY_SECONDS);
  });

  test('with 30 attempts a partner gets about 23 h between the first and the last attempt, and the record reaches the dead-letter queue about 24 h after it was sent', () => {
    expect(totalRetrySeconds(30)).toBe(83_010);
    expect(totalRetrySeconds(30) / 3600).toBeCloseTo(23.06, 2);
    // One more wait after the 30th failed attempt, then SQS's redrive policy moves the record:
    // EventBridge API destinations retry for 24 hours.
    expect((totalRetrySeconds(30) + visibilityTimeoutSeconds(30)) / 3600).toBeCloseTo(24.06, 2);
    expect(totalRetrySeconds(1)).toBe(0);
  });

  test('a receive count that is missing or not a count is the first', () => {
    for (const count of [0, -3, Number.NaN, Number.POSITIVE_INFINITY]) expect(visibilityTimeoutSeconds(count)).toBe(30);
  });

  test("a partner's Retry-After lengthens the wait, never shortens it, up to SQS's 12 hours", () => {
    expect(visibilityTimeoutSeconds(1, 600)).toBe(600);
    expect(visibilityTimeoutSeconds(3, 10)).toBe(120);
    expect(visibilityTimeoutSeconds(1, 90.2)).toBe(91);
    // Capped below SQS's 12 hours by a Lambda run and a minute: SQS counts the 12 hours from the receive.
    expect(visibilityTimeoutSeconds(1, 7 * 86_400)).toBe(SQS_MAX_VISIBILITY_TIMEOUT_SECONDS - 960);
    expect(visibilityTimeoutSeconds(1, Number.NaN)).toBe(30);
  });

  test('Retry-After is read as delay-seconds or an HTTP-date (RFC 9110 section 10.2.3)', () => {
    const now = Date.parse('2026-11-29T02:00:00Z');
    expect(retryAfterSeconds('120', now)).toBe(120);
    expect(retryAfterSeconds(' 5 ', now)).toBe(5);
    expect(retryAfterSeconds('Sun, 29 Nov 2026 02:10:00 GMT', now)).toBe(600);
    expect(retryAfterSeconds('Sun, 29 Nov 2026 01:00:00 GMT', now)).toBe(0);
    expect(retryAfterSeconds('soon', now)).toBeUndefined();
    expect(retryAfterSeconds('-5', now)).toBeUndefined();
    expect(retryAfterSeconds(undefined, now)).toBeUndefined();
  });
});
