import {
  FIRST_RETRY_DELAY_SECONDS,
  MAX_RETRY_AFTER_SECONDS,
  MAX_RETRY_DELAY_SECONDS,
  retryAfterSeconds,
  SQS_MAX_VISIBILITY_TIMEOUT_SECONDS,
  totalRetrySeconds,
  visibilityTimeoutSeconds,
} from '../../../lambda/outbound/backoff';

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

describe('the backoff at its boundaries', () => {
  test('the first receive waits 30 s, the second 60 s: a fractional count is the receive it has reached', () => {
    expect(visibilityTimeoutSeconds(1)).toBe(FIRST_RETRY_DELAY_SECONDS);
    expect(visibilityTimeoutSeconds(1.9)).toBe(30);
    expect(visibilityTimeoutSeconds(2)).toBe(60);
    expect(visibilityTimeoutSeconds(2.5)).toBe(60);
    expect(visibilityTimeoutSeconds(7)).toBe(1920);
    expect(visibilityTimeoutSeconds(7.99)).toBe(1920);
  });

  test('the cap is reached at the 8th receive (30 × 2^7 = 3,840 s would be longer) and holds from there on', () => {
    expect(visibilityTimeoutSeconds(8)).toBe(MAX_RETRY_DELAY_SECONDS);
    expect(visibilityTimeoutSeconds(8.5)).toBe(MAX_RETRY_DELAY_SECONDS);
    expect(visibilityTimeoutSeconds(9)).toBe(MAX_RETRY_DELAY_SECONDS);
    for (const count of [64, 1_025, 2 ** 40, Number.MAX_SAFE_INTEGER, Number.MAX_VALUE]) expect(visibilityTimeoutSeconds(count)).toBe(3_600);
  });

  test('a receive count below 1 or not a finite number is the first receive', () => {
    for (const count of [0.999, 0.5, -0, -1, Number.NEGATIVE_INFINITY, Number.MIN_VALUE]) expect(visibilityTimeoutSeconds(count)).toBe(30);
  });

  test('a Retry-After no longer than the backoff leaves the backoff', () => {
    expect(visibilityTimeoutSeconds(1, 30)).toBe(30);
    expect(visibilityTimeoutSeconds(2, 59.5)).toBe(60);
    expect(visibilityTimeoutSeconds(9, 3_600)).toBe(3_600);
    expect(visibilityTimeoutSeconds(4, 0)).toBe(240);
    expect(visibilityTimeoutSeconds(4, -600)).toBe(240);
  });

  test('a Retry-After just longer than the backoff is taken, rounded up to whole seconds', () => {
    expect(visibilityTimeoutSeconds(1, 30.001)).toBe(31);
    expect(visibilityTimeoutSeconds(1, 31)).toBe(31);
    expect(visibilityTimeoutSeconds(9, 3_601)).toBe(3_601);
  });

  test("a Retry-After is capped where SQS still takes it, 16 minutes short of SQS's 12 hours", () => {
    expect(MAX_RETRY_AFTER_SECONDS).toBe(42_240);
    expect(visibilityTimeoutSeconds(1, MAX_RETRY_AFTER_SECONDS - 0.5)).toBe(MAX_RETRY_AFTER_SECONDS);
    expect(visibilityTimeoutSeconds(1, MAX_RETRY_AFTER_SECONDS)).toBe(MAX_RETRY_AFTER_SECONDS);
    expect(visibilityTimeoutSeconds(1, MAX_RETRY_AFTER_SECONDS + 1)).toBe(MAX_RETRY_AFTER_SECONDS);
    expect(visibilityTimeoutSeconds(1, SQS_MAX_VISIBILITY_TIMEOUT_SECONDS)).toBe(MAX_RETRY_AFTER_SECONDS);
  });

  test('a Retry-After that is not a finite number is ignored', () => {
    expect(visibilityTimeoutSeconds(3, Number.POSITIVE_INFINITY)).toBe(120);
    expect(visibilityTimeoutSeconds(3, Number.NEGATIVE_INFINITY)).toBe(120);
    expect(visibilityTimeoutSeconds(3, undefined)).toBe(120);
  });
});

describe('the total of the waits', () => {
  test.each([
    [0, 0],
    [1, 0],
    [2, 30],
    [3, 90],
    [8, 3_810],
    [9, 7_410],
    [10, 11_010],
    [31, 86_610],
  ])('%i attempts wait %i s between the first and the last', (maxAttempts, seconds) => {
    expect(totalRetrySeconds(maxAttempts)).toBe(seconds);
  });
});

describe('Retry-After values that are not RFC 9110 forms', () => {
  const now = Date.parse('2026-11-29T02:00:00Z');

  test('digits followed or preceded by anything else are unreadable', () => {
    for (const header of ['120abc', '120 s', '12e1', '1.5', '+5', '0x10', 'abc120', '']) expect(retryAfterSeconds(header, now)).toBeUndefined();
  });

  test('zero seconds and long delays are read as given', () => {
    expect(retryAfterSeconds('0', now)).toBe(0);
    expect(retryAfterSeconds('86400', now)).toBe(86_400);
  });

  test("dates that Date.parse would read but that do not start with the day's name are unreadable", () => {
    for (const header of ['29 Nov 2026 02:10:00 GMT', '2026-11-29T02:10:00Z', 'at 29 Nov 2026 02:10:00 GMT', 'S, 29 Nov 2026 02:10:00 GMT', '1 Sun, 29 Nov 2026 02:10:00 GMT']) {
      expect(retryAfterSeconds(header, now)).toBeUndefined();
    }
  });

  test('the obsolete RFC 850 form is read too, and a date is rounded up to whole seconds', () => {
    expect(retryAfterSeconds('Sunday, 29-Nov-26 02:10:00 GMT', now)).toBe(600);
    expect(retryAfterSeconds(' Sun, 29 Nov 2026 02:10:00 GMT ', now)).toBe(600);
    expect(retryAfterSeconds('Sun, 29 Nov 2026 02:10:00 GMT', now + 500)).toBe(600);
    expect(retryAfterSeconds('Sun, 29 Nov 2026 02:10:00 GMT', now + 600_000)).toBe(0);
    expect(retryAfterSeconds('Sunday, in a while', now)).toBeUndefined();
  });
});
