import { call, createWebhook, startStack, type StackWithWorker } from '../helpers/system';

/**
 * Database errors provoked on purpose (CHECK constraints this test adds to its own
 * database), in the API and in the worker, with logs at `debug`: no line may hold a
 * secret token, a payload, a signature or URL credentials that the requests carried.
 */
describe('system: secrets and payloads never reach the logs', () => {
  let stack: StackWithWorker;

  beforeAll(async () => {
    stack = await startStack({ env: { POSTMAND_LOG_LEVEL: 'debug' } });
    const ds = stack.db.dataSource;
    await ds.query(`ALTER TABLE webhooks ADD CONSTRAINT provoked CHECK (name NOT LIKE 'provoke%')`);
    await ds.query(
      `ALTER TABLE deliveries ADD CONSTRAINT provoked CHECK (payload NOT LIKE '%PROVOKE-DELIVERY%')`,
    );
    await ds.query(
      `ALTER TABLE delivery_attempts ADD CONSTRAINT provoked
         CHECK (raw_request NOT LIKE '%PROVOKE-ATTEMPT%')`,
    );
  });
  afterAll(() => stack.stop());

  it('logs the failures, without their parameters or rows', async () => {
    const { server, worker, receiver } = stack;
    const webhook = {
      content_type: 'application/json',
      valid_status_codes: [200],
      secret_token: 'TOKEN-SENT-ON-CREATE',
    };
    const created = await call(server.apiUrl, 'POST', '/v1/webhooks', {
      ...webhook,
      name: 'provoked create',
      url: 'http://127.0.0.1:9/x',
    });
    expect(created.status).toBe(500);

    const id = await createWebhook(
      server.apiUrl,
      // The query marks its attempts' request line for the CHECK that refuses them (an
      // attempt keeps the request's head; the payload is the delivery's).
      `${receiver.url.replace('//', '//alice:PASSWORD-IN-URL@')}/hook?PROVOKE-ATTEMPT`,
      {
        ...webhook,
        secret_token: 'TOKEN-OF-A-STORED-WEBHOOK',
      },
    );
    const replaced = await call(server.apiUrl, 'PUT', `/v1/webhooks/${id}`, {
      ...webhook,
      name: 'provoked update',
      url: 'http://127.0.0.1:9/x',
      secret_token: 'TOKEN-SENT-ON-UPDATE',
    });
    expect(replaced.status).toBe(500);

    const refused = await call(server.apiUrl, 'POST', '/v1/deliveries', {
      webhook_id: id,
      payload: '{"PROVOKE-DELIVERY":"PAYLOAD-OF-A-REFUSED-DELIVERY"}',
    });
    expect(refused.status).toBe(500);

    // Sent, but its attempt cannot be recorded: the database refuses it for its data, so the
    // worker logs it and drops the outcome (the lease expires, the delivery goes again).
    const sent = await call(server.apiUrl, 'POST', '/v1/deliveries', {
      webhook_id: id,
      payload: '{"PROVOKE-ATTEMPT":"PAYLOAD-OF-A-SENT-DELIVERY"}',
    });
    expect(sent.status).toBe(201);
    const [request] = await receiver.waitForRequests(1);
    await worker.cli.waitForOutput(/the database refused this attempt outcome/);

    // Its line is out (so flushed).
    await worker.stop('SIGKILL');
    await server.stop('SIGTERM');
    const lines = `${server.cli.output()}\n${worker.cli.output()}`.split('\n');
    // The failures are in the log: the test would pass vacuously otherwise.
    expect(lines.filter((l) => l.includes('violates check constraint')).length).toBeGreaterThan(3);

    const secrets = [
      'TOKEN-SENT-ON-CREATE',
      'TOKEN-OF-A-STORED-WEBHOOK',
      'TOKEN-SENT-ON-UPDATE',
      'PAYLOAD-OF-A-REFUSED-DELIVERY',
      'PAYLOAD-OF-A-SENT-DELIVERY',
      'PASSWORD-IN-URL',
      request.headers['x-hub-signature']?.toString(),
      request.headers['webhook-signature']?.toString().slice(3),
      request.headers.authorization?.slice(6),
    ];
    expect(secrets.every((s) => typeof s === 'string' && s.length >= 8)).toBe(true);
    const leaks = lines.filter((line) => secrets.some((secret) => line.includes(secret as string)));
    expect(leaks).toEqual([]);
  });
});
