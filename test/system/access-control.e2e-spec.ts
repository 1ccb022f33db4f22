import { verify as verifyGithub } from '@octokit/webhooks-methods';
import { runCli } from '../helpers/cli';
import type { ReceivedRequest } from '../helpers/receiver';
import { standardVerifies } from '../helpers/signatures';
import {
  call,
  scrape,
  startService,
  startStack,
  type Service,
  type StackWithWorker,
} from '../helpers/system';
import { endGracePeriods } from '../helpers/grace';
import { until } from '../helpers/wait';

/**
 * Access control and secret rotation on real processes (§9): two API processes and a
 * worker with POSTMAND_AUTH=api_key, keys made and revoked with the CLI, a rotation whose
 * deliveries the public Standard Webhooks verifier checks with the old and the new secret.
 */
describe('system: API keys and secret rotation', () => {
  const AUTH = { POSTMAND_AUTH: 'api_key', POSTMAND_LOG_LEVEL: 'debug' };
  let stack: StackWithWorker;
  let second: Service;
  const keysSeen: string[] = [];

  /** `postmand api-key …` on the stack's database; its output. */
  const apiKey = async (args: string[], expected = 0): Promise<string> => {
    const cli = runCli(['api-key', ...args], { POSTMAND_DATABASE_URL: stack.db.url, ...AUTH });
    expect([args, await cli.exited, cli.output()]).toEqual([args, expected, cli.output()]);
    return cli.output();
  };
  const create = async (name: string, scope: 'read' | 'write'): Promise<string> => {
    const key = (await apiKey(['create', '--name', name, '--scope', scope]))
      .trimEnd()
      .split('\n')
      .at(-1)!;
    expect(key).toMatch(/^pmk_[A-Za-z0-9_-]{43}$/);
    keysSeen.push(key);
    return key;
  };
  const as = (key: string) => ({ authorization: `Bearer ${key}` });

  beforeAll(async () => {
    stack = await startStack({ env: AUTH });
    second = await startService('server', stack.db.url, AUTH);
  });
  afterAll(async () => {
    await second.stop('SIGKILL');
    await stack.stop();
  });

  it('refuses every request without a key and lets a key made by the CLI in', async () => {
    const none = await call(stack.server.apiUrl, 'GET', '/v1/webhooks');
    expect(none).toEqual({ status: 401, body: expect.objectContaining({ code: 14 }) });
    const writer = await create('system-writer', 'write');
    for (const api of [stack.server, second]) {
      expect(
        (await call(api.apiUrl, 'GET', '/v1/webhooks', undefined, 10_000, as(writer))).status,
      ).toBe(200);
    }
    const listed = await apiKey(['list']);
    expect(listed).toMatch(/^system-writer\s+write\s+\S+Z\s+/m);
    expect(listed).not.toContain('pmk_');
  });

  it('a revoked key stops working in the other API process within 5 s', async () => {
    const reader = await create('system-reader', 'read');
    const read = () => call(second.apiUrl, 'GET', '/v1/events', undefined, 10_000, as(reader));
    expect((await read()).status).toBe(200);
    const forbidden = await call(
      second.apiUrl,
      'POST',
      '/v1/events',
      { event_type: 'a.b', payload: '1' },
      10_000,
      as(reader),
    );
    expect(forbidden).toEqual({ status: 403, body: expect.objectContaining({ code: 15 }) });
    await apiKey(['revoke', 'system-reader']);
    const revokedAt = Date.now();
    await until(async () => (await read()).status === 401, 10_000, 'the revoked key refused');
    const took = Date.now() - revokedAt;
    expect(took).toBeLessThan(5000);
    await apiKey(['revoke', 'system-reader'], 1);
  });

  it('rotates a secret: both secrets verify during the grace period, only the new one after', async () => {
    const writer = await create('rotator', 'write');
    const oldSecret = `whsec_${Buffer.from('old-secret-32-bytes-long-for-it!').toString('base64')}`;
    const created = await call(
      stack.server.apiUrl,
      'POST',
      '/v1/webhooks',
      {
        name: 'rotating',
        url: `${stack.receiver.url}/rotating`,
        content_type: 'application/json',
        valid_status_codes: [200],
        secret_token: oldSecret,
        event_types: ['order.*'],
      },
      10_000,
      as(writer),
    );
    expect(created.status).toBe(201);
    const rotated = await call(
      stack.server.apiUrl,
      'POST',
      `/v1/webhooks/${created.body.id}/rotate-secret`,
      { grace_period: 3600 }, // ended by the test below, once "during" is delivered
      10_000,
      as(writer),
    );
    expect(rotated.status).toBe(200);
    const newSecret = rotated.body.secret_token as string;
    expect(newSecret).toMatch(/^whsec_/);

    const verifies = standardVerifies;
    const publish = async (n: number): Promise<ReceivedRequest> => {
      const event = await call(
        second.apiUrl,
        'POST',
        '/v1/events',
        { event_type: 'order.created', payload: JSON.stringify({ n }) },
        10_000,
        as(writer),
      );
      expect(event.status).toBe(201);
      await stack.receiver.waitForRequests(n);
      return stack.receiver.requests.find(
        (r) => r.headers['x-postmand-event-id'] === event.body.id,
      )!;
    };
    const during = await publish(1);
    expect([verifies(newSecret, during), verifies(oldSecret, during)]).toEqual([true, true]);
    await expect(
      verifyGithub(
        newSecret,
        during.body.toString(),
        String(during.headers['x-hub-signature-256']),
      ),
    ).resolves.toBe(true);
    await expect(
      verifyGithub(
        oldSecret,
        during.body.toString(),
        String(during.headers['x-hub-signature-256']),
      ),
    ).resolves.toBe(false);

    await endGracePeriods(stack.db.dataSource, created.body.id as string);
    const after = await publish(2);
    expect([verifies(newSecret, after), verifies(oldSecret, after)]).toEqual([true, false]);
  });

  it('never writes a key to the logs or the metrics', async () => {
    const metrics = `${await scrape(stack.server)}${await scrape(second)}${await scrape(stack.worker)}`;
    await second.stop('SIGTERM');
    await stack.server.stop('SIGTERM');
    const output = `${stack.server.cli.output()}\n${second.cli.output()}\n${stack.worker.cli.output()}`;
    // Requests were logged at all (the test would pass vacuously otherwise).
    expect(output).toContain('request completed');
    expect(keysSeen.length).toBeGreaterThanOrEqual(3);
    for (const key of keysSeen) {
      expect(output).not.toContain(key);
      expect(output).not.toContain(key.slice(4, 20));
      expect(metrics).not.toContain(key.slice(4, 20));
    }
    expect(output).not.toContain('pmk_');
  });
});
