import type { ClaimedDelivery } from './dispatch.types';
import { judgeAttempt, type AttemptResult } from './attempt-outcome.rules';

const claimed: ClaimedDelivery = {
  delivery: {
    id: 'd1',
    webhookId: 'w1',
    payload: '{}',
    deliveryAttempts: 0,
    eventId: null,
    eventType: null,
  },
  webhook: {
    id: 'w1',
    url: 'http://127.0.0.1:9/',
    contentType: 'application/json',
    validStatusCodes: [200, 204],
    secretToken: '',
    previousSecrets: null,
    maxDeliveryAttempts: 3,
    deliveryAttemptTimeout: 10,
    retryMinBackoff: 10,
    retryMaxBackoff: 60,
    consecutiveFailures: 0,
    circuitOpenUntil: null,
    tenantId: null,
  },
  leaseOwner: 'worker-a',
  reclaimed: false,
  limited: false,
};
/** The claimed delivery after `n` attempts, its webhook allowing `max`. */
const after = (n: number, max = 3): ClaimedDelivery => ({
  ...claimed,
  delivery: { ...claimed.delivery, deliveryAttempts: n },
  webhook: { ...claimed.webhook, maxDeliveryAttempts: max },
});
const result = (overrides: Partial<AttemptResult> = {}): AttemptResult => ({
  rawRequest: 'POST / HTTP/1.1',
  requestBodyOmitted: false,
  rawResponse: 'HTTP/1.1 200 OK',
  statusCode: 200,
  durationMs: 7,
  error: '',
  ...overrides,
});
const at = { attemptId: 'a1', now: new Date('2026-12-01T00:00:00Z') };

describe('judgeAttempt', () => {
  it('succeeds on a valid status code and records the exchange under the lease', () => {
    expect(judgeAttempt(claimed, result({ statusCode: 204 }), at)).toEqual({
      deliveryId: 'd1',
      leaseOwner: 'worker-a',
      attemptId: 'a1',
      status: 'succeeded',
      retryInSeconds: null,
      rawRequest: 'POST / HTTP/1.1',
      requestBodyOmitted: false,
      rawResponse: 'HTTP/1.1 200 OK',
      responseStatusCode: 204,
      executionDuration: 7,
      success: true,
      error: '',
      webhookId: 'w1',
      eventId: null,
      attempts: 1,
      limited: false,
      // A success of a healthy webhook changes nothing: the one-statement completion.
      touchesHealth: false,
      operational: false,
    });
  });

  it('marks what may change health, what holds a limited slot, and operational deliveries', () => {
    const failing = { ...claimed, webhook: { ...claimed.webhook, consecutiveFailures: 2 } };
    const open = { ...claimed, webhook: { ...claimed.webhook, circuitOpenUntil: new Date() } };
    const ok = result({ statusCode: 204 });
    expect(judgeAttempt(claimed, result({ statusCode: 500 }), at).touchesHealth).toBe(true);
    expect(judgeAttempt(failing, ok, at).touchesHealth).toBe(true);
    expect(judgeAttempt(open, ok, at).touchesHealth).toBe(true);
    expect(judgeAttempt({ ...claimed, limited: true }, ok, at).limited).toBe(true);
    const ops = (eventType: string) =>
      judgeAttempt({ ...claimed, delivery: { ...claimed.delivery, eventType } }, ok, at)
        .operational;
    expect(ops('postmand.delivery.failed')).toBe(true);
    expect(ops('order.created')).toBe(false);
  });

  it('retries with min(max, min × 2^n) until the last attempt, then fails', () => {
    const judged = [0, 1, 2].map((n) => judgeAttempt(after(n), result({ statusCode: 500 }), at));
    expect(judged.map((o) => [o.status, o.retryInSeconds, o.success])).toEqual([
      ['pending', 10, false],
      ['pending', 20, false],
      ['failed', null, false],
    ]);
    const capped = judgeAttempt(after(5, 10), result({ statusCode: 500 }), at);
    expect(capped.retryInSeconds).toBe(60);
  });

  it('takes a valid status with a transport error (a body cut short) as a failure', () => {
    const cut = judgeAttempt(claimed, result({ error: 'ECONNRESET: socket hang up' }), at);
    expect(cut).toMatchObject({
      success: false,
      status: 'pending',
      error: 'ECONNRESET: socket hang up',
    });
  });

  it('lets Retry-After on a 429 or 503 push the retry later, never earlier, at most the maximum', () => {
    const later = judgeAttempt(claimed, result({ statusCode: 429, retryAfter: '30' }), at);
    expect(later.retryInSeconds).toBe(30);
    const sooner = judgeAttempt(claimed, result({ statusCode: 503, retryAfter: '1' }), at);
    expect(sooner.retryInSeconds).toBe(10);
    const beyond = judgeAttempt(claimed, result({ statusCode: 503, retryAfter: '3600' }), at);
    expect(beyond.retryInSeconds).toBe(60);
    const ignored = judgeAttempt(claimed, result({ statusCode: 500, retryAfter: '30' }), at);
    expect(ignored.retryInSeconds).toBe(10);
  });
});
