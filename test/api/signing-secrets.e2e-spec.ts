import { randomBytes } from 'node:crypto';
import { ApiFixture, VALID_WEBHOOK } from '../helpers/api-fixture';

/** A `whsec_` token over `bytes` random bytes, standard base64 (padded as Node writes it). */
const whsec = (bytes: number): string => `whsec_${randomBytes(bytes).toString('base64')}`;

/**
 * §3: a `whsec_` token is the prefix and standard base64 of the key it signs with, 24–64
 * bytes. Anything else signed with an empty or short key (`whsec_` alone: HMAC with "").
 */
const UNUSABLE = [
  'whsec_',
  'whsec_!!!!!!!!',
  'whsec_====',
  whsec(23),
  whsec(65),
  // base64url is not standard base64: Node would skip the "-" and "_" and sign with less.
  `whsec_${randomBytes(32).toString('base64url').replace(/^./, '-')}`,
  'whsec_ ' + randomBytes(32).toString('base64'),
];
const USABLE = [
  whsec(24),
  whsec(32),
  whsec(64),
  // Svix's own example: 24 bytes, unpadded.
  'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  whsec(32).replace(/=+$/, ''),
  // Not a whsec_ token: it signs with its own bytes, as in v1.
  'my-secret-token',
  'whsec',
  '',
];

describe('signing secrets: a whsec_ token must hold a real key', () => {
  const f = ApiFixture.use();

  const expectRefused = (res: { status: number; body: Record<string, unknown> }): void => {
    expect(res.status).toBe(400);
    expect(res.body.code).toBe(4);
    expect(res.body.details).toMatch(
      /^secret_token: a token starting with "whsec_" must be followed by standard base64 of 24 to 64 bytes/,
    );
  };

  it('POST /v1/webhooks refuses a whsec_ token that is not base64 of 24-64 bytes', async () => {
    for (const token of UNUSABLE) {
      const res = await f
        .http()
        .post('/v1/webhooks')
        .send({ ...VALID_WEBHOOK, secret_token: token });
      expectRefused(res);
      // The error never repeats the secret.
      if (token.length > 'whsec_'.length) expect(res.text).not.toContain(token.slice(6));
    }
    const [{ count }] = await f.db.dataSource.query<{ count: string }[]>(
      'SELECT count(*) FROM webhooks',
    );
    expect(count).toBe('0');
    for (const token of USABLE) {
      const res = await f
        .http()
        .post('/v1/webhooks')
        .send({ ...VALID_WEBHOOK, secret_token: token });
      expect([res.status, res.body.secret_token]).toEqual([201, token]);
    }
  });

  it('PUT /v1/webhooks/{id} refuses one too, and leaves the secret as it was', async () => {
    const hook = await f.createWebhook();
    for (const token of UNUSABLE) {
      const res = await f
        .http()
        .put(`/v1/webhooks/${hook.id}`)
        .send({ ...VALID_WEBHOOK, secret_token: token });
      expectRefused(res);
    }
    const got = await f.http().get(`/v1/webhooks/${hook.id}`).expect(200);
    expect(got.body.secret_token).toBe(VALID_WEBHOOK.secret_token);
    const token = whsec(32);
    const res = await f
      .http()
      .put(`/v1/webhooks/${hook.id}`)
      .send({ ...VALID_WEBHOOK, secret_token: token })
      .expect(200);
    expect(res.body.secret_token).toBe(token);
  });

  it('rotate-secret refuses one too, and keeps the secret it had', async () => {
    const hook = await f.createWebhook();
    const url = `/v1/webhooks/${hook.id}/rotate-secret`;
    for (const token of UNUSABLE) {
      const res = await f.http().post(url).send({ secret_token: token });
      expectRefused(res);
    }
    const got = await f.http().get(`/v1/webhooks/${hook.id}`).expect(200);
    expect(got.body.secret_token).toBe(VALID_WEBHOOK.secret_token);
    const token = whsec(64);
    const res = await f.http().post(url).send({ secret_token: token }).expect(200);
    expect(res.body.secret_token).toBe(token);
  });
});
