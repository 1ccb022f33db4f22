import { ApiFixture, VALID_WEBHOOK } from '../helpers/api-fixture';

describe('POST /v1/webhooks/{id}/rotate-secret', () => {
  const f = ApiFixture.use();

  /** What the worker would sign with: the stored previous secrets still in their grace. */
  const previous = async (id: string): Promise<{ secret_token: string; expires_at: string }[]> => {
    const [row] = await f.db.dataSource.query<{ previous_secrets: unknown }[]>(
      'SELECT previous_secrets FROM webhooks WHERE id = $1',
      [id],
    );
    return (row.previous_secrets as { secret_token: string; expires_at: string }[]) ?? [];
  };

  it('makes a new whsec_ secret by default, keeping the old one for a day', async () => {
    const hook = await f.createWebhook();
    const before = Date.now();
    const res = await f.http().post(`/v1/webhooks/${hook.id}/rotate-secret`).expect(200);
    expect(res.body.secret_token).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(res.body.secret_token.slice(6), 'base64')).toHaveLength(32);
    // Otherwise the webhook is as it was; only secret_token and updated_at change.
    const without = (w: Record<string, unknown>) =>
      Object.fromEntries(
        Object.entries(w).filter(([k]) => k !== 'secret_token' && k !== 'updated_at'),
      );
    expect(without(res.body)).toEqual(without(hook));
    const [old] = await previous(hook.id as string);
    expect(old.secret_token).toBe(VALID_WEBHOOK.secret_token);
    const expires = Date.parse(old.expires_at);
    expect(expires).toBeGreaterThanOrEqual(before + 86_400_000 - 1000);
    expect(expires).toBeLessThanOrEqual(Date.now() + 86_400_000 + 1000);
    // What GET returns: the new secret, never the old one.
    const got = await f.http().get(`/v1/webhooks/${hook.id}`).expect(200);
    expect(got.body.secret_token).toBe(res.body.secret_token);
    expect(got.text).not.toContain(VALID_WEBHOOK.secret_token);
  });

  it('takes a given secret and grace period; 0 retires the old one at once', async () => {
    const hook = await f.createWebhook();
    const url = `/v1/webhooks/${hook.id}/rotate-secret`;
    const one = await f.http().post(url).send({ secret_token: 'second', grace_period: 60 });
    expect(one.status).toBe(200);
    expect(one.body.secret_token).toBe('second');
    await f.http().post(url).send({ secret_token: 'third', grace_period: 120 }).expect(200);
    expect((await previous(hook.id as string)).map((p) => p.secret_token)).toEqual([
      'second',
      VALID_WEBHOOK.secret_token,
    ]);
    // Rotating back to a secret still in its grace period does not sign with it twice.
    await f.http().post(url).send({ secret_token: 'second', grace_period: 60 }).expect(200);
    expect((await previous(hook.id as string)).map((p) => p.secret_token)).toEqual([
      'third',
      VALID_WEBHOOK.secret_token,
    ]);
    await f.http().post(url).send({ secret_token: 'fourth', grace_period: 0 }).expect(200);
    expect((await previous(hook.id as string)).map((p) => p.secret_token)).toEqual([
      'third',
      VALID_WEBHOOK.secret_token,
    ]);
  });

  it('keeps at most 10 live secrets, dropping the oldest', async () => {
    const hook = await f.createWebhook();
    for (let i = 1; i <= 12; i++) {
      await f
        .http()
        .post(`/v1/webhooks/${hook.id}/rotate-secret`)
        .send({ secret_token: `s${i}` })
        .expect(200);
    }
    const kept = (await previous(hook.id as string)).map((p) => p.secret_token);
    expect(kept).toEqual(['s11', 's10', 's9', 's8', 's7', 's6', 's5', 's4', 's3']);
  });

  it('lets expired secrets go, and an unsigned webhook keeps no empty secret', async () => {
    const hook = await f.createWebhook({ ...VALID_WEBHOOK, secret_token: '' });
    const url = `/v1/webhooks/${hook.id}/rotate-secret`;
    await f.http().post(url).send({ secret_token: 'first' }).expect(200);
    expect(await previous(hook.id as string)).toEqual([]);
    await f.http().post(url).send({ secret_token: 'second' }).expect(200);
    await f.db.dataSource.query(
      `UPDATE webhooks SET previous_secrets = jsonb_set(previous_secrets, '{0,expires_at}',
         to_jsonb(now() - interval '1 second'))`,
    );
    await f.http().post(url).send({ secret_token: 'third' }).expect(200);
    expect((await previous(hook.id as string)).map((p) => p.secret_token)).toEqual(['second']);
  });

  it('PUT with another secret_token replaces it at once; PUT sending it back keeps the rotation', async () => {
    const hook = await f.createWebhook();
    const rotated = (
      await f.http().post(`/v1/webhooks/${hook.id}/rotate-secret`).send({}).expect(200)
    ).body;
    await f
      .http()
      .put(`/v1/webhooks/${hook.id}`)
      .send({ ...rotated, name: 'renamed' })
      .expect(200);
    expect(await previous(hook.id as string)).toHaveLength(1);
    await f
      .http()
      .put(`/v1/webhooks/${hook.id}`)
      .send({ ...rotated, secret_token: 'set-by-hand' })
      .expect(200);
    expect(await previous(hook.id as string)).toEqual([]);
  });

  it('refuses bad input with a 4xx and changes nothing', async () => {
    const hook = await f.createWebhook();
    const url = `/v1/webhooks/${hook.id}/rotate-secret`;
    const cases: [object, string][] = [
      [{ secret_token: '' }, 'secret_token: must be 1 to 255 characters long.'],
      [{ secret_token: 'x'.repeat(256) }, 'secret_token: must be 1 to 255 characters long.'],
      [{ secret_token: 7 }, 'secret_token: must be a string.'],
      [{ grace_period: -1 }, 'grace_period: must be an integer from 0 to 604800.'],
      [{ grace_period: 604_801 }, 'grace_period: must be an integer from 0 to 604800.'],
      [{ grace_period: 1.5 }, 'grace_period: must be an integer from 0 to 604800.'],
      [{ grace_period: '60' }, 'grace_period: must be an integer from 0 to 604800.'],
      [{ secret: 'typo' }, 'secret: is not a field of this request.'],
    ];
    for (const [body, details] of cases) {
      const res = await f.http().post(url).send(body);
      expect([body, res.status, res.body]).toEqual([
        body,
        400,
        { code: 4, message: 'request validation failed', details },
      ]);
    }
    await f.http().post(url).set('Content-Type', 'text/plain').send('x').expect(415);
    await f.http().post(url).set('Content-Type', 'application/json').send('[1]').expect(400);
    const unknown = await f
      .http()
      .post('/v1/webhooks/00000000-0000-4000-8000-000000000000/rotate-secret')
      .expect(404);
    expect(unknown.body).toEqual({ code: 5, message: 'webhook not found' });
    await f.http().post('/v1/webhooks/nope/rotate-secret').expect(404, {
      code: 2,
      message: 'invalid id',
    });
    const after = await f.http().get(`/v1/webhooks/${hook.id}`).expect(200);
    expect(after.body).toEqual(hook);
    expect(await previous(hook.id as string)).toEqual([]);
  });
});
