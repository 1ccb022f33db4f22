import { Client } from 'pg';
import type { Response } from 'supertest';
import { ApiFixture, RECEIVER_HOOK } from '../helpers/api-fixture';
import { until } from '../helpers/wait';

/**
 * Requests racing a tenant's delete (§11), made deterministic: a connection of the test's
 * own plays the delete, taking its locks in the order TenantRepository.delete takes them
 * (the tenant's row, then its webhooks in id order) and holding them; the request is sent,
 * and only once PostgreSQL shows it waiting for one of those locks does the delete go on
 * (DELETE FROM tenants, the cascade) and commit. Whatever the request was doing then, it
 * answers as if the tenant had gone before it: never a 5xx (deadlock victim, foreign-key
 * violation).
 */
describe('requests racing a tenant delete answer as if it came first, never a 5xx', () => {
  const f = ApiFixture.use();
  const http = () => f.http();
  let other: Client;

  beforeEach(async () => {
    other = new Client({ connectionString: f.db.url });
    await other.connect();
  });
  afterEach(async () => {
    await other.end();
  });

  /** The delete's locks, held in `other`'s open transaction until `finishDelete`. */
  const holdDeleteLocks = async (tenantId: string): Promise<void> => {
    await other.query('BEGIN');
    await other.query('SELECT 1 FROM tenants WHERE id = $1 FOR NO KEY UPDATE', [tenantId]);
    await other.query('SELECT 1 FROM webhooks WHERE tenant_id = $1 ORDER BY id FOR UPDATE', [
      tenantId,
    ]);
  };
  const finishDelete = async (tenantId: string): Promise<void> => {
    await other.query('DELETE FROM tenants WHERE id = $1', [tenantId]);
    await other.query('COMMIT');
  };
  /** How many sessions wait for a lock `other` holds. */
  const waitingOnOther = async (): Promise<number> => {
    const [{ n }] = await f.db.dataSource.query<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM pg_stat_activity
       WHERE $1 = ANY (pg_blocking_pids(pid))`,
      [(other as unknown as { processID: number }).processID],
    );
    return n;
  };
  /** How many sessions wait for a lock held by a session that waits for `other`. */
  const blockedBehindOthers = async (): Promise<number> => {
    const [{ n }] = await f.db.dataSource.query<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM pg_stat_activity a
       WHERE EXISTS (SELECT 1 FROM pg_stat_activity b
                     WHERE b.pid = ANY (pg_blocking_pids(a.pid))
                       AND $1 = ANY (pg_blocking_pids(b.pid)))`,
      [(other as unknown as { processID: number }).processID],
    );
    return n;
  };
  /** Starts a request now (supertest sends on then), its answer for later. */
  const send = (req: PromiseLike<Response>): Promise<Response> =>
    Promise.resolve(req).then((res) => res);

  /** A tenant with a webhook, a failed direct delivery and a failed delivery of an event. */
  const seed = async (tenantId: string) => {
    await http().put(`/v1/tenants/${tenantId}`).send({}).expect(201);
    const hook = await f.createWebhook({ ...RECEIVER_HOOK, tenant_id: tenantId });
    const direct = await http()
      .post('/v1/deliveries')
      .send({ webhook_id: hook.id, payload: '{}' })
      .expect(201);
    const event = await http()
      .post('/v1/events')
      .send({ event_type: 'order.created', payload: '{}', tenant_id: tenantId })
      .expect(201);
    await f.db.dataSource.query(`UPDATE deliveries SET status = 'failed' WHERE webhook_id = $1`, [
      hook.id,
    ]);
    const [{ id: ofEvent }] = await f.db.dataSource.query<{ id: string }[]>(
      'SELECT id FROM deliveries WHERE event_id = $1',
      [event.body.id],
    );
    return {
      webhookId: hook.id as string,
      directId: direct.body.id as string,
      eventDeliveryId: ofEvent,
      eventId: event.body.id as string,
    };
  };
  const leftOf = async (webhookId: string): Promise<number> => {
    const [{ n }] = await f.db.dataSource.query<{ n: number }[]>(
      'SELECT count(*)::int AS n FROM deliveries WHERE webhook_id = $1 OR tenant_id = $2',
      [webhookId, 'gone'],
    );
    return n;
  };

  it.each([
    ['of an event (it held the event the cascade deletes: a deadlock)', 'eventDeliveryId'],
    ['with its own payload (its webhook went: a foreign-key violation)', 'directId'],
  ] as const)('a redeliver of a delivery %s waits, then answers 404', async (_, which) => {
    const seeded = await seed('gone');
    await holdDeleteLocks('gone');
    const redeliver = send(http().post(`/v1/deliveries/${seeded[which]}/redeliver`));
    await until(async () => (await waitingOnOther()) > 0, 60_000, 'the redeliver to wait');
    await finishDelete('gone');
    const res = await redeliver;
    expect(res.status).toBe(404);
    expect(await leftOf(seeded.webhookId)).toBe(0);
  });

  it("a bulk redeliver waits, then copies the platform's deliveries and none of the tenant's", async () => {
    const seeded = await seed('gone');
    const own = await f.createWebhook({ ...RECEIVER_HOOK, name: 'own' });
    await f.db.dataSource.query(
      `INSERT INTO deliveries (id, webhook_id, payload, scheduled_at, status)
       VALUES (gen_random_uuid(), $1, 'own', now(), 'failed')`,
      [own.id],
    );
    await holdDeleteLocks('gone');
    const bulk = send(http().post('/v1/deliveries/redeliver').send({ status: 'failed' }));
    await until(async () => (await waitingOnOther()) > 0, 60_000, 'the bulk redeliver to wait');
    await finishDelete('gone');
    const res = await bulk;
    expect(res.status).toBe(202);
    expect(await leftOf(seeded.webhookId)).toBe(0);
    const [{ n }] = await f.db.dataSource.query<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM deliveries WHERE webhook_id = $1 AND status = 'pending'`,
      [own.id],
    );
    expect(n).toBe(1);
  });

  it('a webhook create arriving while the delete waits for a publish waits for the delete, then answers 404', async () => {
    // A create that committed a webhook after the delete had locked the tenant's others
    // let a publish hold that one while waiting for one the delete held: a deadlock.
    await http().put('/v1/tenants/gone').send({}).expect(201);
    const old = await f.createWebhook({ ...RECEIVER_HOOK, tenant_id: 'gone' });
    // A publish in flight: the tenant's webhooks held as the fan-out holds them.
    await other.query('BEGIN');
    await other.query('SELECT 1 FROM webhooks WHERE tenant_id = $1 ORDER BY id FOR KEY SHARE', [
      'gone',
    ]);
    const deleted = send(http().delete('/v1/tenants/gone'));
    await until(async () => (await waitingOnOther()) === 1, 60_000, 'the delete to wait');
    let createAnswered = false;
    const created = send(
      http()
        .post('/v1/webhooks')
        .send({ ...RECEIVER_HOOK, name: 'late', tenant_id: 'gone' }),
    ).finally(() => (createAnswered = true));
    // The create waits for the delete (a session blocked by a session other blocks), or,
    // as it did, answers 201 at once.
    await until(
      async () => createAnswered || (await blockedBehindOthers()) > 0,
      60_000,
      'the create to wait or answer',
    );
    // A publish meanwhile is not held up by the delete's lock on the tenant's row.
    const published = await http()
      .post('/v1/events')
      .send({ event_type: 'order.created', payload: '{}', tenant_id: 'gone' });
    expect(published.status).toBe(201);
    expect(published.body.delivery_count).toBe(1);
    await other.query('COMMIT');

    expect((await deleted).status).toBe(204);
    const create = await created;
    expect(create.status).toBe(404);
    expect(create.body.code).toBe(16);
    const [row] = await f.db.dataSource.query<Record<string, number>[]>(
      `SELECT (SELECT count(*)::int FROM webhooks WHERE tenant_id = 'gone' OR id = $1) AS webhooks,
              (SELECT count(*)::int FROM events WHERE tenant_id = 'gone') AS events,
              (SELECT count(*)::int FROM deliveries WHERE tenant_id = 'gone') AS deliveries`,
      [old.id],
    );
    expect(row).toEqual({ webhooks: 0, events: 0, deliveries: 0 });
  });
});
