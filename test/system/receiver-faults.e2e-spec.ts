import { createTestDatabase, type TestDatabase } from '../support/database';
import { freePort } from '../helpers/cli';
import { faultyServers } from '../helpers/faulty-servers';
import type { Receiver } from '../helpers/receiver';
import { eventually } from '../helpers/wait';
import {
  call,
  createWebhook,
  ledger,
  startService,
  type Service,
  startStack,
  type StackWithWorker,
} from '../helpers/system';

interface Attempt {
  delivery_id: string;
  response_status_code: number;
  success: boolean;
  error: string;
  raw_response: string;
}

describe('system: receiver faults', () => {
  let db: TestDatabase;
  let server: Service;
  let worker: Service;
  let faults: Awaited<ReturnType<typeof faultyServers>>;

  beforeAll(async () => {
    db = await createTestDatabase();
    faults = await faultyServers();
    server = await startService('server', db.url);
    // Thirty failures in a row to one endpoint would open its circuit (§7) after five: this
    // test is about what each failure records, so the breaker is set out of the way.
    worker = await startService('worker', db.url, { POSTMAND_CIRCUIT_FAILURES: '1000' });
  });
  afterAll(async () => {
    await worker.stop('SIGKILL');
    await server.stop();
    faults.close();
    await db.drop();
  });

  async function attemptsOf(webhookId: string): Promise<Attempt[]> {
    return db.dataSource.query<Attempt[]>(
      `SELECT delivery_id, response_status_code, success, error, raw_response
       FROM delivery_attempts WHERE webhook_id = $1`,
      [webhookId],
    );
  }

  /** `count` deliveries to `url` (one attempt each); resolves with their attempts. */
  async function deliver(url: string, count: number): Promise<Attempt[]> {
    const webhookId = await createWebhook(server.apiUrl, url, {
      max_delivery_attempts: 1,
      delivery_attempt_timeout: 2,
    });
    for (let i = 0; i < count; i++) {
      const res = await call(server.apiUrl, 'POST', '/v1/deliveries', {
        webhook_id: webhookId,
        payload: `{"i":${i}}`,
      });
      expect(res.status).toBe(201);
    }
    return eventually(
      async () => {
        const attempts = await attemptsOf(webhookId);
        return attempts.length === count ? attempts : undefined;
      },
      30_000,
      `${count} attempts to ${url}`,
    );
  }

  it('records every fault as an attempt with a useful error, memory bounded', async () => {
    const closedPort = await freePort();
    const cases: [string, string, (a: Attempt) => void][] = [
      [
        'reset mid-response',
        faults.urls.reset,
        (a) => {
          expect(a.success).toBe(false);
          expect(a.response_status_code).toBe(200);
          expect(a.error).toMatch(
            /(ECONNRESET|aborted|closed).*\(while reading the response body\)/,
          );
          expect(a.raw_response).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
        },
      ],
      [
        'accepts, never answers',
        faults.urls.silent,
        (a) => expect(a.error).toBe('timeout: no complete response within 2 s'),
      ],
      [
        'trickles forever',
        faults.urls.trickle,
        (a) => {
          expect(a.success).toBe(false);
          expect(a.error).toBe(
            'timeout: no complete response within 2 s (while reading the response body)',
          );
        },
      ],
      [
        '10 MB body',
        faults.urls.huge,
        (a) => {
          expect(a.success).toBe(true);
          expect(a.error).toBe('');
          expect(a.raw_response.length).toBeLessThan(70_000);
          expect(a.raw_response).toMatch(
            /\[postmand: response body truncated after 65536 bytes\]$/,
          );
        },
      ],
      [
        'NUL and invalid UTF-8',
        faults.urls.binary,
        (a) => {
          expect(a.success).toBe(true);
          expect(a.raw_response).toContain(
            `[postmand: body is not UTF-8 text; base64 follows]\r\n${Buffer.from([0x6f, 0x6b, 0x00, 0xff, 0xfe, 0xc3, 0x28, 0x0a]).toString('base64')}`,
          );
        },
      ],
      [
        'untrusted TLS certificate',
        faults.urls.untrustedTls,
        (a) => {
          expect(a.response_status_code).toBe(0);
          expect(a.error).toMatch(/^DEPTH_ZERO_SELF_SIGNED_CERT: self[- ]signed certificate/);
        },
      ],
      [
        'TLS to a plain-HTTP port',
        faults.urls.binary.replace('http:', 'https:'),
        (a) =>
          expect(a.error).toMatch(
            // The code is OpenSSL's own (undici) or Node's EPROTO (node:http); the reason is short.
            /^(EPROTO|ERR_SSL_[A-Z_]+): TLS error: (wrong version number|packet length too long)$/,
          ),
      ],
      [
        'unresolvable name',
        'http://postmand-no-such-host.invalid/hook',
        (a) => expect(a.error).toMatch(/(ENOTFOUND|EAI_AGAIN) postmand-no-such-host\.invalid/),
      ],
      [
        'connection refused',
        `http://127.0.0.1:${closedPort}/hook`,
        (a) => expect(a.error).toMatch(/ECONNREFUSED 127\.0\.0\.1:\d+/),
      ],
    ];
    for (const [name, url, check] of cases) {
      const [attempt] = await deliver(url, 1);
      try {
        check(attempt);
      } catch (err) {
        throw new Error(`${name}: ${(err as Error).message}`, { cause: err });
      }
    }

    // Memory: 30 more of the heavy ones at once, then compare the resident size.
    const before = worker.rssMb();
    const heavy = await Promise.all([
      deliver(faults.urls.huge, 30),
      deliver(faults.urls.trickle, 30),
      deliver(faults.urls.reset, 30),
    ]);
    expect(heavy.flat()).toHaveLength(90);
    const after = worker.rssMb();
    expect(after - before).toBeLessThan(100);

    // The attempt API serves the stored text intact.
    const [attempt] = await db.dataSource.query<{ id: string }[]>(
      `SELECT id FROM delivery_attempts WHERE raw_response LIKE '%base64 follows%' LIMIT 1`,
    );
    const res = await call(server.apiUrl, 'GET', `/v1/delivery-attempts/${attempt.id}`);
    expect(res.status).toBe(200);
    expect(res.body.raw_response).toContain('base64 follows');

    const book = await ledger(db.dataSource, []);
    expect(book.problems).toEqual([]);
    expect(book.byStatus).toEqual({ succeeded: 1 + 1 + 30, failed: 7 + 60 });
  }, 300_000);
});

