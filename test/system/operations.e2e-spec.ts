import type { TestDatabase } from '../support/database';
import { type Receiver } from '../helpers/receiver';
import { eventually, until } from '../helpers/wait';
import {
  ledger,
  createWebhook,
  sample,
  type Service,
  startStack,
  type StackWithWorker,
} from '../helpers/system';

async function scrapeChecked(service: Service): Promise<string> {
  const res = await fetch(`${service.healthUrl}/metrics`);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain;.*version=0\.0\.4/);
  return res.text();
}

/** The JSON lines a process has written so far (its output is nothing else at info). */
function logLines(service: Service): Record<string, any>[] {
  return service.cli
    .output()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, any>);
}

describe('system: logs and metrics of a delivery run', () => {
  let stack: StackWithWorker;
  let db: TestDatabase;
  let receiver: Receiver;
  let server: Service;
  let worker: Service;

  beforeAll(async () => {
    stack = await startStack({ env: { POSTMAND_LOG_LEVEL: 'info' } });
    ({ db, receiver, server, worker } = stack);
  });
  afterAll(() => stack.stop());

  it('moves the counters and logs every attempt and request with its fields, secrets redacted', async () => {
    receiver.respond = (req, res) => {
      const n = JSON.parse(req.body.toString()) as { n: number };
      res.writeHead(n.n % 2 === 0 ? 200 : 500).end();
    };
    const before = await scrapeChecked(worker);
    const claimedBefore = sample(before, 'postmand_worker_deliveries_claimed_total') ?? 0;
    const webhookId = await createWebhook(server.apiUrl, `${receiver.url}/hook`, {
      secret_token: 'never-in-the-logs',
      max_delivery_attempts: 1,
    });
    const ids: string[] = [];
    for (let n = 0; n < 10; n++) {
      const res = await fetch(`${server.apiUrl}/v1/deliveries`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: 'Bearer also-never-in-the-logs',
          'x-request-id': `test-request-${n}`,
        },
        body: JSON.stringify({ webhook_id: webhookId, payload: JSON.stringify({ n }) }),
      });
      expect(res.status).toBe(201);
      ids.push(((await res.json()) as { id: string }).id);
    }
    await until(async () => {
      const [{ n }] = await db.dataSource.query<{ n: number }[]>(
        `SELECT count(*)::int AS n FROM deliveries WHERE status <> 'pending'`,
      );
      return n === 10;
    });
    // The database agrees with what the receiver saw: one attempt each, none lost.
    const books = await ledger(db.dataSource, receiver.requests);
    expect(books).toMatchObject({ deliveries: 10, attempts: 10, received: 10, problems: [] });
    expect(books.byStatus).toEqual({ succeeded: 5, failed: 5 });

    // Worker metrics moved by exactly this run.
    const after = await scrapeChecked(worker);
    expect(sample(after, 'postmand_worker_deliveries_claimed_total')).toBe(claimedBefore + 10);
    expect(sample(after, 'postmand_worker_attempts_total{outcome="success"}')).toBe(5);
    expect(sample(after, 'postmand_worker_attempts_total{outcome="failed"}')).toBe(5);
    expect(sample(after, 'postmand_worker_attempt_duration_seconds_count{outcome="success"}')).toBe(
      5,
    );
    expect(sample(after, 'postmand_worker_in_flight_requests')).toBe(0);
    expect(sample(after, 'postmand_worker_claim_batch_size_count')).toBeGreaterThan(0);
    expect(sample(after, 'postmand_worker_lease_reclaims_total')).toBe(0);
    expect(sample(after, 'postmand_worker_due_backlog')).toBe(0);
    expect(sample(after, 'postmand_worker_oldest_due_age_seconds')).toBe(0);
    expect(sample(after, 'process_resident_memory_bytes')).toBeGreaterThan(0);
    expect(sample(after, 'nodejs_eventloop_lag_seconds')).toBeGreaterThanOrEqual(0);
    // No delivery or webhook id ever becomes a label.
    expect(after).not.toContain(ids[0]);
    expect(after).not.toContain(webhookId);

    // API metrics: by route template and status, never by id.
    const api = await scrapeChecked(server);
    expect(
      sample(api, 'postmand_api_requests_total{method="POST",route="/v1/deliveries",status="201"}'),
    ).toBe(10);
    expect(
      sample(
        api,
        'postmand_api_request_duration_seconds_count{method="POST",route="/v1/deliveries",status="201"}',
      ),
    ).toBe(10);
    expect(api).not.toContain(webhookId);

    // The worker: one line per attempt, with its fields.
    await until(
      () => {
        const lines = logLines(worker).filter((l) => l.msg === 'delivery attempt');
        return lines.length === 10;
      },
      30_000,
      'ten attempt lines (logs flush within 0.5 s)',
    );
    const attempts = logLines(worker).filter((l) => l.msg === 'delivery attempt');
    for (const line of attempts) {
      expect(line).toMatchObject({
        level: 'info',
        service: 'postmand',
        deliveryId: expect.any(String),
        webhookId,
        statusCode: expect.any(Number),
        durationMs: expect.any(Number),
        success: expect.any(Boolean),
        time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      });
    }
    expect(attempts.map((l) => l.deliveryId).sort()).toEqual([...ids].sort());
    expect(attempts.filter((l) => l.success)).toHaveLength(5);

    // The API: one line per request with the caller's request id; health is not logged.
    const requests = await eventually(
      () => {
        const lines = logLines(server).filter((l) => l.req?.url === '/v1/deliveries');
        return lines.length >= 10 ? lines : undefined;
      },
      30_000,
      `ten request lines in:\n${server.cli.output().slice(-3000)}`,
    );
    expect(requests).toHaveLength(10);
    expect(requests.map((l) => l.req.id).sort()).toEqual(
      Array.from({ length: 10 }, (_, n) => `test-request-${n}`).sort(),
    );
    for (const line of requests) {
      expect(line).toMatchObject({
        level: 'info',
        res: { statusCode: 201 },
        responseTime: expect.any(Number),
      });
    }
    const everything = server.cli.output() + worker.cli.output();
    expect(everything).not.toContain('never-in-the-logs');
    expect(everything).not.toMatch(/"url":"\/(readyz|livez|healthz|metrics)"/);
  });

  it('logs a request id on API errors too', async () => {
    const res = await fetch(`${server.apiUrl}/v1/deliveries/not-a-uuid`, {
      headers: { 'x-request-id': 'the-failing-one' },
    });
    expect(res.status).toBe(404);
    await eventually(() => {
      const line = logLines(server).find((l) => l.req?.id === 'the-failing-one');
      return line ? line : undefined;
    }, 5_000).then((line) =>
      expect(line).toMatchObject({ level: 'warn', res: { statusCode: 404 } }),
    );
    const unknown = await fetch(`${server.apiUrl}/nowhere`);
    expect(unknown.status).toBe(404);
    const id = unknown.headers.get('x-request-id');
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    await until(() => logLines(server).some((l) => l.req?.id === id), 30_000);
    expect(logLines(server).find((l) => l.req?.id === id)).toMatchObject({
      level: 'warn',
      req: { method: 'GET', url: '/nowhere' },
      res: { statusCode: 404 },
    });
  });
});
