import { nextRetryDelaySeconds, parseRetryAfter, retryBackoffSeconds } from './delivery.rules';

describe('retryBackoffSeconds', () => {
  it('doubles from the minimum and stops at the maximum', () => {
    expect([0, 1, 2, 3, 4, 5].map((n) => retryBackoffSeconds(n, 10, 60))).toEqual([
      10, 20, 40, 60, 60, 60,
    ]);
    expect(retryBackoffSeconds(0, 1, 1)).toBe(1);
    expect(retryBackoffSeconds(99, 10, 604800)).toBe(604800);
    expect(retryBackoffSeconds(5000, 1, 3600)).toBe(3600);
  });
});

describe('parseRetryAfter', () => {
  const now = new Date('2026-01-01T00:00:00.000Z');
  it('reads delta-seconds and HTTP dates', () => {
    expect(parseRetryAfter('120', now)).toBe(120);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:01:30 GMT', now)).toBe(90);
    expect(parseRetryAfter('Wed, 31 Dec 2025 00:00:00 GMT', now)).toBe(0);
  });
  it('ignores what it cannot read', () => {
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter('-5', now)).toBeUndefined();
  });
});

describe('nextRetryDelaySeconds', () => {
  const base = { attemptsBefore: 1, minBackoff: 10, maxBackoff: 300, now: new Date(0) };
  it('is the backoff for other statuses, whatever Retry-After says', () => {
    expect(nextRetryDelaySeconds({ ...base, statusCode: 500, retryAfter: '200' })).toBe(20);
    expect(nextRetryDelaySeconds({ ...base, statusCode: 0 })).toBe(20);
  });
  it('lets Retry-After on 429 and 503 push later, never earlier, capped at the max', () => {
    expect(nextRetryDelaySeconds({ ...base, statusCode: 429, retryAfter: '120' })).toBe(120);
    expect(nextRetryDelaySeconds({ ...base, statusCode: 503, retryAfter: '5' })).toBe(20);
    expect(nextRetryDelaySeconds({ ...base, statusCode: 429, retryAfter: '9999' })).toBe(300);
    expect(nextRetryDelaySeconds({ ...base, statusCode: 503, retryAfter: 'nonsense' })).toBe(20);
  });
});
