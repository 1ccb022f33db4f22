import { sign as octokitSign, verify as octokitVerify } from '@octokit/webhooks-methods';
import { Webhook } from 'standardwebhooks';
import { signatureHeaders, standardWebhooksKey } from './signer';

describe('signatureHeaders', () => {
  it('signs nothing without a token', () => {
    expect(
      signatureHeaders({ body: Buffer.from('x'), messageId: 'm', timestamp: 1, secretToken: '' }),
    ).toEqual({});
  });

  it('matches the Standard Webhooks test vector', () => {
    const headers = signatureHeaders({
      body: Buffer.from('{"test": 2432232314}'),
      messageId: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
      timestamp: 1614265330,
      secretToken: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
    });
    expect(headers['webhook-signature']).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
  });

  it('matches GitHub\u2019s documented X-Hub-Signature-256 example', () => {
    const headers = signatureHeaders({
      body: Buffer.from('Hello, World!'),
      messageId: 'm',
      timestamp: 1,
      secretToken: "It's a Secret to Everybody",
    });
    expect(headers['X-Hub-Signature-256']).toBe(
      'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17',
    );
    expect(headers['X-Hub-Signature']).toBe(
      '757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17',
    );
  });

  it.each([
    [
      'a whsec_ token',
      `whsec_${Buffer.from('0123456789abcdef0123456789abcdef').toString('base64')}`,
    ],
    ['a plain token', 'my-secret-token'],
  ])('passes the public verifiers with %s and a unicode body', async (_, secretToken) => {
    const body = Buffer.from('{"emoji":"🚀","text":"ünïcødé"}', 'utf8');
    const messageId = 'bc76122c-e56b-45c7-8dc3-b80a861191d5';
    const timestamp = Math.floor(Date.now() / 1000);
    const headers = signatureHeaders({ body, messageId, timestamp, secretToken });

    // Standard Webhooks takes the raw key bytes as base64 (it strips a whsec_ prefix).
    const verifier = new Webhook(standardWebhooksKey(secretToken).toString('base64'));
    expect(() =>
      verifier.verify(body.toString('utf8'), {
        'webhook-id': messageId,
        'webhook-timestamp': String(timestamp),
        'webhook-signature': headers['webhook-signature'],
      }),
    ).not.toThrow();

    await expect(
      octokitVerify(secretToken, body.toString('utf8'), headers['X-Hub-Signature-256']),
    ).resolves.toBe(true);
    expect(headers['X-Hub-Signature-256']).toBe(
      await octokitSign(secretToken, body.toString('utf8')),
    );
  });

  it('fails verification when the body changes', () => {
    const secretToken = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    const timestamp = Math.floor(Date.now() / 1000);
    const headers = signatureHeaders({
      body: Buffer.from('{"a":1}'),
      messageId: 'id',
      timestamp,
      secretToken,
    });
    const verifier = new Webhook(secretToken);
    expect(() =>
      verifier.verify('{"a":2}', {
        'webhook-id': 'id',
        'webhook-timestamp': String(timestamp),
        'webhook-signature': headers['webhook-signature'],
      }),
    ).toThrow();
  });

  it('signs with every live secret, newest first, for the public verifier with either', () => {
    const [newest, older, oldest] = [
      'whsec_bmV3ZXN0LXNlY3JldC1rZXktMzItYnl0ZXMhIQ==',
      'plain-older',
      'whsec_b2xkZXN0',
    ];
    const body = Buffer.from('{"rotated":true}');
    const timestamp = Math.floor(Date.now() / 1000);
    const headers = signatureHeaders({
      body,
      messageId: 'msg',
      timestamp,
      secretToken: newest,
      previousSecretTokens: [older, oldest],
    });
    const parts = headers['webhook-signature'].split(' ');
    expect(parts).toHaveLength(3);
    // Each part is the one secret's own signature, in the order given.
    parts.forEach((part, i) => {
      const alone = signatureHeaders({
        body,
        messageId: 'msg',
        timestamp,
        secretToken: [newest, older, oldest][i],
      });
      expect(part).toBe(alone['webhook-signature']);
    });
    const verify = (secret: string): void => {
      new Webhook(standardWebhooksKey(secret).toString('base64')).verify(body.toString(), {
        'webhook-id': 'msg',
        'webhook-timestamp': String(timestamp),
        'webhook-signature': headers['webhook-signature'],
      });
    };
    for (const secret of [newest, older, oldest]) expect(() => verify(secret)).not.toThrow();
    expect(() => verify('whsec_bm90LWEtc2VjcmV0')).toThrow();
    // The one-signature headers: the newest secret's.
    const newestOnly = signatureHeaders({ body, messageId: 'msg', timestamp, secretToken: newest });
    expect(headers['X-Hub-Signature-256']).toBe(newestOnly['X-Hub-Signature-256']);
    expect(headers['X-Hub-Signature']).toBe(newestOnly['X-Hub-Signature']);
  });
});
