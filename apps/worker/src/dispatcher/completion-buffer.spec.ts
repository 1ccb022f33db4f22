import type { AttemptOutcome } from '@app/domain';
import { batchLength } from './completion-buffer';

const entry = (chars: number): { outcome: AttemptOutcome } => ({ outcome: outcome(chars) });

function outcome(chars: number): AttemptOutcome {
  return {
    deliveryId: 'd',
    leaseOwner: 'w',
    attemptId: 'a',
    status: 'succeeded',
    retryInSeconds: null,
    rawRequest: 'x'.repeat(chars),
    requestBodyOmitted: false,
    rawResponse: '',
    responseStatusCode: 200,
    executionDuration: 1,
    success: true,
    error: '',
    webhookId: 'w',
    eventId: null,
    attempts: 1,
    limited: false,
    touchesHealth: false,
    operational: false,
  };
}

describe('batchLength', () => {
  const M = 1024 * 1024;

  it('takes up to 500 small outcomes per write', () => {
    expect(batchLength(Array.from({ length: 1200 }, () => entry(100)))).toBe(500);
    expect(batchLength(Array.from({ length: 3 }, () => entry(100)))).toBe(3);
  });

  it('stops before 8 M characters of raw exchange', () => {
    // 3 M each: two fit (6 M), a third would pass 8 M.
    expect(batchLength([entry(3 * M), entry(3 * M), entry(3 * M)])).toBe(2);
    expect(batchLength([entry(4 * M), entry(4 * M), entry(1)])).toBe(2);
  });

  it('still writes one outcome larger than the cap on its own', () => {
    expect(batchLength([entry(9 * M), entry(1)])).toBe(1);
  });
});