describe('system: POSTMAND_BLOCK_PRIVATE_NETWORKS', () => {
  let stack: StackWithWorker;
  let db: TestDatabase;
  let receiver: Receiver;
  let server: Service;

  beforeAll(async () => {
    stack = await startStack({ worker: { POSTMAND_BLOCK_PRIVATE_NETWORKS: 'true' } });
    ({ db, receiver, server } = stack);
  });
  afterAll(() => stack.stop());

  it('accepts the webhooks but refuses to connect, recording why', async () => {
    const port = new URL(receiver.url).port;
    const targets = [
      [`${receiver.url}/hook`, /^EBLOCKED: refused: 127\.0\.0\.1, a loopback address/],
      [
        `http://localhost:${port}/hook`,
        /^EBLOCKED: refused: localhost resolves to (127\.0\.0\.1|::1), a loopback address/,
      ],
      [
        `http://[::ffff:127.0.0.1]:${port}/hook`,
        /^EBLOCKED: refused: \[?::ffff:7f00:1\]?, a loopback address/,
      ],
      ['http://169.254.169.254/latest/meta-data/', /link-local \(cloud metadata\) address/],
    ] as const;
    for (const [url, error] of targets) {
      const webhookId = await createWebhook(server.apiUrl, url, { max_delivery_attempts: 1 });
      const res = await call(server.apiUrl, 'POST', '/v1/deliveries', {
        webhook_id: webhookId,
        payload: '{}',
      });
      expect(res.status).toBe(201);
      const attempt = await eventually(
        async () =>
          (
            await db.dataSource.query<Attempt[]>(
              `SELECT error, success FROM delivery_attempts WHERE delivery_id = $1`,
              [res.body.id],
            )
          )[0],
        60_000,
        `the attempt to ${url}`,
      );
      expect(attempt.success).toBe(false);
      expect(attempt.error).toMatch(error);
    }
    expect(receiver.requests).toHaveLength(0);
  });
});
