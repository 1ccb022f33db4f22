import type { AttemptOutcome } from '../dispatch/dispatch.types';
import { healthReports } from './endpoint-health.rules';

const outcome = (webhookId: string, o: Partial<AttemptOutcome>): AttemptOutcome => ({
  deliveryId: 'd',
  webhookId,
  eventId: null,
  leaseOwner: 'w',
  attemptId: 'a',
  status: 'pending',
  retryInSeconds: 10,
  rawRequest: '',
  requestBodyOmitted: false,
  rawResponse: '',
  responseStatusCode: 500,
  executionDuration: 1,
  success: false,
  error: '',
  attempts: 1,
  limited: false,
  touchesHealth: true,
  operational: false,
  ...o,
});
const ok = { success: true, responseStatusCode: 200 };

describe('healthReports', () => {
  it('counts the failures after the last success, per webhook, in order', () => {
    const reports = healthReports([
      outcome('a', {}),
      outcome('a', ok),
      outcome('a', {}),
      outcome('a', { responseStatusCode: 0, error: 'ECONNREFUSED' }),
      outcome('b', {}),
    ]);
    expect(reports).toEqual([
      { webhookId: 'a', failures: 2, succeeded: true, gone: false, regular: true },
      { webhookId: 'b', failures: 1, succeeded: false, gone: false, regular: true },
    ]);
  });

  it('counts every outcome, tells 410 Gone and operational-only batches', () => {
    const reports = healthReports([
      outcome('healthy', { ...ok, touchesHealth: false }),
      outcome('gone', { responseStatusCode: 410 }),
      outcome('ops', { operational: true }),
    ]);
    expect(reports).toEqual([
      { webhookId: 'healthy', failures: 0, succeeded: true, gone: false, regular: true },
      { webhookId: 'gone', failures: 1, succeeded: false, gone: true, regular: true },
      { webhookId: 'ops', failures: 1, succeeded: false, gone: false, regular: false },
    ]);
  });

  it('does not take a 410 cut short by a transport error for an answer', () => {
    const [report] = healthReports([outcome('a', { responseStatusCode: 410, error: 'reset' })]);
    expect(report.gone).toBe(false);
  });
});
