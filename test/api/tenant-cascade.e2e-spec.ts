import { randomBytes, randomUUID } from 'node:crypto';
import { ApiFixture } from '../helpers/api-fixture';

/**
 * §11: "DELETE /v1/tenants/{tenant_id} → 204; its webhooks (with their deliveries and
 * attempts), its events and its portal sessions go with it", everything made through the
 * API as a platform makes it, and nothing of another tenant's or of the platform's goes.
 */
describe('deleting a tenant takes everything it owns, and nothing else (§11)', () => {
  const f = ApiFixture.use();
  const http = () => f.http();

  /** What one owner (a tenant, or null: the platform) has, made through the API. */
  const populate = async (tenantId: string | null) => {
    const webhooks: string[] = [];
    for (const eventTypes of [['*'], ['order.*']]) {
      const hook = await f.createWebhook({
        name: `hook ${tenantId}`,
        url: 'http://127.0.0.1:9/hook',
        content_type: 'application/json',
        valid_status_codes: [200],
        event_types: eventTypes,
        tenant_id: tenantId,
      });
      webhooks.push(hook.id as string);
    }
    const event = await http()
      .post('/v1/events')
      .send({ event_type: 'order.created', payload: '{}', tenant_id: tenantId })
      .expect(201);
    expect(event.body.delivery_count).toBe(2);
    const direct = await http()
      .post('/v1/deliveries')
      .send({ webhook_id: webhooks[0], payload: '{}' })
      .expect(201);
    const deliveries = await f.db.dataSource.query<{ id: string }[]>(
      'SELECT id FROM deliveries WHERE webhook_id = ANY($1)',
      [webhooks],
    );
    for (const { id } of deliveries) await f.insertAttempt(id, false);
    if (tenantId !== null) {
      await f.db.dataSource.query(
        `INSERT INTO portal_sessions (id, tenant_id, token_hash, read_only, expires_at)
         VALUES ($1, $2, $3, false, now() + interval '1 hour')`,
        [randomUUID(), tenantId, randomBytes(32)],
      );
    }
    return { webhooks, event: event.body.id as string, direct: direct.body.id as string };
  };

  /** Rows per table that belong to `tenantId` (null: the platform's), by their owners' keys. */
  const owned = async (tenantId: string | null, webhooks: string[]) => {
    const [row] = await f.db.dataSource.query<Record<string, number>[]>(
      `SELECT
         (SELECT count(*)::int FROM webhooks WHERE id = ANY($2)) AS webhooks,
         (SELECT count(*)::int FROM deliveries WHERE webhook_id = ANY($2)) AS deliveries,
         (SELECT count(*)::int FROM delivery_attempts WHERE webhook_id = ANY($2)) AS attempts,
         (SELECT count(*)::int FROM events WHERE tenant_id IS NOT DISTINCT FROM $1) AS events,
         (SELECT count(*)::int FROM portal_sessions WHERE tenant_id = $1) AS sessions`,
      [tenantId, webhooks],
    );
    return row;
  };

  it('its webhooks, their deliveries (its events’ too) and attempts, its events and sessions', async () => {
    await http().put('/v1/tenants/gone').send({}).expect(201);
    await http().put('/v1/tenants/kept').send({}).expect(201);
    const gone = await populate('gone');
    const kept = await populate('kept');
    const platform = await populate(null);
    // Each has 2 webhooks, 3 deliveries (2 fanned out, 1 direct), 3 attempts, 1 event.
    const full = { webhooks: 2, deliveries: 3, attempts: 3, events: 1 };
    expect(await owned('gone', gone.webhooks)).toEqual({ ...full, sessions: 1 });

    await http().delete('/v1/tenants/gone').expect(204);

    expect(await owned('gone', gone.webhooks)).toEqual({
      webhooks: 0,
      deliveries: 0,
      attempts: 0,
      events: 0,
      sessions: 0,
    });
    const [{ n }] = await f.db.dataSource.query<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM deliveries WHERE event_id = $1 OR id = $2`,
      [gone.event, gone.direct],
    );
    expect(n).toBe(0);
    expect(await owned('kept', kept.webhooks)).toEqual({ ...full, sessions: 1 });
    expect(await owned(null, platform.webhooks)).toEqual({ ...full, sessions: 0 });
    await http().get(`/v1/events/${gone.event}`).expect(404);
    await http().get(`/v1/deliveries/${gone.direct}`).expect(404);
    await http().get(`/v1/events/${kept.event}`).expect(200);
    await http().get(`/v1/deliveries/${platform.direct}`).expect(200);
    await http().get('/v1/tenants/gone').expect(404);
  });

  it('publishes and webhook creates racing the delete answer 201 or 404, never a 5xx, and leave nothing behind', async () => {
    await http().put('/v1/tenants/racing').send({}).expect(201);
    const { webhooks } = await populate('racing');
    const publish = () =>
      http()
        .post('/v1/events')
        .send({ event_type: 'order.created', payload: '{}', tenant_id: 'racing' });
    const create = () =>
      http()
        .post('/v1/webhooks')
        .send({
          name: 'late hook',
          url: 'http://127.0.0.1:9/hook',
          content_type: 'application/json',
          valid_status_codes: [200],
          tenant_id: 'racing',
        });
    const racers = Array.from({ length: 30 }, (_, i) => (i % 3 === 0 ? create() : publish()));
    const [deleted, ...answers] = await Promise.all([
      http().delete('/v1/tenants/racing'),
      ...racers,
    ]);
    expect(deleted.status).toBe(204);
    for (const res of answers) {
      expect([201, 404]).toContain(res.status);
      if (res.status === 404) expect(res.body.code).toBe(16);
    }
    const [row] = await f.db.dataSource.query<Record<string, number>[]>(
      `SELECT (SELECT count(*)::int FROM webhooks WHERE tenant_id = 'racing') AS webhooks,
              (SELECT count(*)::int FROM events WHERE tenant_id = 'racing') AS events,
              (SELECT count(*)::int FROM deliveries WHERE tenant_id = 'racing'
                 OR webhook_id = ANY($1)) AS deliveries`,
      [webhooks],
    );
    expect(row).toEqual({ webhooks: 0, events: 0, deliveries: 0 });
  });
});
