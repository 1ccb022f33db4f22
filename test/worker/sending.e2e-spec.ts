import * as net from 'node:net';
import { PLATFORM_SCOPE } from '@app/domain';
import { POSTMAND_VERSION } from '@app/platform';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { verify as verifyGithub } from '@octokit/webhooks-methods';
import { DispatcherFixture } from '../helpers/dispatcher-fixture';
import { standardVerifies } from '../helpers/signatures';
import { endGracePeriods } from '../helpers/grace';

/** What the worker sends and records for each kind of answer (or none). */
describe('worker: sending', () => {
  const f = DispatcherFixture.use();

  it('sends the payload byte for byte with the SPEC headers and records the attempt', async () => {
    await f.start();
    const webhook = await f.hook({ contentType: 'application/vnd.acme+json' });
    const payload = '{"emoji":"🚀","text":"ünïcødé","crlf":"\\r\\n"}';
    const delivery = await f.deliver(webhook.id, payload);

    const [req] = await f.receiver.waitForRequests(1);
    expect(req.method).toBe('POST');
    expect(req.url).toBe('/hook?x=1');
    expect(req.body.equals(Buffer.from(payload, 'utf8'))).toBe(true);
    expect(req.headers['content-type']).toBe('application/vnd.acme+json');
    expect(req.headers['user-agent']).toBe(`postmand/${POSTMAND_VERSION}`);
    expect(req.headers['webhook-id']).toBe(delivery.id);
    expect(Math.abs(Number(req.headers['webhook-timestamp']) - Date.now() / 1000)).toBeLessThan(60);
    expect(req.headers['x-hub-signature']).toBeUndefined();
    expect(req.headers['webhook-signature']).toBeUndefined();

    const done = await f.settled(delivery.id);
    expect(done.deliveryAttempts).toBe(1);
    const [attempt] = await f.attemptsOf(delivery.id);
    expect(attempt).toMatchObject({ response_status_code: 200, success: true, error: '' });
    expect(attempt.raw_request).toMatch(
      /^POST \/hook\?x=1 HTTP\/1\.1\r\nHost: 127\.0\.0\.1:\d+\r\n/,
    );
    expect(attempt.raw_request).toContain('\r\nContent-Type: application/vnd.acme+json\r\n');
    expect(attempt.raw_request.endsWith(`\r\n\r\n${payload}`)).toBe(true);
    expect(attempt.raw_response).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(attempt.raw_response.endsWith('\r\n\r\nok')).toBe(true);
  });

  it('records the response as received: reason phrase, header names in their case, order', async () => {
    f.receiver.respond = (_req, res) => {
      res.writeHead(202, 'Accepted For Later', [
        ['X-Custom-Case', 'Value One'],
        ['content-TYPE', 'text/plain'],
        ['x-repeated', 'a'],
        ['X-Repeated', 'b'],
      ]);
      res.end('queued');
    };
    await f.start();
    const delivery = await f.deliver((await f.hook({ validStatusCodes: [202] })).id);
    await f.settled(delivery.id);
    const [attempt] = await f.attemptsOf(delivery.id);
    expect(attempt.raw_response).toMatch(/^HTTP\/1\.1 202 Accepted For Later\r\n/);
    const lines = attempt.raw_response.split('\r\n');
    const named = lines.filter((l) =>
      /^(X-Custom-Case|content-TYPE|x-repeated|X-Repeated):/.test(l),
    );
    expect(named).toEqual([
      'X-Custom-Case: Value One',
      'content-TYPE: text/plain',
      'x-repeated: a',
      'X-Repeated: b',
    ]);
    expect(attempt.raw_response.endsWith('\r\n\r\nqueued')).toBe(true);
  });

  it('sends URL credentials as Basic authorization, recorded masked', async () => {
    await f.start();
    const url = f.receiver.url.replace('//', '//alice:p%40ss%3Aword@');
    const delivery = await f.deliver((await f.hook({ url: `${url}/private` })).id);
    const [req] = await f.receiver.waitForRequests(1);
    const credentials = Buffer.from('alice:p@ss:word').toString('base64');
    expect(req.headers.authorization).toBe(`Basic ${credentials}`);
    expect(req.url).toBe('/private');
    await f.settled(delivery.id);
    const [attempt] = await f.attemptsOf(delivery.id);
    expect(attempt.raw_request).toContain('\r\nAuthorization: Basic ***\r\n');
    expect(attempt.raw_request).not.toContain(credentials);
    expect(attempt.raw_request).not.toContain('alice');
  });

  it('signs with all three schemes, verified by the public verifiers', async () => {
    await f.start();
    const secretToken = `whsec_${Buffer.from('a-32-byte-secret-for-the-tests!!').toString('base64')}`;
    const webhook = await f.hook({ secretToken });
    const delivery = await f.deliver(webhook.id, '{"signed":true}');
    const [req] = await f.receiver.waitForRequests(1);
    const headers = {
      'webhook-id': String(req.headers['webhook-id']),
      'webhook-timestamp': String(req.headers['webhook-timestamp']),
      'webhook-signature': String(req.headers['webhook-signature']),
    };
    expect(new StandardWebhook(secretToken).verify(req.body.toString(), headers)).toEqual({
      signed: true,
    });
    expect(headers['webhook-id']).toBe(delivery.id);
    await expect(
      verifyGithub(secretToken, req.body.toString(), String(req.headers['x-hub-signature-256'])),
    ).resolves.toBe(true);
    expect(`sha256=${String(req.headers['x-hub-signature'])}`).toBe(
      req.headers['x-hub-signature-256'],
    );
    await f.settled(delivery.id);
  });

  it('signs with the new and the old secret during a rotation, with the new one only after', async () => {
    await f.start();
    const [oldSecret, newSecret] = ['old', 'new'].map(
      (s) =>
        `whsec_${Buffer.from(`${s}-secret-of-32-bytes-for-tests!!`.slice(0, 32)).toString('base64')}`,
    );
    const webhook = await f.hook({ secretToken: oldSecret });
    // A grace period no busy machine outlasts, ended by the test once "during" is done.
    await f.webhooks.rotateSecret(PLATFORM_SCOPE, webhook.id, newSecret, 3600);
    const verifies = standardVerifies;
    const during = await f.deliver(webhook.id, '{"during":true}');
    const [first] = await f.receiver.waitForRequests(1);
    expect(String(first.headers['webhook-signature']).split(' ')).toHaveLength(2);
    expect([verifies(newSecret, first), verifies(oldSecret, first)]).toEqual([true, true]);
    await expect(
      verifyGithub(newSecret, first.body.toString(), String(first.headers['x-hub-signature-256'])),
    ).resolves.toBe(true);
    await f.settled(during.id);

    await endGracePeriods(f.db.dataSource, webhook.id);
    const after = await f.deliver(webhook.id, '{"after":true}');
    const [, second] = await f.receiver.waitForRequests(2);
    expect(String(second.headers['webhook-signature']).split(' ')).toHaveLength(1);
    expect([verifies(newSecret, second), verifies(oldSecret, second)]).toEqual([true, false]);
    await f.settled(after.id);
  });

  it('retries with exponential backoff, keeping webhook-id, until accepted', async () => {
    let calls = 0;
    f.receiver.respond = (_req, res) => {
      calls++;
      res.writeHead(calls < 3 ? 500 : 201).end(calls < 3 ? 'not yet' : 'created');
    };
    await f.start();
    const webhook = await f.hook({
      validStatusCodes: [201],
      retryMinBackoff: 1,
      retryMaxBackoff: 2,
    });
    const delivery = await f.deliver(webhook.id);
    const done = await f.settled(delivery.id);
    expect(done.deliveryAttempts).toBe(3);
    const requests = f.receiver.requests;
    expect(requests.map((r) => r.headers['webhook-id'])).toEqual([
      delivery.id,
      delivery.id,
      delivery.id,
    ]);
    // Waits of 1 s then 2 s (min × 2^n, capped at the max), never shorter.
    expect(requests[1].at - requests[0].at).toBeGreaterThanOrEqual(950);
    expect(requests[2].at - requests[1].at).toBeGreaterThanOrEqual(1950);
    const attempts = await f.attemptsOf(delivery.id);
    expect(attempts.map((a) => [a.response_status_code, a.success])).toEqual([
      [500, false],
      [500, false],
      [201, true],
    ]);
  });

  it('fails the delivery after max_delivery_attempts', async () => {
    f.receiver.respond = (_req, res) => {
      res.writeHead(503).end();
    };
    await f.start();
    const webhook = await f.hook({
      maxDeliveryAttempts: 2,
      retryMinBackoff: 1,
      retryMaxBackoff: 1,
    });
    const delivery = await f.deliver(webhook.id);
    const failed = await f.settled(delivery.id, 'failed');
    expect(failed.deliveryAttempts).toBe(2);
    expect(await f.attemptsOf(delivery.id)).toHaveLength(2);
    expect(f.receiver.requests).toHaveLength(2);
  });

  it('honours Retry-After on a 429, later than the backoff', async () => {
    let calls = 0;
    f.receiver.respond = (_req, res) => {
      calls++;
      if (calls === 1) res.writeHead(429, { 'Retry-After': '2' }).end();
      else res.writeHead(200).end();
    };
    await f.start();
    const webhook = await f.hook({ retryMinBackoff: 1, retryMaxBackoff: 60 });
    const delivery = await f.deliver(webhook.id);
    await f.settled(delivery.id);
    expect(f.receiver.requests[1].at - f.receiver.requests[0].at).toBeGreaterThanOrEqual(1950);
  });

  it('records timeouts, refused connections and unresolvable hosts as failed attempts', async () => {
    f.receiver.respond = () => undefined; // accept and never answer
    await f.start();
    const silent = await f.hook({ deliveryAttemptTimeout: 1, maxDeliveryAttempts: 1 });
    const closedPort = await new Promise<number>((resolve) => {
      const s = net.createServer().listen(0, '127.0.0.1', () => {
        const { port } = s.address() as net.AddressInfo;
        s.close(() => resolve(port));
      });
    });
    const refused = await f.hook({
      url: `http://127.0.0.1:${closedPort}/`,
      maxDeliveryAttempts: 1,
    });
    const nowhere = await f.hook({ url: 'http://postmand-test.invalid/', maxDeliveryAttempts: 1 });
    const [a, b, c] = [
      await f.deliver(silent.id),
      await f.deliver(refused.id),
      await f.deliver(nowhere.id),
    ];
    for (const d of [a, b, c]) await f.settled(d.id, 'failed');

    const [timeout] = await f.attemptsOf(a.id);
    expect(timeout).toMatchObject({ response_status_code: 0, success: false, raw_response: '' });
    expect(timeout.error).toBe('timeout: no complete response within 1 s');
    expect(timeout.execution_duration).toBeGreaterThanOrEqual(950);
    expect((await f.attemptsOf(b.id))[0].error).toContain('ECONNREFUSED');
    expect((await f.attemptsOf(c.id))[0].error).toMatch(/ENOTFOUND|EAI_AGAIN/);
  });

  it('does not follow redirects', async () => {
    f.receiver.respond = (req, res) => {
      res.writeHead(302, { Location: `${f.receiver.url}/elsewhere` }).end();
    };
    await f.start();
    const webhook = await f.hook({ maxDeliveryAttempts: 1 });
    const delivery = await f.deliver(webhook.id);
    await f.settled(delivery.id, 'failed');
    expect(f.receiver.requests.map((r) => r.url)).toEqual(['/hook?x=1']);
    const [attempt] = await f.attemptsOf(delivery.id);
    expect(attempt).toMatchObject({ response_status_code: 302, success: false, error: '' });
    expect(attempt.raw_response).toContain('Location: ');
  });

  it('keeps a bounded part of huge bodies and binary bodies safely', async () => {
    const big = Buffer.alloc(10 * 1024 * 1024, 'a');
    f.receiver.respond = (req, res) => {
      if (req.body.toString() === 'big') res.writeHead(200).end(big);
      else res.writeHead(200).end(Buffer.from([0x00, 0xff, 0xfe, 0x41]));
    };
    await f.start({ POSTMAND_MAX_RESPONSE_BYTES: '1024' });
    const webhook = await f.hook();
    const huge = await f.deliver(webhook.id, 'big');
    const binary = await f.deliver(webhook.id, 'binary');
    await f.settled(huge.id);
    await f.settled(binary.id);
    const [hugeAttempt] = await f.attemptsOf(huge.id);
    expect(hugeAttempt.raw_response).toContain(
      `\r\n\r\n${'a'.repeat(1024)}\r\n[postmand: response body truncated after 1024 bytes]`,
    );
    expect(hugeAttempt.raw_response.length).toBeLessThan(2048);
    const [binaryAttempt] = await f.attemptsOf(binary.id);
    expect(
      binaryAttempt.raw_response.endsWith(
        '[postmand: body is not UTF-8 text; base64 follows]\r\nAP/+QQ==',
      ),
    ).toBe(true);
  });
});
