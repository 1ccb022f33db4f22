import { ApiFixture, RECEIVER_HOOK } from '../helpers/api-fixture';

describe('DELETE /v1/tenants/{tenant_id} (204)', () => {
  const f = ApiFixture.use();
  const http = () => f.http();

  const put = async (id: string, body: object = {}, status = 201) =>
    (await http().put(`/v1/tenants/${id}`).send(body).expect(status)).body as Record<string, any>;

  const rows = () => f.db.dataSource.query<{ id: string }[]>('SELECT id FROM tenants ORDER BY id');

  /** A webhook made through the API, then given to `tenant` (the API takes no tenant_id yet). */
  const webhookOf = async (tenant: string | null): Promise<string> => {
    const id = (await f.createWebhook({ ...RECEIVER_HOOK, name: `hook ${tenant}` })).id as string;
    await f.db.dataSource.query(`UPDATE webhooks SET tenant_id = $2 WHERE id = $1`, [id, tenant]);
    const delivery = (
      await http().post('/v1/deliveries').send({ webhook_id: id, payload: '{}' }).expect(201)
    ).body.id as string;
    await f.insertAttempt(delivery, false);
    return id;
  };
  const eventOf = async (tenant: string | null): Promise<string> => {
    const [{ id }] = await f.db.dataSource.query<{ id: string }[]>(
      `INSERT INTO events (id, event_type, payload, scheduled_at, delivery_count, tenant_id)
       VALUES (gen_random_uuid(), 'order.created', '{}', now(), 0, $1) RETURNING id`,
      [tenant],
    );
    return id;
  };
  const count = async (sql: string, params: unknown[]): Promise<number> =>
    (await f.db.dataSource.query<{ n: number }[]>(`SELECT count(*)::int AS n ${sql}`, params))[0].n;

  it("takes its webhooks (with their deliveries and attempts) and its events, and nobody else's", async () => {
    await put('gone');
    await put('kept');
    const gone = [await webhookOf('gone'), await webhookOf('gone')];
    const kept = [await webhookOf('kept'), await webhookOf(null)];
    const goneEvent = await eventOf('gone');
    const keptEvents = [await eventOf('kept'), await eventOf(null)];

    await http().delete('/v1/tenants/gone').expect(204);

    expect(await rows()).toEqual([{ id: 'kept' }]);
    const ids = (await f.db.dataSource.query<{ id: string }[]>('SELECT id FROM webhooks'))
      .map((w) => w.id)
      .sort();
    expect(ids).toEqual([...kept].sort());
    expect(await count('FROM deliveries WHERE webhook_id = ANY($1)', [gone])).toBe(0);
    expect(await count('FROM delivery_attempts WHERE webhook_id = ANY($1)', [gone])).toBe(0);
    expect(await count('FROM deliveries WHERE webhook_id = ANY($1)', [kept])).toBe(2);
    expect(await count('FROM delivery_attempts WHERE webhook_id = ANY($1)', [kept])).toBe(2);
    const events = (await f.db.dataSource.query<{ id: string }[]>('SELECT id FROM events'))
      .map((e) => e.id)
      .sort();
    expect(events).toEqual([...keptEvents].sort());
    expect(events).not.toContain(goneEvent);
    for (const id of gone) await http().get(`/v1/webhooks/${id}`).expect(404);
    for (const id of kept) await http().get(`/v1/webhooks/${id}`).expect(200);
  });
});
